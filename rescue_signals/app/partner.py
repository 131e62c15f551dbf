"""The other side of a simulated rescue exchange, behaving like a person.

The exchange follows the codebook: the rescuers open with each signal they may send and ask the headcount, the
trapped send what only they may send, and every signal gets the replies the protocol expects (the same walk the
Learn scene shows). The simulated side waits a little before it answers, repeats a signal that was not answered in
time, answers the headcount question with its own number of people, does not answer a group it cannot understand,
and now and then knocks unevenly. Pure logic: time and randomness are passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rescue_signals.codebook import Codebook, Signal
from rescue_signals.protocol import Exchange, Group, Reading


def exchange_script(codebook: Codebook) -> list[tuple[Signal, str]]:
    """The signals that open the turns of a full exchange, in order, with who sends each.

    The rescuers' signals first (the headcount question last), then the signals only the trapped may send.
    """
    cb = codebook
    opening = [s for s in cb.signals if s.id not in (cb.acknowledgement, cb.headcount.asked_by)]
    script = [(s, cb.rescuer) for s in opening if s.rule(cb.rescuer)]
    script.append((cb.signal(cb.headcount.asked_by), cb.rescuer))
    return script + [(s, cb.trapped) for s in opening if not s.rule(cb.rescuer)]


def full_exchange(codebook: Codebook, *, headcount: int) -> list[Reading]:
    """Every group of a full exchange with its reading: each opening answered as the protocol expects."""
    ex = Exchange(codebook)
    readings = []
    for signal, role in exchange_script(codebook):
        reading = ex.observe(Group(signal.knocks, role))
        readings.append(reading)
        while reading.expects:
            want = reading.expects[0]
            reading = ex.observe(Group(want.knocks or headcount, want.role))
            readings.append(reading)
    return readings


@dataclass(frozen=True)
class Knocking:
    """A group the simulated side is about to knock."""

    group: Group
    at_s: float  # when it starts knocking (monotonic s)
    uneven: bool
    repeat: bool
    step: int  # index of the step of the exchange it is


@dataclass(frozen=True)
class Temper:
    """How the simulated person behaves (seconds are practice time: the official gaps are shortened)."""

    reply_delay_s: tuple[float, float] = (1.5, 4.0)  # waits this long (uniform) before knocking
    patience_s: float = 12.0  # repeats its signal if no reply came in this long
    max_repeats: int = 2
    uneven_probability: float = 0.3  # chance of knocking a group unevenly


class Conversation:
    """One simulated exchange between the trainee (``trainee_role``) and the other side.

    Parameters
    ----------
    codebook : Codebook
    trainee_role : str
    headcount : int
        The number of trapped people (the trainee's own number when they play the trapped side).
    rng : numpy.random.Generator
    temper : Temper
    """

    def __init__(self, codebook: Codebook, *, trainee_role: str, headcount: int, rng: np.random.Generator,
                 temper: Temper = Temper()):
        self.codebook = codebook
        self.trainee = trainee_role
        self.partner = codebook.other_role(trainee_role)
        self.headcount = headcount
        self.rng = rng
        self.temper = temper
        self.steps = full_exchange(codebook, headcount=headcount)
        self.position = 0  # the next step of the exchange still to be knocked
        self.exchange = Exchange(codebook)
        self.log: list[tuple[Reading, bool]] = []  # every group knocked, read in context, and whether on script
        self.pending: Knocking | None = None
        self.repeats = 0
        self.waiting_since_s: float | None = None  # when the partner's last group that needs a reply ended

    # -- state --------------------------------------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.position >= len(self.steps)

    def due(self) -> Reading | None:
        """The step that should come next (whoever's it is), or None at the end."""
        return None if self.finished else self.steps[self.position]

    @property
    def trainee_turn(self) -> bool:
        step = self.due()
        return step is not None and step.sender == self.trainee and self.pending is None

    # -- the trainee --------------------------------------------------------------------------------------------
    def trainee_knocked(self, count: int, *, start_s: float, end_s: float, now_s: float) -> tuple[Reading, bool]:
        """The trainee knocked a group; returns its reading and whether it was the step due."""
        step = self.due()
        on_script = step is not None and step.sender == self.trainee and count == step.count
        reading = self.exchange.observe(Group(count, self.trainee, start_s, end_s))
        self.log.append((reading, on_script))
        if on_script:
            self.position += 1
            self.repeats = 0
            self.waiting_since_s = None
        self._plan(now_s)
        return reading, on_script

    # -- the simulated side -------------------------------------------------------------------------------------
    def start(self, now_s: float) -> None:
        self._plan(now_s)

    def _plan(self, now_s: float) -> None:
        step = self.due()
        if step is None or step.sender != self.partner or self.pending is not None:
            return
        low, high = self.temper.reply_delay_s
        delay = float(self.rng.uniform(low, high))
        uneven = bool(self.rng.random() < self.temper.uneven_probability)
        self.pending = Knocking(Group(step.count, self.partner), now_s + delay, uneven, False, self.position)

    def poll(self, now_s: float) -> Knocking | None:
        """The group the simulated side starts knocking now, if any (call every frame)."""
        if self.pending is None:
            self._maybe_repeat(now_s)
        if self.pending is not None and now_s >= self.pending.at_s:
            knocking, self.pending = self.pending, None
            return knocking
        return None

    def partner_knocked(self, knocking: Knocking, *, start_s: float, end_s: float, now_s: float) -> Reading:
        """The simulated side's group has been heard in full."""
        reading = self.exchange.observe(Group(knocking.group.count, self.partner, start_s, end_s))
        self.log.append((reading, True))
        if not knocking.repeat:
            self.position += 1
        nxt = self.due()
        if nxt is not None and nxt.sender == self.trainee:
            self.waiting_since_s = now_s
        self._plan(now_s)
        return reading

    def _maybe_repeat(self, now_s: float) -> None:
        """Whoever gets no reply may repeat: the partner knocks its last signal again."""
        if self.waiting_since_s is None or self.repeats >= self.temper.max_repeats:
            return
        if now_s - self.waiting_since_s < self.temper.patience_s:
            return
        last = self.steps[self.position - 1]
        if last.sender != self.partner:
            return
        self.repeats += 1
        self.waiting_since_s = None
        self.pending = Knocking(Group(last.count, self.partner), now_s, False, True, self.position - 1)
