"""Bad audio handed to the real `decode`: refused clearly, per file, never decoded silently wrong or left hanging."""
import os
import subprocess

import numpy as np
import pytest
import soundfile

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "fixtures", "real-knocks", "knuckle-clip.flac")


@pytest.fixture(scope="module")
def five_knocks(tmp_path_factory):
    """A 32-bit float WAV of five knocks, rendered by the program itself."""
    folder = tmp_path_factory.mktemp("five")
    path = folder / "five.wav"
    from rescue_signals.cli import main

    assert main(["render", "T5", "-o", str(path), "--seed", "3"]) == 0
    return path


def test_nan_and_infinite_samples_are_refused_with_their_count(tmp_path, bounded, five_knocks):
    data, rate = soundfile.read(five_knocks, dtype="float32", always_2d=True)
    assert soundfile.info(five_knocks).subtype == "FLOAT"
    at = [int(rate * 1.2), int(rate * 2.5), int(rate * 2.5) + 1]
    data[at[0], 0], data[at[1], 0], data[at[2], 0] = np.nan, np.inf, -np.inf
    broken = tmp_path / "broken.wav"
    soundfile.write(broken, data, rate, subtype="FLOAT")
    run = bounded("decode", broken, "--json")
    run.assert_clean_error(f"{broken}: 3 samples are not numbers (NaN) or are infinite, the first at 1.200 s")
    assert run.out == "" and "RuntimeWarning" not in run.err
    # the same file without the bad samples decodes: the refusal is about them alone
    assert bounded("decode", five_knocks, "--json").code == 0


def test_an_empty_folder_in_a_batch_is_one_more_error_and_the_rest_is_decoded(tmp_path, bounded):
    empty = tmp_path / "emptydir"
    empty.mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("no audio here")
    run = bounded("decode", FIXTURE, empty, tmp_path / "notes", FIXTURE, "--json")
    assert run.code == 1 and "Traceback" not in run.err
    assert run.out.count('"file"') == 2  # both good files decoded
    errors = [line for line in run.err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2 and "emptydir: the folder holds no audio file" in errors[0]


def test_a_pipe_is_refused_and_its_writer_let_go(tmp_path, bounded):
    fifo = tmp_path / "live.wav"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"cat {FIXTURE} > {fifo}"], stderr=subprocess.DEVNULL)
    bounded("decode", fifo).assert_clean_error(f"{fifo}: is a pipe (FIFO)")
    writer.wait(timeout=10)  # not left blocked


def test_a_device_is_not_read_for_ever(bounded):
    bounded("decode", "/dev/zero", timeout_s=30).assert_clean_error("/dev/zero: is a device")


def test_the_app_without_a_screen_says_so_instead_of_running_invisibly(bounded):
    run = bounded("app", "--no-sound", timeout_s=30, unset=("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"))
    run.assert_clean_error("no screen to open the trainer's window on", "rescue-signals drill")
