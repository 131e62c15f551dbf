"""Noise beds of a mine, each parametric and seeded, each returned at unit RMS.

The character of each bed follows what is heard underground: ventilation fans (broadband plus blade-pass tones),
pneumatic rock drills (percussive, energy peaking in the low hundreds of hertz), pumps (motor harmonics and
pulsation), dripping water (sparse bright drops), running water (broadband hiss with slow swells), mains hum (50 Hz
and harmonics) and distant voices (babble of a few speakers).
"""

from __future__ import annotations

import numpy as np
from scipy import signal as sps

from rescue_signals.synth.conditions import NOISES

MAINS_HZ = 50.0
"""Mains frequency in China."""


def noise_bed(name: str, *, n: int, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
    """One noise bed.

    Parameters
    ----------
    name : str
        One of :data:`~rescue_signals.synth.conditions.NOISES`.
    n : int
        Length in samples.
    sample_rate : int, Hz
    rng : numpy.random.Generator

    Returns
    -------
    ndarray, shape (n,), float64, RMS 1
    """
    if name not in NOISES:
        raise ValueError(f"unknown noise {name!r}")
    make = {"fan": _fan, "rock_drill": _rock_drill, "pump": _pump, "drip": _drip, "water": _water, "hum": _hum,
            "voices": _voices}[name]
    out = make(n, sample_rate, rng)
    return _unit_rms(out)


def _unit_rms(x: np.ndarray) -> np.ndarray:
    rms = np.sqrt(np.mean(x * x)) if x.size else 0.0
    return x / rms if rms > 0 else x


def _band(x, sample_rate, low_hz=None, high_hz=None, order=2):
    nyq = 0.5 * sample_rate
    if low_hz is not None and high_hz is not None and high_hz < nyq * 0.98:
        sos = sps.butter(order, (low_hz, high_hz), btype="band", fs=sample_rate, output="sos")
    elif low_hz is not None:
        sos = sps.butter(order, low_hz, btype="high", fs=sample_rate, output="sos")
    elif high_hz is not None and high_hz < nyq * 0.98:
        sos = sps.butter(order, high_hz, btype="low", fs=sample_rate, output="sos")
    else:
        return x
    return sps.sosfilt(sos, x)


def _pink(n, rng):
    # Paul Kellet's economy pink filter: three poles spread over the audio band give -3 dB/octave within 0.5 dB.
    b = [0.049922035, -0.095993537, 0.050612699, -0.004408786]
    a = [1.0, -2.494956002, 2.017265875, -0.522189400]
    return sps.lfilter(b, a, rng.standard_normal(n))


def _slow(n, sample_rate, rng, *, rate_hz, depth):
    """A smooth random modulation around 1 (e.g. air turbulence, a swelling stream)."""
    k = max(4, int(n / sample_rate * rate_hz) + 4)
    points = 1.0 + depth * rng.standard_normal(k)
    return np.clip(np.interp(np.linspace(0, k - 3, n), np.arange(k), points), 0.05, None)


def _harmonics(n, sample_rate, f0_hz, levels, rng, *, wobble=0.0):
    """A tone of ``f0_hz`` with harmonic k+1 at ``levels[k]``, its pitch wandering by ``wobble`` (relative).

    Machines and mains give exactly harmonic tones, so one period is drawn into a table and read at the running
    phase: one pass over the samples whatever the number of harmonics.
    """
    size = 4096
    grid = np.arange(size) / size
    table = np.zeros(size)
    for k, level in enumerate(levels, start=1):
        if level and k * f0_hz < 0.45 * sample_rate:
            table += level * np.sin(2 * np.pi * k * grid + rng.uniform(0, 2 * np.pi))
    cycles = np.cumsum(np.full(n, f0_hz / sample_rate))
    if wobble:
        cycles += np.cumsum(wobble * f0_hz / sample_rate * (_slow(n, sample_rate, rng, rate_hz=0.5, depth=1.0) - 1))
    index = ((cycles % 1.0) * size).astype(np.int64) % size
    return table[index]


def _fan(n, sr, rng):
    broadband = _band(_pink(n, rng), sr, 40.0, 6000.0) * _slow(n, sr, rng, rate_hz=2.0, depth=0.15)
    # Mine fans turn at 1000-2950 rpm with 8 to 14 blades: the blade-pass tone lies in the low hundreds of hertz.
    blade_hz = rng.uniform(16.5, 49.0) * rng.integers(8, 15)
    tones = _harmonics(n, sr, blade_hz, [1.0, 0.6, 0.35, 0.2, 0.1], rng, wobble=0.002)
    return _unit_rms(broadband) + 0.7 * _unit_rms(tones)


def _rock_drill(n, sr, rng):
    # Percussion: the piston hits the steel 30-45 times a second; each blow rings in the low hundreds of hertz.
    rate_hz = rng.uniform(30.0, 45.0)
    impulses = np.zeros(n)
    t = 0.0
    while t < n / sr:
        i = int(t * sr)
        impulses[i] = rng.uniform(0.6, 1.0)
        t += (1.0 / rate_hz) * rng.uniform(0.95, 1.05)
    ring = sps.sosfilt(sps.butter(2, (150.0, 450.0), btype="band", fs=sr, output="sos"), impulses)
    # The exhaust comes in a puff after every stroke of the piston.
    puffs = sps.lfilter([1.0], [1.0, -np.exp(-1.0 / (0.008 * sr))], impulses)
    exhaust = (_band(rng.standard_normal(n), sr, 120.0, 900.0) * _slow(n, sr, rng, rate_hz=5.0, depth=0.2)
               * (0.3 + puffs / max(float(np.max(puffs)), 1e-12)))
    hiss = _band(rng.standard_normal(n), sr, 1500.0, 6000.0)
    return 1.0 * _unit_rms(ring) + 0.8 * _unit_rms(exhaust) + 0.15 * _unit_rms(hiss)


def _pump(n, sr, rng):
    shaft_hz = MAINS_HZ / 2 * rng.uniform(0.96, 0.99)  # a 4-pole motor under load
    motor = _harmonics(n, sr, shaft_hz, 1.0 / np.arange(1, 9), rng, wobble=0.001)
    vanes = int(rng.integers(5, 8))
    pulsation = _harmonics(n, sr, shaft_hz * vanes, [1.0, 0.4], rng, wobble=0.001)
    flow = _band(_pink(n, rng), sr, 30.0, 2500.0)
    return _unit_rms(motor) + 0.6 * _unit_rms(pulsation) + 0.7 * _unit_rms(flow)


def _drip(n, sr, rng):
    out = np.zeros(n)
    rate_hz = rng.uniform(0.5, 2.5)
    t = rng.exponential(1.0 / rate_hz)
    while t < n / sr:
        start = int(t * sr)
        m = min(n - start, int(0.06 * sr))
        tt = np.arange(m) / sr
        # A drop's bubble rings and rises in pitch as it closes.
        f0 = rng.uniform(900.0, 2500.0)
        freq = f0 * (1.0 + 2.0 * tt / 0.06)
        decay = rng.uniform(0.008, 0.02)
        out[start:start + m] += rng.uniform(0.2, 1.0) * np.sin(2 * np.pi * np.cumsum(freq) / sr) * np.exp(-tt / decay)
        t += rng.exponential(1.0 / rate_hz)
    floor = 0.02 * _band(rng.standard_normal(n), sr, 200.0, 4000.0)
    return out + floor


def _water(n, sr, rng):
    hiss = _band(rng.standard_normal(n), sr, 250.0, 5000.0) * _slow(n, sr, rng, rate_hz=1.5, depth=0.3)
    gurgle = _band(_pink(n, rng), sr, 80.0, 600.0) * _slow(n, sr, rng, rate_hz=6.0, depth=0.5)
    return _unit_rms(hiss) + 0.6 * _unit_rms(gurgle)


def _hum(n, sr, rng):
    f = MAINS_HZ * (1.0 + rng.normal(0.0, 0.002))
    k = np.arange(1, 12)
    # Transformer and rectifier hum: odd harmonics strong, even weaker.
    levels = np.where(k % 2 == 1, 1.0, 0.4) / k ** 0.7
    return _harmonics(n, sr, f, levels, rng) + 0.01 * rng.standard_normal(n)


def _voices(n, sr, rng):
    out = np.zeros(n)
    for _ in range(3):
        out += _voice(n, sr, rng) * rng.uniform(0.5, 1.0)
    # Distant and around corners: the highs are gone.
    return _band(out, sr, 100.0, 2500.0)


def _voice(n, sr, rng):
    # Glottal pulse train with a wandering pitch, through two moving formants, chopped into syllables.
    pitch = rng.uniform(95.0, 220.0) * _slow(n, sr, rng, rate_hz=3.0, depth=0.08)
    phase = np.cumsum(pitch) / sr
    source = np.diff(np.floor(phase), prepend=0.0)
    source = sps.lfilter([1.0], [1.0, -0.95], source)
    vowels = ((700, 1200), (400, 2000), (300, 900), (500, 1500), (600, 1000))
    syllable_s = 0.22
    count = int(n / (syllable_s * sr)) + 1
    out = np.zeros(n)
    talking = rng.random() < 0.5
    for s in range(count):
        a, b = s * int(syllable_s * sr), min(n, (s + 1) * int(syllable_s * sr))
        if a >= n:
            break
        if rng.random() < 0.15:
            talking = not talking  # pauses between phrases
        if not talking:
            continue
        f1, f2 = vowels[rng.integers(len(vowels))]
        seg = source[max(0, a - 512):b]
        y = sps.lfilter(*sps.iirpeak(f1, 6.0, fs=sr), seg) + 0.6 * sps.lfilter(*sps.iirpeak(f2, 8.0, fs=sr), seg)
        y = y[-(b - a):] * np.hanning(b - a)
        out[a:b] += y
    return out
