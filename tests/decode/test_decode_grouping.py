"""Grouping on the sender's beat: faint peaks where a knock was due count, other faint sounds do not."""

from rescue_signals.codebook import default_codebook
from rescue_signals.decode.detector import FaintPeak, KnockEvent
from rescue_signals.decode.grouping import Grouper


def knock(t, level_db=-30.0):
    return KnockEvent(t, 0.03, 12.0, level_db, 800.0)


def faint(t, level_db=-31.0):
    return FaintPeak(knock(t, level_db), novelty=25.0)


def group_of(events, end_s=60.0):
    grouper = Grouper(default_codebook().timing)
    closed = []
    for e in sorted(events, key=lambda e: e.time_s):
        closed += grouper.advance(e.time_s)
        if isinstance(e, FaintPeak):
            grouper.hear_faint(e)
        else:
            closed += grouper.add(e)
    closed += grouper.advance(end_s) + grouper.flush(end_s)
    return closed


def test_faint_peaks_on_the_beat_inside_and_at_both_ends_are_counted():
    # Knocks heard at 11, 12 and 15 s; weak blows at 10, 13, 14 and 16 s were heard only faintly.
    events = [knock(11.0), knock(12.02), knock(15.0), faint(9.98), faint(13.01), faint(14.03), faint(16.01)]
    [group] = group_of(events)
    assert group.count == 7
    assert [round(k.time_s) for k in group.knocks] == [10, 11, 12, 13, 14, 15, 16]
    assert len(group.recovered) == 4


def test_faint_sounds_off_the_beat_or_much_quieter_at_the_edges_are_not_counted():
    events = [knock(11.0), knock(12.0), knock(13.0), knock(14.0),
              faint(12.5),                  # between two beats
              faint(15.0, level_db=-40.0),  # on the beat after the last knock, but 10 dB under the knocks
              faint(9.6)]                   # before the first knock, off the beat
    [group] = group_of(events)
    assert group.count == 4
    assert group.recovered == ()


def test_a_faint_peak_just_before_the_group_before_is_not_pulled_into_the_next():
    events = [knock(1.0), knock(2.0), knock(3.0), faint(4.0, level_db=-45.0),
              knock(12.0), knock(13.0), knock(14.0)]
    groups = group_of(events)
    assert [g.count for g in groups] == [3, 3]


def test_a_lone_sound_far_fainter_than_the_knocks_is_a_stray_not_a_group():
    knocks = [knock(t) for t in (1.0, 2.0, 3.0, 4.0, 14.0, 15.0, 16.0)]
    groups = group_of(knocks + [knock(24.0, level_db=-45.0), knock(34.0, level_db=-36.0)])
    assert [(g.count, g.stray) for g in groups] == [(4, False), (3, False), (1, True), (1, False)]
    # The stray is not a gap of the exchange: the reply after it is measured from the group before.
    assert groups[3].gap_before_s == 34.0 - 16.0


def test_a_faint_lone_knock_counts_when_nothing_louder_was_heard_before():
    [group] = group_of([knock(5.0, level_db=-60.0)])
    assert group.count == 1 and not group.stray


def test_a_sound_far_fainter_than_the_group_does_not_hold_it_open():
    # Knocks 2 s apart; a sound 25 dB fainter 2.8 s after the last one; the next group 7.5 s after it.
    events = [knock(1.0), knock(3.0), knock(5.0), knock(7.8, level_db=-55.0), knock(12.5), knock(14.5)]
    groups = group_of(events)
    assert [g.count for g in groups] == [3, 2]
    assert [k.time_s for k in groups[0].dropped] == [7.8]


def test_a_sound_just_before_the_first_knock_does_not_set_the_spacing():
    # A gurgle of water 0.23 s before the first blow: no hand knocks that fast, so the group is not cut after 0.6 s.
    events = [knock(0.77, level_db=-40.0)] + [knock(t, level_db=-25.0) for t in (1.0, 1.88, 2.97, 3.96, 4.96)]
    groups = group_of(events)
    assert [g.count for g in groups] == [5]
    assert [k.time_s for k in groups[0].dropped] == [0.77]


def test_a_sound_on_the_beat_after_the_last_knock_but_far_fainter_is_not_a_knock():
    events = [knock(t, level_db=-40.0) for t in (23.25, 24.25, 25.26, 26.22)] + [knock(27.3, level_db=-57.0)]
    [group] = group_of(events)
    assert group.count == 4
    assert [k.time_s for k in group.dropped] == [27.3]


def test_a_sound_between_two_beats_and_8_db_fainter_is_not_a_knock():
    # A syllable of someone talking, between the third and fourth blow.
    events = [knock(t, level_db=-30.0) for t in (1.0, 2.0, 3.0, 4.0, 5.0)] + [knock(3.45, level_db=-38.5)]
    [group] = group_of(events)
    assert group.count == 5
    assert [k.time_s for k in group.dropped] == [3.45]


def test_sounds_faster_than_anyone_knocks_are_not_a_group():
    # Syllables of speech after a pause come about 0.22 s apart; nobody knocks faster than 0.4 s (the codebook), and
    # the fastest sender of the tests knocks 0.4 s apart.
    syllables = [knock(10.0 + 0.22 * i) for i in range(4)]
    fast = [knock(20.0 + 0.4 * i) for i in range(5)]
    groups = group_of([knock(t) for t in (1.0, 2.0, 3.0)] + syllables + fast)
    assert [(g.count, g.not_knocks) for g in groups] == [(3, None), (4, "rapid"), (5, None)]
    # Rapid sounds are not a gap of the exchange either: the next group is measured from the group before them.
    assert groups[2].gap_before_s == 20.0 - 3.0


def test_fainter_sounds_after_a_group_do_not_break_its_rhythm():
    # A weak blow at 2.1 s was heard only faintly; two sounds 17 dB under the knocks (words) followed the group and
    # held it open. Their spacing once hid the group's beat, so the weak blow was not counted.
    events = [knock(1.0), faint(2.1), knock(3.18), knock(4.23), knock(5.21),
              knock(7.52, level_db=-47.0), knock(10.16, level_db=-47.0)]
    [group] = group_of(events)
    assert [round(k.time_s, 2) for k in group.knocks] == [1.0, 2.1, 3.18, 4.23, 5.21]
    assert [k.time_s for k in group.dropped] == [7.52, 10.16]
