"""The sound card: the only module that imports sounddevice.

sounddevice is imported lazily, so that the rest of the program (decoding files, drills in silent mode, reports)
works on a machine without PortAudio or without any audio device.

:class:`Player` keeps one output stream open and schedules sounds into it sample-accurately; :class:`Capture`
records blocks from an input. Every time they report is ``time.monotonic()`` seconds, mapped from the stream's
DAC/ADC times, so a drill can compare them directly with key presses.
"""

from __future__ import annotations

import bisect
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass

import numpy as np

from rescue_signals.errors import AudioDeviceError

SAMPLE_RATE = 48000
"""The rate asked for on every device (some report 44100 by default; see the project's environment notes)."""

OUTPUT_LATENCY_S = 0.25
"""Default output buffer, s: it must outlast the longest time the program can be kept from refilling it."""


def _sounddevice():
    try:
        import sounddevice
    except OSError as exc:  # raised when the PortAudio library itself is missing
        raise AudioDeviceError(
            f"the audio library is not available ({exc}); on Debian install it with "
            "'apt-get install libportaudio2', or use the program in silent mode") from None
    return sounddevice


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool
    is_default_output: bool


def list_devices() -> list[Device]:
    """Every audio device PortAudio sees, with which ones are the defaults.

    Raises
    ------
    AudioDeviceError
        PortAudio is not installed or cannot be initialised.
    """
    sd = _sounddevice()
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except Exception as exc:  # PortAudioError and friends; the message is what the user needs
        raise AudioDeviceError(f"cannot list audio devices: {exc}") from None
    out = []
    for i, d in enumerate(devices):
        out.append(Device(i, d["name"], apis[d["hostapi"]]["name"], d["max_input_channels"],
                          d["max_output_channels"], d["default_samplerate"], i == default_in, i == default_out))
    return out


def _open_error(kind: str, device, exc: Exception) -> AudioDeviceError:
    if device is None:
        sd = _sounddevice()
        default = sd.default.device[0 if kind == "input" else 1]
        if default is None or default < 0:
            return AudioDeviceError(f"there is no audio {kind} device (no sound card or sound server found; "
                                    f"'rescue-signals devices' lists what is available)")
        return AudioDeviceError(f"cannot open the default audio {kind}: {exc}")
    return AudioDeviceError(f"cannot open audio {kind} '{device}': {exc} ('rescue-signals devices' lists them)")


CLOCK_WINDOW_S = 20.0
"""How much of a stream's recent history its sample times are worked out from, s (see :class:`_SampleClock`)."""

CLOCK_WINDOW_STAMPS = 4096
"""... and at most this many buffer time stamps of it (bounds the work per buffer of a low-latency stream)."""

CLOCK_SLEW = 0.001
"""Fastest change of a stream's sample times, s per s of stream: three times the drift of a poor sound card's
clock, and slow enough that a change of estimate never shows as a jump between one block and the next."""


class _ClockMap:
    """Maps PortAudio stream time to ``time.monotonic()``.

    Each callback reports the stream time at which it was invoked; the monotonic clock read inside the callback is
    at least that late, never earlier, so the smallest difference seen over the last ``window_s`` seconds is the
    offset. A long window matters: on a busy machine every callback for a second or more can run late.
    """

    def __init__(self, window_s: float = CLOCK_WINDOW_S):
        self._window_s = window_s
        self._lows: deque[tuple[float, float]] = deque()  # (monotonic, difference), differences increasing

    def update(self, stream_time_s: float, monotonic_s: float) -> float | None:
        if stream_time_s <= 0:
            return None  # this host API does not report stream time
        difference = monotonic_s - stream_time_s
        lows = self._lows
        while lows and lows[-1][1] >= difference:
            lows.pop()
        lows.append((monotonic_s, difference))
        while monotonic_s - lows[0][0] > self._window_s:
            lows.popleft()
        return lows[0][1]


class _SampleClock:
    """Steady times for the samples of one stream.

    The stream runs at a steady rate, so each buffer's host time stamp minus (samples so far / rate) is a reading
    of one number: the time of sample 0. The readings hold a consistent core and stray ones. A sound server
    extrapolates its latency between timing updates, and during a new stream's first seconds, or on a busy
    machine, the extrapolation drifts by up to 10 ms before the next update pulls it back; the buffers of a burst
    can be stamped a few ms apart. The strays spread out while the core stays put, so the estimate aims at the
    middle of the densest fifth of the readings from the last ``window_s`` seconds (a median would sit between
    core and strays; a short window would follow the drift), and moves towards it by at most :data:`CLOCK_SLEW`,
    so that block times stay contiguous when the densest fifth changes its mind.

    An under- or overflow breaks the count, so :meth:`reset` starts a new *epoch* whose sample 0 is measured
    afresh; the times of earlier epochs keep their last estimate.
    """

    def __init__(self, sample_rate: int, window_s: float = CLOCK_WINDOW_S):
        self._rate = float(sample_rate)
        self._window = int(window_s * sample_rate)
        self._frame = 0
        self._entries: deque[tuple[int, float]] = deque()  # (first sample, its origin estimate), in order
        self._sorted: list[float] = []  # the same origin estimates, sorted
        self._origins: list[float] = [0.0]  # time of sample 0 of each epoch, s
        self._fresh = True  # no reading yet in this epoch

    def stamp(self, time_s: float, frames: int) -> tuple[int, int]:
        """Take the host's stamp ``time_s`` of the next ``frames`` samples.

        Returns
        -------
        epoch, sample : int
            Where the first of those samples is: pass them to :meth:`time_s`.
        """
        first = self._frame
        origin = time_s - first / self._rate
        self._entries.append((first, origin))
        bisect.insort(self._sorted, origin)
        while self._entries[0][0] < first - self._window or len(self._entries) > CLOCK_WINDOW_STAMPS:
            _, old = self._entries.popleft()
            del self._sorted[bisect.bisect_left(self._sorted, old)]
        readings = np.asarray(self._sorted)
        k = readings.size // 5
        if k:
            i = int(np.argmin(readings[k:] - readings[:-k]))
            readings = readings[i:i + k + 1]
        target = float(readings[readings.size // 2])
        if self._fresh:
            self._origins[-1], self._fresh = target, False
        else:
            step = CLOCK_SLEW * frames / self._rate
            self._origins[-1] += min(step, max(-step, target - self._origins[-1]))
        self._frame += frames
        return len(self._origins) - 1, first

    def time_s(self, epoch: int, sample: int) -> float:
        """The current estimate of when ``sample`` of ``epoch`` is played or recorded."""
        return self._origins[epoch] + sample / self._rate

    def reset(self) -> None:
        """The count broke (an under- or overflow): start a new epoch."""
        self._entries.clear()
        self._sorted.clear()
        self._origins.append(self._origins[-1])
        self._fresh = True


class Playback:
    """One sound handed to a :class:`Player`; every time is ``time.monotonic()`` seconds.

    A playback remembers *which samples* of the output stream carry its start, its knocks and its end, and turns
    them into times when asked, from the player's latest estimate of the stream's clock. So every time it reports
    shares one estimate (knock-to-knock spacing is exact), and times settle to within a millisecond or two as that
    estimate settles over the first seconds of a new stream.

    Attributes
    ----------
    error : AudioDeviceError or None
        Set when the device failed or disappeared during the playback (the playback is then done).
    """

    def __init__(self, player: "Player", samples: np.ndarray, knock_offsets_s, at_s: float | None):
        self._player = player
        self._samples = samples
        self._offsets = np.round(np.asarray(sorted(knock_offsets_s), dtype=float) * player.sample_rate).astype(int)
        self._heard: list[tuple[int, int]] = []  # (epoch, sample) of the output stream, per knock scheduled
        self._start: tuple[int, int] | None = None
        self._end: tuple[int, int] | None = None
        self._pos = 0
        self._at_s = at_s
        self._stop_requested = False
        self._event = threading.Event()
        self.error: AudioDeviceError | None = None

    @property
    def started_s(self) -> float | None:
        """When the first sample reached the output (its DAC time); None until it has been scheduled."""
        return None if self._start is None else self._player._samples.time_s(*self._start)

    @property
    def ended_s(self) -> float | None:
        """When the last sample reaches the output; None until it has been scheduled."""
        return None if self._end is None else self._player._samples.time_s(*self._end)

    @property
    def done(self) -> bool:
        """True once the last sample has been heard, or the playback was stopped or failed."""
        return self._event.is_set()

    def heard_times_s(self) -> tuple[float, ...]:
        """When each knock offset given to :meth:`Player.play` (in time order) reached the output.

        Knocks are reported as their output buffer is scheduled, in order, so the tuple grows from empty to one
        time per offset. A time can lie up to one output latency in the future when first reported.
        """
        clock = self._player._samples
        return tuple(clock.time_s(epoch, sample) for epoch, sample in list(self._heard))

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until :attr:`done` or ``timeout_s`` seconds have passed; returns :attr:`done`.

        A device that stops calling back (unplugged, sound server gone) ends the playback with :attr:`error` set
        instead of blocking for ever.
        """
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while not self._event.is_set():
            step = 0.05 if deadline is None else max(0.0, min(0.05, deadline - time.monotonic()))
            if self._event.wait(step):
                break
            self._player._check_alive()
            if deadline is not None and time.monotonic() >= deadline:
                break
        return self.done

    def stop(self) -> None:
        """Stop playing this sound (the stream keeps running for the next)."""
        self._stop_requested = True
        if not self._player._running():
            self._finish()

    def _finish(self, error: AudioDeviceError | None = None) -> None:
        if error is not None and self.error is None:
            self.error = error
        self._event.set()


class Player:
    """A long-lived, non-blocking output stream that plays sounds sample-accurately.

    One stream stays open for the player's life (opening a stream per sound stalls for seconds on some sound
    servers); sounds handed to :meth:`play` are mixed into it from the next buffer on, or at a given time.

    Parameters
    ----------
    sample_rate : int, Hz
    device : int or str, optional
        Output device (index or part of its name); the default output if None.
    latency : str or float
        PortAudio's ``"low"``, ``"high"`` or seconds; :data:`OUTPUT_LATENCY_S` by default. On a busy machine the
        callback can be held up for a tenth of a second or more (other processes, another thread holding the
        interpreter); a buffer shorter than that underflows, which clicks and delays every later knock. Latency
        costs nothing here: every knock's time at the output is reported.

    Raises
    ------
    AudioDeviceError
        There is no output device, or it cannot be opened.
    """

    STALL_S = 1.0
    """No callback for this long means the device stopped, s."""

    def __init__(self, sample_rate: int = SAMPLE_RATE, device=None, *, latency: str | float = OUTPUT_LATENCY_S):
        sd = _sounddevice()
        self.sample_rate = int(sample_rate)
        self.device = device
        self.underflows = 0
        self._incoming: queue.SimpleQueue[Playback] = queue.SimpleQueue()
        self._active: list[Playback] = []
        self._draining: list[Playback] = []
        self._clock = _ClockMap()
        self._samples = _SampleClock(self.sample_rate)
        self._closing = False
        self._error: AudioDeviceError | None = None
        self._last_callback_s = time.monotonic()
        self.latency_s = 0.0  # the callback may run before the stream reports its latency
        try:
            info = sd.query_devices(device, "output")
            self.channels = min(2, int(info["max_output_channels"]))
            self.device_name = str(info["name"])
            self._stream = sd.OutputStream(samplerate=self.sample_rate, device=device, channels=self.channels,
                                           dtype="float32", latency=latency, callback=self._callback,
                                           finished_callback=self._finished)
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            raise _open_error("output", device, exc) from None
        self.latency_s = float(self._stream.latency)

    def __enter__(self) -> "Player":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def play(self, samples, *, knock_offsets_s=(), at_s: float | None = None) -> Playback:
        """Start playing ``samples`` (mono, full scale 1) and return at once.

        Parameters
        ----------
        samples : ndarray, shape (n,) or (n, channels)
            Channels are mixed to mono and played on every output channel.
        knock_offsets_s : sequence of float, s
            Times within ``samples`` whose arrival at the output :meth:`Playback.heard_times_s` reports.
        at_s : float, optional
            ``time.monotonic()`` time at which the first sample should reach the output; as soon as possible if
            None or already past.

        Raises
        ------
        AudioDeviceError
            The output device has failed.
        """
        self._check_alive()
        data = np.asarray(samples, dtype=np.float32)
        if data.ndim == 2:  # a stereo file: the knocks are mono, the output gets the mix on every channel
            data = data.mean(axis=1)
        data = np.ascontiguousarray(data.reshape(-1))
        playback = Playback(self, data, knock_offsets_s, at_s)
        self._incoming.put(playback)
        return playback

    def close(self) -> None:
        """Stop every sound and close the stream."""
        self._closing = True
        stream = getattr(self, "_stream", None)
        if stream is not None:
            try:
                stream.abort()
                stream.close()
            except Exception:  # the device may already be gone; closing must not fail
                pass
        for pb in self._active + self._draining + self._drain_incoming():
            pb._finish()

    def _drain_incoming(self) -> list[Playback]:
        out = []
        while True:
            try:
                out.append(self._incoming.get_nowait())
            except queue.Empty:
                return out

    def _running(self) -> bool:
        return not self._closing and self._error is None and self._stream.active

    def _check_alive(self) -> None:
        if self._error is None and not self._closing:
            if not self._stream.active:
                self._fail("the audio output stopped (device removed or failed)")
            elif time.monotonic() - self._last_callback_s > self.STALL_S:
                self._fail(f"the audio output stopped responding for over {self.STALL_S:g} s")
        if self._error is not None:
            raise self._error

    def _fail(self, message: str) -> None:
        self._error = AudioDeviceError(message)
        for pb in self._active + self._draining + self._drain_incoming():
            pb._finish(self._error)
        self._active, self._draining = [], []

    def _finished(self) -> None:
        if not self._closing and self._error is None:
            self._fail("the audio output stopped (device removed or failed)")

    def _callback(self, outdata, frames, time_info, status) -> None:
        try:
            now = time.monotonic()
            self._last_callback_s = now
            if status.output_underflow:
                self.underflows += 1
                self._samples.reset()
            offset = self._clock.update(time_info.currentTime, now)
            dac = time_info.outputBufferDacTime
            at = self._samples.stamp(dac + offset if offset is not None and dac > 0 else now + self.latency_s,
                                     frames)
            self._active.extend(self._drain_incoming())
            out = np.zeros(frames, dtype=np.float32)
            for pb in list(self._active):
                self._mix(pb, out, frames, at)
            for pb in list(self._draining):
                if pb._stop_requested or now >= pb.ended_s:
                    self._draining.remove(pb)
                    pb._finish()
            np.clip(out, -1.0, 1.0, out=out)
            outdata[:] = out[:, None]
        except Exception as exc:  # never let an exception escape into PortAudio's thread
            outdata.fill(0)
            self._error = AudioDeviceError(f"audio output failed: {exc}")

    def _mix(self, pb: Playback, out: np.ndarray, frames: int, at: tuple[int, int]) -> None:
        """Mix the next part of ``pb`` into ``out``, the buffer whose first sample is ``at`` (epoch, sample)."""
        if pb._stop_requested:
            self._active.remove(pb)
            pb._finish()
            return
        epoch, sample = at
        first = 0
        if pb._pos == 0:
            buffer_s = self._samples.time_s(epoch, sample)
            if pb._at_s is not None and pb._at_s > buffer_s:
                first = int(round((pb._at_s - buffer_s) * self.sample_rate))
                if first >= frames:
                    return  # not yet
            pb._start = (epoch, sample + first)
        m = min(frames - first, pb._samples.size - pb._pos)
        out[first:first + m] += pb._samples[pb._pos:pb._pos + m]
        # Each knock is placed on the stream's own sample count from the buffer that carries it, so an underflow
        # earlier cannot skew it.
        offsets = pb._offsets
        while len(pb._heard) < offsets.size and offsets[len(pb._heard)] < pb._pos + m:
            k = offsets[len(pb._heard)]
            pb._heard.append((epoch, sample + first + max(0, k - pb._pos)))
        pb._pos += m
        if pb._pos >= pb._samples.size:
            while len(pb._heard) < offsets.size:  # offsets past the end: heard when the sound ends
                pb._heard.append((epoch, sample + first + m))
            pb._end = (epoch, sample + first + m)
            self._active.remove(pb)
            self._draining.append(pb)


class Capture:
    """Blocks of samples from an input device, each stamped with when its first sample was recorded.

    The stream's callback only copies each block into a queue; :meth:`read` takes them out in order. Use as a
    context manager.

    Parameters
    ----------
    sample_rate : int, Hz
    block_size : int
        Frames per block.
    device : int or str, optional
        Input device (index or part of its name); the default input if None.
    channel : int
        0-based input channel to keep.
    latency : str or float
        PortAudio's ``"low"``, ``"high"`` or seconds; high by default, so a busy machine does not lose input
        (block times are stamped from the device clock whatever the latency).
    """

    def __init__(self, sample_rate: int = SAMPLE_RATE, block_size: int = 1024, device=None, channel: int = 0, *,
                 latency: str | float = "high"):
        self.sample_rate = int(sample_rate)
        self.block_size = int(block_size)
        self.device = device
        self.channel = int(channel)
        self.latency = latency
        self.overflows = 0
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._clock = _ClockMap()
        self._samples = _SampleClock(self.sample_rate)
        self._stream = None
        self._closing = False
        self._stopped = False

    def __enter__(self) -> "Capture":
        self.open()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def open(self) -> None:
        """Start recording.

        Raises
        ------
        AudioDeviceError
            No input device, too few channels for ``channel``, or it cannot be opened.
        """
        sd = _sounddevice()
        try:
            info = sd.query_devices(self.device, "input")
            if self.channel >= info["max_input_channels"]:
                raise AudioDeviceError(f"input '{info['name']}' has {info['max_input_channels']} channel(s); "
                                       f"channel {self.channel + 1} does not exist")
            self.device_name = str(info["name"])
            self._stream = sd.InputStream(samplerate=self.sample_rate, blocksize=self.block_size, device=self.device,
                                          channels=self.channel + 1, dtype="float32", latency=self.latency,
                                          callback=self._callback, finished_callback=self._finished)
            self._stream.start()
        except (sd.PortAudioError, ValueError) as exc:
            raise _open_error("input", self.device, exc) from None
        self.latency_s = float(self._stream.latency)

    def close(self) -> None:
        self._closing = True
        if self._stream is not None:
            try:
                self._stream.abort()
                self._stream.close()
            except Exception:  # the device may already be gone; closing must not fail
                pass

    def read(self, timeout_s: float = 1.0) -> tuple[np.ndarray, float]:
        """The next block, in order.

        Returns
        -------
        block : ndarray, shape (n,), float32
        start_s : float
            ``time.monotonic()`` time at which the block's first sample was recorded (its ADC time, steadied
            over the stream's recent history; while a new stream's clock settles, in its first seconds, it can be
            a few ms off).

        Raises
        ------
        AudioDeviceError
            No block arrived within ``timeout_s`` seconds, or the device stopped or disappeared.
        """
        if self._stream is None:
            raise AudioDeviceError("the capture is not open")
        try:
            block, adc_s, stream_s, mono_s, overflow = self._queue.get(timeout=timeout_s)
        except queue.Empty:
            if self._stopped:
                raise AudioDeviceError("the audio input stopped (device removed or failed)") from None
            raise AudioDeviceError(f"no audio from the input for {timeout_s:g} s") from None
        if overflow:
            self.overflows += 1
            self._samples.reset()
        offset = self._clock.update(stream_s, mono_s)
        if offset is not None and adc_s > 0:
            start_s = adc_s + offset
        else:
            start_s = mono_s - block.size / self.sample_rate - self.latency_s
        return block, self._samples.time_s(*self._samples.stamp(start_s, block.size))

    def pending(self) -> int:
        """Blocks recorded and not yet read."""
        return self._queue.qsize()

    def _callback(self, indata, frames, time_info, status) -> None:
        self._queue.put((indata[:, self.channel].copy(), time_info.inputBufferAdcTime, time_info.currentTime,
                         time.monotonic(), bool(status.input_overflow)))

    def _finished(self) -> None:
        if not self._closing:
            self._stopped = True
