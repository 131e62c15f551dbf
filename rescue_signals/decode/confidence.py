"""Calibrated confidence: the probability that a group's count is right, from the rhythm model's posterior.

The rhythm model's count posterior (:func:`rescue_signals.decode.rhythm.count_posterior`) is a model's belief,
not yet a frequency: its evidence and priors are only roughly the truth. :class:`Calibration` maps it to what it
should say, with numbers fitted by ``benchmarks/train_model.py`` on groups decoded from training audio with
out-of-fold evidence: a temperature that sharpens or softens the posterior, and a logistic map of its log-odds and
of the group's SNR (the median over its knocks of each knock's level over the local noise). The same posterior is
worth less in deep noise, where a knock more is missed or a stray sound more is counted. Of all groups reported at
90 %, about 90 % should then be right (the benchmark measures it, by source and by SNR).

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
        ``confidence = sigmoid(slope * logit(posterior) + snr_slope * snr + intercept)``, where ``snr`` is the
        group's SNR in dB, limited to :data:`SNR_RANGE_DB`.
    floor : float
        Groups less likely right than this are not reported (0: every group is).
    snr_slope : float
        What a dB more of the group's SNR adds to the log-odds (0: the SNR is not weighed).
    """

    temperature: float = 1.0
    slope: float = 1.0
    intercept: float = 0.0
    floor: float = 0.0
    snr_slope: float = 0.0

    def confidence(self, posterior, snr_db=None) -> np.ndarray:
        """Calibrated probability for posterior probabilities ``posterior`` of groups whose SNR is ``snr_db``
        (dB; scalars or arrays alike; None: the SNR is not known, and counts as the middle of its range)."""
        p = np.clip(np.asarray(posterior, dtype=float), 1e-6, 1 - 1e-6)
        z = self.slope * np.log(p / (1 - p)) + self.intercept + self.snr_slope * group_snr(snr_db)
        return 1.0 / (1.0 + np.exp(-z))

    def reported(self, confidence: float) -> bool:
        """Whether a group of this calibrated ``confidence`` is reported as a group."""
        return confidence >= self.floor

    def arrays(self, prefix: str = "calibration_") -> dict:
        return {f"{prefix}{k}": np.float64(getattr(self, k))
                for k in ("temperature", "slope", "intercept", "floor", "snr_slope")}

    @classmethod
    def from_arrays(cls, data, prefix: str = "calibration_") -> "Calibration":
        """The calibration kept by :meth:`arrays` (a file without a floor reports every group; one without an
        SNR slope does not weigh the SNR)."""
        optional = {k: float(data[f"{prefix}{k}"]) for k in ("floor", "snr_slope") if f"{prefix}{k}" in data}
        return cls(*(float(data[f"{prefix}{k}"]) for k in ("temperature", "slope", "intercept")), **optional)


SNR_RANGE_DB = (0.0, 40.0)
"""The group SNR the calibration weighs is limited to this, dB: beyond it the evidence says all there is."""


def group_snr(snr_db) -> np.ndarray:
    """A group's SNR as the calibration weighs it, dB (None or not a number: the middle of
    :data:`SNR_RANGE_DB`)."""
    middle = sum(SNR_RANGE_DB) / 2
    if snr_db is None:
        return np.asarray(middle)
    x = np.asarray(snr_db, dtype=float)
    return np.where(np.isfinite(x), np.clip(x, *SNR_RANGE_DB), middle)
