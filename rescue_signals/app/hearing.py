"""How knocks sound to the side that listens: the conditions the trainer renders with, per listener.

Underground the two sides hear each other from far away, along the pipe or drill string, each over its own noise:
the rescuers over their fans and machines, the trapped over dripping water. Each side hears its own knocks close by.
"""

from __future__ import annotations

from dataclasses import replace

from rescue_signals.codebook import Codebook
from rescue_signals.protocol import Group

FAR_DISTANCE_M = 150.0
"""How far apart the two sides are in the trainer's examples, m."""


def default_medium(codebook: Codebook) -> str:
    """The first medium the codebook names that the synthesizer can strike (the pipe, for the official code)."""
    from rescue_signals.synth.conditions import MEDIA

    return next((m.id for m in codebook.media if m.id in MEDIA), MEDIA[0])


def listening_conditions(codebook: Codebook, *, listener: str, medium: str | None = None,
                         distance_m: float = FAR_DISTANCE_M, compress_gaps: float = 1.0, **extra):
    """Conditions for knocks heard by ``listener`` (a role id) from the other side, ``distance_m`` away."""
    from rescue_signals.synth import Conditions

    rescuer_side = listener == codebook.rescuer
    noises = ("fan",) if rescuer_side else ("drip",)
    snr_db = 18.0 if rescuer_side else 24.0
    values = dict(medium=medium or default_medium(codebook), noises=noises, snr_db=snr_db, distance_m=distance_m,
                  far_side=codebook.other_role(listener), compress_gaps=compress_gaps)
    values.update(extra)
    return Conditions(**values)


def render_heard(codebook: Codebook, groups, *, listener: str, seed: int, conditions=None):
    """Render ``groups`` as ``listener`` hears them; returns a :class:`rescue_signals.synth.Rendering`."""
    from rescue_signals.synth import render_sequence

    conditions = conditions or listening_conditions(codebook, listener=listener)
    groups = [g if isinstance(g, Group) else Group(*g) for g in groups]
    return render_sequence(groups, codebook, conditions, seed=seed)


def with_gap(conditions, *, group_gap_s: float):
    return replace(conditions, group_gap_s=group_gap_s)
