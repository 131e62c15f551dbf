"""The one streaming decoder, for the microphone and for files alike.

:class:`KnockDecoder` wires the stages, each of which owns its state and takes one settings object:
:mod:`.features` (band powers of 5 ms frames) -> :mod:`.candidates` (every sound that rises like a blow, with its
features) -> :mod:`.evidence` (P(knock) of each, from the fitted model) -> :mod:`.rhythm` (which are knocks and
where groups begin and end, decided jointly, with a posterior over each group's count) -> :mod:`.confidence`
(calibrated) -> :mod:`.reading` (the protocol's reading, the sender, notes).

It takes blocks of samples of any size and returns events: a :class:`KnockEvent` as soon as a sound is heard that
is probably a knock (within about half a second), a :class:`GroupEvent` once the silence after a group has closed
it (carrying the knocks it counted), and a :class:`RejectedImpulse` for a sound not counted, with why; one at the
time of a knock reported earlier takes that knock back. Decoding a file feeds its blocks; the events do not depend
on the block size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rescue_signals.codebook import Codebook
from rescue_signals.decode.candidates import FEATURES, Candidate, CandidateFinder, CandidateSettings
from rescue_signals.decode.events import KnockEvent, Reason, RejectedImpulse
from rescue_signals.decode.features import MIN_SAMPLE_RATE, FrameAnalyzer
from rescue_signals.decode.model import DecoderModel, default_model
from rescue_signals.decode.reading import DecodedGroup, HeardGroup, Interpreter
from rescue_signals.decode.rhythm import FinalGroup, RhythmSettings, RhythmTracker
from rescue_signals.errors import UsageError
from rescue_signals.protocol import Reading

CHUNK_SAMPLES = 1 << 16
"""Long blocks go through the band analysis in pieces of this many samples, which keeps each piece's transforms in
the processor's cache (the events do not depend on it)."""

STEP_SAMPLES = 1 << 18
"""A block longer than this (5.5 s at 48 kHz) is decoded in steps of this many samples: an hour given at once costs
no more time, and little more memory, than an hour given in blocks (the events do not depend on it)."""


@dataclass(frozen=True)
class DecoderSettings:
    """How the stages are wired, and what is shown.

    Attributes
    ----------
    candidates : CandidateSettings
    rhythm : RhythmSettings
        The fitted settings of the model replace these (see :meth:`DecoderModel.rhythm_settings`).
    show_probability : float
        A sound at least this likely a knock, on its own, is shown at once as a knock (and taken back if the rhythm
        model leaves it out).
    report_probability : float
        A sound not counted is reported with the reason when it was at least this likely a knock...
    report_snr_db : float
        ...or stood at least this far above the noise.
    echo_s : float
        A sound this soon after a louder one...
    echo_drop_db : float
        ...and at least this much fainter (0: no louder) is called its echo or rebound.
    voice : float
        Cepstral peak prominence above which a sound is called a voice (the candidates' ``voice`` features).
    click_drop_db : float
        A sound spread evenly to the top of the spectrum that falls this much in the upper bands within two frames
        (10 ms) is called a click.
    """

    candidates: CandidateSettings = field(default_factory=CandidateSettings)
    rhythm: RhythmSettings = field(default_factory=RhythmSettings)
    show_probability: float = 0.5
    report_probability: float = 0.2
    report_snr_db: float = 12.0
    echo_s: float = 0.35
    echo_drop_db: float = 0.0
    voice: float = 1.0
    click_drop_db: float = 15.0


@dataclass(frozen=True)
class GroupEvent:
    """A group of knocks, closed, read in the context of the groups before it.

    Attributes
    ----------
    group : DecodedGroup
    reading : Reading
        The protocol's reading (expectations, deviations) for those who need more than the summary.
    knocks : tuple of KnockEvent
        The knocks it counted.
    """

    group: DecodedGroup
    reading: Reading
    knocks: tuple[KnockEvent, ...] = ()

    @property
    def time_s(self) -> float:
        return self.group.end_s


Event = KnockEvent | GroupEvent | RejectedImpulse
"""What :meth:`KnockDecoder.feed` returns."""

RETRACTIONS = tuple(r.value for r in Reason)
"""Reasons of a :class:`RejectedImpulse`; one at the time of a knock reported earlier takes that knock back."""


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
        The candidates' novelty threshold.
    """

    frame_s: float
    waveform: np.ndarray
    level_db: np.ndarray
    floor_db: np.ndarray
    novelty: np.ndarray
    threshold: float


@dataclass
class _Heard:
    candidate: Candidate
    probability: float
    shown: KnockEvent | None = None

    def knock(self) -> KnockEvent:
        c = self.candidate
        return KnockEvent(c.time_s, c.strength, c.snr_db, c.level_db, c.brightness_hz, round(self.probability, 3))


class KnockDecoder:
    """Streaming knock decoder.

    Parameters
    ----------
    sample_rate : int, Hz
    codebook : Codebook
    model : DecoderModel, optional
        What the decoder has learnt (the shipped ``assets/decoder/model.npz`` by default).
    settings : DecoderSettings
    reply_window_s : float, optional
        How long a reply may take before the protocol calls it late (the codebook's by default).
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

    def __init__(self, sample_rate: int, codebook: Codebook, *, model: DecoderModel | None = None,
                 settings: DecoderSettings = DecoderSettings(), reply_window_s: float | None = None,
                 keep_trace: bool = False, keep_groups: bool = False):
        if not isinstance(sample_rate, (int, np.integer)) or sample_rate < MIN_SAMPLE_RATE:
            raise UsageError(f"a sample rate of {sample_rate} Hz is too low to hear knocks; "
                             f"at least {MIN_SAMPLE_RATE} Hz is needed")
        self.sample_rate = int(sample_rate)
        self.codebook = codebook
        self.model = model if model is not None else default_model()
        self.settings = settings
        self._analyzer = FrameAnalyzer(self.sample_rate, keep_waveform=keep_trace)
        self._finder = CandidateFinder(self._analyzer.layout, settings.candidates)
        self._tracker = RhythmTracker(self.model.rhythm_settings(settings.rhythm))
        self._interpreter = Interpreter(codebook, reply_window_s=reply_window_s)
        self._keep_trace = keep_trace
        self._keep_groups = keep_groups
        self._index = {name: FEATURES.index(name) for name in
                       ("since_prev_s", "rel_prev_db", "flatness_db", "swell_frames", "high_decay0_db",
                        "high_decay2_db", "top_decay0_db", "top_decay2_db")}
        self._voice = [FEATURES.index(n) for n in FEATURES if n.startswith("voice")]
        self.reset()

    def reset(self) -> None:
        """Forget everything heard: the next block starts a new stream at time 0."""
        self._analyzer.reset()
        self._finder.reset()
        self._tracker.reset()
        self._interpreter.reset()
        self._waveform: list[np.ndarray] = []
        if self._keep_trace:
            self._finder.keep_trace()
        self._heard: dict[int, _Heard] = {}  # candidates not yet settled, by number
        self._early: dict[int, KnockEvent] = {}  # shown early, by frame, waiting for their features
        self._numbers = 0
        self._last_end_s: float | None = None
        self._read: list[tuple[HeardGroup, float]] = []  # every group, with keep_groups

    # -- public -------------------------------------------------------------------------------------------------
    @property
    def time_s(self) -> float:
        """Seconds of audio fed so far."""
        return self._analyzer.samples_seen / self.sample_rate

    @property
    def closing_gap_s(self) -> float:
        """The silence after a group's last knock that closes it, s (a group is announced soon after)."""
        return self._tracker.settings.max_interval_s

    @property
    def pending_knocks(self) -> tuple[KnockEvent, ...]:
        """Knocks shown and not yet settled (the group still open)."""
        shown = [h.shown for h in self._heard.values() if h.shown is not None] + list(self._early.values())
        return tuple(sorted(shown, key=lambda k: k.time_s))

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
            In the order they were decided. A :class:`RejectedImpulse` at the time of a :class:`KnockEvent`
            reported earlier takes it back (:func:`standing_knocks` applies them).
        """
        samples = _mono(block)
        if samples.size > STEP_SAMPLES:
            return [event for start in range(0, samples.size, STEP_SAMPLES)
                    for event in self._feed(samples[start:start + STEP_SAMPLES])]
        return self._feed(samples)

    def _feed(self, samples: np.ndarray) -> list[Event]:
        powers = []
        for start in range(0, samples.size, CHUNK_SAMPLES):
            power, waveform = self._analyzer.feed(samples[start:start + CHUNK_SAMPLES])
            self._keep_waveform(waveform)
            powers.append(power)
        if not powers:
            return []
        # The candidates of a whole block at once: their features are measured together.
        found = self._finder.feed(np.concatenate(powers), samples)
        events = self._show_early()
        events += self._take(found)
        events += self._groups(self._tracker.advance(self._finder.decided_s))
        return events + self._settle(self._tracker.settled_s)

    def flush(self) -> list[Event]:
        """The stream has ended: decide what is left and close the last group."""
        power, waveform = self._analyzer.flush()
        self._keep_waveform(waveform)
        found = self._finder.feed(power, np.zeros(0, np.float32)) + self._finder.flush()
        events = self._show_early() + self._take(found)
        events += self._groups(self._tracker.advance(self.time_s))
        events += self._groups(self._tracker.flush(), stream_end_s=self.time_s)
        return events + self._settle(np.inf)

    def reread(self) -> list[DecodedGroup]:
        """Every group read again, knowing from the start how each side sounded by the end (needs
        ``keep_groups``): groups whose sender the exchange could not tell, before any side was certain, can then
        be told by sound; everything else reads as it did."""
        interpreter = self._interpreter.in_hindsight()
        return [interpreter.read(group, confidence=confidence)[0] for group, confidence in self._read]

    def trace(self) -> Trace | None:
        """Per-frame signals (only with ``keep_trace``)."""
        parts = self._finder.trace
        if parts is None:
            return None
        level, floor, novelty = (np.concatenate([p[i] for p in parts]).astype(np.float32) if parts
                                 else np.zeros(0, np.float32) for i in range(3))
        waveform = np.concatenate(self._waveform) if self._waveform else np.zeros((0, 2), np.float32)
        n = min(len(level), len(waveform))
        return Trace(self._analyzer.layout.frame_s, waveform[:n], level[:n], floor[:n], novelty[:n],
                     self._finder.settings.threshold)

    # -- internals ----------------------------------------------------------------------------------------------
    def _keep_waveform(self, waveform) -> None:
        if waveform is not None and len(waveform):
            self._waveform.append(waveform)

    def _show_early(self) -> list[Event]:
        """Loud sounds shown as knocks as soon as their first frames are heard, before their features."""
        events: list[Event] = []
        for c in self._finder.take_early():
            if c.frame not in self._early:
                self._early[c.frame] = KnockEvent(c.time_s, c.strength, c.snr_db, c.level_db, c.brightness_hz, None)
                events.append(self._early[c.frame])
        return events

    def _take(self, candidates: list[Candidate]) -> list[Event]:
        """Candidates just found: their evidence, into the rhythm model; the likely ones shown at once."""
        if not candidates:
            return []
        p = self.model.evidence.probability(np.stack([c.features for c in candidates]))
        events: list[Event] = []
        for c, q in zip(candidates, p):
            number = self._numbers
            self._numbers += 1
            events += self._groups(self._tracker.advance(c.time_s))
            self._tracker.add(number, c.time_s, float(q), c.level_db)
            heard = _Heard(c, float(q), self._early.pop(c.frame, None))
            if heard.shown is None and q >= self.settings.show_probability:
                heard.shown = heard.knock()
                events.append(heard.shown)
            self._heard[number] = heard
        return events

    def _groups(self, finals: list[FinalGroup], *, stream_end_s: float | None = None) -> list[Event]:
        events: list[Event] = []
        for final in finals:
            snr_db = float(np.median([self._heard[n].candidate.snr_db for n in final.knocks]))
            confidence = float(self.model.calibration.confidence(final.probability(final.count), snr_db))
            if not self.model.calibration.reported(confidence):
                events += [_rejection(self._heard.pop(n), Reason.DOUBTFUL) for n in final.knocks]
                continue
            heard = [self._heard.pop(n) for n in final.knocks]
            knocks = tuple(h.knock() for h in heard)
            events += [k for h, k in zip(heard, knocks) if h.shown is None]  # counted on the beat, not shown before
            start, end = knocks[0].time_s, knocks[-1].time_s
            rejected = []
            for number in sorted(n for n, h in self._heard.items() if start < h.candidate.time_s < end):
                rejection = self._reject(self._heard.pop(number), inside=True)
                if rejection is not None:
                    rejected.append(rejection)
            events += rejected
            ended = stream_end_s is not None and stream_end_s - end < self._tracker.settings.max_interval_s
            gap = None if self._last_end_s is None else start - self._last_end_s
            group = HeardGroup(knocks, final.counts, final.posterior, gap, ended,
                               tuple(r for r in rejected if r.reason != Reason.ECHO))
            decoded, reading = self._interpreter.read(group, confidence=confidence)
            if self._keep_groups:
                self._read.append((group, confidence))
            self._last_end_s = end
            events.append(GroupEvent(decoded, reading, knocks))
        return events

    def _settle(self, settled_s: float) -> list[Event]:
        """Candidates before ``settled_s`` that no group counted: taken back if shown, reported if notable."""
        events: list[Event] = []
        for number in sorted(n for n, h in self._heard.items() if h.candidate.time_s < settled_s):
            rejection = self._reject(self._heard.pop(number), inside=False)
            if rejection is not None:
                events.append(rejection)
        return events

    def _reject(self, heard: _Heard, *, inside: bool) -> RejectedImpulse | None:
        """Why a candidate was not counted, from its features and the rhythm model's decision (None: too slight
        a sound to mention)."""
        s = self.settings
        c, p = heard.candidate, heard.probability
        if heard.shown is None and p < s.report_probability and c.snr_db < s.report_snr_db:
            return None
        f, i = c.features, self._index
        click = f[i["flatness_db"]] >= -20.0 and min(f[i["high_decay0_db"]] - f[i["high_decay2_db"]],
                                                     f[i["top_decay0_db"]] - f[i["top_decay2_db"]]) >= s.click_drop_db
        if f[i["since_prev_s"]] <= s.echo_s and f[i["rel_prev_db"]] <= -s.echo_drop_db:
            reason = Reason.ECHO
        elif click:
            reason = Reason.CLICK  # flat to the top of the spectrum, and gone from the upper bands in two frames
        elif p >= s.show_probability:
            reason = Reason.OFF_BEAT if inside else Reason.LONE
        elif self._voice and float(f[self._voice].max()) >= s.voice:
            reason = Reason.VOICE
        elif f[i["swell_frames"]] >= 8:
            reason = Reason.SWELL
        else:
            reason = Reason.NOT_A_BLOW
        return _rejection(heard, reason)


def _rejection(heard: _Heard, reason: Reason) -> RejectedImpulse:
    """A candidate not counted, for ``reason``: the knock shown for it taken back, if it was shown."""
    if heard.shown is not None:
        return RejectedImpulse.taking_back(heard.shown, reason)
    c = heard.candidate
    return RejectedImpulse(c.time_s, reason, c.snr_db, c.level_db, round(heard.probability, 3))


def standing_knocks(events) -> list[KnockEvent]:
    """The knocks among ``events`` that still stand once later retractions are applied."""
    taken_back = {e.time_s for e in events if isinstance(e, RejectedImpulse)}
    return [e for e in events if isinstance(e, KnockEvent) and e.time_s not in taken_back]


def _mono(block: np.ndarray) -> np.ndarray:
    x = np.asarray(block, dtype=np.float32)
    if x.ndim == 2:
        return x.mean(axis=1) if x.shape[1] > 1 else x[:, 0]
    return x.reshape(-1)
