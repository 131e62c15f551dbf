"""Rendering: knocks fall where the codebook and the sender's hand put them, the sidecar records every one of
them exactly, and a rendering is reproducible from its seed and conditions."""

import json

import numpy as np
import pytest

from rescue_signals.audiofile import read_audio
from rescue_signals.codebook import default_codebook
from rescue_signals.errors import AudioFileError, UsageError
from rescue_signals.protocol import Group, parse_sequence
from rescue_signals.synth import Conditions, render_sequence, write_rendering

CB = default_codebook()
STEADY = dict(jitter=0.0, drift=0.0)


def render(text="R5 T3", seed=1, **conditions):
    return render_sequence(parse_sequence(text, CB), CB, Conditions(**conditions), seed=seed)


def onset_times_s(x, sr, *, threshold=0.02):
    """Where the signal first rises above ``threshold`` after a quiet stretch (knocks rendered without reverb)."""
    loud = np.abs(x) > threshold
    starts = np.flatnonzero(loud & ~np.concatenate([[False], loud[:-1]]))
    out = []
    for s in starts:
        if not out or s / sr - out[-1] > 0.2:
            out.append(s / sr)
    return out


def test_knocks_are_spaced_as_the_codebook_says_and_groups_by_the_gap():
    r = render("R5 T3 R4", medium="rock_hammer", **STEADY)
    times = [k.time_s for k in r.knocks]
    interval = CB.timing.knock_interval_s
    assert [g.count for g in r.groups] == [5, 3, 4]
    assert np.allclose(np.diff(times[:5]), interval)
    assert r.groups[1].start_s - r.groups[0].end_s == pytest.approx(CB.timing.group_gap_s)
    assert r.group_gap_s == CB.timing.group_gap_s and not r.gaps_compressed


def test_the_audio_has_a_knock_at_every_sidecar_time():
    r = render("R5 T3 R2", medium="rock_hammer", reverb=0.0, jitter=0.2, drift=0.2, compress_gaps=10, seed=7)
    found = onset_times_s(r.samples, r.sample_rate)
    truth = [k.time_s for k in r.knocks]
    assert len(found) == len(truth)
    assert np.max(np.abs(np.array(found) - truth)) < 0.002


def test_tempo_scales_the_spacing_and_compression_the_gap():
    r = render("R5 T3", tempo=2.0, compress_gaps=10, **STEADY)
    times = [k.time_s for k in r.knocks]
    assert np.allclose(np.diff(times[:5]), CB.timing.knock_interval_s / 2)
    assert r.group_gap_s == pytest.approx(CB.timing.group_gap_s / 10)
    sidecar = r.sidecar()
    assert sidecar["gaps_compressed"] is True and sidecar["codebook_group_gap_s"] == CB.timing.group_gap_s
    explicit = render("R5 T3", group_gap_s=4.5, **STEADY)
    assert explicit.groups[1].start_s - explicit.groups[0].end_s == pytest.approx(4.5)


def test_a_real_hand_jitters_and_drifts_but_stays_a_group():
    r = render("T30", jitter=0.1, drift=0.1, seed=3)
    gaps = np.diff([k.time_s for k in r.knocks])
    assert gaps.std() > 0.03
    assert CB.timing.knock_interval_min_s <= gaps.min() and gaps.max() <= CB.timing.knock_interval_max_s


def test_fatigue_slows_and_weakens_a_long_group():
    r = render("T12", fatigue=1.0, **STEADY, seed=2)
    gaps = np.diff([k.time_s for k in r.knocks])
    strengths = [k.strength for k in r.knocks]
    assert gaps[-1] > 1.3 * gaps[0]
    assert np.mean(strengths[-3:]) < 0.7 * np.mean(strengths[:3])


def test_a_double_strike_is_one_knock_with_a_rebound_in_the_audio():
    r = render("R5", medium="rock_hammer", reverb=0.0, double_strike_prob=1.0, seed=4)
    assert len(r.knocks) == 5 and r.groups[0].count == 5
    sr = r.sample_rate
    for k in r.knocks:
        assert k.kind == "double" and 0.015 <= k.rebound_s <= 0.06
        # Rock dies away within a few ms, so the rebound stands out as a second impact.
        at = int((k.time_s + k.rebound_s) * sr)
        before = np.max(np.abs(r.clean[at - int(0.004 * sr):at - int(0.001 * sr)]))
        after = np.max(np.abs(r.clean[at:at + int(0.004 * sr)]))
        assert after > 2 * before
    entry = r.sidecar()["knocks"][0]
    assert entry["kind"] == "double" and "rebound_s" in entry


def test_weak_knocks_are_weaker():
    r = render("T20", weak_knock_prob=0.5, seed=6)
    weak = [k.strength for k in r.knocks if k.kind == "weak"]
    normal = [k.strength for k in r.knocks if k.kind == "knock"]
    assert weak and normal and max(weak) < 0.5 * min(normal)


def test_same_seed_same_audio_other_seed_other_audio():
    c = dict(medium="pipe", noises=("fan", "drip"), snr_db=12.0, compress_gaps=10, jitter=0.1)
    a, b, other = render(seed=42, **c), render(seed=42, **c), render(seed=43, **c)
    assert np.array_equal(a.samples, b.samples)
    assert a.sidecar() == b.sidecar()
    assert not np.array_equal(a.samples[:other.samples.size], other.samples[:a.samples.size])
    assert [k.time_s for k in a.knocks] != [k.time_s for k in other.knocks]


def test_a_rendering_can_be_repeated_from_its_sidecar(tmp_path):
    r = render("R4 T3 T6 R3", medium="drill_rod", noises=("pump",), snr_db=8.0, compress_gaps=6, fatigue=0.3,
               far_side="trapped", distance_m=120.0, seed=77)
    sidecar = json.loads(json.dumps(r.sidecar()))
    again = render_sequence(parse_sequence(sidecar["sequence"], CB), CB, Conditions.from_dict(sidecar["conditions"]),
                            seed=sidecar["seed"])
    assert np.array_equal(again.samples, r.samples)


def test_sidecar_follows_the_contract(tmp_path):
    r = render("R5 T3", compress_gaps=10, noises=("hum",), snr_db=15.0)
    sidecar_path = write_rendering(r, tmp_path / "x.wav")
    assert sidecar_path == tmp_path / "x.json"
    data = json.loads(sidecar_path.read_text())
    assert data["sample_rate"] == 48000
    assert [set(k) >= {"time_s", "group"} for k in data["knocks"]] == [True] * 8
    assert [(g["count"], g["role"]) for g in data["groups"]] == [(5, "rescuer"), (3, "trapped")]
    for g in data["groups"]:
        assert set(g) >= {"count", "start_s", "end_s", "role"}
    assert data["seed"] == 1 and data["sequence"] == "R5 T3"
    assert data["conditions"]["noises"] == ["hum"] and abs(data["snr_db_measured"] - 15.0) < 0.5
    times = [k["time_s"] for k in data["knocks"]]
    assert data["groups"][0]["start_s"] == times[0] and data["groups"][1]["end_s"] == times[-1]
    assert "one knock" in data["notes"]["kind"]


@pytest.mark.parametrize("suffix", [".wav", ".flac"])
def test_written_audio_reads_back_at_its_rate(tmp_path, suffix):
    r = render("R3", sample_rate=16000, compress_gaps=10)
    write_rendering(r, tmp_path / f"x{suffix}")
    data, rate = read_audio(tmp_path / f"x{suffix}")
    assert rate == 16000 and data.shape == (r.samples.size, 1)
    assert np.max(np.abs(data[:, 0] - r.samples)) < 1e-4


def test_senders_are_inferred_from_the_exchange():
    r = render("4 3 7 3", compress_gaps=10)
    assert [g.role for g in r.groups] == ["rescuer", "trapped", "trapped", "rescuer"]


def test_groups_with_start_times_start_there():
    groups = [Group(3, "rescuer", start_s=2.0), Group(3, "trapped", start_s=9.5)]
    r = render_sequence(groups, CB, Conditions(**STEADY), seed=1)
    assert [g.start_s for g in r.groups] == [2.0, 9.5]


def test_near_side_is_louder_than_the_far_side():
    r = render("R3 T3", far_side="trapped", distance_m=200.0, compress_gaps=10, reverb=0.0)
    sr = r.sample_rate
    peak = [np.max(np.abs(r.clean[int(g.start_s * sr):int((g.end_s + 0.5) * sr)])) for g in r.groups]
    assert peak[0] > 4 * peak[1]


@pytest.mark.parametrize("kwargs, message", [
    (dict(medium="granite"), "valid: pipe, rail, drill_rod, rock_hammer, rock_crib"),
    (dict(noises=("fan", "jackhammer")), "valid: fan, rock_drill, pump, drip, water, hum, voices"),
    (dict(snr_db=99.0), "allowed from -20 to 60"),
    (dict(distance_m=0.0), "allowed from 0.5 to 2000"),
    (dict(tempo=10.0), "allowed from 0.25 to 4"),
])
def test_bad_conditions_name_the_valid_values(kwargs, message):
    with pytest.raises(UsageError, match=message):
        Conditions(**kwargs)


def test_from_dict_checks_keys_and_round_trips():
    with pytest.raises(UsageError, match="did you mean 'distance_m'"):
        Conditions.from_dict({"distance": 5})
    c = Conditions.from_dict({"medium": "rail", "noises": "fan, hum", "snr_db": 3, "sample_rate": 44100})
    assert c.noises == ("fan", "hum") and c.snr_db == 3.0
    assert Conditions.from_dict(c.as_dict()) == c


def test_bad_renders_say_what_is_wrong(tmp_path):
    with pytest.raises(UsageError, match="needs noise"):
        render("R3", snr_db=10.0)
    with pytest.raises(UsageError, match="run groups together"):
        render("R3 T3", compress_gaps=20)
    with pytest.raises(UsageError, match="valid: rescuer, trapped"):
        render("R3", far_side="miners")
    with pytest.raises(AudioFileError, match="does not exist"):
        write_rendering(render("R1", compress_gaps=10), tmp_path / "missing" / "x.wav")


def test_a_loaded_impulse_response_replaces_the_generated_roadway(tmp_path):
    from rescue_signals.audiofile import write_audio

    sr = 48000
    rng = np.random.default_rng(0)
    t = np.arange(int(2.0 * sr)) / sr
    ir = rng.standard_normal(t.size) * np.exp(-6.9 * t / 2.0) * 0.05
    ir = np.concatenate([np.zeros(100), [1.0], ir])  # a measured response: some silence, the direct sound, a tail
    write_audio(tmp_path / "roadway.wav", ir, sr)
    from rescue_signals.cli import main

    assert main(["render", "R1", "-o", str(tmp_path / "wet.wav"), "--medium", "rock_hammer", "--reverb", "0.8",
                 "--impulse-response", str(tmp_path / "roadway.wav"), "--seed", "1"]) == 0
    assert main(["render", "R1", "-o", str(tmp_path / "dry.wav"), "--medium", "rock_hammer", "--reverb", "0",
                 "--seed", "1"]) == 0
    wet, _ = read_audio(tmp_path / "wet.wav")
    dry, _ = read_audio(tmp_path / "dry.wav")
    late = slice(int(1.8 * sr), int(2.0 * sr))  # 0.8-1.0 s after the knock, long after a rock knock has died
    assert np.sqrt(np.mean(wet[late] ** 2)) > 30 * np.sqrt(np.mean(dry[late] ** 2)) + 1e-6
    sidecar = json.loads((tmp_path / "wet.json").read_text())
    assert sidecar["sources"]["impulse_response"].endswith("roadway.wav")
