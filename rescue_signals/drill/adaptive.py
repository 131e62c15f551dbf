"""Adaptive practice: an SNR staircase, weighting of weak signals, and spaced refreshers.

All of it is pure: the history and "now" are arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import numpy as np

from rescue_signals.catalog import text
from rescue_signals.codebook import Text
from rescue_signals.drill.scenario import Staircase
from rescue_signals.drill.trial import Attempt

WEAK_WEIGHT = 3.0
"""How much more often a signal that is always missed comes up than one that is always right (plus one)."""

REFRESH_DAYS = (1, 2, 4, 8, 16, 32)
"""Days until the next review after 0, 1, 2, … days in a row on which a signal was mastered."""

MASTERED = 0.8
"""Share of right answers on a day that counts as mastering a signal that day."""


@dataclass(frozen=True)
class StaircaseState:
    """Where a weighted up-down staircase is: the SNR of the next trial and the SNRs presented so far.

    Attributes
    ----------
    config : Staircase
    level_db : float, dB
        SNR of the next trial.
    levels_db : tuple of float, dB
        SNR of every trial answered so far, in order.
    """

    config: Staircase
    level_db: float
    levels_db: tuple[float, ...] = ()

    @classmethod
    def start(cls, config: Staircase, *, previous_estimate_db: float | None = None,
              warm_up_db: float = 3.0) -> "StaircaseState":
        """Start at the configured SNR, or a little easier than the trainee's last estimate."""
        level = config.start_db if previous_estimate_db is None else previous_estimate_db + warm_up_db
        return cls(config, float(np.clip(level, config.min_db, config.max_db)))

    def after(self, correct: bool) -> "StaircaseState":
        """The state after a trial at :attr:`level_db` was answered (right or not)."""
        c = self.config
        step = -c.step_db if correct else c.step_db * c.target / (1.0 - c.target)
        level = float(np.clip(self.level_db + step, c.min_db, c.max_db))
        return replace(self, level_db=level, levels_db=self.levels_db + (self.level_db,))

    @property
    def estimate_db(self) -> float | None:
        return snr_threshold_db(self.levels_db)


def snr_threshold_db(levels_db) -> float | None:
    """Estimate of the SNR the staircase converges on: the mean SNR of the trials from its first reversal on.

    The trials before the first reversal only walk down from the starting point, so they are left out. In
    simulation (a listener right 80 % of the time at 2 dB, 2 dB steps) this estimate is 3.6 ± 1.3 dB after 40
    trials and 2.8 ± 0.6 dB after 150 (1 dB steps).

    Parameters
    ----------
    levels_db : sequence of float, dB
        The SNR of each trial in order.

    Returns
    -------
    float or None, dB
        None until the staircase has turned and four trials were presented from there on.
    """
    levels = [float(x) for x in levels_db]
    direction = 0
    for i in range(1, len(levels) - 1):
        change_in, change_out = np.sign(levels[i] - levels[i - 1]), np.sign(levels[i + 1] - levels[i])
        if change_in:
            direction = change_in
        if change_out and direction and change_out != direction:
            after = levels[i:]
            return float(np.mean(after)) if len(after) >= 4 else None
    return None


@dataclass(frozen=True)
class LabelRecord:
    """How often a trainee got one answer label right."""

    label: str
    trials: int
    accepted: int

    @property
    def error_rate(self) -> float:
        """Share of misses, with one imaginary hit and one miss added (so no data means 0.5)."""
        return (self.trials - self.accepted + 1) / (self.trials + 2)


@dataclass(frozen=True)
class Profile:
    """What the program knows of a trainee before a drill: per-label results and the last SNR estimate."""

    labels: tuple[LabelRecord, ...] = ()
    snr_estimate_db: float | None = None

    def record(self, label: str) -> LabelRecord:
        return next((r for r in self.labels if r.label == label), LabelRecord(label, 0, 0))

    def with_attempt(self, attempt: Attempt) -> "Profile":
        rec = self.record(attempt.expected)
        new = LabelRecord(rec.label, rec.trials + 1, rec.accepted + int(attempt.accepted))
        others = tuple(r for r in self.labels if r.label != rec.label)
        return replace(self, labels=others + (new,))

    @classmethod
    def from_attempts(cls, attempts, *, snr_estimate_db: float | None = None) -> "Profile":
        profile = cls(snr_estimate_db=snr_estimate_db)
        for a in attempts:
            profile = profile.with_attempt(a)
        return profile


def draw_weights(labels, profile: Profile, *, weak_signals: bool = True) -> np.ndarray:
    """Probability of drawing each label: ``1 + WEAK_WEIGHT * error_rate``, normalised.

    Returns
    -------
    ndarray, shape (len(labels),)
    """
    if not weak_signals:
        w = np.ones(len(labels))
    else:
        w = np.array([1.0 + WEAK_WEIGHT * profile.record(lab).error_rate for lab in labels])
    return w / w.sum()


@dataclass(frozen=True)
class Practice:
    """One answer in a trainee's history: its label, whether it was accepted, and when (wall clock)."""

    label: str
    accepted: bool
    at: datetime


@dataclass(frozen=True)
class Refresher:
    """A suggestion to review one signal.

    Attributes
    ----------
    label : str
    due : datetime
        When to review it.
    overdue : bool
        ``due`` is at or before "now".
    streak_days : int
        Days in a row (of practice) on which the signal was mastered.
    last : datetime or None
        When it was last practised.
    reason : Text
    """

    label: str
    due: datetime
    overdue: bool
    streak_days: int
    last: datetime | None
    reason: Text


def refreshers(practice, *, now: datetime, labels=()) -> list[Refresher]:
    """What to review and when, from the history (a Leitner schedule per signal).

    Each day a signal was practised counts once: mastered (at least :data:`MASTERED` right) moves it one box up,
    otherwise back to the first box. The next review is :data:`REFRESH_DAYS` ``[box]`` days after the last day it
    was practised. Labels in ``labels`` never practised are due ``now``.

    Returns
    -------
    list of Refresher
        Soonest first.
    """
    by_label: dict[str, dict] = {}
    for p in sorted(practice, key=lambda p: p.at):
        days = by_label.setdefault(p.label, {})
        hits, total, _ = days.get(p.at.date(), (0, 0, p.at))
        days[p.at.date()] = (hits + int(p.accepted), total + 1, p.at)
    out = []
    for label, days in by_label.items():
        box = 0
        for hits, total, _ in days.values():
            box = min(box + 1, len(REFRESH_DAYS) - 1) if hits / total >= MASTERED else 0
        hits, total, last = list(days.values())[-1]
        due = last + timedelta(days=REFRESH_DAYS[box])
        reason = text("drill.review.reason", last=last, hits=hits, total=total, box=box)
        out.append(Refresher(label, due, due <= now, box, last, reason))
    for label in labels:
        if label not in by_label:
            out.append(Refresher(label, now, True, 0, None, text("drill.review.never")))
    return sorted(out, key=lambda r: (r.due, r.streak_days, r.label))
