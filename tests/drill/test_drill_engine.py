"""The trial engine: what each trial asks, how answers are judged, determinism, resuming, and adaptive practice."""

import textwrap
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from rescue_signals.codebook import HEADCOUNT, default_codebook
from rescue_signals.drill.adaptive import LabelRecord
from rescue_signals.drill import (MISCOUNT, NO_ANSWER, RECOGNISE, RESPOND, SEND, Drill, Practice, Profile, Response,
                                  Staircase, StaircaseState, Trial, find_scenario, load_scenario,
                                  refreshers)
from rescue_signals.errors import UsageError

CB = default_codebook()


def scenario(tmp_path, steps, extra=""):
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(f"""\
        title: {{zh: 测试, en: Test}}
        trainee: trapped
        time_limit_s: 10
        conditions: {{medium: pipe, compress_gaps: 10}}
        {extra}
        steps:
        """) + textwrap.indent(textwrap.dedent(steps), "  "), encoding="utf-8")
    return load_scenario(path)


def run(drill, answer):
    """Answer every trial with ``answer(trial) -> Response``; returns the attempts."""
    while (t := drill.next_trial()) is not None:
        drill.answer(t, answer(t))
    return drill.attempts


def right(t, reaction_s=1.5):
    exp = t.expected
    if t.task == RECOGNISE:
        return Response(exp.count if exp.label == HEADCOUNT else exp.label, heard_s=10.0, answered_s=10 + reaction_s)
    knocks = tuple(10 + reaction_s + i * CB.timing.knock_interval_s for i in range(exp.count))
    return Response(None, heard_s=10.0, answered_s=None, knock_times_s=knocks)


def test_a_headcount_is_told_from_a_signal_by_the_exchange_before_it(tmp_path):
    s = scenario(tmp_path, """\
        - recognise: "R4 T3 | T4"
        - recognise: "T4"
        """)
    drill = Drill(s, CB, rng=np.random.default_rng(1))
    first = drill.next_trial()
    assert first.task == RECOGNISE and [g.count for g in first.sequence] == [4]
    assert [g.count for g in first.context] == [4, 3]
    assert (first.expected.label, first.expected.count) == (HEADCOUNT, 4)
    wrong = drill.answer(first, Response("ask_count", heard_s=0.0, answered_s=2.0))
    assert not wrong.correct and wrong.given == "ask_count"
    second = drill.next_trial()
    # the trapped side never sends 4, and nobody asked: no signal at all
    assert second.expected.label == "unknown"
    assert drill.answer(second, Response("unknown", heard_s=0.0, answered_s=2.0)).correct


def test_playing_one_side_of_an_exchange(tmp_path):
    s = scenario(tmp_path, '- exchange: "R4 T3 T6 R3"\n')
    drill = Drill(s, CB, rng=np.random.default_rng(1))
    ack = drill.next_trial()
    assert ack.task == RESPOND and ack.trainee_role == "trapped"
    assert [(g.count, g.sender) for g in ack.sequence] == [(4, "rescuer")]
    assert (ack.expected.label, ack.expected.count) == ("received", 3)
    assert ack.prompt.get("en") == "Reply to what you heard"
    drill.answer(ack, right(ack))
    count = drill.next_trial()
    assert count.sequence == () and [g.count for g in count.context] == [4, 3]
    assert (count.expected.label, count.expected.count) == (HEADCOUNT, 6)
    assert "6" in count.prompt.get("en") and "6" in count.prompt.get("zh")
    miscounted = drill.answer(count, Response(None, 10.0, None, (11.0, 12.0, 13.0, 14.0, 15.0)))
    assert miscounted.given == MISCOUNT and miscounted.given_count == 5 and not miscounted.correct
    assert drill.next_trial() is None and drill.finished


def test_sending_a_signal_is_judged_by_the_knocks_and_their_spacing(tmp_path):
    s = scenario(tmp_path, "- send: call\n- send: stop\n")
    drill = Drill(s, CB, rng=np.random.default_rng(1))
    t = drill.next_trial()
    assert t.task == SEND and t.sequence == () and t.expected.count == 5
    assert "call" in t.prompt.get("en")
    a = drill.answer(t, Response(None, heard_s=100.0, answered_s=None,
                                 knock_times_s=(102.0, 103.2, 104.4, 105.6, 106.8)))
    assert a.correct and a.reaction_s == pytest.approx(2.0)
    assert a.mean_interval_s == pytest.approx(1.2) and a.interval_error_s == pytest.approx(0.2)
    assert a.interval_abs_error_s == pytest.approx(0.2) and a.interval_cv == pytest.approx(0.0, abs=1e-9)
    t = drill.next_trial()
    a = drill.answer(t, Response(None, heard_s=0.0, answered_s=None, knock_times_s=(1.0, 2.0, 3.0)))
    assert not a.correct and a.given == "received"  # 3 knocks from the trapped side read as "received"


def test_false_starts_timeouts_and_missing_answers(tmp_path):
    s = scenario(tmp_path, "- recognise: T5\n  repeat: 3\n")
    drill = Drill(s, CB, rng=np.random.default_rng(1))
    early = drill.answer(drill.next_trial(), Response("call", heard_s=50.0, answered_s=49.2))
    assert early.correct and early.false_start and not early.accepted and early.reaction_s == pytest.approx(-0.8)
    late = drill.answer(drill.next_trial(), Response("call", heard_s=50.0, answered_s=61.0))
    assert late.correct and late.timed_out and not late.accepted
    none = drill.answer(drill.next_trial(), Response(None, heard_s=50.0, answered_s=None))
    assert none.given == NO_ANSWER and none.timed_out and not none.correct


def test_only_the_waiting_trial_can_be_answered_and_answers_are_checked(tmp_path):
    s = scenario(tmp_path, "- recognise: T5\n  repeat: 2\n")
    drill = Drill(s, CB, rng=np.random.default_rng(1))
    t = drill.next_trial()
    assert drill.next_trial() == t  # asking again gives the same trial
    with pytest.raises(UsageError, match="did you mean 'call'"):
        drill.answer(t, Response("cal", heard_s=0.0, answered_s=1.0))
    drill.answer(t, Response("call", heard_s=0.0, answered_s=1.0))
    with pytest.raises(UsageError, match="not waiting"):
        drill.answer(t, Response("call", heard_s=0.0, answered_s=1.0))


def test_same_seed_same_drill_and_every_trial_replays_from_its_data():
    s = find_scenario("expert-shift")
    a = [t.as_dict() for t in _trials(Drill(s, CB, rng=np.random.default_rng(7)))]
    b = [t.as_dict() for t in _trials(Drill(s, CB, rng=np.random.default_rng(7)))]
    c = [t.as_dict() for t in _trials(Drill(s, CB, rng=np.random.default_rng(8)))]
    assert a[0]["uuid"] != b[0]["uuid"]  # trial ids are unique per drill, even with the same seed ...
    strip = [{k: v for k, v in t.items() if k != "uuid"} for t in a]
    assert strip == [{k: v for k, v in t.items() if k != "uuid"} for t in b]  # ... the trials are the same
    assert strip != [{k: v for k, v in t.items() if k != "uuid"} for t in c]
    assert [Trial.from_dict(t).as_dict() for t in a] == a


def _trials(drill):
    out = []
    while (t := drill.next_trial()) is not None:
        out.append(t)
        drill.answer(t, right(t))
    return out


def test_an_interrupted_drill_resumes_with_the_same_trials():
    s = find_scenario("low-snr-staircase")
    first = Drill(s, CB, rng=np.random.default_rng(3))
    rng = np.random.default_rng(0)
    saved = []
    for _ in range(9):
        t = first.next_trial()
        saved.append(first.answer(t, right(t) if rng.random() < 0.7 else Response("stop", 0.0, 1.0)))
    upcoming = first.next_trial()
    again = Drill(s, CB, rng=np.random.default_rng(3), drill_id=first.drill_id)
    again.resume(saved)
    assert again.next_trial() == upcoming
    assert [a.as_dict() for a in again.attempts] == [a.as_dict() for a in saved]
    other = Drill(s, CB, rng=np.random.default_rng(4), drill_id=first.drill_id)
    with pytest.raises(UsageError, match="do not belong"):
        other.resume(saved)


def test_weak_signals_come_up_more_often(tmp_path):
    s = scenario(tmp_path, "- draw: [call, received, stop]\n  trials: 300\n", "adaptive: {weak_signals: true}")
    missed_stop = Profile((LabelRecord("call", 20, 20), LabelRecord("received", 20, 20), LabelRecord("stop", 20, 0)))
    drill = Drill(s, CB, rng=np.random.default_rng(5), profile=missed_stop)
    # a trainee who keeps missing "stop"
    attempts = run(drill, lambda t: Response("call" if t.expected.label == "stop" else t.expected.label, 0.0, 1.0))
    labels = [a.expected for a in attempts]
    assert labels.count("stop") / len(labels) > 0.5  # uniform drawing would give a third
    even = Drill(s, CB, rng=np.random.default_rng(5))
    labels = [t.expected.label for t in _trials(even)]
    assert 0.25 < labels.count("stop") / len(labels) < 0.42


def test_the_snr_staircase_follows_the_answers_and_finds_the_80_percent_point():
    config = Staircase(start_db=15, step_db=1.0, min_db=-15, max_db=30, target=0.8)
    threshold_db = 2.0
    # a listener who is right 80 % of the time at 2 dB (logistic, guessing 25 % at very low SNR)
    slope = 2.0
    mid = threshold_db + slope * np.log(0.75 / (0.8 - 0.25) - 1)  # solves p(threshold_db) = 0.8
    estimates = []
    for seed in range(6):
        rng = np.random.default_rng(seed)
        state = StaircaseState.start(config)
        for _ in range(150):
            p = 0.25 + 0.75 / (1 + np.exp(-(state.level_db - mid) / slope))
            state = state.after(bool(rng.random() < p))
        estimates.append(state.estimate_db)
    assert abs(np.mean(estimates) - threshold_db) < 2.5


def test_a_drill_lowers_the_snr_after_right_answers_and_raises_it_after_wrong_ones():
    s = find_scenario("low-snr-staircase")
    drill = Drill(s, CB, rng=np.random.default_rng(2))
    t1 = drill.next_trial()
    assert t1.adaptive_snr and t1.conditions.snr_db == s.adaptive.snr.start_db
    drill.answer(t1, right(t1))
    t2 = drill.next_trial()
    assert t2.conditions.snr_db == pytest.approx(t1.conditions.snr_db - s.adaptive.snr.step_db)
    drill.answer(t2, Response("unknown", heard_s=0.0, answered_s=1.0))
    t3 = drill.next_trial()
    assert t3.conditions.snr_db == pytest.approx(t2.conditions.snr_db + 4 * s.adaptive.snr.step_db)
    warm = Drill(s, CB, rng=np.random.default_rng(2), profile=Profile(snr_estimate_db=-4.0))
    assert warm.next_trial().conditions.snr_db == pytest.approx(-1.0)  # last estimate, 3 dB easier


def test_refreshers_say_what_to_review_and_when():
    now = datetime(2024, 5, 20, 9, 0, tzinfo=timezone.utc)
    day = timedelta(days=1)
    history = []
    for d in (10, 11, 12):  # "call" mastered three days in a row
        history += [Practice("call", True, now - d * day) for _ in range(5)]
    history += [Practice("stop", True, now - 3 * day), Practice("stop", False, now - 3 * day)]
    history += [Practice("received", True, now - 2 * day)] * 4 + [Practice("received", False, now - 2 * day)]
    items = refreshers(history, now=now, labels=["call", "stop", "received", HEADCOUNT])
    by = {r.label: r for r in items}
    assert by[HEADCOUNT].overdue and by[HEADCOUNT].last is None
    assert by["stop"].overdue and by["stop"].streak_days == 0  # 1 of 2 right: back to daily review
    assert by["call"].streak_days == 3 and by["call"].due == now - 10 * day + 8 * day and by["call"].overdue
    assert by["received"].streak_days == 1 and by["received"].due == now  # 4 of 5 counts as mastered
    assert [r.label for r in items][0] == "stop"  # the most overdue first
    assert "1 of 2" in by["stop"].reason.get("en") and "1/2" in by["stop"].reason.get("zh")
