"""Protocol-aware reading: the count as heard beside its reading, the likely sender, confidence and warnings."""
import numpy as np
import pytest

from rescue_signals.decode import GroupEvent


def decoded(events):
    return [e.group for e in events if isinstance(e, GroupEvent)]


def test_a_headcount_is_read_in_context_and_says_so(render, decode_samples):
    r = render("R4 T3 T3 R3", medium="rail", noises=("hum",), snr_db=20.0)
    groups = decoded(decode_samples(r.samples, r.sample_rate))
    assert [g.count for g in groups] == [4, 3, 3, 3]
    assert [g.signal for g in groups] == ["ask_count", "received", "headcount", "received"]
    headcount = groups[2]
    assert headcount.meaning.get("en") == "3 people trapped"
    assert headcount.context_dependent and "received" in headcount.alternatives
    assert any("depends on the groups before it" in n.get("en") for n in headcount.notes)
    assert [g.sender for g in groups] == ["rescuer", "trapped", "trapped", "rescuer"]
    assert all(g.sender_basis == "protocol" for g in groups)


def test_an_unknown_count_is_still_reported_as_heard(render, decode_samples):
    r = render("R6", medium="rock_hammer", noises=("fan",), snr_db=20.0)
    (group,) = decoded(decode_samples(r.samples, r.sample_rate))
    assert group.count == 6 and group.signal is None and group.kind == "unknown"
    assert group.meaning.get("en") == "6 knocks: not recognised"


def test_a_long_group_warns_that_it_is_easy_to_miscount(render, decode_samples):
    r = render("R4 T3 T22", medium="pipe", noises=("pump",), snr_db=20.0)
    groups = decoded(decode_samples(r.samples, r.sample_rate))
    assert [g.count for g in groups] == [4, 3, 22]
    long_group = groups[2]
    assert long_group.signal == "headcount" and long_group.meaning.get("en") == "22 people trapped"
    assert any("long group, easy to miscount" in n.get("en") for n in long_group.notes)
    assert long_group.confidence < groups[1].confidence


def test_uneven_spacing_and_a_missed_knock_are_noted_and_lower_the_confidence(render, decode_samples):
    clean = render("R5", medium="drill_rod", noises=("fan",), snr_db=20.0, jitter=0.0, drift=0.0)
    uneven = render("R5", medium="drill_rod", noises=("fan",), snr_db=20.0, jitter=0.22, drift=0.3, seed=1)
    (good,) = decoded(decode_samples(clean.samples, clean.sample_rate))
    (bad,) = decoded(decode_samples(uneven.samples, uneven.sample_rate))
    assert good.count == bad.count == 5
    assert any("uneven spacing" in n.get("en") for n in bad.notes)
    assert bad.confidence < good.confidence
    # Lay the lead-in's noise over one knock (with 20 ms crossfades): the gap it leaves is reported.
    x = clean.samples.copy()
    rate = clean.sample_rate
    start, length, fade = int((clean.knocks[2].time_s - 0.05) * rate), int(0.9 * rate), int(0.02 * rate)
    mix = np.ones(length, np.float32)
    mix[:fade], mix[-fade:] = np.linspace(0, 1, fade), np.linspace(1, 0, fade)
    x[start:start + length] = (1 - mix) * x[start:start + length] + mix * clean.samples[:length]
    (missing,) = decoded(decode_samples(x, rate))
    assert missing.count == 4
    assert any("may have been missed" in n.get("en") for n in missing.notes)
    assert missing.confidence < good.confidence


def test_the_near_side_is_told_from_the_far_side_by_sound(render, decode_samples):
    # Rescuers knock near the listener, the trapped 300 m away along the pipe. After R4 T3 T6 R3 (senders known from
    # the exchange), a repeated call by the rescuers cannot be told by turn-taking; it sounds like them.
    r = render("R4 T3 T6 R3 R5", medium="pipe", noises=("fan",), snr_db=25.0, far_side="trapped", distance_m=300.0)
    groups = decoded(decode_samples(r.samples, r.sample_rate))
    assert [g.count for g in groups] == [4, 3, 6, 3, 5]
    assert groups[0].level_db > groups[1].level_db + 6  # near and far
    assert groups[4].sender == "rescuer" and groups[4].sender_basis == "sound"
    assert any("loudness and brightness" in n.get("en") for n in groups[4].notes)


def test_protocol_deviations_become_notes(render, decode_samples):
    r = render("R4 T7 R3", medium="rock_crib", noises=("hum",), snr_db=20.0)
    groups = decoded(decode_samples(r.samples, r.sample_rate))
    assert [g.count for g in groups] == [4, 7, 3]
    assert "headcount-without-ack" in groups[1].deviations
    assert any("without first acknowledging" in n.get("en") for n in groups[1].notes)


@pytest.mark.parametrize("lang,word", [("zh", "人"), ("en", "people")])
def test_meanings_and_notes_come_in_both_languages(render, decode_samples, lang, word):
    r = render("R4 T3 T2 R3", medium="pipe", noises=("fan",), snr_db=20.0)
    groups = decoded(decode_samples(r.samples, r.sample_rate))
    assert word in groups[2].meaning.get(lang)
    assert all(n.get(lang) for g in groups for n in g.notes)


def test_a_file_is_read_again_in_hindsight_so_early_groups_get_their_sender(render, tmp_path, codebook):
    from rescue_signals.decode import decode_file
    from rescue_signals.synth import write_rendering

    # Two calls before anything is certain; the trapped side's 2 (stop) and the replies tell how each side sounds.
    r = render("T5 T5 R3 T2 R3 R5 T3", medium="rock_hammer", noises=("fan",), snr_db=15.0, far_side="trapped",
               distance_m=200.0, group_gap_s=8.0, seed=3)
    path = tmp_path / "exchange.wav"
    write_rendering(r, path)
    groups = decode_file(path, codebook=codebook).groups
    assert [g.count for g in groups] == [5, 5, 3, 2, 3, 5, 3]
    assert [g.sender for g in groups] == [g.role for g in r.groups]
    assert groups[0].sender_basis == "sound" and groups[3].sender_basis == "protocol"
    assert groups[0].meaning.get("en") == "distress call: we are here"


def test_groups_the_noise_made_are_reported_with_a_low_confidence(render, decode_samples):
    # A rock drill next to the listener at 6 dB, the codebook's 30 s between groups: in those long gaps the drill's
    # own bursts can make lone "knocks" and pairs. Whatever is reported there says it is unlikely to be right; the
    # real groups say they are sure.
    r = render(medium="rock_hammer", noises=("rock_drill",), snr_db=6.0, group_gap_s=None)
    decoded = [e.group for e in decode_samples(r.samples, r.sample_rate) if isinstance(e, GroupEvent)]
    truth = [(g.count, g.start_s, g.end_s) for g in r.groups]

    def overlaps(g, start, end):
        return g.start_s <= end + 0.3 and g.end_s >= start - 0.3

    real = [g for g in decoded if any(count == g.count and overlaps(g, a, b) for count, a, b in truth)]
    spurious = [g for g in decoded if not any(overlaps(g, a, b) for _, a, b in truth)]
    assert len(real) >= 5
    assert all(g.confidence <= 0.5 for g in spurious), [(g.count, g.confidence) for g in spurious]
    assert np.mean([g.confidence for g in real]) >= 0.8


def test_an_unsure_count_names_alternatives_no_likelier_than_itself(codebook):
    """Deep noise: the calibrated confidence of the count heard (7) is well under its posterior. The alternatives
    keep the posterior's order and none is stated likelier than the count the decoder reports."""
    from rescue_signals.decode.events import KnockEvent
    from rescue_signals.decode.reading import HeardGroup, Interpreter

    knocks = tuple(KnockEvent(1.0 + k, 0.01, 8.0, -30.0, 900.0, 0.6) for k in range(7))
    group = HeardGroup(knocks, (7, 8, 6, 9, 0), (0.35, 0.30, 0.13, 0.11, 0.11), None)
    decoded, _ = Interpreter(codebook).read(group, confidence=0.28)
    assert decoded.count == 7 and decoded.confidence == pytest.approx(0.28)
    counts = [c for c, _ in decoded.count_alternatives]
    shares = [q for _, q in decoded.count_alternatives]
    assert counts == [8, 6, 9]
    assert shares == sorted(shares, reverse=True) and max(shares) <= 0.28
    assert decoded.confidence + sum(shares) <= 1.0 + 1e-9
    # sure enough of itself, the shares are what the confidence leaves, in the posterior's proportions
    decoded, _ = Interpreter(codebook).read(group, confidence=0.6)
    assert dict(decoded.count_alternatives)[8] == pytest.approx(0.4 * 0.30 / 0.65, abs=1e-3)
