"""The sender's hand: when each knock of a group falls, and how hard.

Nominal spacing comes from the codebook, divided by the tempo. A real hand adds per-knock jitter, a slow drift of
the spacing over a group, fatigue (slowing and weakening along a group), and now and then a double strike (the
striker bounces and hits again a few tens of ms later; the sender still meant one knock) or a weak knock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rescue_signals.codebook import Codebook
from rescue_signals.synth.conditions import Conditions

KNOCK = "knock"
DOUBLE = "double"
WEAK = "weak"
KINDS = (KNOCK, DOUBLE, WEAK)

LEAD_IN_S = 1.0
"""Silence before the first knock of a rendering, s."""

MIN_SPACING_S = 0.15
"""No hand knocks faster than this, whatever the jitter draws, s."""

FATIGUE_KNOCKS = 10
"""Fatigue reaches its full effect after this many knocks of a group."""


@dataclass(frozen=True)
class KnockTruth:
    """One knock as the sender struck it: the ground truth a rendering records.

    Attributes
    ----------
    time_s : float, s
        Onset at the listener, from the start of the rendering.
    group : int
        0-based index of the group it belongs to.
    strength : float
        Strike force relative to a normal knock (1.0).
    kind : str
        ``"knock"``, ``"double"`` (followed by a rebound impact; still one knock) or ``"weak"``.
    rebound_s : float or None, s
        For a double strike, the delay of the rebound impact after ``time_s``.
    rebound_strength : float or None
        For a double strike, the force of the rebound impact.
    """

    time_s: float
    group: int
    strength: float
    kind: str = KNOCK
    rebound_s: float | None = None
    rebound_strength: float | None = None


def group_gap_s(codebook: Codebook, conditions: Conditions) -> float:
    """The gap between groups (last knock of one to first knock of the next) that ``conditions`` ask for, s."""
    if conditions.group_gap_s is not None:
        return conditions.group_gap_s
    return codebook.timing.group_gap_s / conditions.compress_gaps


def knock_spacing_s(codebook: Codebook, conditions: Conditions) -> float:
    """Nominal onset-to-onset spacing of knocks within a group, s."""
    return codebook.timing.knock_interval_s / conditions.tempo


def plan_group(count: int, *, index: int, start_s: float, spacing_s: float, conditions: Conditions,
               rng: np.random.Generator) -> list[KnockTruth]:
    """The knocks of one group.

    Parameters
    ----------
    count : int
        Knocks the sender means to give.
    index : int
        0-based index of the group in the rendering.
    start_s : float, s
        Time of the first knock.
    spacing_s : float, s
        Nominal onset-to-onset spacing.
    conditions : Conditions
        ``jitter``, ``drift``, ``fatigue``, ``double_strike_prob`` and ``weak_knock_prob`` are used.
    rng : numpy.random.Generator
    """
    c = conditions
    knocks = []
    time_s = start_s
    walk = 0.0
    for k in range(count):
        tired = c.fatigue * min(k, FATIGUE_KNOCKS) / FATIGUE_KNOCKS
        strength = float(np.clip(rng.normal(1.0, 0.08), 0.7, 1.2)) * (1.0 - 0.5 * tired)
        kind, rebound_s, rebound_strength = KNOCK, None, None
        draw_weak, draw_double = rng.random(), rng.random()
        if draw_weak < c.weak_knock_prob:
            kind, strength = WEAK, strength * rng.uniform(0.2, 0.4)
        elif draw_double < c.double_strike_prob:
            kind = DOUBLE
            rebound_s = float(rng.uniform(0.018, 0.06))
            rebound_strength = strength * float(rng.uniform(0.25, 0.5))
        knocks.append(KnockTruth(time_s, index, strength, kind, rebound_s, rebound_strength))
        # Spacing to the next knock: drift is a slow random walk, jitter is fresh each knock.
        walk += rng.normal(0.0, c.drift / np.sqrt(FATIGUE_KNOCKS))
        factor = (1.0 + walk) * (1.0 + float(np.clip(rng.normal(0.0, c.jitter), -0.5, 0.5))) * (1.0 + 0.5 * tired)
        time_s += max(MIN_SPACING_S, spacing_s * factor)
    return knocks
