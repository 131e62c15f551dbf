"""Knock sounds per striking medium, by modal synthesis rather than from one stored sample.

A struck body rings in its modes: damped sinusoids whose frequencies, decay times and amplitudes depend on the
body, and whose amplitudes also depend on where and how hard it is struck. Steel pipe and rail have inharmonic
partials and long decays; a drill rod is bright and dispersive; a rock face struck with a hammer or a wooden crib
block gives a short broadband burst over a heavily damped low body resonance.

An :class:`Instrument` is one struck object (one pipe, one rock face), drawn once per rendering so that every knock
in it comes from the same object; :meth:`Instrument.strike` varies force and position, so no two knocks are alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal as sps

from rescue_signals.synth.conditions import MEDIA

PEAK_AT_1M = 0.7
"""Peak level (full scale = 1) of a full-force knock heard 1 m from the strike, before propagation."""


@dataclass(frozen=True, eq=False)
class Instrument:
    """One struck object: its modes and its strike character.

    Attributes
    ----------
    medium : str
    mode_hz : ndarray, shape (m,)
        Modal frequencies in Hz.
    mode_decay_s : ndarray, shape (m,)
        Amplitude decay time constant of each mode, s (T60 is about 6.9 times this).
    mode_shape : ndarray, shape (m,)
        Spatial order of each mode, used to vary its amplitude with the strike position.
    mode_level : ndarray, shape (m,)
        Relative amplitude of each mode for a strike at the reference position.
    contact_s : float
        Contact time of a full-force strike, s; softer strikes last longer and sound duller.
    burst_decay_s : float
        Decay of the broadband contact burst, s.
    burst_level : float
        Level of the contact burst relative to the modes.
    burst_lowpass_hz : float
        Upper edge of the contact burst's spectrum, Hz.
    chirp_hz : tuple of float
        (start, end) of a falling dispersive chirp in Hz, or (0, 0) for none.
    duration_s : float
        Length of one knock's sound, s.
    sample_rate : int, Hz
    """

    medium: str
    mode_hz: np.ndarray
    mode_decay_s: np.ndarray
    mode_shape: np.ndarray
    mode_level: np.ndarray
    contact_s: float
    burst_decay_s: float
    burst_level: float
    burst_lowpass_hz: float
    chirp_hz: tuple[float, float]
    duration_s: float
    sample_rate: int
    _norm: float = 1.0

    def strike(self, *, strength: float, rng: np.random.Generator) -> np.ndarray:
        """The sound of one knock, starting at sample 0.

        Parameters
        ----------
        strength : float
            Strike force relative to a normal full knock (1.0); scales the level and, through the contact time,
            the brightness.
        rng : numpy.random.Generator
            Draws the strike position and the small random differences between knocks.

        Returns
        -------
        ndarray, shape (n,), float64
            Peak about ``PEAK_AT_1M * strength`` for a normal knock.
        """
        return self._strike(strength=strength, rng=rng) * (PEAK_AT_1M * strength / self._norm)

    def _strike(self, *, strength: float, rng: np.random.Generator) -> np.ndarray:
        sr = self.sample_rate
        n = int(self.duration_s * sr)
        t = np.arange(n) / sr
        position = rng.uniform(0.12, 0.88)
        # A softer blow keeps the striker in contact longer, which filters out the high modes.
        contact_s = self.contact_s * (1.0 + 0.8 * (1.0 - min(strength, 1.0))) * rng.uniform(0.85, 1.15)
        freqs = self.mode_hz * (1.0 + rng.normal(0.0, 0.002, self.mode_hz.size))
        amps = (self.mode_level * np.abs(np.sin(np.pi * self.mode_shape * position + 0.3))
                * _contact_spectrum(freqs, contact_s=contact_s) * rng.uniform(0.8, 1.2, freqs.size))
        phases = rng.uniform(-0.3, 0.3, freqs.size)
        out = np.zeros(n)
        for f, a, tau, ph in zip(freqs, amps, self.mode_decay_s, phases):
            if f >= 0.45 * sr or a <= 0:
                continue
            m = int(min(n, tau * 9.0 * sr))  # beyond 9 time constants a mode is below -78 dB
            out[:m] += a * np.exp(-t[:m] / tau) * np.sin(2 * np.pi * f * t[:m] + ph)
        out += self._burst(n, contact_s=contact_s, rng=rng)
        if self.chirp_hz[0] > 0:
            out += self._chirp(n, rng=rng)
        # A half-sine force pulse: the onset rises over the contact time instead of jumping.
        rise = max(2, int(contact_s * sr))
        out[:rise] *= np.sin(0.5 * np.pi * np.arange(rise) / rise)
        return out

    def _burst(self, n: int, *, contact_s: float, rng: np.random.Generator) -> np.ndarray:
        sr = self.sample_rate
        m = min(n, int(self.burst_decay_s * 10 * sr))
        t = np.arange(m) / sr
        noise = rng.standard_normal(m) * np.exp(-t / self.burst_decay_s)
        cutoff = min(self.burst_lowpass_hz, 0.6 / contact_s, 0.45 * sr)
        sos = sps.butter(2, cutoff, btype="low", fs=sr, output="sos")
        burst = np.zeros(n)
        burst[:m] = sps.sosfilt(sos, noise) * self.burst_level
        return burst

    def _chirp(self, n: int, *, rng: np.random.Generator) -> np.ndarray:
        sr = self.sample_rate
        f_hi, f_lo = self.chirp_hz
        length_s = rng.uniform(0.02, 0.035)
        m = min(n, int(length_s * 3 * sr))
        t = np.arange(m) / sr
        # Bending waves travel faster at high frequency, so the high end arrives first and the pitch falls.
        freq = f_lo + (f_hi - f_lo) * np.exp(-t / length_s)
        phase = 2 * np.pi * np.cumsum(freq) / sr
        out = np.zeros(n)
        out[:m] = 0.35 * np.sin(phase) * np.exp(-t / length_s)
        return out


def _contact_spectrum(freq_hz: np.ndarray, *, contact_s: float) -> np.ndarray:
    """Magnitude spectrum of a half-sine force pulse of the given duration, 1 at 0 Hz."""
    x = 2.0 * freq_hz * contact_s
    near = np.abs(np.abs(x) - 1.0) < 1e-6
    safe = np.where(near, 0.0, 1.0 - x * x)
    return np.abs(np.where(near, np.pi / 4, np.cos(np.pi * freq_hz * contact_s) / np.where(near, 1.0, safe)))


# Mode frequency ratios: ring modes of a thin cylindrical shell n(n^2-1)/sqrt(n^2+1) for a pipe, a free-free
# beam for a rail; a drill rod's longitudinal and torsional modes are nearly harmonic but slightly stretched.
_PIPE_RATIOS = np.array([2 * 3 / np.sqrt(5), 3 * 8 / np.sqrt(10), 4 * 15 / np.sqrt(17), 5 * 24 / np.sqrt(26),
                         6 * 35 / np.sqrt(37)]) / (2 * 3 / np.sqrt(5))
_BEAM_RATIOS = np.array([1.0, 2.756, 5.404, 8.933, 13.344, 19.93])


def make_instrument(medium: str, *, rng: np.random.Generator, sample_rate: int) -> Instrument:
    """Draw one struck object of the given medium.

    Parameters
    ----------
    medium : str
        One of :data:`~rescue_signals.synth.conditions.MEDIA`.
    rng : numpy.random.Generator
        Draws the object's dimensions (and so its modes).
    sample_rate : int, Hz
    """
    if medium not in MEDIA:
        raise ValueError(f"unknown medium {medium!r}")
    build = {"pipe": _pipe, "rail": _rail, "drill_rod": _drill_rod, "rock_hammer": _rock_hammer,
             "rock_crib": _rock_crib}[medium]
    inst = build(rng, sample_rate)
    # Calibrate so a normal knock peaks at PEAK_AT_1M whatever the modes sum to.
    probe = inst._strike(strength=1.0, rng=np.random.default_rng(0))
    return Instrument(**{**inst.__dict__, "_norm": float(np.max(np.abs(probe))) or 1.0})


def _series(f0_hz: float, ratios, *, decay_s: float, damping_hz: float, first_shape: int, tilt: float):
    """Modes at ``f0_hz * ratios``: (frequencies, decays, shapes, levels); higher modes decay faster and are
    weaker by ``tilt``."""
    freqs = f0_hz * np.asarray(ratios, dtype=float)
    k = np.arange(freqs.size)
    return freqs, decay_s / (1.0 + freqs / damping_hz), first_shape + k.astype(float), 1.0 / (1.0 + k) ** tilt


def _add(modes, freqs, decays, shapes, levels):
    """``modes`` with more modes appended."""
    return tuple(np.concatenate([a, np.atleast_1d(np.asarray(b, dtype=float))])
                 for a, b in zip(modes, (freqs, decays, shapes, levels)))


def _split(modes, *, spread: float):
    """Each mode as a close pair (a round body's two orientations), which makes the ring beat slowly."""
    freqs, decays, shapes, levels = modes
    return (np.concatenate([freqs * (1 - spread), freqs * (1 + spread)]), np.concatenate([decays, decays]),
            np.concatenate([shapes, shapes]), np.concatenate([levels, levels * 0.7]))


def _pipe(rng, sr) -> Instrument:
    modes = _series(rng.uniform(420.0, 650.0), _PIPE_RATIOS, decay_s=0.32, damping_hz=2500.0, first_shape=2,
                    tilt=0.6)
    # Low bending mode of the pipe length between supports: the "bong" under the ring.
    modes = _add(modes, rng.uniform(110.0, 180.0), 0.18, 1.0, 0.5)
    f, d, s, lv = _split(modes, spread=rng.uniform(0.002, 0.004))
    return Instrument("pipe", f, d, s, lv, contact_s=0.25e-3, burst_decay_s=0.6e-3, burst_level=0.25,
                      burst_lowpass_hz=9000.0, chirp_hz=(0.0, 0.0), duration_s=2.2, sample_rate=sr)


def _rail(rng, sr) -> Instrument:
    modes = _series(rng.uniform(170.0, 260.0), _BEAM_RATIOS, decay_s=0.45, damping_hz=2000.0, first_shape=1,
                    tilt=0.4)
    # Web and foot modes of the rail section: the high "ping".
    f, d, s, lv = _add(modes, rng.uniform(1800.0, 3400.0, 3), rng.uniform(0.06, 0.14, 3), [3.0, 5.0, 7.0],
                       [0.6, 0.45, 0.3])
    return Instrument("rail", f, d, s, lv, contact_s=0.3e-3, burst_decay_s=0.7e-3, burst_level=0.3,
                      burst_lowpass_hz=8000.0, chirp_hz=(0.0, 0.0), duration_s=2.8, sample_rate=sr)


def _drill_rod(rng, sr) -> Instrument:
    f0 = rng.uniform(900.0, 1300.0)
    stretch = rng.uniform(0.01, 0.03)
    k = np.arange(1, 8, dtype=float)
    f, d, s, lv = _series(f0, k * (1.0 + stretch * (k - 1)), decay_s=0.16, damping_hz=6000.0, first_shape=1,
                          tilt=0.3)
    return Instrument("drill_rod", f, d, s, lv, contact_s=0.15e-3, burst_decay_s=0.5e-3, burst_level=0.35,
                      burst_lowpass_hz=12000.0, chirp_hz=(rng.uniform(5000, 7000), f0 * 0.8), duration_s=1.4,
                      sample_rate=sr)


def _rock_hammer(rng, sr) -> Instrument:
    # Steel on rock: a sharp broadband crack (very short contact) over a heavily damped body, and a brief ring of
    # the hammer head.
    body = np.array([rng.uniform(90.0, 150.0), rng.uniform(240.0, 420.0), rng.uniform(700.0, 1100.0)])
    head = rng.uniform(2800.0, 4200.0, 2)
    freqs = np.concatenate([body, head])
    decays = np.array([0.010, 0.006, 0.004, 0.010, 0.008])
    levels = np.array([0.5, 0.4, 0.3, 0.1, 0.06])
    return Instrument("rock_hammer", freqs, decays, np.array([1.0, 2.0, 3.0, 5.0, 7.0]), levels, contact_s=0.15e-3,
                      burst_decay_s=2.5e-3, burst_level=3.0, burst_lowpass_hz=10000.0, chirp_hz=(0.0, 0.0),
                      duration_s=0.25, sample_rate=sr)


def _rock_crib(rng, sr) -> Instrument:
    # A wooden block on rock: softer contact, so a duller thud, and the block's own short "tock".
    body = np.array([rng.uniform(70.0, 120.0), rng.uniform(180.0, 300.0)])
    block = rng.uniform(550.0, 900.0, 2)
    freqs = np.concatenate([body, block])
    decays = np.array([0.012, 0.008, 0.006, 0.005])
    levels = np.array([0.6, 0.4, 0.3, 0.2])
    return Instrument("rock_crib", freqs, decays, np.array([1.0, 2.0, 3.0, 4.0]), levels, contact_s=0.6e-3,
                      burst_decay_s=4.0e-3, burst_level=2.5, burst_lowpass_hz=4000.0, chirp_hz=(0.0, 0.0),
                      duration_s=0.25, sample_rate=sr)
