"""`rescue-signals render` and `play` as a user runs them: files, printed groups, silent mode, clear errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rescue_signals.audiofile import read_audio
from rescue_signals.cli import main
from rescue_signals.codebook import default_codebook
from rescue_signals.commands.play import show_timeline
from rescue_signals.protocol import parse_sequence
from rescue_signals.synth import Conditions, render_sequence

REPO = Path(__file__).resolve().parent.parent.parent
REAL = REPO / "tests" / "fixtures" / "real-knocks"


def test_render_writes_audio_and_sidecar_and_says_what_it_wrote(tmp_path, capsys):
    out = tmp_path / "exchange.flac"
    rc = main(["render", "R5 T3 R4 T3 T7 R3", "-o", str(out), "--medium", "drill_rod", "--noise", "fan,hum",
               "--snr", "12", "--distance", "300", "--far-side", "T", "--compress-gaps", "10", "--seed", "17",
               "--lang", "en"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "7 people trapped" in text and "seeking contact" in text
    assert "compressed from the codebook's 30 s" in text and "SNR 12.0 dB" in text
    assert "--seed 17" in text
    data, rate = read_audio(out)
    sidecar = json.loads(out.with_suffix(".json").read_text())
    assert rate == sidecar["sample_rate"] == 48000
    assert data.shape[0] / rate == pytest.approx(sidecar["duration_s"], abs=1e-3)
    assert sidecar["conditions"]["far_side"] == "trapped" and sidecar["conditions"]["medium"] == "drill_rod"
    assert [g["count"] for g in sidecar["groups"]] == [5, 3, 4, 3, 7, 3]
    assert len(sidecar["knocks"]) == 25


def test_render_is_repeatable_from_the_command_line(tmp_path):
    args = ["render", "T5", "--medium", "rail", "--jitter", "0.2", "--fatigue", "0.5", "--double-strikes", "0.3",
            "--weak-knocks", "0.2", "--reverb", "0.6", "--tempo", "1.3", "--drift", "0.1", "--seed", "5"]
    assert main(args + ["-o", str(tmp_path / "a.wav")]) == 0
    assert main(args + ["-o", str(tmp_path / "b.wav")]) == 0
    # Compare the samples, not the bytes: a float WAV's PEAK chunk carries the time it was written.
    a_samples, a_rate = read_audio(tmp_path / "a.wav")
    b_samples, b_rate = read_audio(tmp_path / "b.wav")
    assert a_rate == b_rate and np.array_equal(a_samples, b_samples)
    a = json.loads((tmp_path / "a.json").read_text())
    assert a["conditions"]["double_strike_prob"] == 0.3 and a["conditions"]["tempo"] == 1.3


def test_render_with_the_users_own_knocks(tmp_path, capsys):
    assert main(["render", "R3", "-o", str(tmp_path / "own.wav"), "--knock-pack", str(REAL), "--seed", "1",
                 "--sample-rate", "22050", "--gap", "4"]) == 0
    assert f"knocks from {REAL}" in capsys.readouterr().out
    assert read_audio(tmp_path / "own.wav")[1] == 22050


@pytest.mark.parametrize("args, message", [
    (["--medium", "pipes"], "unknown medium 'pipes' (did you mean 'pipe'?); valid: pipe, rail, drill_rod"),
    (["--noise", "fan,hmu"], "unknown noise type 'hmu' (did you mean 'hum'?); valid: fan, rock_drill"),
    (["--snr", "80"], "--snr: 80 is out of range: allowed from -20 to 60 dB"),
    (["--distance", "5000"], "--distance: 5000 is out of range: allowed from 0.5 to 2000 m"),
    (["--tempo", "fast"], "'fast' is not a number"),
])
def test_bad_options_are_usage_errors_naming_the_valid_values(tmp_path, capsys, args, message):
    with pytest.raises(SystemExit) as exit_info:
        main(["render", "R5", "-o", str(tmp_path / "x.wav"), *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["R5 X3"], "'X3': unknown side 'X'; use R or T"),
    (["knock knock"], "'knock' is not a group of knocks"),
    (["R5", "--snr", "10"], "an SNR needs noise: name a noise type (fan, rock_drill"),
    (["R5", "--knock-pack", "/nonexistent/pack"], "knock pack '/nonexistent/pack' is not a folder"),
    (["R5", "--far-side", "miners"], "unknown side 'miners' for --far-side; valid: R, T, rescuer, trapped"),
])
def test_bad_input_gives_a_clear_error_and_exit_1(tmp_path, capsys, args, message):
    assert main(["render", *args, "-o", str(tmp_path / "x.wav")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


@pytest.mark.parametrize("medium, distance, note", [
    ("rock_hammer", "60", "headphones"),  # through rock the highs are gone: a thump laptop speakers barely play
    ("rock_hammer", "300", "very faint"),
    ("pipe", "300", None),  # a pipe still rings above 200 Hz
])
def test_render_warns_when_a_listener_may_not_hear_the_knocks(tmp_path, capsys, medium, distance, note):
    rc = main(["render", "R3", "-o", str(tmp_path / "x.wav"), "--medium", medium, "--distance", distance,
               "--seed", "1", "--lang", "en"])
    assert rc == 0
    text = capsys.readouterr().out
    if note is None:
        assert "note:" not in text
    else:
        assert note in text


def test_an_unsupported_output_format_is_refused_before_rendering(tmp_path, capsys):
    assert main(["render", "R5", "-o", str(tmp_path / "x.mp3")]) == 1
    assert "use one of .wav, .flac" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


class FakeClock:
    def __init__(self):
        self.t = 100.0

    def now(self):
        return self.t

    def sleep(self, dt):
        self.t += dt


class StampedOutput:
    """Records what was printed and on which clock time."""

    encoding = "utf-8"

    def __init__(self, clock):
        self.clock = clock
        self.parts = []

    def write(self, text):
        self.parts.append((self.clock.now(), text))

    def flush(self):
        pass

    @property
    def text(self):
        return "".join(t for _, t in self.parts)


def test_silent_mode_shows_each_group_and_each_knock_at_its_time():
    cb = default_codebook()
    r = render_sequence(parse_sequence("R4 T3 T2", cb), cb, Conditions(compress_gaps=3), seed=3)
    clock = FakeClock()
    out = StampedOutput(clock)
    mode = show_timeline(r, cb, lang="en", player=None, now=clock.now, sleep=clock.sleep, out=out)
    assert mode == "silent"
    assert "R4 rescuers: how many of you are there?" in out.text
    assert "T3 trapped people: received, understood" in out.text
    assert "T2 trapped people: 2 people trapped" in out.text  # a headcount, read in context
    assert "(next group in 10 s)" in out.text
    marks = [t for t, text in out.parts if text == "● "]
    assert len(marks) == len(r.knocks)
    start = marks[0] - r.knocks[0].time_s
    assert np.allclose(np.array(marks) - start, [k.time_s for k in r.knocks], atol=0.011)


def test_play_without_a_sound_card_says_so_and_shows_the_knocks():
    env = dict(os.environ, PULSE_SERVER="unix:/nonexistent/socket", PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-m", "rescue_signals", "play", "R2", "--tempo", "4", "--medium",
                           "rock_crib", "--lang", "en", "--seed", "1"], env=env, capture_output=True, text=True,
                          timeout=60, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert "no sound: there is no audio output device" in proc.stderr
    assert "silent mode" in proc.stderr
    assert proc.stdout.count("●") == 2 and "R2 rescuers:" in proc.stdout
