"""What the scenes play, and when each knock was actually heard, with or without a sound card.

:class:`Speaker` wraps the playback engine of :mod:`rescue_signals.audio`. When there is no audio device, when the
trainee switched sound off, or when the device disappears in the middle of a session, it keeps going "visually":
a :class:`Cue` then reports each knock at its scheduled time, and the scenes show it as a flash, so every drill
still works and reaction times are measured from the flash.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from rescue_signals.errors import AudioDeviceError

VISUAL_LEAD_S = 0.4
"""A visual-only cue starts this long after it is asked for, so the first flash is not missed."""


STALL_S = 2.0
"""A sound still not finished this long after it should have: the device stopped without saying so."""


class Cue:
    """One sound being played (or shown): the knocks' offsets in it and when each reached the listener.

    Parameters
    ----------
    offsets_s : sequence of float, s
        Time of each knock from the start of the sound.
    duration_s : float, s
    start_s : float, s
        Monotonic time the sound is expected to start (refined from the device once the first knock is heard).
    playback : object or None
        The engine's playback handle (``heard_times_s()``, ``done``, ``stop()``), None for visual only.
    now_s : callable
        The app's clock.
    """

    def __init__(self, *, offsets_s, duration_s: float, start_s: float, playback, now_s: Callable[[], float]):
        self.offsets_s = tuple(float(t) for t in offsets_s)
        self.duration_s = float(duration_s)
        self.start_s = start_s
        self.playback = playback
        self._now_s = now_s
        self._audio_heard: list[float] = []
        self.stopped = False

    @property
    def audible(self) -> bool:
        return self.playback is not None

    def lose_audio(self) -> None:
        """The device went away: from now on the remaining knocks are shown at their scheduled times."""
        if self._audio_heard:
            self.start_s = self._audio_heard[0] - self.offsets_s[0]
        self.playback = None

    def heard_times_s(self) -> list[float]:
        """Monotonic times at which the knocks heard (or shown) so far reached the listener, in order."""
        now = self._now_s()
        if self.playback is not None:
            # None: not yet scheduled; a scheduled time may still lie a buffer ahead.
            reported = [t for t in self.playback.heard_times_s() if t is not None]
            self._audio_heard = [float(t) for t in reported if t <= now]
            if self._audio_heard:
                self.start_s = self._audio_heard[0] - self.offsets_s[0]
            return list(self._audio_heard)
        scheduled = [self.start_s + t for t in self.offsets_s]
        known = self._audio_heard
        return known + [t for t in scheduled[len(known):] if t <= now]

    def all_heard(self) -> bool:
        return len(self.heard_times_s()) >= len(self.offsets_s)

    def progress_s(self) -> float:
        """Seconds into the sound (negative before it starts)."""
        return self._now_s() - self.start_s

    @property
    def done(self) -> bool:
        if self.stopped:
            return True
        if self.playback is not None:
            return bool(self.playback.done)
        return self.progress_s() >= self.duration_s

    def stop(self) -> None:
        self.stopped = True
        if self.playback is not None:
            self.playback.stop()


class Speaker:
    """Plays sounds for the scenes and keeps track of whether sound is available.

    Parameters
    ----------
    sound : bool
        False for visual-only mode (chosen by the trainee).
    now_s : callable
        The app's clock.
    player_factory : callable, optional
        Makes the playback engine; :class:`rescue_signals.audio.Player` by default.
    """

    def __init__(self, *, sound: bool, now_s: Callable[[], float], player_factory: Callable | None = None):
        self._now_s = now_s
        self._factory = player_factory
        self._player = None
        self.wanted = sound
        self.problem: str | None = None  # why there is no sound although it is wanted
        self.lost = False  # the device went away during this run
        self.current: Cue | None = None
        if sound:
            self._open()

    def _open(self) -> None:
        try:
            if self._factory is None:
                from rescue_signals.audio import SAMPLE_RATE, Player

                self._player = Player(sample_rate=SAMPLE_RATE)
            else:
                self._player = self._factory()
        except (AudioDeviceError, ImportError, OSError) as exc:
            self._player = None
            self.problem = str(exc) or type(exc).__name__

    @property
    def audible(self) -> bool:
        return self.wanted and self._player is not None and not self.lost

    def set_sound(self, on: bool) -> None:
        self.wanted = on
        if on and self._player is None:
            self.problem = None
            self.lost = False
            self._open()

    def play(self, samples: np.ndarray, *, sample_rate: int, knock_offsets_s) -> Cue:
        """Start a sound now; returns its cue. Never raises for a missing or failing device."""
        self.stop()
        samples = np.asarray(samples, dtype=np.float32)
        duration_s = samples.shape[0] / float(sample_rate)
        offsets = [float(t) for t in knock_offsets_s]
        playback = None
        if self.audible:
            try:
                playback = self._player.play(samples, knock_offsets_s=offsets)
            except AudioDeviceError as exc:
                self._device_failed(str(exc))
        start = self._now_s() + (0.0 if playback is not None else VISUAL_LEAD_S)
        self.current = Cue(offsets_s=offsets, duration_s=duration_s, start_s=start, playback=playback,
                           now_s=self._now_s)
        return self.current

    def play_rendering(self, rendering) -> Cue:
        """Play a :class:`rescue_signals.synth.Rendering`."""
        return self.play(rendering.samples, sample_rate=rendering.sample_rate,
                         knock_offsets_s=[k.time_s for k in rendering.knocks])

    def poll(self) -> str | None:
        """Call once a frame: notices a device that went away and returns its message, once."""
        cue = self.current
        if cue is None or cue.playback is None:
            return None
        error = getattr(cue.playback, "error", None)
        overdue = not cue.playback.done and cue.progress_s() > cue.duration_s + STALL_S
        if overdue:
            error = error or "the audio output stopped responding"
        if not error:
            return None
        self._device_failed(str(error))
        cue.lose_audio()
        return self.problem

    def _device_failed(self, message: str) -> None:
        self.lost = True
        self.problem = message

    def stop(self) -> None:
        if self.current is not None and not self.current.done:
            self.current.stop()
        self.current = None

    def close(self) -> None:
        """Close the output stream (at exit)."""
        if self._player is not None and hasattr(self._player, "close"):
            self._player.close()
        self._player = None
