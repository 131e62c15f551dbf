"""Calibrated confidence: the probability that a group's count is right, from the rhythm model's posterior.

The rhythm model's count posterior (:func:`rescue_signals.decode.rhythm.count_posterior`) is a model's belief,
not yet a frequency: its evidence and priors are only roughly the truth. :class:`Calibration` maps it to what it
should say, with three numbers fitted by ``benchmarks/train_model.py`` on groups decoded from training audio with
out-of-fold evidence: a temperature that sharpens or softens the posterior, and a logistic map of its log-odds.
Of all groups reported at 90 %, about 90 % should then be right (the benchmark measures it, source by source).

A group whose calibrated confidence is under :attr:`Calibration.floor` is not reported as a group: it is more
likely a run of other sounds, or a misread, than a group read right. The floor is fitted with the rest, on the same
out-of-fold groups, by the score the rhythm settings are chosen by (groups right, less false groups).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Calibration:
    """Maps the posterior of a group's count to a calibrated probability that the count is right.

    Attributes
    ----------
    temperature : float
        Path scores are divided by this before the posterior is summed.
    slope, intercept : float
        ``confidence = sigmoid(slope * logit(posterior) + intercept)``.
    floor : float
        Groups less likely right than this are not reported (0: every group is).
    """

    temperature: float = 1.0
    slope: float = 1.0
    intercept: float = 0.0
    floor: float = 0.0

    def confidence(self, posterior) -> np.ndarray:
        """Calibrated probability for posterior probabilities ``posterior`` (scalar or array)."""
        p = np.clip(np.asarray(posterior, dtype=float), 1e-6, 1 - 1e-6)
        z = self.slope * np.log(p / (1 - p)) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def reported(self, confidence: float) -> bool:
        """Whether a group of this calibrated ``confidence`` is reported as a group."""
        return confidence >= self.floor

    def arrays(self, prefix: str = "calibration_") -> dict:
        return {f"{prefix}{k}": np.float64(getattr(self, k)) for k in ("temperature", "slope", "intercept", "floor")}

    @classmethod
    def from_arrays(cls, data, prefix: str = "calibration_") -> "Calibration":
        """The calibration kept by :meth:`arrays` (a file without a floor reports every group)."""
        floor = float(data[f"{prefix}floor"]) if f"{prefix}floor" in data else 0.0
        return cls(*(float(data[f"{prefix}{k}"]) for k in ("temperature", "slope", "intercept")), floor=floor)
