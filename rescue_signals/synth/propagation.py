"""How a knock changes on its way to the listener, and the roadway around the listener.

Along steel (pipe, rail, drill rod) a knock is guided: it spreads little and loses its highs slowly, but bending
waves are dispersive (high frequencies travel faster, so a far knock arrives as a falling chirp) and joints and
supports make the steel ring. Through rock it spreads in all directions and loses its highs fast (absorption grows
with frequency times distance), so a far rock knock is faint and dull. Around the listener the roadway adds
reverberation, from a generated impulse response (exponentially decaying filtered noise after a few early
reflections from the walls) or one the user loads.
"""

from __future__ import annotations

import numpy as np
from scipy import signal as sps

from rescue_signals.synth.conditions import STEEL_MEDIA

STEEL_SPREADING_M = 5.0
"""Beyond this distance a guided wave along steel loses 3 dB per doubling of distance (half of spherical)."""

STEEL_LOSS_DB_PER_M = {"pipe": (0.005, 0.02), "rail": (0.005, 0.02), "drill_rod": (0.002, 0.006)}
"""Loss along steel: (at 0 Hz, extra per kHz), dB per metre. A pipe hangs on supports and a rail is fixed to
sleepers, and both lose a little at every joint; a drill string is one solid column of threaded rods touching
only mud and rock, which is why rescuers listen on it from hundreds of metres away."""

STEEL_DISPERSION_S = {"pipe": 0.0025, "rail": 0.002, "drill_rod": 0.006}
"""Arrival delay spread per metre and per unit of 1/sqrt(Hz): bending waves are slower at low frequencies."""

STEEL_SEGMENT_M = {"pipe": 6.0, "rail": 12.5, "drill_rod": 4.5}
"""Length between joints (pipe sections, rail lengths, drill rods), m."""

STEEL_VELOCITY_M_S = 5100.0
"""Speed of longitudinal waves in steel, m/s."""

ROCK_SPREADING_M = 3.0
"""Near-field size of a rock face: beyond it a knock loses 6 dB per doubling of distance."""

ROCK_Q = 40.0
"""Quality factor of roof rock (absorption per wavelength)."""

ROCK_VELOCITY_M_S = 2500.0
"""Speed of sound in roof rock, m/s."""


def propagate(sound: np.ndarray, *, medium: str, distance_m: float, sample_rate: int) -> np.ndarray:
    """One knock as heard ``distance_m`` from the strike.

    The output starts where the knock's first energy arrives (the arrival delay itself is left out, so knock times
    stay the times the listener hears them); it is longer than the input by the dispersion spread.

    Parameters
    ----------
    sound : ndarray, shape (n,)
        The knock near the strike.
    medium : str
    distance_m : float, m
    sample_rate : int, Hz

    Returns
    -------
    ndarray, shape (m,), m >= n
    """
    if medium in STEEL_MEDIA:
        return _along_steel(sound, medium=medium, distance_m=distance_m, sample_rate=sample_rate)
    return _through_rock(sound, distance_m=distance_m, sample_rate=sample_rate)


def _steel_ringing(sound: np.ndarray, *, medium: str, distance_m: float, sample_rate: int) -> np.ndarray:
    """Reflections at joints and supports: a feedback comb whose ring grows with the length of steel."""
    delay = max(1, int(round(2 * STEEL_SEGMENT_M[medium] / STEEL_VELOCITY_M_S * sample_rate)))
    feedback = 0.15 + 0.35 * min(1.0, distance_m / 300.0)
    # y[n] = b x[n] + g y[n - delay], run as a one-pole filter across rows of ``delay`` samples (far cheaper than
    # a filter with ``delay`` feedback taps).
    rows = np.concatenate([sound, np.zeros(-sound.size % delay)]).reshape(-1, delay)
    out = sps.lfilter([1.0 - 0.5 * feedback], [1.0, -feedback], rows, axis=0)
    return out.reshape(-1)[: sound.size]


def _along_steel(sound, *, medium, distance_m, sample_rate):
    spread = STEEL_DISPERSION_S[medium] * distance_m * (1 / np.sqrt(150.0) - 1 / np.sqrt(0.5 * sample_rate))
    pad = int(spread * sample_rate) + 1
    n = _fft_size(sound.size + pad)
    spectrum = np.fft.rfft(sound, n)
    freq = np.fft.rfftfreq(n, 1.0 / sample_rate)
    gain_db = (-10.0 * np.log10(1.0 + distance_m / STEEL_SPREADING_M)
               - distance_m * (STEEL_LOSS_DB_PER_M[medium][0] + STEEL_LOSS_DB_PER_M[medium][1] * freq / 1000.0))
    # Group delay of bending waves falls as 1/sqrt(f); the highest frequency arrives first (delay 0).
    f = np.maximum(freq, 150.0)
    delay_s = STEEL_DISPERSION_S[medium] * distance_m * (1 / np.sqrt(f) - 1 / np.sqrt(freq[-1]))
    phase = -2 * np.pi * np.cumsum(delay_s) * (freq[1] - freq[0])
    out = np.fft.irfft(spectrum * 10 ** (gain_db / 20) * np.exp(1j * phase), n)
    return _steel_ringing(out[: sound.size + pad], medium=medium, distance_m=distance_m, sample_rate=sample_rate)


def _through_rock(sound, *, distance_m, sample_rate):
    n = _fft_size(sound.size + sample_rate // 20)
    freq = np.fft.rfftfreq(n, 1.0 / sample_rate)
    t_star = distance_m / (ROCK_Q * ROCK_VELOCITY_M_S)
    log_mag = -np.pi * freq * t_star  # natural log of the absorption
    h = _minimum_phase(log_mag, n)
    out = np.fft.irfft(np.fft.rfft(sound, n) * h, n)[: sound.size + sample_rate // 20]
    return out / (1.0 + distance_m / ROCK_SPREADING_M)


def _minimum_phase(log_mag: np.ndarray, n: int) -> np.ndarray:
    """The causal (minimum-phase) filter with the given natural-log magnitude on an rfft grid of size n."""
    cep = np.fft.irfft(log_mag, n)
    fold = np.zeros(n)
    fold[0] = cep[0]
    fold[1: n // 2] = 2 * cep[1: n // 2]
    fold[n // 2] = cep[n // 2]
    return np.exp(np.fft.rfft(fold, n))


def _fft_size(n: int) -> int:
    return 1 << int(np.ceil(np.log2(max(n, 2))))


def roadway_impulse_response(*, reverb: float, rng: np.random.Generator, sample_rate: int) -> np.ndarray:
    """A generated roadway impulse response, without the direct sound.

    Parameters
    ----------
    reverb : float
        0 (dry) to 1 (long and live): reverberation time from 0.3 s to 2.5 s.
    rng : numpy.random.Generator
    sample_rate : int, Hz

    Returns
    -------
    ndarray, shape (n,)
        Unit energy (sum of squares 1); sample 0 is the direct path, left at 0.
    """
    rt60_s = 0.3 + 2.2 * reverb
    n = int(rt60_s * 1.1 * sample_rate)
    t = np.arange(n) / sample_rate
    ir = np.zeros(n)
    # Rough rock walls scatter highs: the highs die out about twice as fast as the lows.
    bands = ((None, 400.0, 1.0), (400.0, 2000.0, 0.75), (2000.0, None, 0.45))
    for low, high, rt_scale in bands:
        noise = rng.standard_normal(n)
        if low is None:
            sos = sps.butter(2, high, btype="low", fs=sample_rate, output="sos")
        elif high is None:
            sos = sps.butter(2, low, btype="high", fs=sample_rate, output="sos")
        else:
            sos = sps.butter(2, (low, high), btype="band", fs=sample_rate, output="sos")
        ir += sps.sosfilt(sos, noise) * np.exp(-6.91 * t / (rt60_s * rt_scale))
    # The diffuse tail builds up over the first tens of ms, after the first wall reflections.
    ir *= 1.0 - np.exp(-t / 0.015)
    for _ in range(6):
        k = int(rng.uniform(0.004, 0.03) * sample_rate)
        ir[k] += rng.choice((-1.0, 1.0)) * rng.uniform(0.3, 0.6) * np.sqrt(np.sum(ir ** 2) / n) * 40
    ir[0] = 0.0
    return ir / np.sqrt(np.sum(ir ** 2))


def add_reverb(dry: np.ndarray, *, impulse_response: np.ndarray, wet: float) -> np.ndarray:
    """``dry`` plus its reverberation at relative level ``wet`` (same length as ``dry``).

    Parameters
    ----------
    impulse_response : ndarray, shape (k,)
        Unit energy; sample 0 is the direct path and is ignored (the dry signal is the direct sound).
    wet : float
        Amplitude of the reverberation relative to the dry sound.
    """
    out = dry.copy()
    if wet <= 0 or impulse_response.size < 2:
        return out
    ir = impulse_response.copy()
    ir[0] = 0.0
    # Knock renderings are mostly exact silence between groups: convolve only the stretches that sound.
    for a, b in _active_spans(dry, merge=ir.size):
        end = min(dry.size, b + ir.size - 1)
        out[a:end] += wet * sps.oaconvolve(dry[a:b], ir)[: end - a]
    return out


def _active_spans(x: np.ndarray, *, merge: int) -> list[tuple[int, int]]:
    """(start, stop) of the stretches of ``x`` that are not exactly zero, joining those closer than ``merge``."""
    nz = np.flatnonzero(x)
    if nz.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(nz) > merge)
    starts = np.concatenate([[nz[0]], nz[breaks + 1]])
    stops = np.concatenate([nz[breaks], [nz[-1]]]) + 1
    return list(zip(starts.tolist(), stops.tolist()))
