"""Knocking back: a trainee's echo of a group the app knocked, graded against the codebook's timing.

:func:`grade_echo` compares the knocks given back with the group asked for: the count, the tempo (the mean
spacing against the codebook's, onset to onset) and the evenness (how much single spacings stray from the
trainee's own mean). Each thing that was off is a :class:`Fault`; :func:`describe` says them in words.

Pure: no pygame, no sound card; knock times come in as monotonic seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

from rescue_signals.app.phrases import say
from rescue_signals.codebook import HEADCOUNT, Codebook, Text


class Fault(str, Enum):
    """What was off in an echo."""

    COUNT = "count"
    TOO_FAST = "too-fast"
    TOO_SLOW = "too-slow"
    UNEVEN = "uneven"


@dataclass(frozen=True)
class EchoRules:
    """How close an echo must come, as fractions of the codebook's knock spacing.

    Attributes
    ----------
    tempo_tolerance : float
        The mean spacing may differ from the codebook's by this fraction of it (0.25: 0.75 s to 1.25 s for 1 s).
    spread_tolerance : float
        The spacings' standard deviation may be up to this fraction of the codebook's spacing...
    stray_tolerance : float
        ...and no single spacing may stray further than this fraction from the trainee's own mean spacing.
    """

    tempo_tolerance: float = 0.25
    spread_tolerance: float = 0.15
    stray_tolerance: float = 0.35


@dataclass(frozen=True)
class EchoGrade:
    """An echo, graded.

    Attributes
    ----------
    count, expected : int
        Knocks given back, and knocked by the app.
    interval_s : float, s
        The codebook's spacing the echo is measured against.
    spacings_s : tuple of float, s
        Onset to onset, in order.
    mean_spacing_s, spread_s : float or None, s
        Mean and standard deviation of the spacings (None for fewer than two knocks).
    faults : tuple of Fault
    """

    count: int
    expected: int
    interval_s: float
    spacings_s: tuple[float, ...]
    mean_spacing_s: float | None
    spread_s: float | None
    faults: tuple[Fault, ...]

    @property
    def count_ok(self) -> bool:
        return self.count == self.expected

    @property
    def right(self) -> bool:
        """Count and rhythm both right."""
        return not self.faults

    def as_dict(self) -> dict:
        return {"count": self.count, "expected": self.expected, "mean_spacing_s": self.mean_spacing_s,
                "spread_s": self.spread_s, "faults": [f.value for f in self.faults], "right": self.right}


def grade_echo(times_s, *, expected: int, interval_s: float, rules: EchoRules = EchoRules()) -> EchoGrade:
    """Grade the knocks at ``times_s`` (s) as an echo of ``expected`` knocks ``interval_s`` (s) apart."""
    times = np.sort(np.asarray(list(times_s), dtype=float))
    spacings = np.diff(times)
    faults = []
    if len(times) != expected:
        faults.append(Fault.COUNT)
    mean = spread = None
    if len(spacings):
        mean, spread = float(spacings.mean()), float(spacings.std())
        if mean < interval_s * (1 - rules.tempo_tolerance):
            faults.append(Fault.TOO_FAST)
        elif mean > interval_s * (1 + rules.tempo_tolerance):
            faults.append(Fault.TOO_SLOW)
        stray = float(np.abs(spacings - mean).max())
        if spread > rules.spread_tolerance * interval_s or stray > rules.stray_tolerance * interval_s:
            faults.append(Fault.UNEVEN)
    return EchoGrade(len(times), int(expected), float(interval_s), tuple(float(s) for s in spacings), mean, spread,
                     tuple(faults))


def describe(grade: EchoGrade, lang: str) -> list[tuple[str, bool]]:
    """Lines saying how the echo went, each with whether it is good news, in ``lang``."""
    g = grade
    lines = [(say("echo.count_ok", lang, n=g.count), True) if g.count_ok
             else (say("echo.count_bad", lang, got=g.count, want=g.expected), False)]
    if g.mean_spacing_s is None:
        return lines
    ms = dict(mean=g.mean_spacing_s, interval=g.interval_s)
    if Fault.TOO_FAST in g.faults:
        lines.append((say("echo.too_fast", lang, **ms), False))
    elif Fault.TOO_SLOW in g.faults:
        lines.append((say("echo.too_slow", lang, **ms), False))
    else:
        lines.append((say("echo.tempo_ok", lang, **ms), True))
    steady = dict(spread=g.spread_s * 1000)
    lines.append((say("echo.uneven", lang, **steady), False) if Fault.UNEVEN in g.faults
                 else (say("echo.even", lang, **steady), True))
    return lines


def expected_group(codebook: Codebook, label: str, count: int) -> tuple[str, Text]:
    """Who knocks a group of ``count`` knocks that means ``label`` (a signal id or the headcount), and what it
    means: the trapped side's reading where the signal has one (the side a trainee practises)."""
    if label == HEADCOUNT:
        return codebook.trapped, codebook.headcount.meaning.format(n=count)
    signal = codebook.signal(label)
    rule = signal.rule(codebook.trapped) or signal.senders[0]
    return rule.role, rule.meaning
