"""The trial engine: turns a scenario into trials, one at a time, and judges the answers.

The UI asks :meth:`Drill.next_trial`, plays and measures, then submits a :class:`Response` to :meth:`Drill.answer`
and gets an :class:`Attempt` back. Randomness comes from the ``numpy.random.Generator`` passed in, so a drill with
the same seed and the same answers gives the same trials (which is how an interrupted drill is resumed).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

import numpy as np

from rescue_signals.catalog import joined, text
from rescue_signals.codebook import HEADCOUNT, Codebook, Text
from rescue_signals.errors import UsageError
from rescue_signals.protocol import Group, Reading, read_exchange
from rescue_signals.synth.conditions import Conditions

from rescue_signals.drill.adaptive import Profile, StaircaseState, draw_weights
from rescue_signals.drill.scenario import DrawStep, ExchangeStep, RecogniseStep, Scenario, SendStep, Setting
from rescue_signals.drill.trial import (RECOGNISE, RESPOND, SEND, UNKNOWN, Attempt, Expected, Response, Trial,
                                        evaluate)


@dataclass(frozen=True)
class _Slot:
    """One trial still to come: its step, and for an exchange the position of the trainee's group."""

    step: RecogniseStep | SendStep | ExchangeStep | DrawStep
    position: int = -1


class Drill:
    """A drill of one scenario for one trainee.

    Parameters
    ----------
    scenario : Scenario
    codebook : Codebook
        Must be the codebook the scenario was checked against.
    rng : numpy.random.Generator
        Source of every random choice (order, drawn signals, rendering seeds, trial ids).
    profile : Profile, optional
        The trainee's history: weak signals come up more often, and the SNR staircase starts near the last
        estimate.
    drill_id : str, optional
        A UUID that makes this drill's trial ids unique (store it with the session to resume the drill). A fresh
        one if not given: it is an identity, not a random choice, so the trials themselves still depend on
        ``rng`` alone.
    """

    def __init__(self, scenario: Scenario, codebook: Codebook, *, rng: np.random.Generator,
                 profile: Profile | None = None, drill_id: str | None = None):
        if scenario.codebook_id != codebook.id:
            raise UsageError(f"scenario '{scenario.id}' is written for codebook '{scenario.codebook_id}', "
                             f"not '{codebook.id}'")
        self.scenario = scenario
        self.codebook = codebook
        self._rng = rng
        self._profile = profile or Profile()
        self._id = uuid.UUID(drill_id) if drill_id else uuid.uuid4()
        staircase = scenario.adaptive.snr
        self.staircase = (StaircaseState.start(staircase, previous_estimate_db=self._profile.snr_estimate_db)
                          if staircase else None)
        steps = list(scenario.steps)
        if scenario.shuffle:
            steps = [steps[i] for i in rng.permutation(len(steps))]
        self._slots = [slot for step in steps for _ in range(_repeats(step)) for slot in _slots(step)]
        self._attempts: list[Attempt] = []
        self._pending: Trial | None = None

    # -- public -------------------------------------------------------------------------------------------------
    @property
    def drill_id(self) -> str:
        return str(self._id)

    @property
    def attempts(self) -> tuple[Attempt, ...]:
        return tuple(self._attempts)

    @property
    def total(self) -> int:
        """How many trials the drill has."""
        return len(self._slots)

    @property
    def finished(self) -> bool:
        return len(self._attempts) >= len(self._slots)

    @property
    def profile(self) -> Profile:
        """The trainee's profile including this drill's answers."""
        return replace(self._profile, snr_estimate_db=self.snr_estimate_db)

    @property
    def snr_estimate_db(self) -> float | None:
        """This drill's estimate of the SNR at which the trainee gets the target share right (dB), if adaptive."""
        if self.staircase is None:
            return self._profile.snr_estimate_db
        est = self.staircase.estimate_db
        return est if est is not None else self._profile.snr_estimate_db

    def next_trial(self) -> Trial | None:
        """The next trial, or None when the drill is over. Until it is answered, the same trial again."""
        if self._pending is not None:
            return self._pending
        if self.finished:
            return None
        index = len(self._attempts)
        self._pending = self._make(self._slots[index], index)
        return self._pending

    def answer(self, trial: Trial, response: Response) -> Attempt:
        """Judge the response to the pending trial and move on.

        Raises
        ------
        UsageError
            ``trial`` is not the trial waiting for an answer (already answered, or from another drill).
        """
        if self._pending is None or trial.uuid != self._pending.uuid:
            raise UsageError(f"trial {trial.index + 1} is not waiting for an answer")
        attempt = evaluate(trial, response, self.codebook)
        self._attempts.append(attempt)
        self._profile = self._profile.with_attempt(attempt)
        if self.staircase is not None and trial.adaptive_snr:
            self.staircase = self.staircase.after(attempt.accepted)
        self._pending = None
        return attempt

    def resume(self, attempts) -> None:
        """Replay saved attempts of an interrupted drill (same scenario, seed and drill id) to continue it.

        Raises
        ------
        UsageError
            The saved attempts do not belong to this drill.
        """
        for saved in sorted(attempts, key=lambda a: a.trial.index):
            trial = self.next_trial()
            if trial is None or trial.as_dict() != saved.trial.as_dict():
                raise UsageError("the saved answers do not belong to this drill (another scenario, seed or version)")
            self.answer(trial, saved.response)

    # -- making trials ------------------------------------------------------------------------------------------
    def _make(self, slot: _Slot, index: int) -> Trial:
        step = slot.step
        if isinstance(step, RecogniseStep):
            return self._recognise(step, step.context, step.played, step.expect, index)
        if isinstance(step, DrawStep):
            context, played = self._drawn(step)
            return self._recognise(step, context, played, None, index)
        if isinstance(step, SendStep):
            exp = self._expected(read_exchange(self.codebook, [step.group])[-1])
            return self._trial(step.setting, index, SEND, step.group.sender, (), (), exp,
                               self._send_prompt(exp))
        return self._respond(step, slot.position, index)

    def _recognise(self, step, context, played, expect, index) -> Trial:
        reading = read_exchange(self.codebook, [*context, *played])[-1]
        exp = self._expected(reading)
        if expect is not None and expect != exp.label:
            exp = replace(exp, label=expect)
        listener = self.codebook.other_role(reading.sender) if reading.sender else self.scenario.trainee
        prompt = text("drill.prompt.last_group")
        choices = tuple(s.id for s in self.codebook.signals) + (HEADCOUNT, UNKNOWN)
        return self._trial(step.setting, index, RECOGNISE, listener, tuple(context), tuple(played), exp, prompt,
                           choices)

    def _respond(self, step: ExchangeStep, position: int, index: int) -> Trial:
        script = step.script
        previous = max((i for i in range(position) if script[i].sender == step.trainee), default=-1)
        context, played = script[:previous + 1], script[previous + 1:position]
        reading = read_exchange(self.codebook, script[:position + 1])[-1]
        exp = self._expected(reading)
        if reading.in_reply_to is None:
            prompt = self._send_prompt(exp)
        elif exp.label == HEADCOUNT:
            prompt = text("drill.prompt.reply_headcount", n=exp.count)
        else:
            prompt = text("drill.prompt.reply")
        return self._trial(step.setting, index, RESPOND, step.trainee, context, played, exp, prompt)

    def _drawn(self, step: DrawStep) -> tuple[tuple[Group, ...], tuple[Group, ...]]:
        cb, rng = self.codebook, self._rng
        weights = draw_weights(step.labels, self._profile, weak_signals=self.scenario.adaptive.weak_signals)
        label = step.labels[int(rng.choice(len(step.labels), p=weights))]
        hc = cb.headcount
        if label == HEADCOUNT:
            ask = Group(cb.signal(hc.asked_by).knocks, cb.rescuer)
            ack = Group(cb.signal(hc.acknowledged_with).knocks, hc.answered_by)
            n = int(rng.integers(step.headcount_min, step.headcount_max + 1))
            return ((ask, ack) if hc.acknowledge_first else (ask,)), (Group(n, hc.answered_by),)
        sig = cb.signal(label)
        sender = sig.roles[int(rng.integers(len(sig.roles)))]
        if label == cb.acknowledgement:
            # an acknowledgement only means something after a signal that asks for it
            asking = [(s, r.role) for s in cb.signals for r in s.senders
                      if r.role != sender and r.replies[:1] == (label,)]
            s, role = asking[int(rng.integers(len(asking)))]
            return (Group(s.knocks, role),), (Group(sig.knocks, sender),)
        return (), (Group(sig.knocks, sender),)

    def _expected(self, reading: Reading) -> Expected:
        codes = {d.code for d in reading.deviations}
        if reading.kind == "headcount":
            return Expected(HEADCOUNT, reading.count, reading.sender, reading.meaning)
        if reading.kind == "unknown" or "wrong-sender" in codes:
            # a count the code does not give that side is no signal at all, whatever it would mean from the other
            why = joined((d.message for d in reading.deviations if d.code != "long-group"), "drill.expected.separator")
            return Expected(UNKNOWN, reading.count, reading.sender, text("drill.expected.not_a_signal", why=why))
        return Expected(reading.signal, reading.count, reading.sender, reading.meaning)

    def _send_prompt(self, exp: Expected) -> Text:
        if exp.label == HEADCOUNT:
            return text("drill.prompt.knock_headcount", n=exp.count)
        sig = self.codebook.signal(exp.label)
        return text("drill.prompt.knock", name=sig.name, meaning=exp.meaning)

    def _trial(self, setting: Setting, index: int, task: str, role: str, context, played, exp: Expected,
               prompt: Text, choices=()) -> Trial:
        conditions: Conditions = setting.conditions
        adaptive = self.staircase is not None and bool(played)
        if adaptive:
            conditions = replace(conditions, snr_db=round(self.staircase.level_db, 2))
        return Trial(
            uuid=str(uuid.uuid5(self._id, str(index))), index=index, scenario_id=self.scenario.id, task=task,
            trainee_role=role, context=tuple(context), sequence=tuple(played), expected=exp, conditions=conditions,
            seed=int(self._rng.integers(0, 2**31 - 1)), time_limit_s=setting.time_limit_s, prompt=prompt,
            choices=tuple(choices), note=setting.note, adaptive_snr=adaptive)


def _repeats(step) -> int:
    return 1 if isinstance(step, DrawStep) else step.repeat


def _slots(step) -> list[_Slot]:
    if isinstance(step, ExchangeStep):
        return [_Slot(step, i) for i, g in enumerate(step.script) if g.sender == step.trainee]
    if isinstance(step, DrawStep):
        return [_Slot(step)] * step.trials
    return [_Slot(step)]
