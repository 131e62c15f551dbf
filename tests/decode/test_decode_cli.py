"""`rescue-signals decode` as a user runs it: timeline, --json, --csv, --labels, --plot, folders, exit codes."""
import csv
import io
import json

import numpy as np
import pytest


@pytest.fixture(scope="module")
def recording(render, tmp_path_factory):
    from rescue_signals.synth import write_rendering

    folder = tmp_path_factory.mktemp("recordings")
    r = render("R4 T3 T7 R3", medium="pipe", noises=("fan",), snr_db=18.0, seed=2)
    path = folder / "borehole.wav"
    write_rendering(r, path)
    return path


def test_timeline_shows_each_group_with_count_reading_sender_and_confidence(cli, recording):
    code, out, err = cli("decode", recording, "--lang", "en")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(str(recording)) and "48000 Hz" in lines[0]
    rows = [line for line in lines if line.strip()[:1].isdigit() and "%" in line]
    assert len(rows) == 4
    assert "how many of you are there?" in rows[0] and "rescuers (exchange)" in rows[0]
    assert "7 people trapped" in rows[2] and " 7 " in rows[2]
    assert "4 group(s), 17 knock(s)" in out
    assert err == ""  # no progress bar when stderr is not a terminal


def test_chinese_is_the_default_language(cli, recording):
    code, out, _ = cli("decode", recording)
    assert code == 0
    assert "询问被困人数" in out and "被困人数：7 人" in out


def test_json_follows_the_contract(cli, recording):
    code, out, _ = cli("decode", recording, "--json", "--lang", "en")
    assert code == 0
    (data,) = [json.loads(line) for line in out.splitlines()]
    assert data["file"] == str(recording) and data["sample_rate"] == 48000 and data["duration_s"] > 20
    assert {"time_s", "strength"} <= set(data["knocks"][0])
    group = data["groups"][2]
    assert {"count", "start_s", "end_s", "knock_times_s", "confidence", "signal", "meaning", "notes"} <= set(group)
    assert group["count"] == 7 and len(group["knock_times_s"]) == 7 and group["signal"] == "headcount"
    assert group["meaning"] == "7 people trapped" and 0 <= group["confidence"] <= 1
    assert [g["count"] for g in data["groups"]] == [4, 3, 7, 3]
    assert sum(g["count"] for g in data["groups"]) == len(data["knocks"])


def test_csv_opens_as_a_table(cli, recording, tmp_path):
    code, out, _ = cli("decode", recording, "--csv", "--lang", "en")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(r["count"]) for r in rows] == [4, 3, 7, 3]
    assert rows[2]["meaning"] == "7 people trapped" and len(rows[2]["knock_times_s"].split()) == 7
    target = tmp_path / "groups.csv"
    code, _, _ = cli("decode", recording, "--csv", "-o", target)
    assert code == 0 and target.read_bytes().startswith(b"\xef\xbb\xbf")  # spreadsheets then read it as UTF-8


def test_labels_are_an_audacity_label_track(cli, recording):
    code, out, _ = cli("decode", recording, "--labels", "--lang", "en")
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert all(len(r) == 3 for r in rows)
    regions = [r for r in rows if float(r[1]) > float(r[0])]
    points = [r for r in rows if float(r[1]) == float(r[0]) and r[2].isdigit()]
    assert len(regions) == 4 and regions[2][2].startswith("7 × 7 people trapped")
    assert len(points) == 17
    starts = [float(r[0]) for r in rows]
    assert starts == sorted(starts)


def test_plot_draws_waveform_level_knocks_and_groups(cli, recording, tmp_path, artifacts_dir):
    from PIL import Image

    target = tmp_path / "borehole.png"
    code, _, err = cli("decode", recording, "--plot", target, "--lang", "en")
    assert code == 0 and f"wrote {target}" in err
    image = np.asarray(Image.open(target).convert("RGB")).astype(int)
    assert image.shape[0] >= 400 and image.shape[1] >= 1000
    red = (image[..., 0] > 150) & (image[..., 1] < 90) & (image[..., 2] < 90)  # knock markers
    yellow = (image[..., 0] > 230) & (image[..., 1] > 200) & (image[..., 2] < 215)  # group spans
    assert red.sum() > 500 and yellow.sum() > 5000
    Image.open(target).save(artifacts_dir / "decode-plot.png")


def test_a_batch_goes_on_past_unreadable_files_and_exits_1(cli, recording, tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio")
    code, out, err = cli("decode", bad, recording.parent, tmp_path / "missing.wav", "--json")
    assert code == 1
    assert f"error: {bad}: not an audio file" in err and "missing.wav: no such file" in err
    assert [json.loads(line)["file"] for line in out.splitlines()] == [str(recording)]


def test_labels_for_several_files_go_beside_them(cli, recording, tmp_path):
    import shutil

    for name in ("a.wav", "b.wav"):
        shutil.copy(recording, tmp_path / name)
    code, _, err = cli("decode", tmp_path, "--labels", "-o", tmp_path / "labels")
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "labels").iterdir()) == ["a.labels.txt", "b.labels.txt"]


def test_bad_options_are_clear(cli, recording):
    code, _, err = cli("decode", recording, "--channel", "0")
    assert code == 1 and "numbered from 1" in err
    code, _, err = cli("decode", recording, "--channel", "left")
    assert code == 1 and "'all'" in err
    code, _, err = cli("decode", recording, "--json", "--csv")
    assert code == 2


def test_listen_says_when_a_knock_it_showed_is_taken_back(codebook, capsys):
    # Live, a knock is shown as soon as it is heard; when the rhythm model later leaves it out (it fell off the beat
    # of its group, or it was a lone sound too unclear to be a group), the listener is told, and it is not counted.
    from types import SimpleNamespace

    from rescue_signals.commands.listen import _Display
    from rescue_signals.decode import KnockEvent, Reason, RejectedImpulse

    display = _Display(codebook, "en", as_json=False)
    first, second = KnockEvent(1.0, 0.05, 20.0, -30.0, 800.0), KnockEvent(1.22, 0.05, 20.0, -30.0, 800.0)
    for event in (first, second, RejectedImpulse.taking_back(first, Reason.OFF_BEAT),
                  RejectedImpulse.taking_back(second, Reason.LONE), RejectedImpulse(3.0, Reason.CLICK, 30.0, -20.0)):
        display.event(event, latency_s=0.05)
    display.end(SimpleNamespace(time_s=5.0))
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines[:2]] == ["knock", "knock"]
    assert lines[2].strip().startswith("0:01.0  ✗ not a knock: off the beat of its group")
    assert len([line for line in lines if "✗" in line]) == 2  # the click was never shown as a knock
    assert lines[-1] == "5 s: 0 group(s), 0 knock(s)"
