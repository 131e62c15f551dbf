"""The current trainee's records as the scenes use them: a drill session is opened when a drill starts, every
answer is saved (committed) the moment it is given, and an interrupted drill is resumed where it stopped.

Problems with the records file never stop a drill, and never pass unseen: they stay on screen until the trainee
acknowledges them, and every answer after them is marked "not recorded".
"""

from __future__ import annotations

import uuid

import numpy as np

from rescue_signals.codebook import HEADCOUNT
from rescue_signals.errors import RescueSignalsError


class Logbook:
    def __init__(self, app):
        self.app = app
        self.session_id: int | None = None
        self.saved = 0
        self.attempts: list = []  # of app-run practice (see judge)

    @property
    def _store(self):
        trainee = self.app.trainee
        if self.app.records is None or trainee is None or not hasattr(trainee, "id"):
            return None
        return self.app.records

    def _problem(self, exc: Exception) -> None:
        self.app.records_failed(str(exc))

    def unfinished(self, scenario):
        """The trainee's interrupted session of ``scenario`` with answers saved, or None."""
        store = self._store
        if store is None:
            return None
        try:
            found = store.unfinished_session(self.app.trainee.id, scenario.id)
        except RescueSignalsError as exc:
            self._problem(exc)
            return None
        return found if found is not None and found.trials_saved and found.seed is not None else None

    def open_drill(self, scenario, *, resume: bool = True):
        """A drill of ``scenario``: the interrupted one continued, or a new one with a new session."""
        from rescue_signals.drill import Drill, Profile

        cb, store = self.app.codebook, self._store
        previous = self.unfinished(scenario) if resume else None
        if previous is not None:
            try:
                earlier = [h.attempt for h in store.history(trainee_id=self.app.trainee.id)
                           if h.session_id < previous.id]
                drill = Drill(scenario, cb, rng=np.random.default_rng(previous.seed),
                              profile=Profile.from_attempts(earlier), drill_id=previous.uuid)
                drill.resume(store.attempts(previous.id))
                self.session_id = previous.id
                self.saved = len(drill.attempts)
                self.app.log("resumed", session=previous.id, answered=self.saved)
                return drill
            except RescueSignalsError as exc:
                self._problem(exc)
        seed = int(self.app.rng.integers(0, 2**31 - 1))
        profile = None
        if store is not None:
            try:
                profile = store.profile(self.app.trainee.id)
            except RescueSignalsError as exc:
                self._problem(exc)
        drill = Drill(scenario, cb, rng=np.random.default_rng(seed), profile=profile)
        self.session_id = None
        self.saved = 0
        if store is not None:
            try:
                self.session_id = store.start_session(
                    self.app.trainee.id, scenario.id, scenario_title=scenario.title.get(self.app.lang),
                    scenario_path=scenario.path, codebook_id=cb.id, seed=seed, trials_planned=drill.total,
                    session_uuid=drill.drill_id)
            except RescueSignalsError as exc:
                self._problem(exc)
        return drill

    def open_session(self, *, scenario_id: str, title: str, seed: int, session_uuid: str) -> None:
        """A session for practice the app runs itself (exchange, knocking), not from a scenario file."""
        self.session_id, self.saved = None, 0
        self.scenario_id, self.session_uuid = scenario_id, uuid.UUID(session_uuid)
        self.attempts = []
        store = self._store
        if store is None:
            return
        try:
            self.session_id = store.start_session(self.app.trainee.id, scenario_id, scenario_title=title,
                                                  codebook_id=self.app.codebook.id, seed=seed,
                                                  session_uuid=session_uuid)
        except RescueSignalsError as exc:
            self._problem(exc)

    def judge(self, *, task: str, expected, trainee_role: str, conditions, response, context=(), sequence=(),
              time_limit_s: float = 15.0):
        """Judge one answer of app-run practice by the drill rules, save it at once, and return the attempt.

        Parameters
        ----------
        task : str
            ``recognise``, ``send`` or ``respond`` (see :mod:`rescue_signals.drill`).
        expected : rescue_signals.drill.Expected
        response : rescue_signals.drill.Response
        """
        from rescue_signals.drill import RECOGNISE, UNKNOWN, Trial, evaluate
        from rescue_signals.drill.trial import text

        cb = self.app.codebook
        index = len(self.attempts)
        choices = tuple(s.id for s in cb.signals) + (HEADCOUNT, UNKNOWN) if task == RECOGNISE else ()
        trial = Trial(uuid=str(uuid.uuid5(self.session_uuid, str(index))), index=index, scenario_id=self.scenario_id,
                      task=task, trainee_role=trainee_role, context=tuple(context), sequence=tuple(sequence),
                      expected=expected, conditions=conditions, seed=0, time_limit_s=time_limit_s,
                      prompt=text("", ""), choices=choices)
        attempt = evaluate(trial, response, cb)
        self.attempts.append(attempt)
        self.save(attempt)
        self.app.log("practice-answer", task=task, given=attempt.given, correct=attempt.correct,
                     reaction_s=attempt.reaction_s)
        return attempt

    def save(self, attempt) -> bool:
        """Store one answer now; False (the app then marks it "not recorded") if it was not stored."""
        store = self._store
        if store is None or self.session_id is None:
            if self.app.trainee is not None:
                self.app.recording_lost = True
            return False
        try:
            store.save_attempt(self.session_id, attempt)
        except RescueSignalsError as exc:
            self._problem(exc)
            return False
        self.saved += 1
        self.app.recording_lost = False  # saving works again (space freed, lock gone)
        return True

    def finish(self, score) -> None:
        store = self._store
        if store is None or self.session_id is None:
            return
        try:
            store.end_session(self.session_id, score)
        except RescueSignalsError as exc:
            self._problem(exc)

    def history(self):
        """Every stored answer of the trainee, oldest first."""
        store = self._store
        if store is None:
            return []
        try:
            return store.history(trainee_id=self.app.trainee.id)
        except RescueSignalsError as exc:
            self._problem(exc)
            return []
