"""The conditions of a rendering: what is struck, how far away, by what kind of hand, over which noise.

One frozen value carries every parameter, so a rendering can be repeated exactly from its conditions and seed,
a scenario file can name them, and the sidecar can record them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

from rescue_signals.datafile import did_you_mean
from rescue_signals.errors import UsageError

MEDIA = ("pipe", "rail", "drill_rod", "rock_hammer", "rock_crib")
"""Striking media: steel pipe, rail, drill rod (steel); a rock face struck with a hammer or a wooden crib block."""

STEEL_MEDIA = ("pipe", "rail", "drill_rod")
"""Media whose knocks travel along steel (little loss, dispersion, ringing) rather than through rock."""

NOISES = ("fan", "rock_drill", "pump", "drip", "water", "hum", "voices")
"""Noise beds: ventilation fan, pneumatic rock drill, pump, dripping water, running water, mains hum, voices."""

# (low, high) of every bounded number; messages and the CLI help quote these.
RANGES = {
    "snr_db": (-20.0, 60.0),
    "distance_m": (0.5, 2000.0),
    "tempo": (0.25, 4.0),
    "jitter": (0.0, 0.5),
    "drift": (0.0, 0.5),
    "fatigue": (0.0, 1.0),
    "double_strike_prob": (0.0, 1.0),
    "weak_knock_prob": (0.0, 1.0),
    "reverb": (0.0, 1.0),
    "group_gap_s": (0.5, 600.0),
    "compress_gaps": (1.0, 100.0),
    "sample_rate": (8000, 192000),
}

NEAR_DISTANCE_M = 2.0
"""How far the listener is from their own side's knocks when ``far_side`` is set."""


@dataclass(frozen=True)
class Conditions:
    """Everything about how a knock sequence sounds, except the sequence itself and the seed.

    Parameters
    ----------
    medium : str
        What is struck, one of :data:`MEDIA`.
    noises : tuple of str
        Noise beds mixed under the knocks, each one of :data:`NOISES`; empty for no noise.
    snr_db : float or None, dB
        Knock-to-noise ratio (definition in :mod:`rescue_signals.synth.mix`); None means 20 dB when there
        is noise.
    distance_m : float, m
        From the knocking to the listener (for the far side only when ``far_side`` is set).
    tempo : float
        Multiplies the knock rate: 2.0 knocks twice as fast as the codebook's spacing.
    jitter : float
        Standard deviation of each knock spacing, relative to the spacing.
    drift : float
        How far the spacing wanders over a group (a slow random walk), relative to the spacing.
    fatigue : float
        0 for a fresh hand; 1 for one that slows by half and loses half its force over ten knocks.
    double_strike_prob : float
        Chance that a knock bounces: a second, weaker impact a few tens of ms after it (still one knock).
    weak_knock_prob : float
        Chance that a knock is struck weakly (a fifth to two fifths of the force).
    reverb : float
        Roadway reverberation, 0 (dry) to 1 (a long, live roadway).
    group_gap_s : float or None, s
        From the last knock of a group to the first of the next; None for the codebook's gap divided by
        ``compress_gaps``.
    compress_gaps : float
        Divides the codebook's gap between groups (drills shorten the official 30 s).
    sample_rate : int, Hz
    far_side : str or None
        Role id of the side that is ``distance_m`` away; the other side knocks near the listener. None puts both
        sides at ``distance_m``.
    """

    medium: str = "pipe"
    noises: tuple[str, ...] = ()
    snr_db: float | None = None
    distance_m: float = 10.0
    tempo: float = 1.0
    jitter: float = 0.05
    drift: float = 0.05
    fatigue: float = 0.0
    double_strike_prob: float = 0.0
    weak_knock_prob: float = 0.0
    reverb: float = 0.2
    group_gap_s: float | None = None
    compress_gaps: float = 1.0
    sample_rate: int = 48000
    far_side: str | None = None

    def __post_init__(self) -> None:
        _check_choice("medium", self.medium, MEDIA)
        if isinstance(self.noises, str):
            object.__setattr__(self, "noises", tuple(n for n in self.noises.split(",") if n))
        object.__setattr__(self, "noises", tuple(self.noises))
        for noise in self.noises:
            _check_choice("noise", noise, NOISES)
        if len(set(self.noises)) != len(self.noises):
            raise UsageError(f"a noise is listed twice: {', '.join(self.noises)}")
        for name, (low, high) in RANGES.items():
            value = getattr(self, name)
            if value is None:
                continue
            integer = name == "sample_rate"
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and value != int(value)):
                raise UsageError(f"{name} must be {'a whole number' if integer else 'a number'}, not {value!r}")
            if not (math.isfinite(value) and low <= value <= high):
                raise UsageError(f"{name} is {value:g}; allowed from {low:g} to {high:g}")
            object.__setattr__(self, name, int(value) if integer else float(value))
        if self.far_side is not None and (not isinstance(self.far_side, str) or not self.far_side):
            raise UsageError(f"far_side must be a role id, not {self.far_side!r}")

    @classmethod
    def from_dict(cls, data: dict) -> "Conditions":
        """Build conditions from plain data (a scenario file, a sidecar, CLI options).

        ``noises`` may be a list or a comma-separated string.

        Raises
        ------
        UsageError
            An unknown key (with the closest valid one), an unknown medium or noise (listing the valid ones), or a
            number out of range (naming the range).
        """
        if not isinstance(data, dict):
            raise UsageError(f"conditions must be a mapping of name: value, not {type(data).__name__}")
        names = [f.name for f in fields(cls)]
        for key in data:
            if key not in names:
                raise UsageError(f"unknown condition '{key}'{did_you_mean(str(key), names)}; "
                                 f"allowed: {', '.join(names)}")
        values = dict(data)
        if "noises" in values:
            noises = values["noises"]
            if noises is None:
                noises = ()
            elif isinstance(noises, str):
                noises = [n.strip() for n in noises.split(",") if n.strip()]
            elif not isinstance(noises, (list, tuple)):
                raise UsageError(f"noises must be a list of noise types ({', '.join(NOISES)}), not {noises!r}")
            values["noises"] = tuple(str(n) for n in noises)
        return cls(**values)

    def as_dict(self) -> dict:
        """Plain data (JSON and YAML friendly) that :meth:`from_dict` turns back into equal conditions."""
        out = asdict(self)
        out["noises"] = list(self.noises)
        return out

    @property
    def steel(self) -> bool:
        """True when the knocks travel along steel (pipe, rail, drill rod)."""
        return self.medium in STEEL_MEDIA


def _check_choice(what: str, value, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise UsageError(f"unknown {what} '{value}'{did_you_mean(str(value), choices)}; "
                         f"valid: {', '.join(choices)}")
