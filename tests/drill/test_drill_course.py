"""The course: the ladder of steps from learning the signals to timed drills, each with a pass mark a trainee can
see and the distance to it."""
import math
from datetime import datetime, timezone
from types import SimpleNamespace

from rescue_signals.codebook import HEADCOUNT, default_codebook
from rescue_signals.drill import shipped_scenarios
from rescue_signals.drill.course import EXCHANGE, LEARN, build_course, course_status, next_step

CODEBOOK = default_codebook()
SIGNALS = tuple(s.id for s in CODEBOOK.signals) + (HEADCOUNT,)
WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def course():
    return build_course([s for s in shipped_scenarios() if s.codebook_id == CODEBOOK.id])


def finished(step, *, accepted, trials, passed, p90=2.0, false_starts=0):
    score = {"trials": trials, "expected_trials": trials, "accepted": accepted, "accuracy": accepted / trials,
             "latency_p90_s": p90, "false_starts": false_starts, "composite": 50.0, "passed": passed}
    return SimpleNamespace(scenario_id=step.id, ended_at=WHEN, score=score)


def test_the_ladder_begins_with_the_signals_and_climbs_the_levels_with_a_whole_exchange_on_the_way():
    steps = course()
    assert steps[0].id == LEARN and steps[0].scene == "learn"
    assert steps[1].id == "first-lesson"
    levels = [s.scenario.level for s in steps if s.scenario is not None]
    assert levels == sorted(levels) and len(levels) == len(shipped_scenarios())
    exchange = [i for i, s in enumerate(steps) if s.id == EXCHANGE]
    assert len(exchange) == 1 and steps[exchange[0]].scene == "exchange"
    before = {s.scenario.level for s in steps[:exchange[0]] if s.scenario is not None}
    after = {s.scenario.level for s in steps[exchange[0]:] if s.scenario is not None}
    assert before and after and max(before) < min(after)


def test_a_new_trainee_is_told_to_learn_the_signals_first_and_sees_every_pass_mark():
    statuses = course_status(course(), [], heard=set(), signals=SIGNALS)
    assert next_step(statuses).step.id == LEARN
    assert statuses[0].distance.get("en") == f"{len(SIGNALS)} to go"
    lesson = statuses[1]
    n = lesson.step.scenario.trial_count
    assert not lesson.passed and lesson.distance.get("en") == "not tried yet"
    assert f"of {n} right" in lesson.mark.get("en") and "题" in lesson.mark.get("zh")


def test_hearing_every_card_passes_the_first_step_and_the_first_drill_comes_next():
    statuses = course_status(course(), [], heard=set(SIGNALS), signals=SIGNALS)
    assert statuses[0].passed
    assert next_step(statuses).step.id == "first-lesson"
    some = course_status(course(), [], heard=set(SIGNALS[:2]), signals=SIGNALS)
    assert not some[0].passed and some[0].distance.get("en") == f"{len(SIGNALS) - 2} to go"


def test_the_distance_to_the_pass_mark_counts_the_right_answers_still_missing():
    steps = course()
    lesson = steps[1]
    n = lesson.scenario.trial_count
    need = math.ceil(round(lesson.pass_criteria.accuracy * n, 9))
    tries = [finished(lesson, accepted=need - 3, trials=n, passed=False),
             finished(lesson, accepted=need - 1, trials=n, passed=False)]  # the best try counts
    st = course_status(steps, tries, heard=set(SIGNALS), signals=SIGNALS)[1]
    assert not st.passed and st.tries == 2
    assert st.distance.get("en") == f"best: {need - 1} of {n} right: 1 more"
    assert "还差 1 题" in st.distance.get("zh")


def test_a_slow_best_try_is_told_how_slow_against_the_mark():
    steps = course()
    timed = next(s for s in steps if s.pass_criteria is not None and s.pass_criteria.latency_p90_s is not None
                 and s.scenario is not None)
    n, limit = timed.scenario.trial_count, timed.pass_criteria.latency_p90_s
    st = next(x for x in course_status(steps, [finished(timed, accepted=n, trials=n, passed=False, p90=limit + 2.5)],
                                       heard=set(SIGNALS), signals=SIGNALS) if x.step is timed)
    assert st.distance.get("en") == f"90 % of answers took up to {limit + 2.5:.1f} s: {limit:g} s needed"


def test_a_passed_session_marks_the_step_and_opens_the_next():
    steps = course()
    sessions = [finished(steps[1], accepted=7, trials=7, passed=True)]
    statuses = course_status(steps, sessions, heard=set(SIGNALS), signals=SIGNALS)
    assert statuses[1].passed and statuses[1].distance.get("en") == "passed on 2026-03-02"
    assert next_step(statuses).step.id == steps[2].id


def test_an_unfinished_session_is_not_a_try_and_passes_nothing():
    steps = course()
    open_session = SimpleNamespace(scenario_id=steps[1].id, ended_at=None, score=None)
    st = course_status(steps, [open_session], heard=set(SIGNALS), signals=SIGNALS)[1]
    assert not st.passed and st.tries == 0


def test_the_exchange_is_passed_by_four_answers_in_five_right():
    steps = course()
    exchange = next(s for s in steps if s.id == EXCHANGE)
    ok = SimpleNamespace(scenario_id=EXCHANGE, ended_at=WHEN,
                         score={"trials": 5, "accepted": 4, "accuracy": 0.8, "latency_p90_s": 9.0, "passed": False})
    short = SimpleNamespace(scenario_id=EXCHANGE, ended_at=WHEN,
                            score={"trials": 5, "accepted": 3, "accuracy": 0.6, "latency_p90_s": 9.0,
                                   "passed": False})
    assert next(x for x in course_status(steps, [ok], heard=set(), signals=SIGNALS) if x.step is exchange).passed
    st = next(x for x in course_status(steps, [short], heard=set(), signals=SIGNALS) if x.step is exchange)
    assert not st.passed and st.distance.get("en") == "best: 3 of 5 right: 1 more"


def test_when_every_step_is_passed_there_is_no_next_step():
    steps = course()
    sessions = [finished(s, accepted=10, trials=10, passed=True) for s in steps[1:]]
    assert next_step(course_status(steps, sessions, heard=set(SIGNALS), signals=SIGNALS)) is None
