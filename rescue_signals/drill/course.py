"""The course: a ladder of steps from learning each signal to timed drills, each with a pass mark, and where a trainee
stands on it. Pure: the sessions come in from the records, the time comes in as an argument.

The ladder is the shipped scenarios in their levels, after a first step of learning the signals (every signal
card heard once) and with a whole exchange against a simulated other side once the signals and the headcount have
been drilled. A step is passed by one finished session that met its pass mark; passing opens the next step, but
nothing is locked: a trainee may try any step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rescue_signals.catalog import joined, text
from rescue_signals.codebook import Text
from rescue_signals.drill.scenario import PassCriteria, Scenario

LEARN = "learn"
"""The id of the first step: hear every signal card once."""

EXCHANGE = "app-exchange"
"""The id of the whole-exchange step (the scenario id the app's exchange sessions are saved under)."""

EXCHANGE_PASS = PassCriteria(accuracy=0.8, latency_p90_s=None, false_starts=None, composite=None)
"""An exchange is passed with four answers in five right (recognised and knocked alike)."""

EXCHANGE_AFTER_LEVEL = 3
"""The exchange comes after the scenarios up to this level (the signals, who answers what, the headcount)."""


@dataclass(frozen=True)
class Step:
    """One rung of the ladder.

    Attributes
    ----------
    id : str
        :data:`LEARN`, :data:`EXCHANGE` or the scenario's id.
    scene : str
        Where it is done in the app: ``learn``, ``listen`` or ``exchange``.
    title, why : Text
        What it is, and what it trains.
    scenario : Scenario or None
    pass_criteria : PassCriteria or None
        None for :data:`LEARN`, passed by hearing every signal.
    """

    id: str
    scene: str
    title: Text
    why: Text
    scenario: Scenario | None = None
    pass_criteria: PassCriteria | None = None


@dataclass(frozen=True)
class StepStatus:
    """Where a trainee stands on one step.

    Attributes
    ----------
    step : Step
    passed : bool
    tries : int
        Finished sessions of the step.
    mark : Text
        The pass mark, in words ("7 of 9 right; 90 % of answers within 6 s").
    distance : Text
        What is left to do ("your best: 5 of 9 right: 2 more"), or when it was passed.
    """

    step: Step
    passed: bool
    tries: int
    mark: Text
    distance: Text


def build_course(scenarios: list[Scenario]) -> list[Step]:
    """The ladder from the scenarios (ordered by level, then id)."""
    steps = [Step(LEARN, "learn", text("drill.course.learn"), text("drill.course.learn_about"))]
    exchange = Step(EXCHANGE, "exchange", text("drill.course.exchange"), text("drill.course.exchange_about"),
                    pass_criteria=EXCHANGE_PASS)
    placed = False
    for s in sorted(scenarios, key=lambda s: (s.level, s.id)):
        if not placed and s.level > EXCHANGE_AFTER_LEVEL:
            steps.append(exchange)
            placed = True
        steps.append(Step(s.id, "listen", s.title, s.summary, s, s.pass_criteria))
    if not placed:
        steps.append(exchange)
    return steps


def course_status(steps: list[Step], sessions, *, heard: set[str], signals: tuple[str, ...]) -> list[StepStatus]:
    """Where a trainee stands on every step.

    Parameters
    ----------
    sessions : iterable of records.SessionRecord
        The trainee's sessions (finished or not).
    heard : set of str
        Signal ids whose card the trainee has heard in Learn.
    signals : tuple of str
        Every signal id of the codebook.
    """
    by_step: dict[str, list] = {}
    for s in sessions:
        if s.ended_at is not None and s.score is not None:
            by_step.setdefault(s.scenario_id, []).append(s)
    return [_status(step, by_step.get(step.id, []), heard, signals) for step in steps]


def next_step(statuses: list[StepStatus]) -> StepStatus | None:
    """The first step not passed yet (None: the whole course is passed)."""
    return next((s for s in statuses if not s.passed), None)


def _status(step: Step, finished: list, heard: set[str], signals: tuple[str, ...]) -> StepStatus:
    if step.id == LEARN:
        left = [s for s in signals if s not in heard]
        mark = text("drill.course.heard_all", n=len(signals))
        if not left:
            return StepStatus(step, True, 0, mark, text("drill.course.done"))
        return StepStatus(step, False, 0, mark, text("drill.course.to_go", n=len(left)))
    crit = step.pass_criteria
    mark = _mark(step, crit)
    passed = [s for s in finished if _passes(s.score, crit, step)]
    if passed:
        when = min(s.ended_at for s in passed)
        return StepStatus(step, True, len(finished), mark,
                          text("drill.course.passed_on", when=when))
    if not finished:
        return StepStatus(step, False, 0, mark, text("drill.course.not_tried"))
    best = max(finished, key=lambda s: (s.score.get("accepted", 0), -(s.score.get("latency_p90_s") or math.inf)))
    return StepStatus(step, False, len(finished), mark, _distance(best.score, crit))


def _needed(trials: int, accuracy: float) -> int:
    """Right answers that make ``accuracy`` out of ``trials`` (rounded as the screen shows percentages)."""
    return math.ceil(round(accuracy * trials, 9))


def _mark(step: Step, crit: PassCriteria) -> Text:
    parts = []
    if step.scenario is not None:
        n = step.scenario.trial_count
        parts.append(text("drill.mark.k_of_n", n=n, k=_needed(n, crit.accuracy)))
    else:
        parts.append(text("drill.mark.accuracy", acc=crit.accuracy))
    if crit.latency_p90_s is not None:
        parts.append(text("drill.mark.latency", s=crit.latency_p90_s))
    if crit.false_starts is not None:
        parts.append(text("drill.mark.false_starts", n=crit.false_starts))
    if crit.composite is not None:
        parts.append(text("drill.mark.composite", c=crit.composite))
    return joined(parts, "list.semicolon")


def _passes(score: dict, crit: PassCriteria, step: Step) -> bool:
    if step.scenario is not None:
        return bool(score.get("passed"))
    p90 = score.get("latency_p90_s")
    return (score.get("accuracy", 0.0) >= crit.accuracy
            and (crit.latency_p90_s is None or (p90 is not None and p90 <= crit.latency_p90_s)))


def _distance(score: dict, crit: PassCriteria) -> Text:
    """What the best try lacked, in numbers."""
    trials, accepted = int(score.get("trials", 0)), int(score.get("accepted", 0))
    planned = int(score.get("expected_trials") or trials)
    parts = []
    need = _needed(planned, crit.accuracy)
    if accepted < need:
        parts.append(text("drill.distance.accepted", accepted=accepted, planned=planned, more=need - accepted))
    p90 = score.get("latency_p90_s")
    if crit.latency_p90_s is not None and (p90 is None or p90 > crit.latency_p90_s):
        shown = "—" if p90 is None else f"{p90:.1f}"
        parts.append(text("drill.distance.latency", shown=shown, s=crit.latency_p90_s))
    if crit.false_starts is not None and int(score.get("false_starts", 0)) > crit.false_starts:
        parts.append(text("drill.distance.false_starts", n=score["false_starts"], most=crit.false_starts))
    if crit.composite is not None and float(score.get("composite", 0.0)) < crit.composite:
        parts.append(text("drill.distance.composite", c=score["composite"], need=crit.composite))
    if not parts:
        for failure in score.get("failures") or []:  # what the scoring said, in the languages it was saved in
            if isinstance(failure, dict) and failure.get("zh") and failure.get("en"):
                parts.append(Text(tuple((lang, str(t)) for lang, t in failure.items())))
    if not parts:
        parts.append(text("drill.distance.unfinished"))
    return joined(parts, "list.semicolon")
