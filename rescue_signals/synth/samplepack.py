"""Sample packs: a folder of the user's own recordings that replaces the synthesised knocks or adds real noise.

A *knock pack* holds recordings of knocks on the mine's own pipes, rails or rock (one knock per file, or many
knocks in a long recording): every knock is cut out at its onset. A *noise pack* holds recordings of the mine's
noise, which is looped to the length of a rendering. Reading files goes through :mod:`rescue_signals.audiofile`;
cutting and looping are pure functions on arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np
from scipy import signal as sps

from rescue_signals.errors import UsageError
from rescue_signals.synth.knock import PEAK_AT_1M

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif")
"""Files a sample pack may hold; any other file in the folder is ignored."""

KNOCK_MAX_S = 0.5
"""Longest cut knock, s (a ringing pipe knock is cut here, with a fade)."""

REFRACTORY_S = 0.12
"""Two onsets closer than this are one knock (its rebound or ringing), s."""

ONSET_RISE_DB = 15.0
"""How far above the recording's background a knock must rise to be cut out, dB."""

KNOCK_RANGE_DB = 30.0
"""Knocks of one recording peak within this much of its loudest knock, dB."""

MIN_NOISE_S = 0.5
"""Shortest usable noise recording, s."""

_FADE_S = 0.01


@dataclass(frozen=True, eq=False)
class SamplePack:
    """Recordings from one folder.

    Attributes
    ----------
    path : str
        The folder.
    kind : str
        ``"knock"`` or ``"noise"``.
    clips : tuple of ndarray, each shape (n,)
        Knocks cut at their onset (peak 1), or whole noise recordings (RMS 1).
    sample_rate : int, Hz
        Rate of every clip.
    origins : tuple of str
        Where each clip came from: ``"file.flac@12.345s"`` for a knock, the file name for noise.
    """

    path: str
    kind: str
    clips: tuple[np.ndarray, ...]
    sample_rate: int
    origins: tuple[str, ...]

    def at_rate(self, sample_rate: int) -> "SamplePack":
        """The same pack resampled to ``sample_rate`` (Hz)."""
        if sample_rate == self.sample_rate:
            return self
        clips = tuple(resample(c, from_rate=self.sample_rate, to_rate=sample_rate) for c in self.clips)
        return SamplePack(self.path, self.kind, clips, sample_rate, self.origins)

    def striker(self, *, sample_rate: int):
        """A function ``strike(*, strength, rng) -> ndarray`` drawing a knock from the pack, like
        :meth:`rescue_signals.synth.knock.Instrument.strike`."""
        pack = self.at_rate(sample_rate)

        def strike(*, strength: float, rng: np.random.Generator) -> np.ndarray:
            clip = pack.clips[int(rng.integers(len(pack.clips)))]
            return clip * (PEAK_AT_1M * strength * rng.uniform(0.9, 1.1))

        return strike

    def noise(self, *, n: int, sample_rate: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` samples of the pack's noise, from a random recording and start, looped with crossfades; RMS 1."""
        pack = self.at_rate(sample_rate)
        clip = pack.clips[int(rng.integers(len(pack.clips)))]
        start = int(rng.integers(clip.size))
        return loop(np.roll(clip, -start), n=n, fade=int(0.05 * sample_rate))


def load_knock_pack(directory: str | Path, *, sample_rate: int = 48000) -> SamplePack:
    """Cut every knock out of the recordings in a folder.

    Raises
    ------
    UsageError
        The folder is missing, holds no audio files, or no knock could be found in them.
    AudioFileError
        A file cannot be read.
    """
    clips, origins = [], []
    for path, samples, rate in _recordings(directory, what="knock pack"):
        for onset, clip in cut_knocks(samples, sample_rate=rate):
            clips.append(resample(clip, from_rate=rate, to_rate=sample_rate))
            origins.append(f"{path.name}@{onset / rate:.3f}s")
    if not clips:
        raise UsageError(f"knock pack '{directory}': no knocks found; each recording needs knocks at least "
                         f"{ONSET_RISE_DB:g} dB above its background")
    return SamplePack(str(directory), "knock", tuple(clips), sample_rate, tuple(origins))


def load_noise_pack(directory: str | Path, *, sample_rate: int = 48000) -> SamplePack:
    """Load every noise recording in a folder, each at RMS 1.

    Raises
    ------
    UsageError
        The folder is missing, holds no audio files, or a recording is silent or shorter than 0.5 s.
    AudioFileError
        A file cannot be read.
    """
    clips, origins = [], []
    for path, samples, rate in _recordings(directory, what="noise pack"):
        rms = float(np.sqrt(np.mean(samples ** 2))) if samples.size else 0.0
        if samples.size < MIN_NOISE_S * rate or rms == 0.0:
            raise UsageError(f"noise pack '{directory}': {path.name} is silent or shorter than {MIN_NOISE_S:g} s")
        clips.append(resample(samples / rms, from_rate=rate, to_rate=sample_rate))
        origins.append(path.name)
    return SamplePack(str(directory), "noise", tuple(clips), sample_rate, tuple(origins))


def _recordings(directory, *, what: str):
    """(path, mono samples, rate) of every audio file in the folder, in name order."""
    from rescue_signals.audiofile import read_audio

    folder = Path(directory)
    if not folder.is_dir():
        raise UsageError(f"{what} '{directory}' is not a folder")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS)
    if not files:
        raise UsageError(f"{what} '{directory}' has no recordings; put {', '.join(AUDIO_EXTENSIONS)} files in it")
    out = []
    for path in files:
        data, rate = read_audio(path)
        out.append((path, data.mean(axis=1).astype(np.float64), rate))
    return out


def cut_knocks(samples: np.ndarray, *, sample_rate: int) -> list[tuple[int, np.ndarray]]:
    """Find knocks by a simple energy onset and cut each one out.

    Parameters
    ----------
    samples : ndarray, shape (n,)
    sample_rate : int, Hz

    Returns
    -------
    list of (onset, clip)
        ``onset`` is the sample index of the knock's onset in ``samples``; ``clip`` starts there, lasts until the
        next knock or :data:`KNOCK_MAX_S`, fades out, and peaks at 1.
    """
    x = np.asarray(samples, dtype=np.float64)
    if x.size < sample_rate * 0.02:
        return []
    # Rumble and DC say nothing about where a tap starts.
    x = sps.sosfilt(sps.butter(2, 80.0, btype="high", fs=sample_rate, output="sos"), x)
    hop = max(1, int(0.002 * sample_rate))
    frames = x[: x.size // hop * hop].reshape(-1, hop)
    energy_db = 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-20)
    floor_db = float(np.percentile(energy_db, 20))
    threshold_db = floor_db + ONSET_RISE_DB
    # Knocks in one recording are struck alike; events far below the loudest are the room, not knocks.
    loud_db = max(threshold_db, float(np.max(energy_db)) - KNOCK_RANGE_DB)
    above = energy_db > threshold_db
    peak_frames = max(1, int(0.03 * sample_rate / hop))
    onsets = []
    last = -np.inf
    for i in np.flatnonzero(above & ~np.concatenate([[False], above[:-1]])):
        if (i - last) * hop < REFRACTORY_S * sample_rate or np.max(energy_db[i:i + peak_frames]) < loud_db:
            continue
        last = i
        onsets.append(_refine_onset(x, i * hop, hop=hop, sample_rate=sample_rate))
    cuts = []
    for j, onset in enumerate(onsets):
        end = min(x.size, onset + int(KNOCK_MAX_S * sample_rate))
        if j + 1 < len(onsets):
            end = min(end, onsets[j + 1] - hop)
        clip = np.asarray(samples[onset:end], dtype=np.float64).copy()
        peak = float(np.max(np.abs(clip))) if clip.size else 0.0
        if peak == 0.0:
            continue
        fade = min(clip.size // 2, int(_FADE_S * sample_rate))
        if fade > 0:
            clip[-fade:] *= np.linspace(1.0, 0.0, fade)
        cuts.append((onset, clip / peak))
    return cuts


def _refine_onset(x: np.ndarray, frame_start: int, *, hop: int, sample_rate: int) -> int:
    """The first sample after a threshold crossing that reaches a tenth of the knock's peak (the audible onset;
    the crossing itself can be the quiet approach of the striker)."""
    lo = max(0, frame_start - 2 * hop)
    window = np.abs(x[lo: frame_start + int(0.03 * sample_rate)])
    over = np.flatnonzero(window >= 0.1 * float(np.max(window)))
    return lo + int(over[0]) if over.size else frame_start


def resample(x: np.ndarray, *, from_rate: int, to_rate: int) -> np.ndarray:
    """``x`` resampled from ``from_rate`` to ``to_rate`` (Hz) with a polyphase filter."""
    if from_rate == to_rate:
        return np.asarray(x, dtype=np.float64)
    g = gcd(int(from_rate), int(to_rate))
    return sps.resample_poly(np.asarray(x, dtype=np.float64), int(to_rate) // g, int(from_rate) // g)


def loop(clip: np.ndarray, *, n: int, fade: int) -> np.ndarray:
    """``clip`` repeated to ``n`` samples, each joint crossfaded over ``fade`` samples (equal power)."""
    fade = max(0, min(fade, clip.size // 4))
    out = np.zeros(n)
    step = clip.size - fade
    pos = 0
    ramp_in = np.sin(0.5 * np.pi * np.linspace(0, 1, fade)) if fade else np.zeros(0)
    ramp_out = np.cos(0.5 * np.pi * np.linspace(0, 1, fade)) if fade else np.zeros(0)
    while pos < n:
        piece = clip.copy()
        if pos > 0 and fade:
            piece[:fade] *= ramp_in
        if fade:
            piece[-fade:] *= ramp_out
        m = min(piece.size, n - pos)
        out[pos:pos + m] += piece[:m]
        pos += step
    return out
