"""The microphone's level, and whether a knock at that level is heard well, too quiet, or clipping.

A :class:`LevelMeter` takes the blocks the microphone delivers (the same blocks the live decoder is fed) and keeps
what a level meter shows: the peak of the latest sound in dB of full scale (dBFS), the noise level between sounds,
whether samples were clipped, and the zone the last sound fell in. Clipped samples are counted as the decoder
counts them (:data:`rescue_signals.decode.features.CLIP_LEVEL`), so the meter and the decoder agree about clipping.

Pure: numpy only, times come in with the blocks.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum

import numpy as np

from rescue_signals.decode.features import CLIP_LEVEL

SILENCE_DBFS = -120.0
"""The level of digital silence, dBFS (the logarithm of zero, bounded)."""


class LevelZone(str, Enum):
    """Where a sound's peak falls on the meter."""

    NONE = "none"  # nothing heard yet
    QUIET = "quiet"
    GOOD = "good"
    CLIPPING = "clipping"


@dataclass(frozen=True)
class LevelSettings:
    """The meter's scale and zones.

    Attributes
    ----------
    bottom_dbfs : float, dBFS
        The left end of the meter; sounds below it are not judged (they are noise, not attempts to knock).
    quiet_dbfs : float, dBFS
        A sound whose peak stays below this is too quiet to be heard well...
    min_rise_db : float, dB
        ...and so is one whose peak rises less than this above the noise.
    clip_dbfs : float, dBFS
        Peaks at or above this are in the clipping zone (samples at full scale are clipping wherever the peak is).
    sound_rise_db : float, dB
        A block whose peak is this far above the noise is part of a sound.
    tail_s : float, s
        A sound beginning this soon after a louder one ended...
    tail_drop_db : float, dB
        ...and at least this much fainter is its ring or echo, not a knock of its own: it is not judged.
    hold_s : float, s
        The zone of the last sound is shown this long after it.
    fall_db_per_s : float, dB/s
        How fast the shown level falls back after a peak.
    noise_window_s : float, s
        The noise level is measured over this much of the recent input.
    noise_quantile : float
        The noise level is this quantile of the block peaks in the window (sounds fill few blocks).
    """

    bottom_dbfs: float = -60.0
    quiet_dbfs: float = -35.0
    min_rise_db: float = 12.0
    clip_dbfs: float = -0.5
    sound_rise_db: float = 6.0
    tail_s: float = 0.6
    tail_drop_db: float = 12.0
    hold_s: float = 3.0
    fall_db_per_s: float = 24.0
    noise_window_s: float = 3.0
    noise_quantile: float = 0.3


def dbfs(amplitude: float) -> float:
    """``amplitude`` (full scale = 1) in dBFS, :data:`SILENCE_DBFS` for silence."""
    return max(SILENCE_DBFS, 20.0 * float(np.log10(max(float(amplitude), 1e-12))))


class LevelMeter:
    """The level of the microphone's input, block by block.

    Parameters
    ----------
    settings : LevelSettings
    noise_dbfs : float, optional, dBFS
        The noise level measured earlier (at the trainee's calibration), used until the meter has heard enough.
    history_s : float, s
        How long the peaks of past blocks are kept for :meth:`peak_near`.
    """

    def __init__(self, settings: LevelSettings = LevelSettings(), *, noise_dbfs: float | None = None,
                 history_s: float = 30.0):
        self.settings = settings
        self.history_s = history_s
        self._start_noise = noise_dbfs
        self.reset()

    def reset(self) -> None:
        self._blocks: deque[tuple[float, float, float]] = deque()  # (start s, end s, peak dBFS)
        self._recent: deque[tuple[float, float]] = deque()  # (end s, peak dBFS) of the noise window's blocks
        self.time_s: float | None = None  # end of the latest block
        self.level_dbfs = SILENCE_DBFS  # what the needle shows: the latest peak, falling back slowly
        self.noise_dbfs = self._start_noise if self._start_noise is not None else SILENCE_DBFS
        self.clipped_samples = 0
        self.last_clip_s: float | None = None
        self.sound_dbfs: float | None = None  # peak of the sound going on now
        self.last_sound: tuple[float, float] | None = None  # (time s, peak dBFS) of the latest sound
        # (start s, peak dBFS, the quiet mark then) of the sounds kept (not rings of louder ones), oldest first
        self.sounds: deque[tuple[float, float, float]] = deque()
        self._loud: tuple[float, float] | None = None  # (end s, peak dBFS) of the latest sound judged
        self._tail = False  # the sound going on now is the ring of the one before
        self._clips: deque[float] = deque()  # when samples were clipped, s
        self._heard_s = 0.0

    # -- input --------------------------------------------------------------------------------------------------
    def feed(self, block: np.ndarray, *, time_s: float, sample_rate: int, clipped: int | None = None) -> None:
        """Take the next block.

        Parameters
        ----------
        block : ndarray, shape (n,) or (n, channels)
            Samples, full scale = 1.
        time_s : float, s
            When its first sample was recorded.
        sample_rate : int, Hz
        clipped : int, optional
            Its samples at full scale, if counted already (the decoder counts them); counted here otherwise.
        """
        x = np.abs(np.asarray(block, dtype=np.float32).reshape(-1))
        if not x.size:
            return
        s = self.settings
        end_s = time_s + x.size / sample_rate
        peak = dbfs(float(x.max()))
        clipped = int(np.count_nonzero(x >= CLIP_LEVEL)) if clipped is None else int(clipped)
        if clipped:
            self.clipped_samples += clipped
            self.last_clip_s = end_s
            self._clips.append(time_s)
        previous = self.time_s if self.time_s is not None else time_s
        fallen = self.level_dbfs - s.fall_db_per_s * max(0.0, end_s - previous)
        self.level_dbfs = max(peak, fallen, SILENCE_DBFS)
        self._blocks.append((time_s, end_s, peak))
        self._recent.append((end_s, peak))
        while self._recent[0][0] < end_s - s.noise_window_s:
            self._recent.popleft()
        while self._blocks and self._blocks[0][1] < end_s - self.history_s:
            self._blocks.popleft()
        while self.sounds and self.sounds[0][0] < end_s - self.history_s:
            self.sounds.popleft()
        while self._clips and self._clips[0] < end_s - self.history_s:
            self._clips.popleft()
        self._heard_s += x.size / sample_rate
        self.time_s = end_s
        self._measure_noise(end_s)
        if peak >= max(self.noise_dbfs + s.sound_rise_db, s.bottom_dbfs):
            starting = self.sound_dbfs is None
            self.sound_dbfs = peak if starting else max(self.sound_dbfs, peak)
            loud = self._loud
            if starting:
                self._tail = loud is not None and time_s - loud[0] <= s.tail_s
                self._start = (time_s, self.quiet_below_dbfs)
            if self._tail and loud[1] - self.sound_dbfs < s.tail_drop_db:
                self._tail = False  # as loud as the one before: a knock of its own
            if not self._tail:
                if not self.sounds or self.sounds[-1][0] != self._start[0]:
                    self.sounds.append((self._start[0], self.sound_dbfs, self._start[1]))
                self.sounds[-1] = (self._start[0], self.sound_dbfs, self._start[1])
                self.last_sound = self._loud = (end_s, self.sound_dbfs)
        elif self.sound_dbfs is not None:
            self.sound_dbfs = None

    def _measure_noise(self, now_s: float) -> None:
        s = self.settings
        if self._start_noise is not None and self._heard_s < s.noise_window_s:
            return  # the calibration's measurement until the meter has heard a window of its own
        self.noise_dbfs = float(np.quantile([p for _, p in self._recent], s.noise_quantile))

    # -- what it shows ------------------------------------------------------------------------------------------
    @property
    def quiet_below_dbfs(self) -> float:
        """Peaks below this are too quiet to be heard well, dBFS: below the quiet mark or too little above the
        noise."""
        return max(self.settings.quiet_dbfs, self.noise_dbfs + self.settings.min_rise_db)

    def zone_of(self, peak_dbfs: float, *, quiet_below_dbfs: float | None = None) -> LevelZone:
        """The zone of a peak of ``peak_dbfs`` (dBFS), with the noise as it is now (or the quiet mark given)."""
        if peak_dbfs >= self.settings.clip_dbfs:
            return LevelZone.CLIPPING
        quiet = self.quiet_below_dbfs if quiet_below_dbfs is None else quiet_below_dbfs
        return LevelZone.QUIET if peak_dbfs < quiet else LevelZone.GOOD

    def zone(self) -> LevelZone:
        """The zone of the latest sound (clipping if samples were clipped lately), held for ``hold_s``;
        :attr:`LevelZone.NONE` when nothing was heard lately."""
        now = self.time_s
        if now is None:
            return LevelZone.NONE
        hold = self.settings.hold_s
        if self.last_clip_s is not None and now - self.last_clip_s <= hold:
            return LevelZone.CLIPPING
        if self.last_sound is not None and now - self.last_sound[0] <= hold:
            return self.zone_of(self.last_sound[1])
        return LevelZone.NONE

    def clipped_between(self, start_s: float, end_s: float) -> bool:
        """Whether samples were clipped between ``start_s`` and ``end_s`` (s)."""
        return any(start_s <= t <= end_s for t in self._clips)

    def quiet_sounds_between(self, start_s: float, end_s: float) -> int:
        """How many sounds that began between ``start_s`` and ``end_s`` (s) were too quiet to be heard well."""
        return sum(1 for t, peak, quiet in self.sounds
                   if start_s <= t <= end_s and self.zone_of(peak, quiet_below_dbfs=quiet) == LevelZone.QUIET)

    def zone_between(self, start_s: float, end_s: float) -> LevelZone:
        """The worst of what was heard between ``start_s`` and ``end_s`` (s): clipping, then a sound too quiet,
        then good; :attr:`LevelZone.NONE` if nothing was."""
        if self.clipped_between(start_s, end_s):
            return LevelZone.CLIPPING
        if self.quiet_sounds_between(start_s, end_s):
            return LevelZone.QUIET
        heard = any(start_s <= t <= end_s for t, _, _ in self.sounds)
        return LevelZone.GOOD if heard else LevelZone.NONE

    def peak_near(self, time_s: float, *, before_s: float = 0.03, after_s: float = 0.12) -> float | None:
        """The highest block peak from ``before_s`` before ``time_s`` to ``after_s`` after it (dBFS): the peak of
        a knock the decoder placed at ``time_s``; None if those blocks are no longer kept."""
        peaks = [p for start, end, p in self._blocks if end >= time_s - before_s and start <= time_s + after_s]
        return max(peaks) if peaks else None
