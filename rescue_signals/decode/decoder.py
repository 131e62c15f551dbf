"""The one streaming decoder, for the microphone and for files alike.

:class:`KnockDecoder` takes blocks of samples of any size and returns events as soon as they are sure: a
:class:`KnockEvent` for each knock (within about 50 ms of its onset), a :class:`GroupEvent` for each group once
the silence after it is long enough to close it, and a :class:`RejectedImpulse` for each sound that rose like a
knock but was not counted. Decoding a file feeds its blocks; the events do not depend on the block size.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from rescue_signals.codebook import Codebook
from rescue_signals.decode.detector import THRESHOLD, FaintPeak, KnockDetector, KnockEvent, RejectedImpulse
from rescue_signals.decode.features import MIN_SAMPLE_RATE, FrameAnalyzer
from rescue_signals.decode.grouping import OFFBEAT_DB, Grouper, KnockGroup, is_stray
from rescue_signals.decode.reading import DecodedGroup, Interpreter
from rescue_signals.errors import UsageError
from rescue_signals.protocol import Reading


CHUNK_SAMPLES = 1 << 16
"""Long blocks are decoded in pieces of this many samples: each piece's several passes then stay in the processor's
cache, which makes decoding about twice as fast (the events do not depend on it)."""


@dataclass(frozen=True)
class GroupEvent:
    """A group of knocks, closed, read in the context of the groups before it.

    Attributes
    ----------
    group : DecodedGroup
    reading : Reading
        The protocol's reading (expectations, deviations) for those who need more than the summary.
    """

    group: DecodedGroup
    reading: Reading

    @property
    def time_s(self) -> float:
        return self.group.end_s


Event = KnockEvent | GroupEvent | RejectedImpulse
"""What :meth:`KnockDecoder.feed` returns."""


@dataclass(frozen=True)
class Trace:
    """Per-frame signals for plotting a decoding.

    Attributes
    ----------
    frame_s : float, s
    waveform : ndarray, shape (frames, 2)
        Lowest and highest sample of each frame.
    level_db, floor_db : ndarray, shape (frames,), dB
        Level after each frame's onset and the noise floor, summed over the bands.
    novelty : ndarray, shape (frames,)
    threshold : float
    """

    frame_s: float
    waveform: np.ndarray
    level_db: np.ndarray
    floor_db: np.ndarray
    novelty: np.ndarray
    threshold: float


class KnockDecoder:
    """Streaming knock decoder.

    Parameters
    ----------
    sample_rate : int, Hz
    codebook : Codebook
    reply_window_s : float, optional
        How long a reply may take before the protocol calls it late (the codebook's by default).
    threshold : float
        Detection threshold (see :data:`rescue_signals.decode.detector.THRESHOLD`).
    keep_trace : bool
        Keep per-frame signals for :meth:`trace` (memory grows with the stream: for plots of files).
    keep_groups : bool
        Keep what each group was read from, for :meth:`reread` (a few hundred bytes a group: for files).

    Examples
    --------
    >>> decoder = KnockDecoder(48000, codebook)           # doctest: +SKIP
    >>> for block in blocks:                               # doctest: +SKIP
    ...     for event in decoder.feed(block):
    ...         print(event)
    >>> decoder.flush()                                    # doctest: +SKIP
    """

    def __init__(self, sample_rate: int, codebook: Codebook, *, reply_window_s: float | None = None,
                 threshold: float = THRESHOLD, keep_trace: bool = False, keep_groups: bool = False):
        if not isinstance(sample_rate, (int, np.integer)) or sample_rate < MIN_SAMPLE_RATE:
            raise UsageError(f"a sample rate of {sample_rate} Hz is too low to hear knocks; "
                             f"at least {MIN_SAMPLE_RATE} Hz is needed")
        self.sample_rate = int(sample_rate)
        self.codebook = codebook
        self._analyzer = FrameAnalyzer(self.sample_rate, keep_waveform=keep_trace)
        self._detector = KnockDetector(self._analyzer.layout, codebook.timing, threshold=threshold)
        self._grouper = Grouper(codebook.timing)
        self._interpreter = Interpreter(codebook, reply_window_s=reply_window_s)
        self._keep_trace = keep_trace
        self._keep_groups = keep_groups
        self.reset()

    def reset(self) -> None:
        """Forget everything heard: the next block starts a new stream at time 0."""
        self._analyzer.reset()
        self._detector.reset()
        self._grouper.reset()
        self._interpreter.reset()
        self._waveform: list[np.ndarray] = []
        if self._keep_trace:
            self._detector.keep_trace()
        self._faint: list[FaintPeak] = []  # faint peaks heard since the open group began
        self._promoted: list[KnockEvent] = []  # faint peaks counted because they fill a gap in the group's rhythm
        self._rejected: list[RejectedImpulse] = []  # non-echo rejections since the open group began
        self._read: list[tuple] = []  # (group, faint, promoted, rejected) of every group, with keep_groups

    # -- public -------------------------------------------------------------------------------------------------
    @property
    def time_s(self) -> float:
        """Seconds of audio fed so far."""
        return self._analyzer.samples_seen / self.sample_rate

    @property
    def pending_knocks(self) -> tuple[KnockEvent, ...]:
        """Knocks of the group still open (not yet announced)."""
        return self._grouper.pending

    @property
    def samples_seen(self) -> int:
        return self._analyzer.samples_seen

    @property
    def clipped_samples(self) -> int:
        """Samples at full scale so far."""
        return self._analyzer.clipped_samples

    @property
    def peak(self) -> float:
        """Highest sample magnitude so far (full scale = 1)."""
        return self._analyzer.peak

    @property
    def dc_offset(self) -> float:
        """Mean sample value so far (full scale = 1)."""
        return self._analyzer.dc_offset

    def feed(self, block: np.ndarray) -> list[Event]:
        """Decode the next block of samples.

        Parameters
        ----------
        block : ndarray, shape (n,) or (n, channels)
            Samples, full scale = 1; several channels are averaged.

        Returns
        -------
        list of KnockEvent, RejectedImpulse and GroupEvent
            In the order they were decided: a knock as soon as it is sure, a group when the silence after it has
            closed it. A :class:`RejectedImpulse` whose reason is one of :data:`RETRACTIONS` takes back the knock
            reported earlier at its time (:func:`standing_knocks` applies them).
        """
        samples = _mono(block)
        events: list[Event] = []
        for start in range(0, samples.size, CHUNK_SAMPLES):
            power, waveform = self._analyzer.feed(samples[start:start + CHUNK_SAMPLES])
            self._keep_waveform(waveform)
            events += self._handle(self._detector.feed(power))
            events += self._close(self._grouper.advance(self._detector.decided_s))
        return events

    def flush(self) -> list[Event]:
        """The stream has ended: decide what is left and close the last group."""
        power, waveform = self._analyzer.flush()
        self._keep_waveform(waveform)
        events = self._handle(self._detector.feed(power) + self._detector.flush())
        events += self._close(self._grouper.advance(self.time_s))
        events += self._close(self._grouper.flush(self.time_s))
        return events

    def reread(self) -> tuple[list[DecodedGroup], list[RejectedImpulse]]:
        """Every group read again, knowing from the start how each side sounded by the end (needs
        ``keep_groups``). Groups whose sender the exchange could not tell, before any side was certain, can then be
        told by sound; a lone sound far fainter than the knocks heard later (see
        :data:`~rescue_signals.decode.grouping.STRAY_DB`) is a stray, returned as such; everything else reads as it
        did.

        Returns
        -------
        groups : list of DecodedGroup
        strays : list of RejectedImpulse
            With reason ``"stray"``: they take back the knocks reported earlier at their times.
        """
        levels = [k.level_db for group, *_ in self._read if group.count >= 2 for k in group.knocks]
        interpreter = self._interpreter.in_hindsight()
        groups, strays = [], []
        last_end = None
        for group, faint, promoted, rejected in self._read:
            if is_stray(group.knocks, levels):
                strays.append(RejectedImpulse.taking_back(group.knocks[0], "stray"))
                continue
            # With a stray gone, the gap before a group is measured from the group kept before it.
            group = replace(group, gap_before_s=None if last_end is None else group.start_s - last_end)
            last_end = group.end_s
            groups.append(interpreter.read(group, faint_inside=faint, accepted_faint=promoted,
                                           rejected_inside=rejected)[0])
        return groups, strays

    def trace(self) -> Trace | None:
        """Per-frame signals (only with ``keep_trace``)."""
        parts = self._detector.trace
        if parts is None:
            return None
        level, floor, novelty = (np.concatenate([p[i] for p in parts]) if parts else np.zeros(0, np.float32)
                                 for i in range(3))
        waveform = np.concatenate(self._waveform) if self._waveform else np.zeros((0, 2), np.float32)
        n = min(len(level), len(waveform))
        return Trace(self._analyzer.layout.frame_s, waveform[:n], level[:n], floor[:n], novelty[:n],
                     self._detector.threshold)

    # -- internals ----------------------------------------------------------------------------------------------
    def _keep_waveform(self, waveform) -> None:
        if waveform is not None and len(waveform):
            self._waveform.append(waveform)

    def _handle(self, detections) -> list[Event]:
        events: list[Event] = []
        for found in detections:
            if not (isinstance(found, RejectedImpulse) and found.reason == "step"):  # a step looks back
                events += self._close(self._grouper.advance(found.time_s))
            if isinstance(found, FaintPeak):
                if self._grouper.pending:
                    self._faint.append(found)
                self._grouper.hear_faint(found)
                continue
            if isinstance(found, KnockEvent):
                # The detector lets a much louder knock through its refractory time: the one before was less.
                before = self._grouper.retract(self._detector.refractory_s, found.time_s)
                if before is not None:
                    events.append(RejectedImpulse.taking_back(before, "precursor"))
                missed = self._grouper.gap_filler(found.time_s, self._faint)
                if missed is not None:
                    self._grouper.forget_faint(missed)
                    self._promoted.append(missed.knock)
                    self._grouper.add(missed.knock)
                    events.append(missed.knock)
                self._grouper.add(found)
            elif found.reason == "step":
                self._grouper.remove(found.time_s)
            elif found.reason != "echo" and self._grouper.pending:
                self._rejected.append(found)
            events.append(found)
        return events

    def _close(self, groups: list[KnockGroup]) -> list[Event]:
        events: list[Event] = []
        for group in groups:
            if group.not_knocks:
                events += [RejectedImpulse.taking_back(k, group.not_knocks) for k in group.knocks]
                events += [RejectedImpulse.taking_back(k, "outlier") for k in group.dropped]
                self._forget_until(group.end_s)
                continue
            # Faint peaks found on the group's beat when it closed: knocks, reported now.
            events += [f.knock for f in group.recovered]
            self._promoted += [f.knock for f in group.recovered]
            events += [RejectedImpulse.taking_back(k, "outlier") for k in group.dropped]
            start, end = group.start_s, group.end_s
            # Faint peaks far below the group's knocks are the room, not missed knocks.
            quietest = min(k.level_db for k in group.knocks) - OFFBEAT_DB
            counted = {k.time_s for k in group.knocks}
            inside = [f for f in self._faint
                      if start < f.time_s < end and f.knock.level_db >= quietest and f.time_s not in counted]
            promoted = [k for k in self._promoted if start <= k.time_s <= end]
            rejected = [r for r in self._rejected if start < r.time_s < end]
            decoded, reading = self._interpreter.read(group, faint_inside=inside, accepted_faint=promoted,
                                                      rejected_inside=rejected)
            if self._keep_groups:
                self._read.append((group, inside, promoted, rejected))
            self._forget_until(end)
            events.append(GroupEvent(decoded, reading))
        return events

    def _forget_until(self, end_s: float) -> None:
        """A group ending at ``end_s`` has closed: what came after its last knock belongs to whatever comes next."""
        self._faint = [f for f in self._faint if f.time_s > end_s]
        self._promoted = [k for k in self._promoted if k.time_s > end_s]
        self._rejected = [r for r in self._rejected if r.time_s > end_s]


RETRACTIONS = ("outlier", "precursor", "step", "stray", "rapid")
"""Reasons of a :class:`RejectedImpulse` that takes back a knock reported earlier (same ``time_s``)."""


def standing_knocks(events) -> list[KnockEvent]:
    """The knocks among ``events`` that still stand once later retractions are applied."""
    taken_back = {e.time_s for e in events if isinstance(e, RejectedImpulse) and e.reason in RETRACTIONS}
    return [e for e in events if isinstance(e, KnockEvent) and e.time_s not in taken_back]


def _mono(block: np.ndarray) -> np.ndarray:
    x = np.asarray(block, dtype=np.float32)
    if x.ndim == 2:
        return x.mean(axis=1) if x.shape[1] > 1 else x[:, 0]
    return x.reshape(-1)
