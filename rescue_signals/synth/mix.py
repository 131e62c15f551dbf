"""Mixing knocks and noise at a requested signal-to-noise ratio.

Definition used everywhere in the program::

    SNR_dB = 10 * log10(P_knock / P_noise)

``P_knock`` is the mean power (mean square) of the knock signal alone, as it arrives at the listener (after
propagation and reverberation), over the *knock windows*: the union of the intervals
``[t_k, t_k + KNOCK_WINDOW_S)`` that start at each knock onset ``t_k``. ``P_noise`` is the mean power of the noise
alone over the whole rendering. Measuring the knock only where knocks are keeps the figure independent of how long
the silences between groups are. In an exchange with a far side (see :class:`~rescue_signals.synth.Conditions`),
only the far side's knocks count: they are the ones the listener strains to hear, and the near side's own knocks
are louder by the difference in distance.
"""

from __future__ import annotations

import numpy as np

KNOCK_WINDOW_S = 0.1
"""Length of the window after each knock onset over which the knock power is measured, s."""


def knock_windows(times_s, *, n: int, sample_rate: int, window_s: float = KNOCK_WINDOW_S) -> np.ndarray:
    """Boolean mask of the samples inside any knock window.

    Parameters
    ----------
    times_s : sequence of float, s
        Knock onsets.
    n : int
        Length of the signal in samples.
    sample_rate : int, Hz
    window_s : float, s
    """
    mask = np.zeros(n, dtype=bool)
    width = int(round(window_s * sample_rate))
    for t in times_s:
        start = int(round(t * sample_rate))
        mask[max(0, start):max(0, min(n, start + width))] = True
    return mask


def measured_snr_db(knock: np.ndarray, noise: np.ndarray, *, times_s, sample_rate: int) -> float:
    """The SNR of a knock signal over a noise signal, in dB, as defined in this module.

    Parameters
    ----------
    knock, noise : ndarray, shape (n,)
        The two parts of a mix, separately.
    times_s : sequence of float, s
        Knock onsets.
    sample_rate : int, Hz
    """
    mask = knock_windows(times_s, n=knock.size, sample_rate=sample_rate)
    p_knock = float(np.mean(np.square(knock[mask], dtype=np.float64))) if mask.any() else 0.0
    p_noise = float(np.mean(np.square(noise, dtype=np.float64)))
    if p_noise == 0.0:
        return float("inf")
    if p_knock == 0.0:
        return float("-inf")
    return 10.0 * np.log10(p_knock / p_noise)


def scale_noise(knock: np.ndarray, noise: np.ndarray, *, times_s, sample_rate: int, snr_db: float) -> np.ndarray:
    """``noise`` scaled so that the mix with ``knock`` has exactly the SNR ``snr_db`` (dB)."""
    have = measured_snr_db(knock, noise, times_s=times_s, sample_rate=sample_rate)
    if not np.isfinite(have):
        return noise * 0.0
    return noise * 10 ** ((have - snr_db) / 20)
