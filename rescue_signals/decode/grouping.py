"""Grouping knocks: a group ends when the silence after its last knock is clearly longer than its spacing.

People knock anywhere from 0.4 s to 2 s apart and drift, and drills shorten the 30 s between groups, so no fixed
gap separates groups. The gap that closes a group is :data:`GAP_FACTOR` times the spacing the sender is using now
(the median of the group's last few intervals; before the second knock, the spacing of earlier groups, or the
codebook's), but never less than :data:`MIN_GAP_FACTOR` times the codebook's longest spacing for a group that has
only one knock so far. Once gaps between groups have been seen, a closing gap longer than most of them is not
waited for: the group closes at :data:`SEEN_GAP_SHARE` of the typical gap, if that is still well above the spacing.
"""

from __future__ import annotations

import statistics
from collections import deque
from dataclasses import dataclass

import numpy as np

from rescue_signals.codebook import Timing
from rescue_signals.decode.detector import KnockEvent

GAP_FACTOR = 2.5
"""A silence this many times the current spacing ends a group (a missed knock doubles one spacing; jitter adds
a little more)."""

MIN_GAP_FACTOR = 1.1
"""Before a group's second knock, the closing gap is at least this times the codebook's longest spacing."""

SEEN_GAP_SHARE = 0.6
"""With gaps between groups already seen, a group closes after this share of their median..."""

SEEN_GAP_MIN_FACTOR = 1.6
"""...as long as that is at least this many times the current spacing."""

RECENT_INTERVALS = 4
"""Intervals of the current group that define its spacing."""

OUTLIER_DB = 20.0
"""A knock this much fainter than the median of its group is another sound (a touch, a scrape, a click)..."""

OFFBEAT_DB = 8.0
"""...and so is one this much fainter that falls between two beats of the group."""

STRAY_DB = 12.0
"""A lone knock, with no other in its group, this much fainter than the knocks of the groups before it is a stray
sound of the place (a drill's burst, a word, a drop), not a reply: it is reported, not counted..."""

STRAY_AFTER_KNOCKS = 4
"""...once this many knocks in groups of two or more have shown how loud the knocks are."""

RAPID_FACTOR = 0.6
"""A "group" whose sounds follow each other this many times the codebook's shortest spacing apart or closer (median;
0.24 s for 0.4 s) is not knocking: the syllables of speech after a pause, a machine's rattle. Its sounds are
reported, not counted. (A double strike's rebound, tens of ms after its blow, is part of the knock already.)"""

BURST_PERCENTILE = 90.0
"""The loudness of the noise's own bursts: this percentile of the levels of the faint peaks heard lately (rises that
nearly passed for knocks)..."""

BURST_MIN_PEAKS = 10
"""...once this many have been heard (a steady noise gives few)."""

RHYTHM_TOLERANCE = 0.15
"""A faint peak within this share of the spacing from where a missing knock was due counts as that knock..."""

WEAK_KNOCK_DB = 14.0
"""...if it is at most this much fainter than the group's knocks (a weak blow, not another sound)."""

LEAD_BEATS = 2
"""When a group closes, faint peaks on its beat are looked for up to this many beats before its first knock (and
after its last, up to the silence that closed it): in noise the first and last blows are missed as often as the
rest..."""

EDGE_KNOCK_DB = 3.0
"""...but there, with a knock on one side only, a faint peak counts only if it is at most this much fainter than the
group's knocks (in a drill's or a fan's noise, peaks of the noise fall on any beat now and then)."""


@dataclass(frozen=True)
class KnockGroup:
    """Knocks heard together, with what grouping knew when it closed them.

    Attributes
    ----------
    knocks : tuple of KnockEvent
        Including those in ``recovered``.
    dropped : tuple of KnockEvent
        Sounds reported as knocks that the group shows were something else (see :data:`OUTLIER_DB`).
    threshold_s : float, s
        The silence after the last knock that closed the group.
    gap_before_s : float or None, s
        From the last knock of the previous group to this group's first, or None for the first group.
    ended_by_stream : bool
        True when the stream ended before that silence was complete (the group may not be finished).
    recovered : tuple of FaintPeak
        Faint peaks counted as knocks when the group closed, because they fall on its beat.
    burst_level_db : float or None, dB
        How loud the noise's own bursts were when the group closed (see :data:`BURST_PERCENTILE`), or None when
        the noise gave too few to tell.
    not_knocks : str or None
        Why these sounds are not a group of knocks, when they are not (a key of the detector's ``REASONS``):
        ``"stray"``, a lone sound far fainter than the knocks before it (see :data:`STRAY_DB`); ``"rapid"``, sounds
        too close together for knocks (see :data:`RAPID_FACTOR`).
    """

    knocks: tuple[KnockEvent, ...]
    dropped: tuple[KnockEvent, ...]
    threshold_s: float
    gap_before_s: float | None
    ended_by_stream: bool = False
    recovered: tuple = ()
    not_knocks: str | None = None
    burst_level_db: float | None = None

    @property
    def stray(self) -> bool:
        return self.not_knocks == "stray"

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


class Grouper:
    """Streaming grouping of knocks.

    Parameters
    ----------
    timing : Timing
        The codebook's timing (nominal, shortest and longest spacing).
    """

    def __init__(self, timing: Timing):
        self.timing = timing
        self.reset()

    def reset(self) -> None:
        self._current: list[KnockEvent] = []
        self._aside: list[KnockEvent] = []  # sounds far fainter than the open group's knocks: dropped when it closes
        self._spacings: deque[float] = deque(maxlen=24)  # intervals of recent finished groups
        self._gaps: deque[float] = deque(maxlen=12)  # gaps between recent groups
        self._last_end: float | None = None
        self._faint: list = []  # faint peaks since the last group ended (FaintPeak)
        self._levels: deque[float] = deque(maxlen=32)  # levels of the knocks of recent groups of two or more
        self._bursts: deque[float] = deque(maxlen=64)  # levels of the faint peaks heard lately

    @property
    def pending(self) -> tuple[KnockEvent, ...]:
        """Knocks of the group still open."""
        return tuple(self._current)

    def spacing_s(self) -> float:
        """The spacing the sender is using now: from the open group, else from earlier groups, else nominal, s."""
        times = [k.time_s for k in self._current[-(RECENT_INTERVALS + 1):]]
        # statistics.median: these lists are a handful long, and this runs for every block of a stream.
        if len(times) >= 2:
            return float(statistics.median(b - a for a, b in zip(times, times[1:])))
        return float(statistics.median(self._spacings)) if self._spacings else self.timing.knock_interval_s

    def gap_filler(self, time_s: float, faint: list):
        """The faint peak that fills a missing beat before a knock at ``time_s``, or None.

        When the interval from the open group's last knock to ``time_s`` is about twice the group's spacing and a
        faint peak lies where the beat in between was due, that peak was a weak knock. Needs two knocks of the
        group (its own spacing), in the range the codebook allows.

        Parameters
        ----------
        faint : list of FaintPeak
        """
        if len(self._current) < 2:
            return None
        spacing = self.spacing_s()
        t = self.timing
        if not t.knock_interval_min_s <= spacing <= t.knock_interval_max_s * 1.25:
            return None
        last = self._current[-1].time_s
        if abs(time_s - last - 2 * spacing) > 2 * RHYTHM_TOLERANCE * spacing:
            return None
        due = 0.5 * (last + time_s)
        quietest = float(np.median([k.level_db for k in self._current])) - WEAK_KNOCK_DB
        near = [f for f in faint if abs(f.time_s - due) <= RHYTHM_TOLERANCE * spacing and f.knock.level_db >= quietest]
        return max(near, key=lambda f: f.novelty) if near else None

    def hear_faint(self, peak) -> None:
        """A faint peak (FaintPeak): kept while it may still turn out to be on a group's beat."""
        self._bursts.append(peak.knock.level_db)
        if not self._current:
            lead = LEAD_BEATS * self.timing.knock_interval_max_s * (1.25 + RHYTHM_TOLERANCE)
            self._faint = [f for f in self._faint if f.time_s > peak.time_s - lead]
        self._faint.append(peak)

    def forget_faint(self, peak) -> None:
        """Take back a faint peak that was counted as a knock on its own (see :meth:`gap_filler`)."""
        self._faint = [f for f in self._faint if f is not peak]

    def threshold_s(self) -> float:
        """The silence after the last knock that would close the open group now, s."""
        t = self.timing
        # Hands knock no faster than the codebook's shortest spacing: a sound just before a knock cannot set it.
        spacing = max(self.spacing_s(), t.knock_interval_min_s)
        if len(self._current) >= 2:
            gap = GAP_FACTOR * spacing
        else:
            gap = max(GAP_FACTOR * spacing, MIN_GAP_FACTOR * t.knock_interval_max_s)
        if self._gaps:
            seen = SEEN_GAP_SHARE * float(statistics.median(self._gaps))
            gap = min(gap, max(seen, SEEN_GAP_MIN_FACTOR * spacing))
        return gap

    def add(self, knock: KnockEvent) -> list[KnockGroup]:
        """Add a knock; returns the group it closes, if its gap ends the open one."""
        closed = self.advance(knock.time_s)
        if (len(self._current) >= 2
                and knock.level_db < statistics.median(k.level_db for k in self._current) - OUTLIER_DB):
            # Far too faint to be one of this group's knocks: it must not hold the group open either.
            self._aside.append(knock)
        else:
            self._current.append(knock)
        return closed

    def retract(self, within_s: float, time_s: float) -> KnockEvent | None:
        """Take back the open group's last knock if it lies within ``within_s`` before ``time_s``."""
        if self._current and time_s - self._current[-1].time_s < within_s:
            return self._current.pop()
        return None

    def remove(self, time_s: float) -> bool:
        """Take the knock at ``time_s`` out of the open group; False if it is not there."""
        for kept in (self._current, self._aside):
            for i, knock in enumerate(kept):
                if knock.time_s == time_s:
                    del kept[i]
                    return True
        return False

    def advance(self, now_s: float) -> list[KnockGroup]:
        """Close the open group if the silence up to ``now_s`` (no knock before it unheard) is long enough.

        Whether a group closes depends only on the knock times, never on how often this is called, so a stream
        gives the same groups however it is cut into blocks.
        """
        if self._current and now_s - self._current[-1].time_s > self.threshold_s():
            # Faint peaks on the beat after the last knock keep the group open: a run of weak blows in noise.
            trailing = [f.time_s for f in self._on_beat(trailing_only=True)]
            if now_s - max(trailing, default=self._current[-1].time_s) > self.threshold_s():
                return [self._close(by_stream=False)]
        return []

    def flush(self, end_s: float) -> list[KnockGroup]:
        """Close the open group at the end of the stream (``end_s``).

        The group counts as cut off by the end only when the stream ended before one and a half spacings of
        silence: time enough for another knock.
        """
        if not self._current:
            return []
        silence = end_s - self._current[-1].time_s
        return [self._close(by_stream=silence < 1.5 * self.spacing_s())]

    def _close(self, *, by_stream: bool) -> KnockGroup:
        threshold = self.threshold_s()
        recovered = self._on_beat()
        if recovered:
            self._current = sorted(self._current + [f.knock for f in recovered], key=lambda k: k.time_s)
        knocks, dropped = _without_outliers(self._current)
        dropped = tuple(sorted(dropped + tuple(self._aside), key=lambda k: k.time_s))
        self._current = []
        self._aside = []
        self._faint = []
        recovered = tuple(f for f in recovered if f.knock in knocks)
        if is_stray(knocks, self._levels):
            return KnockGroup(knocks, dropped, threshold, None, by_stream, recovered, not_knocks="stray")
        intervals = np.diff([k.time_s for k in knocks])
        if len(intervals) and statistics.median(intervals) < RAPID_FACTOR * self.timing.knock_interval_min_s:
            return KnockGroup(knocks, dropped, threshold, None, by_stream, recovered, not_knocks="rapid")
        if len(knocks) >= 2:
            self._levels.extend(k.level_db for k in knocks)
        gap_before = None if self._last_end is None else knocks[0].time_s - self._last_end
        if gap_before is not None:
            self._gaps.append(gap_before)
        self._spacings.extend(intervals.tolist())
        self._last_end = knocks[-1].time_s
        bursts = (float(np.percentile(self._bursts, BURST_PERCENTILE)) if len(self._bursts) >= BURST_MIN_PEAKS
                  else None)
        return KnockGroup(knocks, dropped, threshold, gap_before, by_stream, recovered, burst_level_db=bursts)

    def _beat(self) -> float | None:
        """The open group's beat, s: the intervals of its knocks (but those :data:`OFFBEAT_DB` fainter than most)
        as whole numbers of one spacing (knocks may be missing), or the spacing of earlier groups for a group of one
        knock; None when the intervals fit no beat in the codebook's range."""
        t = self.timing
        times = np.array([k.time_s for k in self._current])
        if len(times) >= 3:  # sounds far fainter than the group (a voice after it) do not set its rhythm
            loud = ~_offbeat_faint(np.array([k.level_db for k in self._current]))
            if loud.sum() >= 2:
                times = times[loud]
        if len(times) < 2:
            return float(np.median(self._spacings)) if self._spacings else None
        intervals = np.diff(times)
        base = float(intervals.min())
        if self._spacings:  # a group heard with every other knock missing still keeps the sender's spacing
            usual = float(np.median(self._spacings))
            if abs(base / usual - round(base / usual)) <= 2 * RHYTHM_TOLERANCE:
                base = base / max(1, round(base / usual))
        beats = np.maximum(1, np.round(intervals / base))
        if np.abs(intervals / base - beats).max() > 2 * RHYTHM_TOLERANCE:
            return None
        beat = float(intervals.sum() / beats.sum())
        return beat if t.knock_interval_min_s <= beat <= t.knock_interval_max_s * 1.25 else None

    def _on_beat(self, *, trailing_only: bool = False) -> list:
        """Faint peaks that fall where a beat of the open group was due and no knock was heard: inside it, up to
        :data:`LEAD_BEATS` before its first knock (after the group before it), and after its last knock, one beat
        after another (the peaks kept are those heard before the silence that closed it)."""
        beat = self._beat()
        if beat is None or not self._faint:
            return []
        times = [k.time_s for k in self._current]
        quietest = float(np.median([k.level_db for k in self._current])) - WEAK_KNOCK_DB
        candidates = [f for f in self._faint if f.knock.level_db >= quietest]
        edge_quietest = quietest + WEAK_KNOCK_DB - EDGE_KNOCK_DB
        tolerance = RHYTHM_TOLERANCE * beat
        found = []

        def take(due: float):
            near = [f for f in candidates if abs(f.time_s - due) <= tolerance and f not in found
                    and (times[0] < f.time_s < times[-1] or f.knock.level_db >= edge_quietest)]
            if not near:
                return None
            best = max(near, key=lambda f: f.novelty)
            found.append(best)
            return best

        for a, b in zip(times, times[1:]) if not trailing_only else ():
            missing = max(0, int(round((b - a) / beat)) - 1)  # a faint sound may sit between two beats
            step = (b - a) / (missing + 1)
            for j in range(1, missing + 1):
                take(a + j * step)
        earliest = (self._last_end if self._last_end is not None else -np.inf) + beat
        t = times[0]
        for _ in range(0 if trailing_only else LEAD_BEATS):
            if t - beat < earliest or (peak := take(t - beat)) is None:
                break
            t = peak.time_s
        t = times[-1]
        while (peak := take(t + beat)) is not None:
            t = peak.time_s
        return found


def is_stray(knocks, levels) -> bool:
    """True for a lone knock far fainter (:data:`STRAY_DB`) than the knocks whose levels are ``levels`` (those of
    groups of two or more; at least :data:`STRAY_AFTER_KNOCKS` of them)."""
    return (len(knocks) == 1 and len(levels) >= STRAY_AFTER_KNOCKS
            and knocks[0].level_db < float(np.median(levels)) - STRAY_DB)


def _offbeat_faint(levels: np.ndarray) -> np.ndarray:
    """Which of a group's knock levels (dB) are :data:`OFFBEAT_DB` or more under its median: too faint to set its
    beat, and not knocks if they fall off it."""
    return levels <= float(np.median(levels)) - OFFBEAT_DB


def _without_outliers(knocks: list[KnockEvent]) -> tuple[tuple[KnockEvent, ...], tuple[KnockEvent, ...]]:
    """The group's knocks without the sounds that are far fainter than its knocks (and those dropped).

    Dropped: anything :data:`OUTLIER_DB` under the group's median level; and anything :data:`OFFBEAT_DB` under it
    that is off the beat: between two beats, or before the first or after the last at a spacing unlike the rest.
    """
    if len(knocks) < 3:
        return tuple(knocks), ()
    levels = np.array([k.level_db for k in knocks])
    times = np.array([k.time_s for k in knocks])
    typical = float(np.median(levels))
    keep = levels > typical - OUTLIER_DB
    faint = _offbeat_faint(levels)

    def beat() -> float:
        kept = times[keep & ~faint]
        return float(np.median(np.diff(kept))) if kept.size >= 2 else 0.0

    spacing = beat()
    if spacing <= 0:
        return tuple(knocks), ()
    on_beat = (0.8 * spacing, 1.25 * spacing)
    for i in np.flatnonzero(faint & keep):
        if 0 < i < len(knocks) - 1 and on_beat[0] <= times[i + 1] - times[i - 1] <= on_beat[1]:
            keep[i] = False  # without it, its neighbours are one beat apart: it fell between two beats
    # Faint sounds trailing (or leading) the group at a spacing unlike the group's.
    for order in (range(len(knocks) - 1, 0, -1), range(0, len(knocks) - 1)):
        for i in order:
            if not keep[i]:
                continue
            neighbours = [j for j in (range(i - 1, -1, -1) if order.step < 0 else range(i + 1, len(knocks)))
                          if keep[j]]
            if not faint[i] or not neighbours:
                break
            on_the_beat = on_beat[0] <= abs(times[i] - times[neighbours[0]]) <= on_beat[1]
            if on_the_beat and levels[i] > typical - WEAK_KNOCK_DB:
                break  # a weak blow on the beat; fainter still, it is another sound that happened to fall there
            keep[i] = False
    if keep.sum() < 2:
        return tuple(knocks), ()
    return (tuple(k for k, ok in zip(knocks, keep) if ok), tuple(k for k, ok in zip(knocks, keep) if not ok))
