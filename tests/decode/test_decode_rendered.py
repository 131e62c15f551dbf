"""Rendered exchanges decode exactly: every medium under a fan, a pump, hum, running water or dripping water at a
moderate SNR, ringing and reverberant steel counted once, any tempo between 0.4 s and 2 s a knock, and sounds that
are not knocks reported with why."""
import numpy as np
import pytest

from rescue_signals.decode import GroupEvent, KnockEvent, Reason, RejectedImpulse, standing_knocks
from rescue_signals.decode.evaluation import onset_f1

COUNTS = [5, 3, 4, 3, 7, 3]
READINGS = ["call", "received", "ask_count", "received", "headcount", "received"]
MEDIA = ("pipe", "rail", "drill_rod", "rock_hammer", "rock_crib")


def groups(events):
    return [e.group for e in events if isinstance(e, GroupEvent)]


@pytest.mark.parametrize("noise", ["fan", "pump", "hum", "water", "drip"])
@pytest.mark.parametrize("medium", MEDIA)
def test_exchange_decodes_exactly_at_15_db(render, decode_samples, medium, noise):
    r = render(medium=medium, noises=(noise,), snr_db=15.0, double_strike_prob=0.1, reverb=0.3)
    events = decode_samples(r.samples, r.sample_rate)
    decoded = groups(events)
    assert [g.count for g in decoded] == COUNTS
    assert [g.signal for g in decoded] == READINGS
    assert decoded[4].meaning.get("en") == "7 people trapped"
    assert onset_f1([k.time_s for k in r.knocks], [k.time_s for k in standing_knocks(events)]) == 1.0


@pytest.mark.parametrize("medium", ["pipe", "rail", "drill_rod"])
def test_ringing_reverberant_steel_and_double_strikes_count_once(render, decode_samples, medium):
    r = render("R5 T3 R4", medium=medium, noises=("fan",), snr_db=20.0, reverb=1.0, double_strike_prob=1.0)
    events = decode_samples(r.samples, r.sample_rate)
    assert [g.count for g in groups(events)] == [5, 3, 4]
    # The rebounds were heard, and reported as part of their knock rather than counted.
    assert any(isinstance(e, RejectedImpulse) and e.reason == Reason.ECHO for e in events)


@pytest.mark.parametrize("tempo", [0.5, 0.8, 1.6, 2.5])
def test_grouping_follows_the_senders_tempo(render, decode_samples, tempo):
    # tempo 0.5 knocks 2 s apart, 2.5 knocks 0.4 s apart; the gaps between groups stay 6 s.
    r = render("R5 T3 R4 T3 T12 R3", medium="rock_hammer", noises=("pump",), snr_db=20.0, tempo=tempo)
    assert [g.count for g in groups(decode_samples(r.samples, r.sample_rate))] == [5, 3, 4, 3, 12, 3]


def test_short_gaps_of_a_drill_still_separate_groups(render, decode_samples):
    r = render("R5 T3 R4 T3 T2 R3", medium="pipe", noises=("hum",), snr_db=20.0, group_gap_s=3.5)
    assert [g.count for g in groups(decode_samples(r.samples, r.sample_rate))] == [5, 3, 4, 3, 2, 3]


def test_level_changes_do_not_matter(render, decode_samples):
    r = render("R5 T3 R4 T3", medium="drill_rod", noises=("fan",), snr_db=15.0)
    # The first half 34 dB quieter; the gain comes up over 50 ms in the silence between two groups (an automatic
    # gain control, a hand taken off the phone).
    gain = np.ones(r.samples.size, np.float32)
    turn = int(16.0 * r.sample_rate)
    ramp = int(0.05 * r.sample_rate)
    gain[:turn] = 0.02
    gain[turn:turn + ramp] = np.linspace(0.02, 1.0, ramp)
    events = decode_samples(r.samples * gain, r.sample_rate)
    assert [g.count for g in groups(events)] == [5, 3, 4, 3]
    # The rise in level itself is no knock.
    assert not [k for k in standing_knocks(events) if 15.5 < k.time_s < 16.5]


def test_clicks_are_reported_not_counted(render, decode_samples):
    r = render("R5 T3", medium="rock_crib", noises=("fan",), snr_db=20.0)
    x = r.samples.copy()
    clicks_s = [0.5, 7.0, 8.2]  # in the silence before, and in the gap between the groups
    for t in clicks_s:
        x[int(t * r.sample_rate)] = 0.9
    events = decode_samples(x, r.sample_rate)
    assert [g.count for g in groups(events)] == [5, 3]
    rejected = [e for e in events if isinstance(e, RejectedImpulse) and e.reason == Reason.CLICK]
    assert [round(e.time_s, 1) for e in rejected] == clicks_s
    assert "click" in rejected[0].message.get("en")


def test_silence_and_pure_noise_give_no_knocks(codebook, decode_samples):
    rng = np.random.default_rng(3)
    for x in (np.zeros(48000 * 20, np.float32), (0.05 * rng.standard_normal(48000 * 60)).astype(np.float32)):
        events = decode_samples(x, 48000)
        assert not [e for e in events if isinstance(e, (KnockEvent, GroupEvent))]


@pytest.mark.parametrize("snr_db", [10.0, 6.0])
@pytest.mark.parametrize("medium", ["rock_hammer", "rock_crib"])
def test_drops_of_water_are_not_counted(render, decode_samples, medium, snr_db):
    # At these SNRs a drop's loudest 5 ms is about as loud as a knock's, or louder, and drops fall once or twice a
    # second: only their narrow ring with no low body tells them apart.
    r = render(medium=medium, noises=("drip",), snr_db=snr_db)
    events = decode_samples(r.samples, r.sample_rate)
    assert [g.count for g in groups(events)] == COUNTS
    assert onset_f1([k.time_s for k in r.knocks], [k.time_s for k in standing_knocks(events)]) == 1.0


@pytest.mark.parametrize("medium, seed", [("rock_hammer", 1130), ("rock_crib", 1140)])
def test_dull_knocks_in_a_fans_noise_are_not_taken_for_clicks_or_swells(render, decode_samples, medium, seed):
    # A hammer on rock cracks for one frame and thumps below 400 Hz; timber barely reaches the upper bands, which
    # flicker with the fan's noise before the blow, and its thump may come in the frame after its crack. They were
    # once turned away as a click, a swell or a tone. (Two cases of the decoder benchmark's corpus.)
    k = seed - 1000
    r = render(medium=medium, noises=("fan",), snr_db=10.0, group_gap_s=8.0, tempo=(0.6, 1.0, 1.6)[k % 3],
               reverb=(0.2, 0.5, 0.9)[(k // 3) % 3], jitter=0.08, double_strike_prob=0.15, seed=seed)
    events = decode_samples(r.samples, r.sample_rate)
    assert [g.count for g in groups(events)] == COUNTS
    truth = np.array([k.time_s for k in r.knocks])
    assert not [e for e in events if isinstance(e, RejectedImpulse) and np.abs(truth - e.time_s).min() < 0.03
                and e.reason in (Reason.CLICK, Reason.SWELL, Reason.NOT_A_BLOW)]


@pytest.mark.parametrize("medium, tempo, seed", [("drill_rod", 1.0, 2), ("rail", 0.6, 2), ("drill_rod", 0.6, 2)])
def test_steel_heard_without_noise_counts_exactly(render, decode_samples, medium, tempo, seed):
    # Without noise a drill rod struck on one pitch once passed for a drop of water, and the beating partials of a
    # ringing rail for a second, fainter knock.
    r = render(medium=medium, tempo=tempo, reverb=0.5, double_strike_prob=0.15, group_gap_s=8.0, seed=seed)
    events = decode_samples(r.samples, r.sample_rate)
    assert [g.count for g in groups(events)] == COUNTS
    assert onset_f1([k.time_s for k in r.knocks], [k.time_s for k in standing_knocks(events)]) == 1.0


def test_a_ringing_rail_heard_faintly_over_a_pump_is_counted(render, decode_samples):
    # At 0 dB a rail's knock is a few dB above the pump; its ring and the pump's wavering stay within 3 dB of it for
    # 0.3 s. (A case of the synthetic corpus.)
    r = render(medium="rail", noises=("pump",), snr_db=0.0, group_gap_s=8.0, tempo=1.0, reverb=0.9, jitter=0.08,
               double_strike_prob=0.15, seed=1412)
    events = decode_samples(r.samples, r.sample_rate)
    found = np.array([k.time_s for k in standing_knocks(events)])
    # Every faint knock is heard...
    assert all(np.abs(found - k.time_s).min() <= 0.05 for k in r.knocks)
    assert onset_f1([k.time_s for k in r.knocks], found.tolist()) >= 0.95
    # ...and a group that took in a sound of the pump on its beat says it is unsure.
    for g, true in zip(groups(events), r.groups):
        if g.count != true.count:
            assert g.confidence < 0.5, (g.count, true.count, g.confidence)


@pytest.mark.parametrize("medium", MEDIA)
def test_knocks_under_loud_hum_are_judged_where_they_sound(render, decode_samples, medium):
    # At -10 dB the hum's one low band holds ten times the knock's power, but above 400 Hz the knocks stand clear.
    # Judged over every band they were about 1 dB above the noise, and a pipe's first knock fell short of the 1 dB
    # a knock must reach.
    r = render(medium=medium, noises=("hum",), snr_db=-10.0)
    events = decode_samples(r.samples, r.sample_rate)
    decoded = groups(events)
    assert [g.count for g in decoded] == COUNTS
    # What a knock's SNR tells the user (and the group's confidence) is how clear it stands where it sounds.
    assert np.median([k.snr_db for k in standing_knocks(events)]) >= 5.0


def test_a_drill_rod_whose_ring_swells_is_not_taken_for_a_drop(render, decode_samples):
    # A rod rings on one pitch; when its partials beat, the ring can be at its loudest at the end of the 43 ms
    # measured after the blow, where no later frame shows it ringing on. Two of its knocks once passed for drops of
    # water there. (A case of the benchmark's corpus: hum at 10 dB, fast sender, much reverberation.)
    r = render(medium="drill_rod", noises=("hum",), snr_db=10.0, group_gap_s=8.0, tempo=1.6, reverb=0.9, jitter=0.08,
               double_strike_prob=0.15, seed=1125)
    events = decode_samples(r.samples, r.sample_rate)
    assert [g.count for g in groups(events)] == COUNTS


def test_sounds_in_faster_succession_than_knocks_are_reported_not_counted(render, decode_samples):
    # Four blows 0.22 s apart in the gap between two groups (a rattle; or speech, whose syllables come as fast): no
    # hand knocks that fast, so they are not a group of four.
    r = render("R5 T3", medium="rock_hammer", noises=("pump",), snr_db=20.0)
    x = r.samples.copy()
    sr = r.sample_rate
    first = int(round(r.knocks[0].time_s * sr))
    blow = r.clean[first:first + int(0.15 * sr)]
    middle = 0.5 * (r.groups[0].end_s + r.groups[1].start_s)
    burst_s = [middle - 0.33 + 0.22 * i for i in range(4)]
    for t in burst_s:
        i = int(round(t * sr))
        x[i:i + blow.size] += blow
    # ...and a blow 12 dB fainter 0.4 s after them, off their beat: dropped from them, and not left standing either.
    i = int(round((burst_s[-1] + 0.4) * sr))
    x[i:i + blow.size] += 0.25 * blow
    events = decode_samples(x, sr)
    assert [g.count for g in groups(events)] == [5, 3]
    # The burst was heard, and said not to be counted.
    rejected = [e.time_s for e in events if isinstance(e, RejectedImpulse)]
    assert all(np.abs(np.array(rejected) - t).min() < 0.02 for t in burst_s)
    # Every knock left standing is one of the groups' knocks.
    assert len(standing_knocks(events)) == 5 + 3


def test_a_knock_landing_on_a_syllable_is_not_taken_for_a_swell(render, decode_samples):
    # Under voices a blow can land while a syllable swells; the sum of the upper bands then climbs slowly, like a
    # voice, but the blow's own bands leap 15 dB or more in one frame. Such a knock was once reported as a swell.
    # (A case of the benchmark's corpus: voices at 6 dB, a hammer on rock, a fast sender.)
    r = render(medium="rock_hammer", noises=("voices",), snr_db=6.0, group_gap_s=8.0, tempo=1.6, reverb=0.2,
               jitter=0.08, double_strike_prob=0.15, seed=1236)
    events = decode_samples(r.samples, r.sample_rate)
    assert [g.count for g in groups(events)] == COUNTS
    truth = np.array([k.time_s for k in r.knocks])
    swells = [e.time_s for e in events if isinstance(e, RejectedImpulse) and e.reason == Reason.SWELL]
    assert not [t for t in swells if np.abs(truth - t).min() < 0.05]
