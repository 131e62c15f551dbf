"""What a group of heard knocks says: its reading in the exchange, who probably sent it, and how sure that is.

The count is always the number of knocks heard; the reading comes from the protocol state machine, which knows
what the groups before it asked for. Who sent a group is what the protocol says when it can tell (a reply that was
expected, a signal only one side sends); otherwise the group is compared by sound with groups whose sender was
certain: knocks from the listener's own side are louder and brighter than knocks that came a long way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from rescue_signals.catalog import joined, text
from rescue_signals.codebook import Codebook, Text
from rescue_signals.decode.events import KnockEvent, RejectedImpulse
from rescue_signals.protocol import Exchange, Group, Reading

LEVEL_SCALE_DB = 6.0
"""A difference in loudness of this much counts as one unit of acoustic distance between two groups."""

BRIGHTNESS_SCALE_OCTAVES = 0.5
"""A difference in brightness of this many octaves counts as one unit."""

SAME_SIDE_DISTANCE = 1.0
"""Groups closer than this (in units) sound like the same side..."""

OTHER_SIDE_DISTANCE = 2.0
"""...and farther than this like the other side; in between the sound does not tell."""

UNEVEN_CV = 0.25
"""Spacing whose coefficient of variation exceeds this is called uneven."""

MISSED_FACTOR = 1.7
"""An interval this many times the group's median interval may hide a missed knock."""

WEAK_SNR_DB = 6.0
"""A knock less than this above the noise is called barely audible."""

UNSURE = 0.8
"""A group whose count is less likely than this says which other counts it could be."""


@dataclass(frozen=True)
class HeardGroup:
    """A group as the rhythm model settled it, before it is read.

    Attributes
    ----------
    knocks : tuple of KnockEvent
    counts, posterior : tuple
        The rhythm model's posterior over the count (0: no group at all), most likely first.
    gap_before_s : float or None, s
        From the last knock of the group before to this group's first, or None for the first group.
    ended_by_stream : bool
        The stream ended before the silence that closes a group was complete.
    rejected_inside : tuple of RejectedImpulse
        Sounds between its first and last knock that were not counted.
    """

    knocks: tuple[KnockEvent, ...]
    counts: tuple[int, ...]
    posterior: tuple[float, ...]
    gap_before_s: float | None
    ended_by_stream: bool = False
    rejected_inside: tuple[RejectedImpulse, ...] = ()

    @property
    def count(self) -> int:
        return len(self.knocks)

    @property
    def start_s(self) -> float:
        return self.knocks[0].time_s

    @property
    def end_s(self) -> float:
        return self.knocks[-1].time_s

    @property
    def times_s(self) -> np.ndarray:
        return np.array([k.time_s for k in self.knocks])

    @property
    def intervals_s(self) -> np.ndarray:
        return np.diff(self.times_s)

    def probability(self, count: int) -> float:
        """The rhythm model's posterior probability of ``count`` knocks (0: no group)."""
        return dict(zip(self.counts, self.posterior)).get(count, 0.0)


@dataclass(frozen=True)
class DecodedGroup:
    """One group of knocks as heard, with its reading.

    Attributes
    ----------
    index : int
        0-based position in the recording.
    count : int
        Knocks heard (always as heard, whatever the reading).
    start_s, end_s : float, s
        Onsets of the first and the last knock.
    knock_times_s : tuple of float, s
    confidence : float
        0 to 1: the calibrated probability that the count is right (of all groups reported at 0.9, about 9 in 10
        are counted right).
    count_alternatives : tuple of (int, float)
        Other counts it could be, with their probability (0 knocks: not a group at all), most likely first; given
        when the confidence is below :data:`UNSURE`.
    kind : str
        ``"signal"``, ``"headcount"`` or ``"unknown"`` (from the protocol).
    signal : str or None
        Signal id, ``"headcount"``, or None for a count that means nothing here.
    meaning : Text
        The reading in context, in every language of the codebook.
    notes : tuple of Text
        Why the reading may be wrong, and what deviates from the codebook.
    sender : str or None
        Role id of the side that probably knocked.
    sender_basis : str or None
        ``"protocol"`` (the exchange tells), ``"sound"`` (loudness and brightness match a known side),
        ``"turn-taking"`` (the other side than the group before), or None.
    context_dependent : bool
        The same count would mean something else without the groups before it.
    alternatives : tuple of str
        Signal ids the count could mean out of context.
    in_reply_to : int or None
        Index of the group this one answers.
    deviations : tuple of str
        Codes of the protocol deviations (see :class:`rescue_signals.protocol.Deviation`).
    level_db : float, dB
        Median level of its knocks.
    brightness_hz : float, Hz
        Median brightness of its knocks.
    """

    index: int
    count: int
    start_s: float
    end_s: float
    knock_times_s: tuple[float, ...]
    confidence: float
    count_alternatives: tuple[tuple[int, float], ...]
    kind: str
    signal: str | None
    meaning: Text
    notes: tuple[Text, ...]
    sender: str | None
    sender_basis: str | None
    context_dependent: bool
    alternatives: tuple[str, ...]
    in_reply_to: int | None
    deviations: tuple[str, ...]
    level_db: float
    brightness_hz: float


@dataclass
class _Profile:
    level_db: float
    octave: float
    groups: int = 1


class Interpreter:
    """Reads closed groups in order, keeping the exchange and what each side sounds like.

    Parameters
    ----------
    codebook : Codebook
    reply_window_s : float, optional
        Passed to the protocol (the codebook's listening window by default).
    """

    def __init__(self, codebook: Codebook, *, reply_window_s: float | None = None):
        self.codebook = codebook
        self.reply_window_s = reply_window_s
        self.reset()

    def reset(self) -> None:
        self.exchange = Exchange(self.codebook, self.reply_window_s)
        self._profiles: dict[str, _Profile] = {}
        self._count = 0

    def in_hindsight(self) -> "Interpreter":
        """A fresh interpreter that already knows how each side sounded by the end of this one's recording, to
        read the groups again: the first groups, heard before any side was certain, can then be told by sound."""
        again = Interpreter(self.codebook, reply_window_s=self.reply_window_s)
        again._profiles = {role: replace(p) for role, p in self._profiles.items()}
        return again

    def read(self, group: HeardGroup, *, confidence: float) -> tuple[DecodedGroup, Reading]:
        """The decoded group and its protocol reading.

        Parameters
        ----------
        group : HeardGroup
        confidence : float
            The calibrated probability that the count is right.
        """
        cb = self.codebook
        level = float(np.median([k.level_db for k in group.knocks]))
        brightness = float(np.median([k.brightness_hz for k in group.knocks]))
        sender, basis = self._sender(group, level, brightness)
        reading = self.exchange.observe(Group(group.count, sender, group.start_s, group.end_s))
        if basis is None and reading.sender is not None:
            basis = "turn-taking"
        if basis == "protocol" and reading.sender is not None:
            self._learn(reading.sender, level, brightness)
        notes = _assess(cb, group, reading)
        if basis == "sound":
            notes.append(text("note.sender_by_sound"))
        alternatives = _alternatives(group, confidence)
        if alternatives:
            listed = ", ".join(f"{c}: {p:.0%}" for c, p in alternatives)
            notes.append(text("note.count_unsure", listed=listed))
        decoded = DecodedGroup(
            index=self._count, count=group.count, start_s=group.start_s, end_s=group.end_s,
            knock_times_s=tuple(float(t) for t in group.times_s), confidence=round(float(confidence), 3),
            count_alternatives=alternatives,
            kind=reading.kind, signal=reading.signal, meaning=reading.meaning, notes=tuple(notes),
            sender=reading.sender, sender_basis=basis, context_dependent=reading.context_dependent,
            alternatives=reading.alternatives, in_reply_to=reading.in_reply_to,
            deviations=tuple(d.code for d in reading.deviations), level_db=round(level, 1),
            brightness_hz=round(brightness, 1))
        self._count += 1
        return decoded, reading

    # -- who knocked ----------------------------------------------------------------------------------------------
    def _sender(self, group: HeardGroup, level: float, brightness: float) -> tuple[str | None, str | None]:
        """The sender to tell the protocol (None: let it infer) and the basis of the guess."""
        cb = self.codebook
        trial = self.exchange.preview(Group(group.count, None, group.start_s, group.end_s))
        only = {rule.role for s in cb.signals if s.knocks == group.count for rule in s.senders}
        if trial.sender is not None and (trial.in_reply_to is not None or len(only) == 1):
            return None, "protocol"
        by_sound = self._by_sound(level, brightness)
        if by_sound is not None:
            return by_sound, "sound"
        return None, None

    def _by_sound(self, level: float, brightness: float) -> str | None:
        octave = float(np.log2(max(brightness, 1.0)))
        distances = {role: abs(level - p.level_db) / LEVEL_SCALE_DB + abs(octave - p.octave) /
                     BRIGHTNESS_SCALE_OCTAVES for role, p in self._profiles.items()}
        if not distances:
            return None
        if len(distances) == 2:
            (near, d_near), (far, d_far) = sorted(distances.items(), key=lambda kv: kv[1])
            return near if d_far - d_near >= SAME_SIDE_DISTANCE else None
        (role, d), = distances.items()
        if d <= SAME_SIDE_DISTANCE:
            return role
        if d >= OTHER_SIDE_DISTANCE:
            return self.codebook.other_role(role)
        return None

    def _learn(self, role: str, level: float, brightness: float) -> None:
        octave = float(np.log2(max(brightness, 1.0)))
        p = self._profiles.get(role)
        if p is None:
            self._profiles[role] = _Profile(level, octave)
            return
        p.groups += 1
        weight = 1.0 / min(p.groups, 8)  # a running mean that keeps following slow changes
        p.level_db += weight * (level - p.level_db)
        p.octave += weight * (octave - p.octave)


def _alternatives(group: HeardGroup, confidence: float) -> tuple[tuple[int, float], ...]:
    """Other counts than the one heard, sharing what the confidence leaves in the posterior's proportions.

    Calibration can state the heard count as less likely than its posterior says (in deep noise, say); an
    alternative then gets no more than the same proportion of its own posterior, so that it is never stated as
    likelier than the count heard unless the posterior itself holds it likelier. What is left over is the chance
    of something else again (a group that is not one, a count further off)."""
    if confidence >= UNSURE:
        return ()
    others = [(c, p) for c, p in zip(group.counts, group.posterior) if c != group.count]
    rest = sum(p for _, p in others)
    if rest <= 0:
        return ()
    heard = group.probability(group.count)
    scale = (1.0 - confidence) / rest
    if heard > 0:
        scale = min(scale, confidence / heard)
    shares = [(c, scale * p) for c, p in others]
    return tuple((int(c), round(float(q), 3)) for c, q in shares if q >= 0.05)[:3]


def _assess(cb: Codebook, group: HeardGroup, reading: Reading) -> list[Text]:
    """What a reader of the group should know: uneven spacing, a weak or missed knock, sounds not counted, a
    reading that depends on the groups before, deviations from the codebook."""
    notes: list[Text] = []
    t = cb.timing
    intervals = group.intervals_s
    if len(intervals) >= 2:
        spread = float(np.std(intervals) / np.mean(intervals))
        lo, hi = float(intervals.min()), float(intervals.max())
        if spread > UNEVEN_CV or lo < t.knock_interval_min_s or hi > t.knock_interval_max_s * 1.25:
            notes.append(text("note.uneven", lo=lo, hi=hi))
        for k, gap in enumerate(intervals):
            if gap > MISSED_FACTOR * np.median(np.delete(intervals, k)):
                at = float(group.times_s[k] + gap / 2)
                notes.append(text("note.missed", at=clock_text(at)))
    elif len(intervals) == 1 and not t.knock_interval_min_s <= intervals[0] <= t.knock_interval_max_s * 1.25:
        notes.append(text("note.two_knocks", gap=float(intervals[0])))
    weakest = min(group.knocks, key=lambda k: k.snr_db)
    if weakest.snr_db < WEAK_SNR_DB:
        notes.append(text("note.barely_audible", at=clock_text(weakest.time_s)))
    for impulse in group.rejected_inside[:3]:
        notes.append(text("note.not_counted", at=clock_text(impulse.time_s), why=impulse.message))
    if group.ended_by_stream:
        notes.append(text("note.ends_inside"))
    if reading.context_dependent:
        names = [cb.signal(a).name for a in reading.alternatives]
        notes.append(text("note.context_alone", names=joined(names, "list.and")) if names else text("note.context"))
    for deviation in reading.deviations:
        notes.append(deviation.message)
    return notes


def clock_text(time_s: float) -> str:
    """``m:ss.s`` (or ``h:mm:ss.s``) for a time in seconds."""
    tenths = int(round(max(0.0, time_s) * 10))
    minutes, tenths = divmod(tenths, 600)
    hours, minutes = divmod(minutes, 60)
    seconds = f"{tenths // 10:02d}.{tenths % 10}"
    return f"{hours}:{minutes:02d}:{seconds}" if hours else f"{minutes}:{seconds}"
