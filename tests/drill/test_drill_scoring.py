"""Scoring: the numbers a trainer sees, computed by hand for small drills."""

import textwrap

import numpy as np
import pytest

from rescue_signals.codebook import default_codebook
from rescue_signals.drill import W_ACCURACY, W_SPEED, W_TIMING, Drill, Response, load_scenario, score

CB = default_codebook()


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "scored.yaml"
    path.write_text(textwrap.dedent("""\
        title: Scored
        trainee: trapped
        time_limit_s: 10
        pass: {accuracy: 0.75, latency_p90_s: 5, false_starts: 0, composite: 50}
        steps:
          - recognise: T5
          - recognise: T5
          - recognise: R5 | T3
          - recognise: T2
          - send: call
        """), encoding="utf-8")
    return load_scenario(path)


def answer_all(scenario, responses):
    drill = Drill(scenario, CB, rng=np.random.default_rng(0))
    for response in responses:
        drill.answer(drill.next_trial(), response)
    return drill.attempts


def test_accuracy_latency_false_starts_confusion_timing_and_composite(scenario):
    attempts = answer_all(scenario, [
        Response("call", heard_s=100.0, answered_s=102.0),  # right, 2 s
        Response("call", heard_s=100.0, answered_s=104.0),  # right, 4 s
        Response("call", heard_s=100.0, answered_s=101.0),  # "received" taken for "call"
        Response("stop", heard_s=100.0, answered_s=99.5),  # right but before the group ended
        Response(None, heard_s=100.0, answered_s=None, knock_times_s=(101.0, 102.1, 103.2, 104.3, 105.4)),
    ])
    s = score(attempts, scenario)
    assert (s.trials, s.correct, s.accepted, s.false_starts) == (5, 4, 3, 1)
    assert s.accuracy == pytest.approx(3 / 5)
    # right answers that were not false starts: 2, 4 and 1 s
    assert s.latency_median_s == pytest.approx(2.0)
    assert s.latency_p90_s == pytest.approx(np.percentile([2.0, 4.0, 1.0], 90))
    assert s.confusion.count("received", "call") == 1 and s.confusion.count("call", "call") == 3
    assert s.confusion.mistakes() == [("received", "call", 1)]
    assert s.timing.answers == 1 and s.timing.mean_abs_error_s == pytest.approx(0.1)
    assert s.timing.mean_error_s == pytest.approx(0.1) and s.timing.score == pytest.approx(0.9)
    speed = ((1 - 2 / 10) + (1 - 4 / 10) + (1 - 1 / 10)) / 5
    assert s.speed == pytest.approx(speed)
    expected = 100 * (W_ACCURACY * 3 / 5 + W_SPEED * speed + W_TIMING * 0.9)
    assert s.composite == pytest.approx(expected, abs=0.05)
    assert not s.passed
    reasons = " | ".join(f.get("en") for f in s.failures)
    assert "accuracy 60% is below 75%" in reasons and "1 false starts; at most 0" in reasons
    assert [p.label for p in s.per_label] == ["call", "received", "stop"]


def test_a_clean_drill_passes_and_an_unfinished_one_does_not(scenario):
    good = [Response("call", 0.0, 1.0), Response("call", 0.0, 1.0), Response("received", 0.0, 1.0),
            Response("stop", 0.0, 1.0), Response(None, 0.0, None, (1.0, 2.0, 3.0, 4.0, 5.0))]
    s = score(answer_all(scenario, good), scenario)
    assert s.passed and s.failures == () and s.accuracy == 1.0
    assert s.composite == pytest.approx(100 * (W_ACCURACY + W_SPEED * 0.9 + W_TIMING), abs=0.05)
    part = score(answer_all(scenario, good[:3]), scenario)
    assert not part.passed and "not finished: 3 of 5" in part.failures[0].get("en")


def test_slow_answers_fail_the_latency_criterion_and_nothing_passes_without_a_scenario(scenario):
    slow = [Response("call", 0.0, 6.0), Response("call", 0.0, 6.0), Response("received", 0.0, 6.0),
            Response("stop", 0.0, 6.0), Response(None, 0.0, None, (6.0, 7.0, 8.0, 9.0, 10.0))]
    attempts = answer_all(scenario, slow)
    s = score(attempts, scenario)
    assert s.accuracy == 1.0 and not s.passed
    assert any("90th percentile reaction time 6.0 s is over 5 s" in f.get("en") for f in s.failures)
    assert not score(attempts).passed


def test_no_answer_and_nothing_to_score():
    empty = score([])
    assert empty.trials == 0 and empty.accuracy == 0 and empty.composite == 0 and empty.latency_median_s is None
