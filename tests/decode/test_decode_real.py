"""Real tap recordings (../shared/data/real-knocks, hand-checked labels) decode to their labelled taps, once each."""
from pathlib import Path

import numpy as np
import pytest

from rescue_signals.decode import decode_file
from rescue_signals.decode.evaluation import matched_onsets as matched

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "real-knocks"
FIXTURES = REPO / "tests" / "fixtures" / "real-knocks"
LABEL_LEAD_S = 0.012  # the labels start 10-15 ms before the audible onset (see the recordings' README)


def labelled(path: Path) -> np.ndarray:
    return np.loadtxt(path.with_suffix(".labels.txt"), usecols=0, ndmin=1) + LABEL_LEAD_S


def recordings():
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: the real recordings live in the shared data beside the repository",
                    pytrace=False)
    return sorted(SHARED.glob("*.flac"))


@pytest.mark.parametrize("name", ["knuckle", "nail-tap", "nail-tip-tap", "pad"])
def test_real_recording_decodes_to_its_labelled_taps(codebook, name):
    path = next(p for p in recordings() if p.stem == name)
    truth = labelled(path)
    result = decode_file(path, codebook=codebook)
    found = [k.time_s for k in result.knocks]
    hits = matched(truth, found)
    f1 = 2 * hits / (len(truth) + len(found))
    assert f1 >= 0.98, (name, len(truth), len(found), hits)
    # Counted as heard: one group holds every labelled tap exactly once (a faint sound before the first tap of the
    # knuckle recording is not a group of one).
    assert [g.count for g in result.groups] == [len(truth)]
    # ...and nothing is said about a group before it.
    assert not [n for n in result.groups[0].notes if "group before" in n.get("en")]


def test_all_real_recordings_together_reach_f1_099(codebook):
    hits = truth_n = found_n = 0
    for path in recordings():
        truth = labelled(path)
        found = [k.time_s for k in decode_file(path, codebook=codebook).knocks]
        hits += matched(truth, found)
        truth_n += len(truth)
        found_n += len(found)
    assert truth_n == 120
    assert 2 * hits / (truth_n + found_n) >= 0.99


@pytest.mark.parametrize("clip", sorted(FIXTURES.glob("*.flac")), ids=lambda p: p.stem)
def test_short_real_clips_count_their_taps(codebook, clip):
    truth = labelled(clip)
    result = decode_file(clip, codebook=codebook)
    assert sum(g.count for g in result.groups) == len(truth)
    assert matched(truth, [k.time_s for k in result.knocks]) == len(truth)


@pytest.mark.parametrize("noise, snr_db, tempo, reverb, seed", [("pump", 6.0, 1.0, 0.5, 5202),
                                                                ("hum", 3.0, 1.6, 0.9, 5305)])
def test_real_taps_in_noise_are_not_taken_for_clicks(codebook, noise, snr_db, tempo, reverb, seed):
    # The taps cut out of the recordings, placed on the exchange's timing in noise (as the benchmark does). Once the
    # noise covers a fingernail tap's tail it is gone within 5 ms, like an electrical click; but a click is flat to
    # the top of the spectrum and a tap is not. Three of these taps were once reported as clicks.
    from rescue_signals.decode import GroupEvent, KnockDecoder, Reason, RejectedImpulse
    from rescue_signals.protocol import parse_sequence
    from rescue_signals.synth import Conditions, render_sequence
    from rescue_signals.synth.samplepack import load_knock_pack

    recordings()
    conditions = Conditions(medium="rock_hammer", distance_m=0.5, noises=(noise,), snr_db=snr_db, group_gap_s=8.0,
                            tempo=tempo, reverb=reverb, jitter=0.08, double_strike_prob=0.15)
    r = render_sequence(parse_sequence("R5 T3 R4 T3 T7 R3", codebook), codebook, conditions, seed=seed,
                        knock_pack=load_knock_pack(SHARED))
    decoder = KnockDecoder(r.sample_rate, codebook)
    events = decoder.feed(r.samples) + decoder.flush()
    assert [e.group.count for e in events if isinstance(e, GroupEvent)] == [5, 3, 4, 3, 7, 3]
    assert not [e for e in events if isinstance(e, RejectedImpulse) and e.reason == Reason.CLICK]


DEVPACK = REPO.parent / "shared" / "data" / "devpack"


def _one_shots(reel: str, count: int):
    """The first ``count`` one-shots of a knock reel of the development pack, each from its labelled onset."""
    import soundfile

    x, rate = soundfile.read(DEVPACK / "knocks" / f"{reel}.flac", dtype="float32")
    onsets = np.loadtxt(DEVPACK / "knocks" / f"{reel}.labels.txt", usecols=0, ndmin=1)
    return [x[int(t * rate) - 240:int(t * rate) + int(0.3 * rate)] for t in onsets[:count]], rate


@pytest.mark.parametrize("reel, noise", [("cdda_impacts_hard_surfaces", "cdda_heavyrain"),
                                         ("sonicpi_struck_percussion", "exercise_bike")])
def test_real_blows_in_real_noise_and_a_real_room_are_counted(codebook, reel, noise):
    # Real impacts (bricks, concrete, metal; drums and a cowbell) knocked 5 and 3, about a second apart, in a real
    # noise bed at about 10 dB, through a measured room: what a user's recording is made of.
    import soundfile
    from scipy.signal import oaconvolve

    from rescue_signals.decode import GroupEvent, KnockDecoder

    if not DEVPACK.is_dir():
        pytest.fail(f"{DEVPACK} is missing: the development pack lives in the shared data", pytrace=False)
    shots, rate = _one_shots(reel, 8)
    times = [2.0, 3.1, 4.0, 5.2, 6.1, 14.0, 15.2, 16.1]
    dry = np.zeros(int(22 * rate), np.float32)
    for t, shot in zip(times, shots):
        shot = shot / np.sqrt(np.mean(shot[240:240 + 4800] ** 2))
        dry[int(t * rate) - 240:int(t * rate) - 240 + shot.size] += shot
    room, _ = soundfile.read(DEVPACK / "rir" / "openair_genesis6_studio_live_room.flac", dtype="float32")
    wet = oaconvolve(dry, room / np.abs(room).max())[:dry.size]
    bed, _ = soundfile.read(DEVPACK / "noise" / f"{noise}.flac", dtype="float32")
    bed = np.resize(bed, dry.size)
    knock_power = np.mean([np.mean(wet[int(t * rate):int(t * rate) + 4800] ** 2) for t in times])
    x = wet + bed * np.sqrt(knock_power / np.mean(bed ** 2) / 10.0)
    x = (0.5 * x / np.abs(x).max()).astype(np.float32)
    decoder = KnockDecoder(rate, codebook)
    events = decoder.feed(x) + decoder.flush()
    groups = [e.group for e in events if isinstance(e, GroupEvent)]
    assert [g.count for g in groups] == [5, 3]
    # calibrated: in a room at 10 dB a count is stated as likely right, not as sure (a knock more or less is often
    # heard there)
    assert all(0.4 < g.confidence < 0.95 for g in groups)
