"""The drill session engine: one trainee's session in the records, from its start to its score.

The terminal drill and the trainer app are two front ends to it. It opens a session of a scenario (or continues
the trainee's interrupted one, with the same seed and so the same trials), saves every answer the moment it is
given, and scores and closes the session at the end. App-run practice that no scenario file describes (a whole
exchange, knocking back) is a session too, judged answer by answer by the drill rules.

Pure: the records come in as an object with the :class:`~rescue_signals.paper.records.Records` methods, times come
in with the responses, randomness as a seed. What happens when the records fail is the front end's choice: without
``on_problem`` a :class:`~rescue_signals.errors.RecordsError` is raised (the terminal stops and says
``--resume``); with it the problem is handed over and the session goes on unsaved (the app keeps drilling and
shows the problem until it is acknowledged). Either way no answer is ever reported saved when it was not.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rescue_signals.codebook import HEADCOUNT, Codebook
from rescue_signals.drill.adaptive import Profile
from rescue_signals.drill.engine import Drill
from rescue_signals.drill.scenario import Scenario
from rescue_signals.drill.scoring import Score, score
from rescue_signals.drill.trial import RECOGNISE, UNKNOWN, Attempt, Expected, Response, Trial, evaluate, text
from rescue_signals.errors import RecordsError, RescueSignalsError

Problem = Callable[[RescueSignalsError], None]


@dataclass
class _Store:
    """The records of one trainee, and what to do when they fail."""

    records: object | None  # Records, or None: nothing is saved
    trainee_id: int | None
    on_problem: Problem | None

    @property
    def usable(self) -> bool:
        return self.records is not None and self.trainee_id is not None

    def call(self, what: Callable, default=None):
        """``what(records)``; a failure is raised, or handed to ``on_problem`` (then ``default``)."""
        if not self.usable:
            return default
        try:
            return what(self.records)
        except RescueSignalsError as exc:  # RecordsError, or a damaged file's DataFileError
            if self.on_problem is None:
                raise
            self.on_problem(exc)
            return default


def unfinished(records, trainee_id: int, scenario_id: str, *, on_problem: Problem | None = None):
    """The trainee's interrupted session of ``scenario_id`` that can be continued (answers saved, seed known)."""
    store = _Store(records, trainee_id, on_problem)
    found = store.call(lambda r: r.unfinished_session(trainee_id, scenario_id))
    return found if found is not None and found.trials_saved and found.seed is not None else None


@dataclass
class DrillSession:
    """A scenario drilled by one trainee, kept in the records answer by answer.

    Attributes
    ----------
    drill : Drill
        The trials; :meth:`answer` answers them.
    session_id : int or None
        The session in the records (None when nothing can be saved).
    resumed : SessionRecord or None
        The interrupted session this one continues.
    saved : int
        Answers stored in this session so far (those of the interrupted part included).
    """

    scenario: Scenario
    drill: Drill
    session_id: int | None
    resumed: object | None
    saved: int
    _store: _Store = field(repr=False)

    @classmethod
    def open(cls, records, trainee_id: int | None, scenario: Scenario, codebook: Codebook, *, seed: int,
             resume: bool = False, title: str | None = None, on_problem: Problem | None = None) -> "DrillSession":
        """Continue the trainee's interrupted drill of ``scenario`` (``resume``), or start a new one from ``seed``.

        Parameters
        ----------
        records : Records or None
        title : str, optional
            The scenario's title as stored with the session (default: its Chinese title).
        """
        store = _Store(records, trainee_id, on_problem)
        earlier = unfinished(records, trainee_id, scenario.id, on_problem=on_problem) if resume and store.usable \
            else None
        if earlier is not None:
            profile = store.call(lambda r: r.profile(trainee_id, before_session=earlier.id))
            saved = store.call(lambda r: r.attempts(earlier.id))
            if profile is not None and saved is not None:
                drill = Drill(scenario, codebook, rng=np.random.default_rng(earlier.seed), profile=profile,
                              drill_id=earlier.uuid)
                drill.resume(saved)
                return cls(scenario, drill, earlier.id, earlier, len(drill.attempts), store)
        profile = store.call(lambda r: r.profile(trainee_id)) or Profile()
        drill = Drill(scenario, codebook, rng=np.random.default_rng(seed), profile=profile)
        session_id = store.call(lambda r: r.start_session(
            trainee_id, scenario.id, scenario_title=title if title is not None else scenario.title.get("zh"),
            scenario_path=scenario.path, codebook_id=codebook.id, seed=seed, trials_planned=drill.total,
            session_uuid=drill.drill_id))
        return cls(scenario, drill, session_id, None, 0, store)

    def next_trial(self) -> Trial | None:
        return self.drill.next_trial()

    def answer(self, trial: Trial, response: Response) -> tuple[Attempt, bool]:
        """Judge the answer to ``trial`` and save it at once; (the attempt, whether it was stored)."""
        attempt = self.drill.answer(trial, response)
        return attempt, self.save(attempt)

    def save(self, attempt: Attempt) -> bool:
        if self.session_id is None:
            return False
        stored = self._store.call(lambda r: (r.save_attempt(self.session_id, attempt), True)[1], default=False)
        self.saved += bool(stored)
        return bool(stored)

    def finish(self, result: Score | None = None) -> Score:
        """Close the session with its score (the drill scored against the scenario's pass mark, unless given)."""
        result = result if result is not None else score(self.drill.attempts, self.scenario)
        if self.session_id is not None:
            self._store.call(lambda r: r.end_session(self.session_id, result))
        return result


@dataclass
class PracticeSession:
    """App-run practice (a whole exchange, knocking back): no scenario file, each answer judged by the drill rules
    and saved the moment it is given, under ``scenario_id``."""

    scenario_id: str
    codebook: Codebook
    session_uuid: uuid.UUID
    session_id: int | None
    attempts: list[Attempt]
    saved: int
    _store: _Store = field(repr=False)

    @classmethod
    def open(cls, records, trainee_id: int | None, codebook: Codebook, *, scenario_id: str, title: str, seed: int,
             session_uuid: str, on_problem: Problem | None = None) -> "PracticeSession":
        store = _Store(records, trainee_id, on_problem)
        session_id = store.call(lambda r: r.start_session(trainee_id, scenario_id, scenario_title=title,
                                                          codebook_id=codebook.id, seed=seed,
                                                          session_uuid=session_uuid))
        return cls(scenario_id, codebook, uuid.UUID(session_uuid), session_id, [], 0, store)

    def judge(self, *, task: str, expected: Expected, trainee_role: str, conditions, response: Response,
              context=(), sequence=(), time_limit_s: float = 15.0) -> tuple[Attempt, bool]:
        """Judge one answer (``task``: ``recognise``, ``send`` or ``respond``), save it; (attempt, stored)."""
        cb, index = self.codebook, len(self.attempts)
        choices = tuple(s.id for s in cb.signals) + (HEADCOUNT, UNKNOWN) if task == RECOGNISE else ()
        trial = Trial(uuid=str(uuid.uuid5(self.session_uuid, str(index))), index=index, scenario_id=self.scenario_id,
                      task=task, trainee_role=trainee_role, context=tuple(context), sequence=tuple(sequence),
                      expected=expected, conditions=conditions, seed=0, time_limit_s=time_limit_s,
                      prompt=text("", ""), choices=choices)
        attempt = evaluate(trial, response, cb)
        self.attempts.append(attempt)
        stored = False
        if self.session_id is not None:
            stored = bool(self._store.call(lambda r: (r.save_attempt(self.session_id, attempt), True)[1],
                                           default=False))
        self.saved += stored
        return attempt, stored

    def finish(self, result: Score) -> None:
        if self.session_id is not None:
            self._store.call(lambda r: r.end_session(self.session_id, result))
