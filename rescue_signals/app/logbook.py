"""The current trainee's records as the scenes use them: a drill session is opened when a drill starts, every
answer is saved (committed) the moment it is given, and an interrupted drill is resumed where it stopped.

Problems with the records file never stop a drill, and never pass unseen: they stay on screen until the trainee
acknowledges them, and every answer after them is marked "not recorded".
"""

from __future__ import annotations

from rescue_signals.drill.session import DrillSession, PracticeSession, unfinished
from rescue_signals.errors import RescueSignalsError


class Logbook:
    def __init__(self, app):
        self.app = app
        self.session = None  # a DrillSession or a PracticeSession, once opened
        self.session_id: int | None = None
        self.saved = 0

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
        if self._store is None:
            return None
        return unfinished(self._store, self.app.trainee.id, scenario.id, on_problem=self._problem)

    def open_drill(self, scenario, *, resume: bool = True):
        """A drill of ``scenario``: the interrupted one continued, or a new one with a new session."""
        seed = int(self.app.rng.integers(0, 2**31 - 1))
        trainee = self.app.trainee
        self.session = DrillSession.open(self._store, getattr(trainee, "id", None), scenario, self.app.codebook,
                                         seed=seed, resume=resume, title=scenario.title.get(self.app.lang),
                                         on_problem=self._problem)
        self.session_id, self.saved = self.session.session_id, self.session.saved
        if self.session.resumed is not None:
            self.app.log("resumed", session=self.session_id, answered=self.saved)
        return self.session.drill

    def open_session(self, *, scenario_id: str, title: str, seed: int, session_uuid: str) -> None:
        """A session for practice the app runs itself (exchange, knocking), not from a scenario file."""
        trainee = self.app.trainee
        self.session = PracticeSession.open(self._store, getattr(trainee, "id", None), self.app.codebook,
                                            scenario_id=scenario_id, title=title, seed=seed,
                                            session_uuid=session_uuid, on_problem=self._problem)
        self.session_id, self.saved = self.session.session_id, 0

    @property
    def attempts(self) -> list:
        """The answers of app-run practice (see :meth:`judge`)."""
        return self.session.attempts if isinstance(self.session, PracticeSession) else []

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
        attempt, stored = self.session.judge(task=task, expected=expected, trainee_role=trainee_role,
                                             conditions=conditions, response=response, context=context,
                                             sequence=sequence, time_limit_s=time_limit_s)
        self._saved(stored)
        self.app.log("practice-answer", task=task, given=attempt.given, correct=attempt.correct,
                     reaction_s=attempt.reaction_s)
        return attempt

    def save(self, attempt) -> bool:
        """Store one answer of a scenario drill now; False (the app then marks it "not recorded") if it was not."""
        return self._saved(self.session is not None and self.session.save(attempt))

    def _saved(self, stored: bool) -> bool:
        if not stored:
            if self.app.trainee is not None:
                self.app.recording_lost = True
            return False
        self.saved += 1
        self.app.recording_lost = False  # saving works again (space freed, lock gone)
        return True

    def finish(self, score) -> None:
        """Close the session with ``score``."""
        if self.session is not None:
            self.session.finish(score)

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
