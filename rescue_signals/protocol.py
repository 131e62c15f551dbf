"""The exchange between rescuers and trapped people, as a pure state machine.

Feed it the groups in order (who knocked how many, and when, if known); for each it returns a :class:`Reading`:
what the group means in the context of the groups before it, what reply is expected next and from whom, and what
deviates from the codebook. Every count, name and reply comes from the :class:`~rescue_signals.codebook.Codebook`.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace

from rescue_signals.catalog import joined, plural, text
from rescue_signals.codebook import HEADCOUNT, Codebook, Text
from rescue_signals.errors import UsageError


@dataclass(frozen=True)
class Group:
    """One group of knocks: how many, sent by whom (role id, or None if unknown), and when (seconds)."""

    count: int
    sender: str | None = None
    start_s: float | None = None
    end_s: float | None = None


@dataclass(frozen=True)
class Deviation:
    """Something in the exchange that does not follow the codebook."""

    code: str  # wrong-sender | unknown-count | no-reply | late-reply | headcount-without-ack | both-calling |
    # overlap | unexpected-ack | long-group
    message: Text


@dataclass(frozen=True)
class Expectation:
    """A reply the exchange is waiting for."""

    role: str
    reply: str  # a signal id, or HEADCOUNT
    knocks: int | None  # None for a headcount (one knock per person)
    in_reply_to: int
    deadline_s: float | None


@dataclass(frozen=True)
class Reading:
    """What one group means in context."""

    index: int
    group: Group
    sender: str | None
    sender_inferred: bool
    kind: str  # "signal" | "headcount" | "unknown"
    signal: str | None  # the signal id, HEADCOUNT, or None for an unknown group
    meaning: Text
    in_reply_to: int | None
    expects: tuple[Expectation, ...]
    deviations: tuple[Deviation, ...]
    context_dependent: bool
    alternatives: tuple[str, ...] = ()  # other signal ids the same count could mean without the context
    repeat_of: int | None = None

    @property
    def count(self) -> int:
        return self.group.count

    @property
    def headcount(self) -> int | None:
        return self.group.count if self.kind == "headcount" else None


@dataclass
class _Open:
    """A signal still waiting for replies: the steps left, in order."""

    index: int
    signal: str
    sender: str | None
    steps: list[tuple[str, str | None]]  # (reply, role)
    end_s: float | None


@dataclass
class Exchange:
    """The state of one exchange; call :meth:`observe` for each group in order.

    Parameters
    ----------
    codebook : Codebook
    reply_window_s : float, optional
        How long a reply may take; the codebook's listening window by default. Drills with compressed gaps pass a
        shorter one.
    """

    codebook: Codebook
    reply_window_s: float | None = None
    readings: list[Reading] = field(default_factory=list)
    _open: _Open | None = None
    _last: Group | None = None
    _last_sender: str | None = None

    def __post_init__(self) -> None:
        if self.reply_window_s is None:
            self.reply_window_s = self.codebook.timing.reply_window_s

    # -- public -------------------------------------------------------------------------------------------------
    def observe(self, group: Group) -> Reading:
        """Read the next group in the context of the ones before it."""
        cb = self.codebook
        if group.count < 1:
            raise UsageError(f"a group has at least one knock, not {group.count}")
        if group.sender is not None and group.sender not in [r.id for r in cb.roles]:
            raise UsageError(f"unknown sender '{group.sender}'")
        deviations: list[Deviation] = []
        sender, inferred = self._infer_sender(group)
        late = self._late(group)
        if self._last is not None and self._overlaps(group, sender):
            deviations.append(Deviation("overlap", text("deviation.overlap")))
        reading = self._as_reply(group, sender, inferred, late, deviations)
        if reading is None:
            reading = self._as_new_signal(group, sender, inferred, late, deviations)
        if group.count >= cb.headcount.long_group_knocks:
            reading = replace(reading, deviations=reading.deviations + (Deviation("long-group", text(
                "deviation.long_group", n=group.count)),))
        self.readings.append(reading)
        self._last = group
        self._last_sender = sender
        return reading

    def preview(self, group: Group) -> Reading:
        """What :meth:`observe` would return for ``group``, leaving the exchange as it is."""
        trial = copy.copy(self)
        trial.readings = list(self.readings)
        trial._open = copy.deepcopy(self._open)
        return trial.observe(group)

    def expected(self) -> tuple[Expectation, ...]:
        """The replies the exchange is waiting for (the next step only)."""
        return self._expectations()

    def expire(self, now_s: float) -> Deviation | None:
        """A "no reply within the listening window" deviation if the open signal has waited too long at ``now_s``."""
        op = self._open
        if op is None or op.end_s is None or now_s - op.end_s <= self.reply_window_s:
            return None
        return self._no_reply(op)

    # -- reading ------------------------------------------------------------------------------------------------
    def _as_reply(self, group, sender, inferred, late, deviations) -> Reading | None:
        cb, op = self.codebook, self._open
        if op is None or not op.steps:
            return None
        reply, role = op.steps[0]
        if sender is not None and role is not None and sender != role:
            return None
        ack = cb.signal(cb.acknowledgement)
        headcount_next = any(r == HEADCOUNT for r, _ in op.steps)
        if reply == cb.acknowledgement and group.count == ack.knocks:
            op.steps.pop(0)
            if late:
                deviations.append(self._late_deviation(op))
            reading = self._reading(group, sender, inferred, "signal", ack.id, self._meaning(ack.id, sender),
                                    op.index, deviations, context_dependent=headcount_next and len(op.steps) > 0)
            if not op.steps:
                self._open = None
            else:
                op.end_s = group.end_s
            return self._with_expectations(reading)
        is_headcount_step = reply == HEADCOUNT
        bare_headcount = (reply == cb.acknowledgement and len(op.steps) > 1 and op.steps[1][0] == HEADCOUNT)
        if (is_headcount_step or bare_headcount) and 1 <= group.count <= cb.headcount.max_knocks:
            if bare_headcount:
                deviations.append(Deviation("headcount-without-ack", text("deviation.headcount_without_ack")))
                op.steps.pop(0)
            op.steps.pop(0)
            if late:
                deviations.append(self._late_deviation(op))
            alternatives = tuple(s.id for s in cb.signals if s.knocks == group.count)
            asker = op.sender or cb.rescuer
            self._open = _Open(len(self.readings), HEADCOUNT, sender, [(cb.acknowledgement, asker)], group.end_s)
            reading = self._reading(group, sender, inferred, "headcount", HEADCOUNT,
                                    cb.headcount.meaning.format(n=group.count), op.index, deviations,
                                    context_dependent=bool(alternatives), alternatives=alternatives)
            return self._with_expectations(reading)
        return None

    def _as_new_signal(self, group, sender, inferred, late, deviations) -> Reading:
        cb, op = self.codebook, self._open
        sig = cb.signal_for(group.count, sender) or cb.signal_for(group.count)
        repeat_of = None
        if sig is None:
            knocks = plural("count.knocks", group.count)
            deviations.append(Deviation("unknown-count", text("deviation.unknown_count", knocks=knocks)))
            reading = self._reading(group, sender, inferred, "unknown", None,
                                    text("reading.unknown", knocks=knocks), None, deviations)
            self._open = None if op is None else op
            return self._with_expectations(reading)
        if sender is not None and sig.rule(sender) is None:
            allowed = joined((cb.role(r).name for r in sig.roles), "list.or")
            deviations.append(Deviation("wrong-sender", text(
                "deviation.wrong_sender", signal=sig.name, allowed=allowed, sender=cb.role(sender).name)))
        if op is not None and op.steps:
            if op.signal == sig.id and (sender is None or op.sender in (None, sender)):
                repeat_of = op.index  # allowed: whoever gets no reply may repeat
            elif (op.signal == sig.id and sender is not None and op.sender not in (None, sender)
                  and sig.id != cb.acknowledgement):
                deviations.append(Deviation("both-calling", text(
                    "deviation.both_calling", signal=sig.name, ack=cb.signal(cb.acknowledgement).name)))
            else:
                deviations.append(self._no_reply(op))
        elif sig.id == cb.acknowledgement:
            deviations.append(Deviation("unexpected-ack", text("deviation.unexpected_ack")))
        rule = sig.rule(sender) if sender is not None else None
        replies = rule.replies if rule else (sig.senders[0].replies if len(sig.senders) == 1 or sender is None else ())
        self._open = None
        if replies:
            steps = [(r, cb.headcount.answered_by if r == HEADCOUNT else
                      (cb.other_role(sender) if sender else None)) for r in replies]
            self._open = _Open(len(self.readings), sig.id, sender, steps, group.end_s)
        alternatives = tuple(s.id for s in cb.signals if s.knocks == group.count and s.id != sig.id)
        reading = self._reading(group, sender, inferred, "signal", sig.id, self._meaning(sig.id, sender), None,
                                deviations, context_dependent=False, alternatives=alternatives, repeat_of=repeat_of)
        return self._with_expectations(reading)

    # -- helpers ------------------------------------------------------------------------------------------------
    def _infer_sender(self, group: Group) -> tuple[str | None, bool]:
        cb = self.codebook
        if group.sender is not None:
            return group.sender, False
        op = self._open
        if op is not None and op.steps and op.steps[0][1] is not None:
            reply, role = op.steps[0]
            fits_ack = reply == cb.acknowledgement and group.count == cb.signal(reply).knocks
            fits_head = reply == HEADCOUNT or (len(op.steps) > 1 and op.steps[1][0] == HEADCOUNT)
            if fits_ack or fits_head:
                return role, True
        senders = {rule.role for s in cb.signals if s.knocks == group.count for rule in s.senders}
        if len(senders) == 1:
            return senders.pop(), True
        if self._last_sender is not None:
            return cb.other_role(self._last_sender), True
        return None, True

    def _meaning(self, signal_id: str, sender: str | None) -> Text:
        sig = self.codebook.signal(signal_id)
        rule = sig.rule(sender) if sender else None
        if rule is not None:
            return rule.meaning
        if len(sig.senders) == 1 or sender is not None:
            return sig.senders[0].meaning
        # Unknown sender and the meaning differs by side: give both.
        parts = [(lang, " / ".join(f"{self.codebook.role(s.role).name.get(lang)}: {s.meaning.get(lang)}"
                                   for s in sig.senders)) for lang in self.codebook.languages]
        return Text(tuple(parts))

    def _reading(self, group, sender, inferred, kind, signal, meaning, in_reply_to, deviations, *,
                 context_dependent=False, alternatives=(), repeat_of=None) -> Reading:
        return Reading(len(self.readings), group, sender, inferred and sender is not None, kind, signal, meaning,
                       in_reply_to, (), tuple(deviations), context_dependent, tuple(alternatives), repeat_of)

    def _with_expectations(self, reading: Reading) -> Reading:
        return replace(reading, expects=self._expectations())

    def _expectations(self) -> tuple[Expectation, ...]:
        op = self._open
        if op is None or not op.steps:
            return ()
        reply, role = op.steps[0]
        knocks = None if reply == HEADCOUNT else self.codebook.signal(reply).knocks
        deadline = op.end_s + self.reply_window_s if op.end_s is not None else None
        out = [Expectation(role, reply, knocks, op.index, deadline)]
        if reply == self.codebook.acknowledgement and len(op.steps) > 1 and op.steps[1][0] == HEADCOUNT:
            out.append(Expectation(op.steps[1][1], HEADCOUNT, None, op.index, deadline))
        return tuple(out)

    def _late(self, group: Group) -> bool:
        op = self._open
        return (op is not None and op.end_s is not None and group.start_s is not None
                and group.start_s - op.end_s > self.reply_window_s)

    def _late_deviation(self, op: _Open) -> Deviation:
        return Deviation("late-reply", text("deviation.late_reply", window=self.reply_window_s))

    def _no_reply(self, op: _Open) -> Deviation:
        return Deviation("no-reply", text("deviation.no_reply", group=op.index + 1, name=self._name(op.signal)))

    def _name(self, signal_id: str) -> Text:
        if signal_id == HEADCOUNT:
            return self.codebook.headcount.name
        return self.codebook.signal(signal_id).name

    def _overlaps(self, group: Group, sender: str | None) -> bool:
        last = self._last
        return (sender is not None and self._last_sender is not None and sender != self._last_sender
                and group.start_s is not None and last.end_s is not None and group.start_s < last.end_s)


def read_exchange(codebook: Codebook, groups, *, reply_window_s: float | None = None) -> list[Reading]:
    """Read every group of an exchange in order."""
    ex = Exchange(codebook, reply_window_s)
    return [ex.observe(g) for g in groups]


_TOKEN = re.compile(r"^([A-Za-z]*)(\d+)$")


def parse_sequence(text: str, codebook: Codebook) -> list[Group]:
    """Parse ``"R5 T3 R4 T3 T7 R3"`` (or ``"5 4 3"``) into groups.

    Each token is an optional role symbol from the codebook followed by a knock count.

    Raises
    ------
    UsageError
        A token is not a count, names an unknown side, or is out of range.
    """
    tokens = text.replace(",", " ").split()
    if not tokens:
        raise UsageError("the sequence is empty; write groups of knocks such as \"R5 T3\" or \"5 4 3\"")
    symbols = [r.symbol for r in codebook.roles]
    groups = []
    for token in tokens:
        m = _TOKEN.match(token)
        if not m:
            raise UsageError(f"'{token}' is not a group of knocks; write a count, optionally after "
                             f"{' or '.join(symbols)} (e.g. \"{symbols[0]}5 {symbols[-1]}3\")")
        symbol, count = m.group(1), int(m.group(2))
        role = None
        if symbol:
            found = codebook.role_by_symbol(symbol)
            if found is None:
                raise UsageError(f"'{token}': unknown side '{symbol}'; use {' or '.join(symbols)}")
            role = found.id
        if not 1 <= count <= codebook.headcount.max_knocks:
            raise UsageError(f"'{token}': a group has 1 to {codebook.headcount.max_knocks} knocks")
        groups.append(Group(count, role))
    return groups


def format_sequence(groups, codebook: Codebook) -> str:
    """The inverse of :func:`parse_sequence`."""
    return " ".join(f"{codebook.role(g.sender).symbol if g.sender else ''}{g.count}" for g in groups)
