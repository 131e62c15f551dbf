"""The microphone check: the trainee knocks three times, and the app says what it heard and sets its meter up.

:func:`calibrate` turns what was heard (how many knocks the decoder counted in the group, the peak of each, the
noise level between them, whether anything clipped) into a :class:`Calibration` with a :class:`Verdict`. The
calibration is kept per trainee in the preferences (plain data, see :meth:`Calibration.as_dict`) and sets the
level meter up for that trainee's microphone and knocking (:meth:`Calibration.level_settings`).

Pure: no pygame, no sound card.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

import numpy as np

from rescue_signals.app.inputlevel import LevelSettings
from rescue_signals.app.phrases import say


class Verdict(str, Enum):
    """What the check found; the values are what the preferences store."""

    OK = "ok"
    COUNT = "count"  # a group was heard, but not of the knocks asked for
    QUIET = "quiet"
    CLIPPING = "clipping"
    NOISY = "noisy"
    SKIPPED = "skipped"  # the trainee went on without the check


USABLE = (Verdict.OK, Verdict.QUIET, Verdict.CLIPPING, Verdict.NOISY)
"""Verdicts of a check that heard the right number of knocks: its levels describe the microphone."""


@dataclass(frozen=True)
class CalibrationRules:
    """What a good check is.

    Attributes
    ----------
    knocks : int
        How many knocks the trainee is asked for.
    min_rise_db : float, dB
        Knocks should peak at least this far above the noise...
    quiet_dbfs : float, dBFS
        ...and at least this high.
    max_noise_dbfs : float, dBFS
        Noise peaking above this makes knocks hard to tell from it.
    margin_db : float, dB
        After a good check, a knock this much quieter than the trainee's own is still heard well (the meter's
        quiet mark moves down to it, never below the noise plus ``min_rise_db``).
    """

    knocks: int = 3
    min_rise_db: float = 12.0
    quiet_dbfs: float = -35.0
    max_noise_dbfs: float = -30.0
    margin_db: float = 12.0


@dataclass(frozen=True)
class Calibration:
    """One check of the trainee's microphone.

    Attributes
    ----------
    verdict : Verdict
    knocks : int
        Knocks the decoder counted in the group.
    peaks_dbfs : tuple of float, dBFS
        Peak of each knock.
    noise_dbfs : float or None, dBFS
        The noise level around them (None for a skipped check).
    clipped : bool
    """

    verdict: Verdict
    knocks: int = 0
    peaks_dbfs: tuple[float, ...] = ()
    noise_dbfs: float | None = None
    clipped: bool = False

    @classmethod
    def skipped(cls) -> "Calibration":
        return cls(Verdict.SKIPPED)

    @property
    def level_dbfs(self) -> float | None:
        """The median knock peak, dBFS."""
        return float(np.median(self.peaks_dbfs)) if self.peaks_dbfs else None

    @property
    def rise_db(self) -> float | None:
        """How far the median knock peaks above the noise, dB."""
        if self.level_dbfs is None or self.noise_dbfs is None:
            return None
        return self.level_dbfs - self.noise_dbfs

    @property
    def usable(self) -> bool:
        return self.verdict in USABLE

    def level_settings(self, base: LevelSettings = LevelSettings(), *,
                       rules: "CalibrationRules | None" = None) -> LevelSettings:
        """The meter set up for this trainee: after a check whose knocks were heard well, a knock up to
        ``margin_db`` quieter than theirs still counts as heard well."""
        rules = rules or CalibrationRules()
        if self.verdict != Verdict.OK or self.level_dbfs is None:
            return base
        return replace(base, quiet_dbfs=min(base.quiet_dbfs, self.level_dbfs - rules.margin_db))

    def as_dict(self) -> dict:
        return {"verdict": self.verdict.value, "knocks": self.knocks,
                "peaks_dbfs": [round(p, 1) for p in self.peaks_dbfs],
                "noise_dbfs": None if self.noise_dbfs is None else round(self.noise_dbfs, 1),
                "clipped": self.clipped}

    @classmethod
    def from_dict(cls, d) -> "Calibration | None":
        """A stored check; None for anything damaged."""
        try:
            noise = d.get("noise_dbfs")
            return cls(Verdict(d["verdict"]), int(d.get("knocks", 0)),
                       tuple(float(p) for p in d.get("peaks_dbfs", ())),
                       None if noise is None else float(noise), bool(d.get("clipped", False)))
        except (AttributeError, KeyError, TypeError, ValueError):
            return None


def calibrate(peaks_dbfs, *, noise_dbfs: float, clipped: bool, quiet_sounds: int = 0,
              rules: CalibrationRules = CalibrationRules()) -> Calibration:
    """Judge the group heard in the check.

    Parameters
    ----------
    peaks_dbfs : sequence of float, dBFS
        Peak of each knock the decoder counted in the group.
    noise_dbfs : float, dBFS
        Noise level around the knocks.
    clipped : bool
        Samples at full scale during the group.
    quiet_sounds : int
        Sounds heard during the check that were too quiet to be heard well: with a count short of the knocks
        asked for, they are why (the verdict is "too quiet", not "wrong count").
    rules : CalibrationRules
    """
    peaks = tuple(round(float(p), 1) for p in peaks_dbfs)  # tenths of a dB: what the preferences keep
    found = Calibration(Verdict.OK, len(peaks), peaks, round(float(noise_dbfs), 1), bool(clipped))
    if len(peaks) != rules.knocks:
        verdict = Verdict.QUIET if quiet_sounds and len(peaks) < rules.knocks else Verdict.COUNT
    elif clipped:
        verdict = Verdict.CLIPPING
    elif noise_dbfs > rules.max_noise_dbfs and found.rise_db < rules.min_rise_db:
        verdict = Verdict.NOISY
    elif found.level_dbfs < rules.quiet_dbfs or found.rise_db < rules.min_rise_db:
        verdict = Verdict.QUIET
    elif noise_dbfs > rules.max_noise_dbfs:
        verdict = Verdict.NOISY
    else:
        verdict = Verdict.OK
    return replace(found, verdict=verdict)


def describe(calibration: Calibration, lang: str, *, rules: CalibrationRules = CalibrationRules()) -> list[str]:
    """What the check heard and what to do, in ``lang``: the count, the level against the noise, the verdict."""
    c = calibration
    if c.verdict == Verdict.SKIPPED:
        return [say("check.skipped", lang)]
    lines = [say("check.heard", lang, n=c.knocks, want=rules.knocks)]
    if c.level_dbfs is not None and c.noise_dbfs is not None:
        lines.append(say("check.levels", lang, level=c.level_dbfs, noise=c.noise_dbfs, rise=c.rise_db))
    lines.append(say(f"check.verdict.{c.verdict.value}", lang, want=rules.knocks))
    return lines
