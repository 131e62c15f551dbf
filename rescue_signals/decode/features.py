"""Band powers of short frames: the only place the decoder touches raw samples.

Samples are cut into back-to-back frames of about 5 ms; each frame is transformed once and its power summed into
log-spaced bands from 400 Hz up. The low bands (40 to 400 Hz), where a frame of 5 ms cannot tell a thud from
hum, come from long frames of four frames each and are given to each of their four frames. Everything after this
works on about 190 frames a second instead of 48000 samples, which is what makes decoding thousands of times
faster than real time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft

FRAME_S = 256 / 48000
"""Target frame length, s; the exact length is the nearest FFT-friendly number of samples."""

LONG_FRAMES = 4
"""Frames per long frame (about 21 ms): low bands need the finer frequency resolution of a longer transform."""

LOW_BAND_EDGES_HZ = (40.0, 80.0, 120.0, 160.0, 250.0, 400.0)
"""Edges of the bands taken from long frames, Hz: thuds on rock and timber live here, beside hum and drills."""

HIGH_BAND_EDGES_HZ = (400.0, 630.0, 1000.0, 1600.0, 2500.0, 4000.0, 6300.0, 10000.0)
"""Edges of the bands taken from short frames, Hz: the strike itself, and steel's ring."""

MIN_SAMPLE_RATE = 2000
"""Below this there is too little bandwidth left to tell a knock from a thump, Hz."""

CLIP_LEVEL = 0.999
"""Samples at or beyond this magnitude (full scale = 1) count as clipped."""


@dataclass(frozen=True)
class FrameLayout:
    """How samples map to frames and bands for one sample rate.

    Attributes
    ----------
    sample_rate : int, Hz
    frame_len : int
        Samples per frame (also the hop: frames do not overlap).
    band_hz : ndarray, shape (bands, 2)
        Lower and upper edge of each band, Hz; the low bands (from long frames) first.
    centre_hz : ndarray, shape (bands,)
        Geometric centre of each band, Hz.
    low_bands : int
        How many of the bands come from long frames.
    """

    sample_rate: int
    frame_len: int
    band_hz: np.ndarray
    centre_hz: np.ndarray
    low_bands: int
    low_weights: np.ndarray  # (bins of a long frame from low_bins[0], low bands), scaled to mean power
    high_weights: np.ndarray  # (bins of a frame from high_bins[0], high bands)
    low_bins: tuple[int, int]  # the rfft bins the bands use: only these are squared and summed
    high_bins: tuple[int, int]

    @property
    def frame_s(self) -> float:
        """Duration of one frame, s."""
        return self.frame_len / self.sample_rate

    @property
    def bands(self) -> int:
        return len(self.centre_hz)


def _band_weights(n: int, sample_rate: int, edges):
    """Membership of the rfft bins of an ``n``-sample frame in each band (bands without a bin dropped).

    Returns the weights of the bins from the first used to the last used, that bin range, and the bands' edges.
    """
    bins = np.arange(n // 2 + 1) * sample_rate / n
    top = 0.5 * sample_rate - sample_rate / n  # the last bin below Nyquist
    columns, ranges = [], []
    for lo, hi in zip(edges[:-1], edges[1:]):
        if lo >= top:
            break
        hi = min(hi, top + 1e-9)
        member = (bins >= lo) & (bins < hi)
        if member.any():
            columns.append(member)
            ranges.append((lo, hi))
    # Mean power of the frame: 2 * |X_k|^2 / (N * sum(w^2)) for a window normalised to sum(w^2) = N.
    weights = (np.stack(columns, axis=1) if columns else np.zeros((bins.size, 0), bool)).astype(np.float32)
    used = np.flatnonzero(weights.any(axis=1))
    lo, hi = (int(used[0]), int(used[-1]) + 1) if used.size else (0, 0)
    return weights[lo:hi] * (2.0 / n ** 2), (lo, hi), ranges


def _window(n: int) -> np.ndarray:
    """A sine window scaled to unit mean square: it tames the leakage of hum and drone into the upper bins
    without smearing a knock's onset as much as a Hann window."""
    w = np.sin(np.pi * (np.arange(n) + 0.5) / n)
    return (w * np.sqrt(n / np.sum(w * w))).astype(np.float32)


def frame_layout(sample_rate: int) -> FrameLayout:
    """The frames and bands used at ``sample_rate`` (Hz)."""
    frame_len = scipy.fft.next_fast_len(int(round(sample_rate * FRAME_S)), real=True)
    low_w, low_bins, low_r = _band_weights(frame_len * LONG_FRAMES, sample_rate, LOW_BAND_EDGES_HZ)
    high_w, high_bins, high_r = _band_weights(frame_len, sample_rate, HIGH_BAND_EDGES_HZ)
    band_hz = np.array(low_r + high_r, dtype=float).reshape(-1, 2)
    if not len(band_hz):
        raise ValueError(f"sample rate {sample_rate} Hz leaves no band to analyse")
    return FrameLayout(int(sample_rate), frame_len, band_hz, np.sqrt(band_hz[:, 0] * band_hz[:, 1]), len(low_r),
                       low_w, high_w, low_bins, high_bins)


class FrameAnalyzer:
    """Turns a stream of samples into band powers of complete frames.

    Samples that do not fill a long frame wait for the next call, so the frames (and everything computed from
    them) do not depend on how the stream was cut into blocks.

    Parameters
    ----------
    sample_rate : int, Hz
    keep_waveform : bool
        Also return each frame's lowest and highest sample (for plotting).
    """

    def __init__(self, sample_rate: int, *, keep_waveform: bool = False):
        self.layout = frame_layout(sample_rate)
        self.keep_waveform = keep_waveform
        lay = self.layout
        self._short = _Transform(lay.frame_len, lay.high_weights, lay.high_bins)
        self._long = _Transform(lay.frame_len * LONG_FRAMES, lay.low_weights, lay.low_bins)
        self.reset()

    def reset(self) -> None:
        self._pending = np.zeros(0, dtype=np.float32)
        self._last_low = np.zeros((1, self.layout.low_bands), dtype=np.float32)
        self.samples_seen = 0
        self.clipped_samples = 0
        self.sample_sum = 0.0
        self.peak = 0.0

    def feed(self, samples: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Band powers of the frames completed by ``samples``.

        Parameters
        ----------
        samples : ndarray, shape (n,)
            Mono samples, full scale = 1.

        Returns
        -------
        power : ndarray, shape (frames, bands), float32
            Mean power of each band in each frame (a full-scale sine gives 0.5).
        waveform : ndarray, shape (frames, 2) or None
            Lowest and highest sample of each frame, when ``keep_waveform`` is set.
        """
        x = np.asarray(samples, dtype=np.float32).reshape(-1)
        self._account(x)
        if self._pending.size:
            x = np.concatenate((self._pending, x))
        n = self.layout.frame_len * LONG_FRAMES
        whole = (x.size // n) * n
        self._pending = x[whole:].copy()
        return self._frames(x[:whole])

    def flush(self) -> tuple[np.ndarray, np.ndarray | None]:
        """The whole frames among the samples still waiting (a last part-frame of under 5 ms is dropped).

        They do not fill a long frame, so their low bands repeat those of the long frame before them; padding
        the long frame instead would put a step into a hum and make it look like a knock.
        """
        lay = self.layout
        frames = self._pending.size // lay.frame_len
        x = self._pending[:frames * lay.frame_len]
        self._pending = np.zeros(0, dtype=np.float32)
        if not frames:
            return self._frames(x)
        power = self._short.power(x.reshape(-1, lay.frame_len))
        if lay.low_bands:
            low = np.repeat(self._last_low, frames, axis=0)
            power = np.concatenate((low, power), axis=1)
        waveform = None
        if self.keep_waveform:
            short = x.reshape(-1, lay.frame_len)
            waveform = np.stack((short.min(axis=1), short.max(axis=1)), axis=1)
        return power, waveform

    def _frames(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        lay = self.layout
        short = x.reshape(-1, lay.frame_len)
        power = self._short.power(short)
        if lay.low_bands:
            low = self._long.power(x.reshape(-1, lay.frame_len * LONG_FRAMES))
            if len(low):
                self._last_low = low[-1:]
            power = np.concatenate((np.repeat(low, LONG_FRAMES, axis=0), power), axis=1)
        waveform = None
        if self.keep_waveform:
            waveform = np.stack((short.min(axis=1, initial=0.0), short.max(axis=1, initial=0.0)), axis=1)
        return power, waveform

    def _account(self, x: np.ndarray) -> None:
        if not x.size:
            return
        self.samples_seen += x.size
        self.sample_sum += float(x.sum())
        hi, lo = float(x.max()), float(x.min())
        self.peak = max(self.peak, hi, -lo)
        if hi >= CLIP_LEVEL or lo <= -CLIP_LEVEL:
            self.clipped_samples += int(np.count_nonzero(np.abs(x) >= CLIP_LEVEL))

    @property
    def dc_offset(self) -> float:
        """Mean of every sample seen so far (full scale = 1)."""
        return self.sample_sum / self.samples_seen if self.samples_seen else 0.0


class _Transform:
    """Band powers of frames of one length, windowed, with each frame's own mean (its DC) taken out.

    A DC offset would otherwise leak through the window into every band and drown the knocks. Removing it
    after the transform (the mean times the window's own spectrum) costs one matrix-vector product instead of a
    slow row-wise mean.
    """

    def __init__(self, n: int, weights: np.ndarray, bins: tuple[int, int]):
        self.window = _window(n)
        self.weights = weights
        self.bins = bins
        self.average = np.full(n, 1.0 / n, dtype=np.float32)
        self.window_spectrum = scipy.fft.rfft(self.window)[bins[0]:bins[1]].astype(np.complex64)

    def power(self, frames: np.ndarray) -> np.ndarray:
        """Mean power per band, shape (frames, bands), of ``frames`` (shape (frames, n))."""
        lo, hi = self.bins
        spectrum = scipy.fft.rfft(frames * self.window, axis=1, overwrite_x=True)[:, lo:hi]
        spectrum -= (frames @ self.average)[:, None] * self.window_spectrum
        return ((spectrum.real ** 2 + spectrum.imag ** 2) @ self.weights).astype(np.float32, copy=False)
