"""Scoring a drill: accuracy, recognition speed, false starts, confusions, knock timing, one composite score.

The composite score (0 to 100) is::

    composite = 100 * (0.60 * A + 0.25 * S + 0.15 * T)

A (accuracy)  share of trials answered right, within the time limit and not before the last knock was heard;
S (speed)     sum over those accepted answers of max(0, 1 - reaction_s / time_limit_s), divided by the trials;
T (timing)    mean over knocked answers of two or more knocks of max(0, 1 - mean |spacing - nominal| / nominal),
              where nominal is the codebook's knock spacing; equal to A when nothing was knocked.

:func:`score` is pure: the same attempts always give the same score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rescue_signals.catalog import text
from rescue_signals.codebook import Text

from rescue_signals.drill.adaptive import snr_threshold_db
from rescue_signals.drill.scenario import Scenario
from rescue_signals.drill.trial import MISCOUNT, NO_ANSWER, UNKNOWN, Attempt

W_ACCURACY = 0.60
W_SPEED = 0.25
W_TIMING = 0.15


@dataclass(frozen=True)
class Confusion:
    """Which answer was given for which expected one.

    Attributes
    ----------
    rows : tuple of str
        Expected labels.
    columns : tuple of str
        Given labels (the expected ones, then :data:`MISCOUNT`, :data:`UNKNOWN`, :data:`NO_ANSWER` as seen).
    counts : tuple of tuple of int, shape (rows, columns)
    """

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    def count(self, expected: str, given: str) -> int:
        if expected not in self.rows or given not in self.columns:
            return 0
        return self.counts[self.rows.index(expected)][self.columns.index(given)]

    def mistakes(self) -> list[tuple[str, str, int]]:
        """(expected, given, how often) for every off-diagonal cell, most frequent first."""
        out = [(r, c, self.counts[i][j]) for i, r in enumerate(self.rows) for j, c in enumerate(self.columns)
               if r != c and self.counts[i][j]]
        return sorted(out, key=lambda x: -x[2])

    def as_dict(self) -> dict:
        return {"rows": list(self.rows), "columns": list(self.columns), "counts": [list(r) for r in self.counts]}


@dataclass(frozen=True)
class KnockTiming:
    """Spacing of the trainee's knocked answers (those of two or more knocks).

    Attributes
    ----------
    answers : int
    mean_interval_s : float or None, s
        Mean spacing between knocks.
    mean_error_s : float or None, s
        Mean signed difference from the codebook's spacing (negative: too fast).
    mean_abs_error_s : float or None, s
        Mean absolute difference from the codebook's spacing.
    mean_cv : float or None
        Mean spread of the spacing within an answer (standard deviation / mean): consistency.
    score : float or None
        The T term of the composite score.
    """

    answers: int
    mean_interval_s: float | None
    mean_error_s: float | None
    mean_abs_error_s: float | None
    mean_cv: float | None
    score: float | None


@dataclass(frozen=True)
class LabelResult:
    label: str
    trials: int
    accepted: int

    @property
    def accuracy(self) -> float:
        return self.accepted / self.trials if self.trials else 0.0


@dataclass(frozen=True)
class Score:
    """The score of a set of attempts (normally one session of one scenario).

    Attributes
    ----------
    trials, answered, correct, accepted : int
        Attempts; those with any answer; with the right content; right, in time and not a false start.
    accuracy : float
        ``accepted / trials``.
    latency_median_s, latency_p90_s : float or None, s
        Median and 90th percentile (linear interpolation) of the reaction time of right answers that were not
        false starts.
    false_starts, timeouts, miscounts : int
    confusion : Confusion
    timing : KnockTiming
    per_label : tuple of LabelResult
    speed : float
        The S term of the composite.
    composite : float
        0 to 100, see the module documentation.
    snr_threshold_db : float or None, dB
        SNR estimate of the adaptive staircase, if the drill used one.
    expected_trials : int or None
        Trials the scenario has (None without a scenario).
    passed : bool
    failures : tuple of Text
        Why it did not pass.
    """

    trials: int
    answered: int
    correct: int
    accepted: int
    accuracy: float
    latency_median_s: float | None
    latency_p90_s: float | None
    false_starts: int
    timeouts: int
    miscounts: int
    confusion: Confusion
    timing: KnockTiming
    per_label: tuple[LabelResult, ...]
    speed: float
    composite: float
    snr_threshold_db: float | None
    expected_trials: int | None
    passed: bool
    failures: tuple[Text, ...]

    def as_dict(self) -> dict:
        t = self.timing
        return {
            "trials": self.trials, "answered": self.answered, "correct": self.correct, "accepted": self.accepted,
            "accuracy": self.accuracy, "latency_median_s": self.latency_median_s,
            "latency_p90_s": self.latency_p90_s, "false_starts": self.false_starts, "timeouts": self.timeouts,
            "miscounts": self.miscounts, "confusion": self.confusion.as_dict(),
            "timing": {"answers": t.answers, "mean_interval_s": t.mean_interval_s, "mean_error_s": t.mean_error_s,
                       "mean_abs_error_s": t.mean_abs_error_s, "mean_cv": t.mean_cv, "score": t.score},
            "per_label": [{"label": p.label, "trials": p.trials, "accepted": p.accepted} for p in self.per_label],
            "speed": self.speed, "composite": self.composite, "snr_threshold_db": self.snr_threshold_db,
            "expected_trials": self.expected_trials, "passed": self.passed,
            "failures": [dict(f.translations) for f in self.failures],
        }


def score(attempts, scenario: Scenario | None = None) -> Score:
    """Score attempts against a scenario's pass criteria (without a scenario, nothing can pass).

    Parameters
    ----------
    attempts : sequence of Attempt
    scenario : Scenario, optional
    """
    attempts: list[Attempt] = list(attempts)
    n = len(attempts)
    accepted = [a for a in attempts if a.accepted]
    acc = len(accepted) / n if n else 0.0
    latencies = [a.reaction_s for a in attempts if a.correct and a.reaction_s is not None and not a.false_start]
    med, p90 = (float(np.median(latencies)), float(np.percentile(latencies, 90))) if latencies else (None, None)
    speed = sum(max(0.0, 1.0 - a.reaction_s / a.trial.time_limit_s) for a in accepted
                if a.reaction_s is not None) / n if n else 0.0
    timing = _timing(attempts)
    t_term = timing.score if timing.score is not None else acc
    composite = round(100.0 * (W_ACCURACY * acc + W_SPEED * speed + W_TIMING * t_term), 1)
    false_starts = sum(a.false_start for a in attempts)
    snr = snr_threshold_db([a.trial.conditions.snr_db for a in attempts if a.trial.adaptive_snr])
    expected_trials = scenario.trial_count if scenario else None
    failures = _failures(scenario, n, acc, p90, false_starts, composite)
    return Score(
        trials=n, answered=sum(a.given != NO_ANSWER for a in attempts), correct=sum(a.correct for a in attempts),
        accepted=len(accepted), accuracy=acc, latency_median_s=med, latency_p90_s=p90, false_starts=false_starts,
        timeouts=sum(a.timed_out for a in attempts), miscounts=sum(a.given == MISCOUNT for a in attempts),
        confusion=confusion(attempts), timing=timing, per_label=_per_label(attempts), speed=speed,
        composite=composite, snr_threshold_db=snr, expected_trials=expected_trials,
        passed=scenario is not None and not failures, failures=tuple(failures))


def confusion(attempts) -> Confusion:
    """The confusion matrix of the attempts: rows expected, columns given."""
    attempts = list(attempts)
    rows = _ordered({a.expected for a in attempts}, attempts)
    extra = [c for c in (MISCOUNT, UNKNOWN, NO_ANSWER) if c not in rows and any(a.given == c for a in attempts)]
    given_other = _ordered({a.given for a in attempts} - set(rows) - set(extra), attempts)
    columns = tuple(rows) + tuple(given_other) + tuple(extra)
    counts = [[0] * len(columns) for _ in rows]
    for a in attempts:
        counts[rows.index(a.expected)][columns.index(a.given)] += 1
    return Confusion(tuple(rows), columns, tuple(tuple(r) for r in counts))


def _ordered(labels: set[str], attempts) -> list[str]:
    # keep the order in which labels first appear in the trials' choices, so rows follow the codebook
    order: list[str] = []
    for a in attempts:
        for lab in a.trial.choices + (a.expected, a.given):
            if lab in labels and lab not in order:
                order.append(lab)
    return order


def _timing(attempts) -> KnockTiming:
    timed = [a for a in attempts if a.trial.knocked and a.mean_interval_s is not None]
    if not timed:
        return KnockTiming(0, None, None, None, None, None)
    nominal = [a.mean_interval_s - a.interval_error_s for a in timed]
    parts = [max(0.0, 1.0 - a.interval_abs_error_s / nom) for a, nom in zip(timed, nominal)]
    cvs = [a.interval_cv for a in timed if a.interval_cv is not None]
    return KnockTiming(len(timed), float(np.mean([a.mean_interval_s for a in timed])),
                       float(np.mean([a.interval_error_s for a in timed])),
                       float(np.mean([a.interval_abs_error_s for a in timed])),
                       float(np.mean(cvs)) if cvs else None, float(np.mean(parts)))


def _per_label(attempts) -> tuple[LabelResult, ...]:
    rows = _ordered({a.expected for a in attempts}, attempts)
    return tuple(LabelResult(lab, sum(a.expected == lab for a in attempts),
                             sum(a.expected == lab and a.accepted for a in attempts)) for lab in rows)


def _failures(scenario, n, acc, p90, false_starts, composite) -> list[Text]:
    if scenario is None:
        return [text("drill.fail.no_scenario")]
    crit, out = scenario.pass_criteria, []
    if n < scenario.trial_count:
        out.append(text("drill.fail.unfinished", n=n, total=scenario.trial_count))
    if acc < crit.accuracy:
        out.append(text("drill.fail.accuracy", acc=acc, need=crit.accuracy))
    if crit.latency_p90_s is not None and (p90 is None or p90 > crit.latency_p90_s):
        shown = "—" if p90 is None else f"{p90:.1f} s"
        out.append(text("drill.fail.latency", shown=shown, s=crit.latency_p90_s))
    if crit.false_starts is not None and false_starts > crit.false_starts:
        out.append(text("drill.fail.false_starts", n=false_starts, most=crit.false_starts))
    if crit.composite is not None and composite < crit.composite:
        out.append(text("drill.fail.composite", c=composite, need=crit.composite))
    return out
