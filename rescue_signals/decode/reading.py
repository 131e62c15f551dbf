"""What a group of heard knocks says: its reading in the exchange, who probably sent it, and how sure that is.

The count is always the number of knocks heard; the reading comes from the protocol state machine, which knows
what the groups before it asked for. Who sent a group is what the protocol says when it can tell (a reply that was
expected, a signal only one side sends); otherwise the group is compared by sound with groups whose sender was
certain: knocks from the listener's own side are louder and brighter than knocks that came a long way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from rescue_signals.codebook import Codebook, Text
from rescue_signals.decode.detector import KnockEvent, RejectedImpulse
from rescue_signals.decode.grouping import KnockGroup
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

BURST_MARGIN_DB = 3.0
"""A group whose loudest knock is less than this above the noise's own bursts (a rock drill's, water's, speech's)
may be one of them: said, and the confidence halved."""


def _t(zh: str, en: str) -> Text:
    return Text((("zh", zh), ("en", en)))


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
        0 to 1: how sure the count and the reading are.
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

    def read(self, group: KnockGroup, *, faint_inside: list, accepted_faint: list[KnockEvent],
             rejected_inside: list[RejectedImpulse]) -> tuple[DecodedGroup, Reading]:
        """The decoded group and its protocol reading.

        Parameters
        ----------
        group : KnockGroup
        faint_inside : list of FaintPeak
            Faint peaks heard between the group's first and last knock and not counted.
        accepted_faint : list of KnockEvent
            Knocks of the group that were faint but fell in its rhythm.
        rejected_inside : list of RejectedImpulse
            Impulses rejected (other than echoes) during the group.
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
        notes, confidence = _assess(cb, group, reading, faint_inside, accepted_faint, rejected_inside)
        if basis == "sound":
            notes.append(_t("发送方由声音的响度和明亮度推断", "sender told apart by loudness and brightness"))
        decoded = DecodedGroup(
            index=self._count, count=group.count, start_s=group.start_s, end_s=group.end_s,
            knock_times_s=tuple(float(t) for t in group.times_s), confidence=round(confidence, 3),
            kind=reading.kind, signal=reading.signal, meaning=reading.meaning, notes=tuple(notes),
            sender=reading.sender, sender_basis=basis, context_dependent=reading.context_dependent,
            alternatives=reading.alternatives, in_reply_to=reading.in_reply_to,
            deviations=tuple(d.code for d in reading.deviations), level_db=round(level, 1),
            brightness_hz=round(brightness, 1))
        self._count += 1
        return decoded, reading

    # -- who knocked ----------------------------------------------------------------------------------------------
    def _sender(self, group: KnockGroup, level: float, brightness: float) -> tuple[str | None, str | None]:
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


def _assess(cb: Codebook, group: KnockGroup, reading: Reading, faint_inside, accepted_faint,
            rejected_inside) -> tuple[list[Text], float]:
    """Warnings about a group, and the confidence (0..1) that its count and reading are right."""
    notes: list[Text] = []
    confidence = 1.0
    t = cb.timing
    intervals = group.intervals_s
    if len(intervals) >= 2:
        median = float(np.median(intervals))
        spread = float(np.std(intervals) / np.mean(intervals))
        lo, hi = float(intervals.min()), float(intervals.max())
        if spread > UNEVEN_CV or lo < t.knock_interval_min_s or hi > t.knock_interval_max_s * 1.25:
            notes.append(_t(f"敲击间隔不均匀（{lo:.1f}–{hi:.1f} 秒）", f"uneven spacing ({lo:.1f}–{hi:.1f} s)"))
            confidence *= 1.0 - min(0.3, max(0.0, spread - 0.15))
        for k, gap in enumerate(intervals):
            if len(intervals) >= 2 and gap > MISSED_FACTOR * np.median(np.delete(intervals, k)):
                at = float(group.times_s[k] + gap / 2)
                notes.append(_t(f"{clock_text(at)} 附近可能漏听了一次较弱的敲击",
                                f"a weak knock may have been missed near {clock_text(at)}"))
                confidence *= 0.6
    elif len(intervals) == 1 and not t.knock_interval_min_s <= intervals[0] <= t.knock_interval_max_s * 1.25:
        notes.append(_t(f"两次敲击相隔 {intervals[0]:.1f} 秒", f"the two knocks are {intervals[0]:.1f} s apart"))
        confidence *= 0.85
    weakest = min(group.knocks, key=lambda k: k.snr_db)
    confidence *= 0.5 + 0.5 * min(1.0, max(0.0, (weakest.snr_db - 3.0) / 12.0))
    if weakest.snr_db < WEAK_SNR_DB:
        notes.append(_t(f"{clock_text(weakest.time_s)} 的敲击仅略高于噪声",
                        f"the knock at {clock_text(weakest.time_s)} is barely above the noise"))
    for knock in accepted_faint:
        notes.append(_t(f"{clock_text(knock.time_s)} 的微弱声音因符合节奏而计为敲击",
                        f"a faint sound at {clock_text(knock.time_s)} was counted because it keeps the rhythm"))
        confidence *= 0.85
    if faint_inside:
        times = ", ".join(clock_text(f.time_s) for f in faint_inside[:3])
        notes.append(_t(f"组内有未计入的微弱声音（{times}）", f"faint sounds inside the group were not counted ({times})"))
        confidence *= 0.9 ** min(3, len(faint_inside))
    for impulse in rejected_inside:
        notes.append(_t(f"{clock_text(impulse.time_s)} 的声音未计入：{impulse.message.get('zh')}",
                        f"the sound at {clock_text(impulse.time_s)} was not counted: {impulse.message.get('en')}"))
        confidence *= 0.85
    loudest = max(k.level_db for k in group.knocks)
    if group.burst_level_db is not None and loudest < group.burst_level_db + BURST_MARGIN_DB:
        notes.append(_t("这一组不比周围噪声中的突发声响亮，可能只是噪声",
                        "no louder than the bursts of the noise around it: it may be noise"))
        confidence *= 0.5
    if group.ended_by_stream:
        notes.append(_t("录音在这一组中结束，这一组可能不完整", "the recording ends inside this group; it may be incomplete"))
        confidence *= 0.7
    if group.gap_before_s is not None and group.gap_before_s < 1.5 * group.threshold_s:
        notes.append(_t(f"与前一组仅隔 {group.gap_before_s:.1f} 秒，两组可能是一组",
                        f"only {group.gap_before_s:.1f} s after the group before; they may be one group"))
        confidence *= 0.8
    if reading.context_dependent:
        names = [cb.signal(a).name for a in reading.alternatives]
        other = f"（单看也可能是：{'、'.join(n.get('zh') for n in names)}）" if names else ""
        other_en = f" (alone it could be: {', '.join(n.get('en') for n in names)})" if names else ""
        notes.append(_t(f"这一理解依赖前面的信号{other}", f"this reading depends on the groups before it{other_en}"))
        confidence *= 0.9
    for deviation in reading.deviations:
        notes.append(deviation.message)
        if deviation.code == "long-group":
            confidence *= max(0.6, 1.0 - 0.02 * (group.count - cb.headcount.long_group_knocks + 1))
    return notes, float(min(1.0, max(0.0, confidence)))


def clock_text(time_s: float) -> str:
    """``m:ss.s`` (or ``h:mm:ss.s``) for a time in seconds."""
    tenths = int(round(max(0.0, time_s) * 10))
    minutes, tenths = divmod(tenths, 600)
    hours, minutes = divmod(minutes, 60)
    seconds = f"{tenths // 10:02d}.{tenths % 10}"
    return f"{hours}:{minutes:02d}:{seconds}" if hours else f"{minutes}:{seconds}"
