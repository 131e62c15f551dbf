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


def describe_medium(app, medium: str) -> str:
    named = next((app.t(m.name) for m in app.codebook.media if m.id == medium), None)
    return named or app.say(f"medium.{medium}")


def describe_conditions(app, conditions) -> str:
    """"pipe · 20 m · fan" in the trainee's language."""
    medium = describe_medium(app, conditions.medium)
    noise = "、".join(app.say(f"noise.{n}") for n in conditions.noises) or app.say("noise.none")
    return app.say("listen.conditions", medium=medium, distance=conditions.distance_m, noise=noise)


# What a trainee may choose to hear a drill through instead of what its scenario says (None: as the scenario says).
MEDIUM_CHOICES = (None, "pipe", "rail", "drill_rod", "rock_hammer", "rock_crib")
NOISE_CHOICES = (None, (), ("fan",), ("rock_drill",), ("pump",), ("drip",), ("water",), ("fan", "drip"))
DISTANCE_CHOICES_M = (None, 5.0, 50.0, 150.0, 300.0, 600.0)


class Override:
    """The medium, noise and distance a trainee picked for a drill; each cycles through its choices."""

    FIELDS = {"medium": MEDIUM_CHOICES, "noises": NOISE_CHOICES, "distance_m": DISTANCE_CHOICES_M}

    def __init__(self):
        self.index = {name: 0 for name in self.FIELDS}

    def cycle(self, name: str) -> None:
        self.index[name] = (self.index[name] + 1) % len(self.FIELDS[name])

    def value(self, name: str):
        return self.FIELDS[name][self.index[name]]

    def label(self, app, name: str) -> str:
        """"Noise: fan" for a button, in the trainee's language."""
        value = self.value(name)
        if value is None:
            shown = app.say("listen.as_drill")
        elif name == "medium":
            shown = describe_medium(app, value)
        elif name == "noises":
            shown = "、".join(app.say(f"noise.{n}") for n in value) or app.say("noise.none")
        else:
            shown = f"{value:g} m"
        return app.say(f"listen.pick.{name}", value=shown)

    def apply(self, conditions):
        """``conditions`` with the picked values put in."""
        changes = {name: self.value(name) for name in self.FIELDS if self.value(name) is not None}
        return replace(conditions, **changes) if changes else conditions
