"""One trial of a drill, what the trainee answered, and how that answer is judged.

A :class:`Trial` carries everything needed to play it again exactly (the groups, the acoustic conditions and the
seed). The UI measures a :class:`Response`; :func:`evaluate` turns the pair into an :class:`Attempt`, the value
that is scored and stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rescue_signals.catalog import say
from rescue_signals.codebook import HEADCOUNT, Codebook, Text
from rescue_signals.datafile import did_you_mean
from rescue_signals.errors import UsageError
from rescue_signals.protocol import Group
from rescue_signals.synth.conditions import Conditions

UNKNOWN = "unknown"
"""Answer label: the group is not a signal of the code (and must not be answered as one)."""

NO_ANSWER = "none"
"""Answer label: nothing was answered."""

MISCOUNT = "miscount"
"""Answer label: a headcount was expected and a different number was given."""

RECOGNISE = "recognise"
"""Task: hear the played groups and say what the last one means."""

SEND = "send"
"""Task: knock a named signal (nothing is played first)."""

RESPOND = "respond"
"""Task: play one side of an exchange: hear the other side and knock the right reply."""

TASKS = (RECOGNISE, SEND, RESPOND)


def text(zh: str, en: str) -> Text:
    """A piece of program text in both languages of the shipped codebook."""
    return Text((("zh", zh), ("en", en)))


def _text_dict(t: Text | None) -> dict | None:
    return None if t is None else dict(t.translations)


def _text_from(d: dict | None) -> Text | None:
    return None if d is None else Text(tuple(d.items()))


def _groups_dict(groups) -> list[dict]:
    return [{"count": g.count, "sender": g.sender} for g in groups]


def _groups_from(items) -> tuple[Group, ...]:
    return tuple(Group(int(g["count"]), g.get("sender")) for g in items)


@dataclass(frozen=True)
class Expected:
    """The right answer of a trial.

    Attributes
    ----------
    label : str
        A signal id, :data:`HEADCOUNT` or :data:`UNKNOWN`.
    count : int
        Knocks in the group the answer is about (for a headcount: the number of people).
    sender : str or None
        Role id of whoever knocks that group.
    meaning : Text
        What the group means, for feedback.
    """

    label: str
    count: int
    sender: str | None
    meaning: Text


@dataclass(frozen=True)
class Trial:
    """A trial as presented to the trainee.

    Attributes
    ----------
    uuid : str
        Unique id; storing the same trial twice keeps one copy.
    index : int
        0-based position in the drill.
    scenario_id : str
    task : str
        :data:`RECOGNISE`, :data:`SEND` or :data:`RESPOND`.
    trainee_role : str
        The side the trainee plays (role id).
    context : tuple of Group
        Groups already exchanged before this trial (shown, not played).
    sequence : tuple of Group
        Groups played now, in order; empty when the trainee starts (a :data:`SEND` trial).
    expected : Expected
    conditions : Conditions
        How ``sequence`` sounds; with ``seed`` it renders exactly the same audio again.
    seed : int
        Seed of the rendering.
    time_limit_s : float, s
        The answer must come within this time after the last knock was heard.
    prompt : Text
        What the trainee is asked to do.
    choices : tuple of str
        Answer labels a UI offers for a recognition (signal ids, :data:`HEADCOUNT`, :data:`UNKNOWN`).
    note : Text or None
        The scenario's explanation, shown after the answer.
    adaptive_snr : bool
        True when ``conditions.snr_db`` was set by the staircase.
    """

    uuid: str
    index: int
    scenario_id: str
    task: str
    trainee_role: str
    context: tuple[Group, ...]
    sequence: tuple[Group, ...]
    expected: Expected
    conditions: Conditions
    seed: int
    time_limit_s: float
    prompt: Text
    choices: tuple[str, ...] = ()
    note: Text | None = None
    adaptive_snr: bool = False

    @property
    def snr_db(self) -> float | None:
        """Signal-to-noise ratio the played groups are heard at (None without noise), dB."""
        if not self.sequence or not self.conditions.noises:
            return None
        return 20.0 if self.conditions.snr_db is None else self.conditions.snr_db

    @property
    def knocked(self) -> bool:
        """True when the trainee answers by knocking (sending a signal or replying)."""
        return self.task in (SEND, RESPOND)

    def as_dict(self) -> dict:
        """Plain data (JSON friendly) that :meth:`from_dict` turns back into an equal trial."""
        e = self.expected
        return {
            "uuid": self.uuid, "index": self.index, "scenario_id": self.scenario_id, "task": self.task,
            "trainee_role": self.trainee_role, "context": _groups_dict(self.context),
            "sequence": _groups_dict(self.sequence),
            "expected": {"label": e.label, "count": e.count, "sender": e.sender, "meaning": _text_dict(e.meaning)},
            "conditions": self.conditions.as_dict(), "seed": self.seed, "time_limit_s": self.time_limit_s,
            "prompt": _text_dict(self.prompt), "choices": list(self.choices), "note": _text_dict(self.note),
            "adaptive_snr": self.adaptive_snr,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Trial":
        e = d["expected"]
        return cls(
            uuid=d["uuid"], index=int(d["index"]), scenario_id=d["scenario_id"], task=d["task"],
            trainee_role=d["trainee_role"], context=_groups_from(d["context"]), sequence=_groups_from(d["sequence"]),
            expected=Expected(e["label"], int(e["count"]), e.get("sender"), _text_from(e["meaning"])),
            conditions=Conditions.from_dict(d["conditions"]), seed=int(d["seed"]),
            time_limit_s=float(d["time_limit_s"]), prompt=_text_from(d["prompt"]), choices=tuple(d["choices"]),
            note=_text_from(d.get("note")), adaptive_snr=bool(d.get("adaptive_snr", False)))


@dataclass(frozen=True)
class Response:
    """What the UI measured for one trial.

    Attributes
    ----------
    answer : str, int or None
        A label (signal id, :data:`UNKNOWN`), a number (a headcount, or how many knocks), or None when the
        trainee answered by knocking only (``knock_times_s``) or not at all.
    heard_s : float or None, s
        Monotonic time when the last played knock reached the trainee (from the playback), or when the prompt
        was shown if nothing was played.
    answered_s : float or None, s
        Monotonic time of the answer: the first knock for a knocked answer. None when nothing was answered.
    knock_times_s : tuple of float, s
        Monotonic times of the trainee's knocks, for knocked answers.
    visual_beats : bool or None
        The knocks were also shown on screen (flashes, text beats), not only heard; None when not known (answers
        stored before this was recorded).
    """

    answer: str | int | None
    heard_s: float | None
    answered_s: float | None
    knock_times_s: tuple[float, ...] = field(default=())
    visual_beats: bool | None = None

    def as_dict(self) -> dict:
        return {"answer": self.answer, "heard_s": self.heard_s, "answered_s": self.answered_s,
                "knock_times_s": list(self.knock_times_s), "visual_beats": self.visual_beats}

    @classmethod
    def from_dict(cls, d: dict) -> "Response":
        beats = d.get("visual_beats")
        return cls(d.get("answer"), d.get("heard_s"), d.get("answered_s"), tuple(d.get("knock_times_s") or ()),
                   None if beats is None else bool(beats))


@dataclass(frozen=True)
class Attempt:
    """A trial with its response, judged.

    Attributes
    ----------
    given : str
        Label of the answer: a signal id, :data:`HEADCOUNT`, :data:`MISCOUNT`, :data:`UNKNOWN` or
        :data:`NO_ANSWER`.
    given_count : int or None
        The number answered or knocked, if any.
    correct : bool
        The content of the answer is right (whatever the timing).
    reaction_s : float or None, s
        ``answered_s - heard_s``; negative for a false start.
    false_start : bool
        The answer came before the last knock was heard.
    timed_out : bool
        No answer, or one later than the trial's time limit.
    mean_interval_s, interval_error_s, interval_abs_error_s, interval_cv : float or None
        For knocked answers of two or more knocks: the mean spacing (s), its signed and mean absolute difference
        from the codebook's spacing (s), and the spread of the spacing (standard deviation / mean).
    """

    trial: Trial
    response: Response
    given: str
    given_count: int | None
    correct: bool
    reaction_s: float | None
    false_start: bool
    timed_out: bool
    mean_interval_s: float | None = None
    interval_error_s: float | None = None
    interval_abs_error_s: float | None = None
    interval_cv: float | None = None

    @property
    def accepted(self) -> bool:
        """Right, in time and not a false start: what accuracy counts."""
        return self.correct and not self.false_start and not self.timed_out

    @property
    def expected(self) -> str:
        return self.trial.expected.label

    def as_dict(self) -> dict:
        return {"trial": self.trial.as_dict(), "response": self.response.as_dict(), "given": self.given,
                "given_count": self.given_count, "correct": self.correct, "reaction_s": self.reaction_s,
                "false_start": self.false_start, "timed_out": self.timed_out,
                "mean_interval_s": self.mean_interval_s, "interval_error_s": self.interval_error_s,
                "interval_abs_error_s": self.interval_abs_error_s, "interval_cv": self.interval_cv}

    @classmethod
    def from_dict(cls, d: dict) -> "Attempt":
        return cls(trial=Trial.from_dict(d["trial"]), response=Response.from_dict(d["response"]), given=d["given"],
                   given_count=d.get("given_count"), correct=bool(d["correct"]), reaction_s=d.get("reaction_s"),
                   false_start=bool(d["false_start"]), timed_out=bool(d["timed_out"]),
                   mean_interval_s=d.get("mean_interval_s"), interval_error_s=d.get("interval_error_s"),
                   interval_abs_error_s=d.get("interval_abs_error_s"), interval_cv=d.get("interval_cv"))


def evaluate(trial: Trial, response: Response, codebook: Codebook) -> Attempt:
    """Judge a response to a trial.

    A knocked answer is judged by how many knocks there were; a chosen one by its label (a number given to a
    recognition is a headcount). Reaction time runs from ``heard_s`` to ``answered_s`` (the first knock for a
    knocked answer).
    """
    knocks = tuple(sorted(response.knock_times_s))
    answered_s = response.answered_s
    if knocks and answered_s is None:
        answered_s = knocks[0]
    given, given_count = _label(trial, response.answer, len(knocks), codebook)
    exp = trial.expected
    if exp.label == HEADCOUNT:
        correct = given == HEADCOUNT and given_count == exp.count
    else:
        correct = given == exp.label
    reaction = None
    if answered_s is not None and response.heard_s is not None:
        reaction = float(answered_s - response.heard_s)
    false_start = reaction is not None and reaction < 0
    timed_out = given == NO_ANSWER or (reaction is not None and reaction > trial.time_limit_s)
    stats = _interval_stats(knocks, codebook.timing.knock_interval_s)
    return Attempt(trial, response, given, given_count, correct, reaction, false_start, timed_out, *stats)


def _label(trial: Trial, answer, knocked: int, codebook: Codebook) -> tuple[str, int | None]:
    exp = trial.expected
    count = knocked or (answer if isinstance(answer, int) and not isinstance(answer, bool) else None)
    if count is not None:
        if exp.label == HEADCOUNT:
            return (HEADCOUNT if count == exp.count else MISCOUNT), count
        if trial.task == RECOGNISE:  # a bare number given to a recognition is a headcount
            return HEADCOUNT, count
        sig = codebook.signal_for(count, trial.trainee_role) or codebook.signal_for(count)
        return (sig.id if sig else UNKNOWN), count
    if answer is None or answer == "":
        return NO_ANSWER, None
    answer = str(answer)
    known = [s.id for s in codebook.signals] + [HEADCOUNT, UNKNOWN]
    if answer not in known:
        raise UsageError(f"'{answer}' is not an answer{did_you_mean(answer, known)}; answer with one of "
                         f"{', '.join(known)}, or a number")
    return answer, None


def _interval_stats(knocks: tuple[float, ...], nominal_s: float) -> tuple[float | None, ...]:
    if len(knocks) < 2:
        return None, None, None, None
    intervals = np.diff(np.asarray(knocks, dtype=float))
    mean = float(intervals.mean())
    cv = float(intervals.std() / mean) if mean > 0 else None
    return mean, mean - nominal_s, float(np.abs(intervals - nominal_s).mean()), cv


def label_name(label: str, codebook: Codebook, lang: str, count: int | None = None) -> str:
    """How an answer label reads to a person: the signal's name and knocks, "headcount 9", "not a signal"."""
    if label == HEADCOUNT:
        name = codebook.headcount.name.get(lang)
        return f"{name} {count}" if count is not None else name
    if label == UNKNOWN:
        return say("drill.label.unknown", lang)
    if label == NO_ANSWER:
        return say("drill.label.no_answer", lang)
    if label == MISCOUNT:
        return say("drill.label.miscount_n", lang, n=count) if count else say("drill.label.miscount", lang)
    sig = codebook.signal(label)
    return say("drill.label.signal", lang, name=sig.name, n=sig.knocks)
