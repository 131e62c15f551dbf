"""Candidates: every sound that rises like a blow, with what it sounds like. This stage decides nothing.

Band powers of 5 ms frames (:mod:`.features`) are compared, per band, with the background just before and the
band's noise floor (:mod:`.noisefloor`); the rises, in units of the band's noise spread, are squared and summed
into a *novelty*. Whitening by the spread makes a fan, a pump or hum count for little in the bands they fill, while
a blow rises in many bands at once. Every local peak of the novelty above a low threshold is a :class:`Candidate`,
found with a high recall: echoes, rebounds, drops, syllables and footsteps are candidates too. Each carries a
feature vector (:data:`FEATURES`) measured from the frames around it and from its neighbours: how far it stands
above the noise in each band, how it rises and dies away per band group, its spectral shape, what was already
sounding, how it compares with the sounds around it. :mod:`.evidence` turns that into P(knock).

Candidates come out in time order once :attr:`CandidateSettings.lookahead_s` of audio after them has been heard;
nothing depends on how the stream was cut into blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.fft

from rescue_signals.decode.features import FrameLayout
from rescue_signals.decode.noisefloor import NoiseFloor

ABS_FLOOR_POWER = 1e-11
"""Added to every band power before taking dB (-110 dB): digital silence is not infinitely quiet."""


@dataclass(frozen=True)
class CandidateSettings:
    """Tunables of the candidate finder.

    Attributes
    ----------
    threshold : float
        Novelty a peak must reach to be a candidate (sum over bands of squared rises, in spreads); low, for recall.
    after_frames : int
        Frames after a possible onset whose mean power is compared with what came before (about 21 ms).
    before_frames : int
        Frames before it over which the background is measured (about 0.1 s)...
    recent_frames : int
        ...and the most recent of them, alone: a sound that swells never rises above its own recent past.
    band_cap : float
        Most rise one band can count, in spreads.
    peak_radius_frames : int
        A candidate is the highest novelty within this many frames either side.
    measure_frames : int
        Frames after the peak frame in which the loudest frame of the sound is looked for.
    context_s : float
        Neighbours within this time either side are compared with a candidate (echoes, rapid sounds), s.
    early_novelty : float or None
        Peaks this high are also handed out early, without features, for a live display (None: never).
    """

    threshold: float = 12.0
    after_frames: int = 4
    before_frames: int = 19
    recent_frames: int = 4
    band_cap: float = 8.0
    peak_radius_frames: int = 4
    measure_frames: int = 8
    context_s: float = 0.4
    early_novelty: float | None = 40.0

    @property
    def lookahead_s(self) -> float:
        """Audio needed after a candidate before it can be handed on, s (its decay and its neighbours)."""
        return self.context_s + 0.02


DECAY_FRAMES = (0, 1, 2, 4, 8, 16, 32, 48, 64)
"""Frames after the loudest frame at which each band group's level over its noise is measured (0 to 0.34 s)."""

VOICE_WINDOWS_S = (0.005, 0.05, 0.1)
"""Starts (after the onset) of the windows whose cepstral peak tells a voice: voiced speech has a harmonic
spectrum, and a cepstral peak at its pitch period; a blow's spectrum, and the partials of a ringing pipe or bell,
have none."""

VOICE_WINDOW_S = 0.043
"""Length of each of those windows, s."""

PITCH_PERIOD_S = (0.0025, 0.014)
"""Pitch periods of voices (70 to 400 Hz), s."""

PRE_FRAMES = (1, 2, 4, 8, 16, 32)
"""Frames before the onset frame at which each band group's level over its noise is measured."""

GROUP_EDGES_HZ = ((0.0, 400.0), (400.0, 1600.0), (1600.0, 4000.0), (4000.0, 1e9))
"""Band groups: body (below 400 Hz), the strike's middle, its crack, and the top (steel's ring, clicks)."""

GROUP_NAMES = ("low", "mid", "high", "top")

MAX_BANDS = 12
"""Feature slots for band levels (the bands of a 48 kHz stream; fewer at low rates leave zeros)."""

MISSING_DB = -20.0
"""Level over the noise given to a band group that the sample rate does not have."""


def _feature_names() -> tuple[str, ...]:
    names = ["novelty_log", "snr_db", "broadband_db", "level_db"]
    names += [f"band{b}_db" for b in range(MAX_BANDS)]
    names += [f"{g}_decay{k}_db" for g in GROUP_NAMES for k in DECAY_FRAMES]
    names += [f"{g}_pre{k}_db" for g in GROUP_NAMES for k in PRE_FRAMES]
    names += ["swell_frames", "max_jump_db", "flatness_db", "brightness_oct", "duration_frames", "spread_db",
              "sounding_db", "adds_db"]
    names += [f"voice{k}" for k in range(len(VOICE_WINDOWS_S))]
    names += ["rel_loudest_db", "to_stronger_s", "neighbours", "rel_prev_db",
              "since_prev_s", "rel_next_db", "until_next_s"]
    return tuple(names)


FEATURES = _feature_names()
"""Names of the columns of :attr:`Candidate.features`."""


@dataclass(frozen=True)
class Candidate:
    """A sound that rose like a blow.

    Attributes
    ----------
    time_s : float, s
        Onset, from the start of the stream.
    frame : int
        Frame of the novelty peak.
    novelty : float
    strength : float
        RMS amplitude of the loudest 5 ms (full scale = 1).
    snr_db : float, dB
        Loudest 5 ms over the noise floor, in the bands where it at least doubles the noise.
    level_db : float, dB
        Level of the loudest 5 ms (mean power; a full-scale sine is -3 dB).
    brightness_hz : float, Hz
        Centre of gravity of what it adds to the noise.
    features : ndarray, shape (len(FEATURES),), float32, or None
        None for a candidate handed out early (:meth:`CandidateFinder.take_early`).
    """

    time_s: float
    frame: int
    novelty: float
    strength: float
    snr_db: float
    level_db: float
    brightness_hz: float
    features: np.ndarray | None


def _db(power):
    return 10.0 * np.log10(np.asarray(power, dtype=np.float64) + ABS_FLOOR_POWER)


class CandidateFinder:
    """Streaming candidate finder over frames of band power.

    Parameters
    ----------
    layout : FrameLayout
    settings : CandidateSettings
    """

    def __init__(self, layout: FrameLayout, settings: CandidateSettings = CandidateSettings()):
        self.layout = layout
        self.settings = settings
        self._floor = NoiseFloor(layout.bands)
        centre = layout.centre_hz
        self._groups = [np.flatnonzero((centre >= lo) & (centre < hi)) for lo, hi in GROUP_EDGES_HZ]
        self._membership = np.zeros((layout.bands, len(GROUP_EDGES_HZ)))
        for g, members in enumerate(self._groups):
            self._membership[members, g] = 1.0
        self._has_group = self._membership.any(axis=0)
        self._centre = centre
        self._width = layout.band_hz[:, 1] - layout.band_hz[:, 0]
        fs = layout.frame_s
        self._context = int(round(settings.context_s / fs))
        self._ahead = max(DECAY_FRAMES) + settings.measure_frames + 2
        self._behind = max(PRE_FRAMES) + settings.before_frames + 2
        self.reset()

    def reset(self) -> None:
        self._floor.reset()
        bands = self.layout.bands
        self._power = np.zeros((0, bands))  # band power of frames from _p0 on
        self._p0 = 0
        self._rises_done = 0  # frames whose level and rise have been given to the noise floor
        self._noise = np.zeros((0, bands))  # floor (dB) and spread of frames from _n0 on
        self._spread = np.zeros((0, bands))
        self._novelty = np.zeros(0)
        self._n0 = 0
        self._searched = 0  # frames searched for peaks
        self._peaks: list[int] = []  # peak frames waiting for their features
        self._measured: list[Candidate] = []  # measured, waiting for their neighbours
        self._known: list[tuple[int, float]] = []  # (frame, snr_db) of recent candidates, handed on or not
        self._early: list[int] = []  # peaks to be looked at early (see take_early)
        self._samples = np.zeros(0, np.float32)  # samples from _s0 on (the voice windows are cut from them)
        self._s0 = 0
        self.trace: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None

    def keep_trace(self) -> None:
        """Keep every frame's total level, noise floor and novelty (for plots); memory grows with the stream."""
        self.trace = []

    @property
    def decided_s(self) -> float:
        """Every candidate before this time (s from the start) has been handed on."""
        frames = self._searched if not self._measured else min(self._searched, self._measured[0].frame)
        if self._peaks:
            frames = min(frames, self._peaks[0])
        return frames * self.layout.frame_s

    # -- streaming ----------------------------------------------------------------------------------------------
    def feed(self, power: np.ndarray, samples: np.ndarray) -> list[Candidate]:
        """Add frames of band power (shape (frames, bands)) and the samples they came from (mono, in order, every
        sample once: the samples may run ahead of the frames); returns the candidates now complete, in time
        order."""
        if len(samples):
            self._samples = np.concatenate((self._samples, np.asarray(samples, dtype=np.float32)))
        if len(power):
            self._power = np.concatenate((self._power, np.asarray(power, dtype=np.float64)))
        end = self._p0 + len(self._power)
        return self._advance(end - self.settings.after_frames + 1, final=False)

    def flush(self) -> list[Candidate]:
        """The stream has ended: every candidate left."""
        return self._advance(self._p0 + len(self._power), final=True)

    # -- internals ----------------------------------------------------------------------------------------------
    def _advance(self, rise_end: int, *, final: bool) -> list[Candidate]:
        if rise_end > self._rises_done:
            rows = self._rises(self._rises_done, rise_end)
            self._rises_done = rise_end
            self._add_novelty(*self._floor.feed(rows))
        if final:
            self._add_novelty(*self._floor.flush())
        self._search(final)
        self._measure(final)
        out = self._release(final)
        self._trim()
        return out

    def _rises(self, start: int, stop: int) -> np.ndarray:
        """Rows ``[level after | rise over the background]`` (dB) for frames ``start .. stop-1``."""
        s = self.settings
        p = self._power
        frames = np.arange(start, stop) - self._p0
        started = (np.arange(start, stop) > 0)[:, None]
        n = len(p)
        # Window sums over exactly the frames of each window (not differences of a running sum), so they do not
        # depend on where the kept frames begin: the same stream gives the same figures whatever its blocks.
        width = max(s.after_frames, s.before_frames, s.recent_frames)
        lo = max(0, frames[0] - width) if len(frames) else 0
        local = p[lo:min(n, frames[-1] + width + 1)] if len(frames) else p[:0]

        padded = np.concatenate((np.zeros((width, p.shape[1])), local, np.zeros((width, p.shape[1]))))

        def mean(offset, length):
            first = frames + offset
            a = np.clip(first, 0, n)
            b = np.clip(first + length, 0, n)
            # The window's frames added one after another, in time order: the same sum whatever the blocks.
            start = frames[0] + offset - lo + width if len(frames) else 0
            total = padded[start:start + len(frames)].copy()
            for k in range(1, length):
                total += padded[start + k:start + k + len(frames)]
            return total / np.maximum(b - a, 1)[:, None]

        after = mean(0, s.after_frames)
        before = np.where(started, mean(-s.before_frames, s.before_frames), p[frames])
        recent = np.where(started, mean(-s.recent_frames, s.recent_frames), p[frames])
        level = _db(after)
        rise = level - _db(np.maximum(before, recent))
        return np.concatenate((level, rise), axis=1).astype(np.float32)

    def _add_novelty(self, rows, floor, spread) -> None:
        if not len(rows):
            return
        bands = self.layout.bands
        level, rise = rows[:, :bands].astype(np.float64), rows[:, bands:].astype(np.float64)
        reference = np.maximum(level - rise, floor)
        z = np.clip((level - reference) / spread, 0.0, self.settings.band_cap)
        novelty = (z * z).sum(axis=1)
        if self.trace is not None:
            self.trace.append((_db((10.0 ** (level / 10.0)).sum(axis=1)), _db((10.0 ** (floor / 10.0)).sum(axis=1)),
                               novelty))
        self._noise = np.concatenate((self._noise, floor))
        self._spread = np.concatenate((self._spread, spread))
        self._novelty = np.concatenate((self._novelty, novelty))

    def _search(self, final: bool) -> None:
        r = self.settings.peak_radius_frames
        end = self._n0 + len(self._novelty)
        stop = end if final else end - r
        if stop <= self._searched:
            return
        a, b = self._searched - self._n0, stop - self._n0
        lo, hi = max(0, a - r), min(len(self._novelty), b + r)
        seg = np.concatenate((np.full(r - (a - lo), -np.inf), self._novelty[lo:hi],
                              np.full(r - (hi - b), -np.inf)))
        mid = seg[r:r + b - a]
        before = np.max([seg[r - k:r - k + b - a] for k in range(1, r + 1)], axis=0)
        after = np.max([seg[r + k:r + k + b - a] for k in range(1, r + 1)], axis=0)
        # The highest within the radius; the first of equal maxima wins, so a flat top gives one peak.
        peak = (mid >= self.settings.threshold) & (mid > before) & (mid >= after)
        found = [int(i) + self._searched for i in np.flatnonzero(peak)]
        self._peaks += found
        if self.settings.early_novelty is not None:
            self._early += [f for f in found if self._novelty[f - self._n0] >= self.settings.early_novelty]
        self._searched = stop

    def _measure(self, final: bool) -> None:
        """Features of the peaks whose frames after them have all been heard (all of them at the end)."""
        have_power = self._p0 + len(self._power)
        have_noise = self._n0 + len(self._novelty)
        voice_frames = int(np.ceil((max(VOICE_WINDOWS_S) + VOICE_WINDOW_S) / self.layout.frame_s)) + self._behind
        have_samples = (self._s0 + len(self._samples)) / self.layout.frame_len
        ready = [f for f in self._peaks if final or (f + self._ahead <= have_power and f < have_noise
                                                     and f + voice_frames <= have_samples)]
        if not ready:
            return
        self._peaks = self._peaks[len(ready):]
        measured = self._features(np.array(ready))
        self._measured += measured
        self._known += [(c.frame, c.snr_db) for c in measured]

    def _release(self, final: bool) -> list[Candidate]:
        """Candidates whose neighbours within the context have all been measured, with the context features."""
        if not self._measured:
            return []
        horizon = None if final else min([self._searched] + self._peaks)
        count = 0
        for c in self._measured:
            if horizon is not None and c.frame + self._context > horizon - 1:
                break
            count += 1
        if not count:
            return []
        fs = self.layout.frame_s
        frames = np.array([f for f, _ in self._known])
        levels = np.array([v for _, v in self._known])
        names = _CONTEXT_INDEX
        ctx = self.settings.context_s
        released = self._measured[:count]
        for c in released:
            k = int(np.searchsorted(frames, c.frame))
            near = np.flatnonzero(np.abs(frames - c.frame) <= self._context)
            near = near[near != k]
            f = c.features
            stronger = near[levels[near] > c.snr_db]
            f[names["rel_loudest_db"]] = min(0.0, c.snr_db - float(levels[near].max())) if near.size else 0.0
            f[names["to_stronger_s"]] = float(np.abs(frames[stronger] - c.frame).min()) * fs if stronger.size else ctx
            f[names["neighbours"]] = float(near.size)
            before, after = near[near < k], near[near > k]
            f[names["rel_prev_db"]] = c.snr_db - levels[before[-1]] if before.size else 0.0
            f[names["since_prev_s"]] = (c.frame - frames[before[-1]]) * fs if before.size else ctx
            f[names["rel_next_db"]] = c.snr_db - levels[after[0]] if after.size else 0.0
            f[names["until_next_s"]] = (frames[after[0]] - c.frame) * fs if after.size else ctx
        self._measured = self._measured[count:]
        oldest = self._measured[0].frame if self._measured else (self._peaks[0] if self._peaks else self._searched)
        self._known = [(f, v) for f, v in self._known if f >= oldest - self._context - 1]
        return released

    def _features(self, peaks: np.ndarray) -> list[Candidate]:
        s = self.settings
        lay = self.layout
        bands = lay.bands
        low = lay.low_bands
        fs = lay.frame_s
        n = len(peaks)
        # Frames around each peak, padded at both ends of what is kept with the nearest frame.
        offsets = np.arange(-self._behind, self._ahead + 1)
        idx = np.clip(peaks[:, None] + offsets[None, :] - self._p0, 0, len(self._power) - 1)
        win = self._power[idx]  # (n, frames, bands)
        at = self._behind  # index of the peak frame in the window
        ni = np.clip(peaks - self._n0, 0, len(self._noise) - 1)
        spread = self._spread[ni]
        total = win.sum(axis=2)
        rows = np.arange(n)
        b = self._basics(peaks)
        loud = at + b["loud"]
        peak_power, noise = b["peak_power"], b["noise"]
        level_db, snr_db, time_s = b["level_db"], b["snr_db"], b["time_s"]
        excess = np.maximum(peak_power - noise, 0.0)
        broadband = _db(excess.sum(axis=1)) - _db(noise.sum(axis=1))
        band_db = np.clip(_db(peak_power) - _db(noise), -10.0, 60.0)
        high = win[:, :, low:].sum(axis=2)
        onset = at + b["onset"]

        # Power of each band group in every frame of the window, over the group's noise.
        win_g = np.einsum("nfb,bg->nfg", win, self._membership)
        noise_g = noise @ self._membership

        def group_db(frame_index):  # frame_index: (n, k) -> (n, groups, k)
            p = win_g[rows[:, None], frame_index]  # (n, k, groups)
            out = np.clip(_db(p) - _db(noise_g)[:, None, :], -20.0, 60.0)
            out[:, :, ~self._has_group] = MISSING_DB
            return out.transpose(0, 2, 1)

        decay = group_db(np.minimum(loud[:, None] + np.array(DECAY_FRAMES)[None, :], win.shape[1] - 1))
        pre = group_db(np.maximum(onset[:, None] - np.array(PRE_FRAMES)[None, :], 0))
        # Swell: frames from 10 dB to 3 dB under the peak of the short-frame bands, before the peak.
        hpk = high[rows, loud]
        span = np.arange(win.shape[1])[None, :]
        before_peak = span <= loud[:, None]
        reach = np.argmax((high >= 0.5 * hpk[:, None]) & before_peak, axis=1)
        quiet = (high < 0.1 * hpk[:, None]) & (span < reach[:, None])
        last_quiet = np.where(quiet.any(axis=1), win.shape[1] - 1 - np.argmax(quiet[:, ::-1], axis=1), 0)
        swell = np.clip(reach - last_quiet, 0, 32)
        bdb = _db(win[:, :, low:])
        jumps = np.diff(bdb[:, at - 2:at + 4], axis=1) if bdb.shape[2] else np.zeros((n, 1, 1))
        max_jump = np.clip(jumps.max(axis=(1, 2)), -10.0, 60.0)
        density = excess[:, low:] / self._width[None, low:] if bands > low else np.zeros((n, 1))
        top = density[:, -1] if density.shape[1] else np.zeros(n)
        flatness = np.clip(_db(top) - _db(density.max(axis=1)), -80.0, 0.0)
        brightness_hz = b["brightness_hz"]
        brightness = np.log2(np.maximum(brightness_hz, 50.0) / 1000.0)
        over = _db(total[:, at:]) - _db(noise.sum(axis=1))[:, None]
        after_loud = span[:, at:] >= loud[:, None]
        below = (over < 6.0) & after_loud
        duration = np.where(below.any(axis=1), np.argmax(below, axis=1) - (loud - at), over.shape[1])
        before = win[:, at - s.recent_frames:at].mean(axis=1) if at >= s.recent_frames else noise
        sounding = _db(before.sum(axis=1)) - _db(noise.sum(axis=1))
        adds = _db(peak_power.sum(axis=1)) - _db(before.sum(axis=1))
        novelty = self._novelty[np.clip(peaks - self._n0, 0, len(self._novelty) - 1)]
        base = np.concatenate([
            np.stack([np.log1p(novelty), np.clip(snr_db, -10, 60), np.clip(broadband, -20, 60), level_db], axis=1),
            np.pad(band_db, ((0, 0), (0, MAX_BANDS - bands)))[:, :MAX_BANDS],
            decay.reshape(n, -1), pre.reshape(n, -1),
            np.stack([swell, max_jump, flatness, brightness, np.clip(duration, 0, 64), spread.mean(axis=1),
                      np.clip(sounding, -10, 60), np.clip(adds, -20, 60)], axis=1),
            self._voice(time_s), np.zeros((n, 7))], axis=1).astype(np.float32)
        strength = b["strength"]
        return [Candidate(float(time_s[k]), int(peaks[k]), float(novelty[k]), float(strength[k]), float(snr_db[k]),
                          float(level_db[k]), float(brightness_hz[k]), base[k]) for k in range(n)]

    def _basics(self, peaks: np.ndarray) -> dict:
        """What is measured of a sound from its peak frame and the few after it: its onset time, loudest frame,
        level, SNR, strength and brightness. The same for an early look and for the full measurement."""
        m = self.settings.measure_frames
        lay = self.layout
        low = lay.low_bands
        idx = np.clip(peaks[:, None] + np.arange(m + 1)[None, :] - self._p0, 0, len(self._power) - 1)
        win = self._power[idx]
        ni = np.clip(peaks - self._n0, 0, len(self._noise) - 1)
        noise = 10.0 ** (self._noise[ni] / 10.0)
        rows = np.arange(len(peaks))
        loud = np.argmax(win.sum(axis=2), axis=1)
        peak_power = win[rows, loud]
        clear = peak_power > 2.0 * noise
        clear[~clear.any(axis=1)] = True
        snr_db = _db((peak_power * clear).sum(axis=1)) - _db((noise * clear).sum(axis=1))
        # Onset: the first frame from the peak frame on where the short-frame bands reach a quarter of their most.
        high = win[:, :, low:].sum(axis=2)
        onset = np.argmax(high >= 0.25 * high.max(axis=1, keepdims=True), axis=1)
        excess = np.maximum(peak_power - noise, 0.0)
        weight = excess.sum(axis=1)
        brightness = np.where(weight > 0, (excess * self._centre[None, :]).sum(axis=1) / np.maximum(weight, 1e-30),
                              0.0)
        return {"loud": loud, "peak_power": peak_power, "noise": noise, "level_db": _db(peak_power.sum(axis=1)),
                "snr_db": snr_db, "onset": onset, "time_s": (peaks + onset + 0.5) * lay.frame_s,
                "strength": np.sqrt(peak_power.sum(axis=1)), "brightness_hz": brightness}

    def take_early(self) -> list[Candidate]:
        """Peaks at least :attr:`CandidateSettings.early_novelty` high whose first frames have been heard, as
        candidates without features (``features`` is None): for a display that must not wait for the features.
        Each comes again later, with its features, at the same time and frame."""
        m = self.settings.measure_frames
        have = min(self._p0 + len(self._power), self._n0 + len(self._novelty))
        ready = [f for f in self._early if f + m < have]
        if not ready:
            return []
        self._early = self._early[len(ready):]
        peaks = np.array(ready)
        b = self._basics(peaks)
        nov = self._novelty[np.clip(peaks - self._n0, 0, len(self._novelty) - 1)]
        return [Candidate(float(b["time_s"][k]), int(peaks[k]), float(nov[k]), float(b["strength"][k]),
                          float(b["snr_db"][k]), float(b["level_db"][k]), float(b["brightness_hz"][k]), None)
                for k in range(len(peaks))]

    def _voice(self, onsets_s: np.ndarray) -> np.ndarray:
        """Cepstral peak prominence in each voice window after each onset (shape (onsets, windows))."""
        rate = self.layout.sample_rate
        n = scipy.fft.next_fast_len(int(round(VOICE_WINDOW_S * rate)), real=True)
        size = n
        window = np.hanning(n).astype(np.float32)
        q = np.arange(size // 2 + 1) / rate
        band = np.flatnonzero((q >= PITCH_PERIOD_S[0]) & (q <= PITCH_PERIOD_S[1]))
        out = np.zeros((len(onsets_s), len(VOICE_WINDOWS_S)))
        if not band.size:
            return out
        starts = (np.round((onsets_s[:, None] + np.array(VOICE_WINDOWS_S)[None, :]) * rate).astype(np.int64)
                  - self._s0).ravel()
        idx = np.clip(starts[:, None] + np.arange(n)[None, :], 0, max(0, len(self._samples) - 1))
        segs = self._samples[idx] * window if len(self._samples) else np.zeros((len(starts), n))
        spectrum = 20.0 * np.log10(np.abs(scipy.fft.rfft(segs, size, axis=1)) + 1e-9)
        cepstrum = scipy.fft.irfft(spectrum, size, axis=1)[:, band]
        x = q[band]
        # Prominence over the straight line through the cepstrum in the pitch range (least squares).
        xm = x - x.mean()
        slope = (cepstrum - cepstrum.mean(axis=1, keepdims=True)) @ xm / (xm @ xm)
        line = cepstrum.mean(axis=1, keepdims=True) + slope[:, None] * xm[None, :]
        out[:] = (cepstrum - line).max(axis=1).reshape(len(onsets_s), len(VOICE_WINDOWS_S))
        return np.clip(out, 0.0, 10.0)

    def _trim(self) -> None:
        pending = [self._searched] + self._peaks + self._early
        oldest = min(pending) - self._behind - self.settings.peak_radius_frames - 2
        keep_power = min(oldest, self._rises_done - self.settings.before_frames - 1)
        cut = keep_power - self._p0
        if cut > 0:
            self._power = self._power[cut:]
            self._p0 += cut
        keep_samples = (min(pending) - self._behind) * self.layout.frame_len - self._s0
        if keep_samples > 0:
            self._samples = self._samples[keep_samples:]
            self._s0 += keep_samples
        keep = min(pending) - self.settings.peak_radius_frames - 1
        cut = keep - self._n0
        if cut > 0:
            self._noise, self._spread, self._novelty = self._noise[cut:], self._spread[cut:], self._novelty[cut:]
            self._n0 += cut


_CONTEXT_INDEX = {name: FEATURES.index(name) for name in
                  ("rel_loudest_db", "to_stronger_s", "neighbours", "rel_prev_db", "since_prev_s", "rel_next_db",
                   "until_next_s")}


def find_candidates(samples: np.ndarray, sample_rate: int, settings: CandidateSettings = CandidateSettings(), *,
                    block: int = 1 << 18) -> list[Candidate]:
    """Every candidate of a whole recording (mono samples, full scale = 1), as the streaming decoder finds them."""
    from rescue_signals.decode.features import FrameAnalyzer

    analyzer = FrameAnalyzer(sample_rate)
    # No early candidates: nobody takes them here, and left waiting they would keep every frame from the first on.
    finder = CandidateFinder(analyzer.layout, replace(settings, early_novelty=None))
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    out: list[Candidate] = []
    for start in range(0, x.size, block):
        piece = x[start:start + block]
        out += finder.feed(analyzer.feed(piece)[0], piece)
    out += finder.feed(analyzer.flush()[0], np.zeros(0, np.float32))
    return out + finder.flush()
