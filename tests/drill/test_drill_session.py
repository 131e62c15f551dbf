"""The drill session engine that the terminal drill and the app both run on: a session opened in the records,
every answer stored the moment it is given, an interrupted drill continued with the same trials, a score at the
end; and problems with the records either raised or handed to the front end, never an answer reported saved that
was not. On real SQLite files."""
import ast
import sqlite3
from pathlib import Path

import pytest

from rescue_signals.codebook import default_codebook
from rescue_signals.drill import Expected, Response, find_scenario
from rescue_signals.drill.session import DrillSession, PracticeSession
from rescue_signals.errors import RecordsError
from rescue_signals.paper.records import Records
from rescue_signals.synth.conditions import Conditions

CB = default_codebook()
LESSON = find_scenario("first-lesson")
PACKAGE = Path(__file__).resolve().parents[2] / "rescue_signals"


def right(trial):
    exp = trial.expected
    if trial.task == "recognise":
        return Response(exp.label, heard_s=10.0, answered_s=11.2)
    return Response(None, heard_s=10.0, answered_s=11.0,
                    knock_times_s=tuple(11.0 + 1.0 * i for i in range(exp.count)))


def stored(db):
    with sqlite3.connect(db) as conn:  # another reader: only what is committed
        return conn.execute("SELECT trial_index, given FROM trials ORDER BY trial_index").fetchall()


def test_a_session_is_opened_each_answer_stored_at_once_and_the_score_closes_it(tmp_path):
    db = tmp_path / "records.sqlite3"
    with Records(db) as records:
        trainee = records.ensure_trainee("Li Wei")
        session = DrillSession.open(records, trainee.id, LESSON, CB, seed=7, title="First lesson")
        opened = records.session(session.session_id)
        assert opened.scenario_id == LESSON.id and opened.seed == 7 and opened.ended_at is None
        n = 0
        while (trial := session.next_trial()) is not None:
            attempt, saved = session.answer(trial, right(trial))
            n += 1
            assert saved and attempt.correct and len(stored(db)) == n
        result = session.finish()
        closed = records.session(session.session_id)
    assert result.passed and closed.passed and closed.ended_at is not None
    assert n == LESSON.trial_count and session.saved == n


def test_an_interrupted_drill_continues_with_the_same_trials_in_the_same_session(tmp_path):
    db = tmp_path / "records.sqlite3"
    with Records(db) as records:
        trainee = records.ensure_trainee("Li Wei")
        first = DrillSession.open(records, trainee.id, LESSON, CB, seed=11)
        for _ in range(3):
            trial = first.next_trial()
            first.answer(trial, right(trial))
        planned = [first.next_trial().uuid]  # the fourth trial, shown when the drill was cut off
    with Records(db) as records:  # a new program
        again = DrillSession.open(records, trainee.id, LESSON, CB, seed=999, resume=True)
        assert again.resumed is not None and again.session_id == first.session_id and again.saved == 3
        assert again.next_trial().uuid == planned[0]
        fresh = DrillSession.open(records, trainee.id, LESSON, CB, seed=999)  # without resume: a new one
        assert fresh.session_id != first.session_id and fresh.resumed is None


class FailingRecords(Records):
    """A records file whose disk fills up after the session has started."""

    def save_attempt(self, session_id, attempt):
        raise RecordsError("cannot save the answer: the disk is full")


def test_a_failing_records_file_raises_or_is_handed_over_and_nothing_is_called_saved(tmp_path):
    with FailingRecords(tmp_path / "records.sqlite3") as records:
        trainee = records.ensure_trainee("Li Wei")
        terminal = DrillSession.open(records, trainee.id, LESSON, CB, seed=1)
        trial = terminal.next_trial()
        with pytest.raises(RecordsError, match="disk is full"):
            terminal.answer(trial, right(trial))

        problems = []
        app = DrillSession.open(records, trainee.id, LESSON, CB, seed=1, on_problem=problems.append)
        trial = app.next_trial()
        attempt, saved = app.answer(trial, right(trial))
        assert attempt.correct and not saved and app.saved == 0
        assert [str(p) for p in problems] == ["cannot save the answer: the disk is full"]


def test_without_records_a_drill_still_runs_and_says_nothing_was_saved():
    session = DrillSession.open(None, None, LESSON, CB, seed=3)
    trial = session.next_trial()
    attempt, saved = session.answer(trial, right(trial))
    assert attempt.correct and not saved and session.session_id is None


def test_app_run_practice_is_judged_and_stored_answer_by_answer(tmp_path):
    db = tmp_path / "records.sqlite3"
    with Records(db) as records:
        trainee = records.ensure_trainee("Li Wei")
        practice = PracticeSession.open(records, trainee.id, CB, scenario_id="app-exchange", title="Exchange",
                                        seed=5, session_uuid="0f8fad5b-d9cb-469f-a165-70867728950e")
        call = CB.signal("call")
        attempt, saved = practice.judge(task="recognise", expected=Expected("call", call.knocks, "rescuer", call.name),
                                        trainee_role="trapped", conditions=Conditions(), response=Response(
                                            "call", heard_s=1.0, answered_s=2.0))
        assert saved and attempt.correct and stored(db) == [(0, "call")]
        assert records.session(practice.session_id).scenario_id == "app-exchange"


def test_the_terminal_drill_and_the_app_have_no_session_code_of_their_own():
    """Both front ends go through the engine: neither opens, stores into or closes a session itself."""
    for path in (PACKAGE / "commands" / "drill.py", PACKAGE / "app" / "logbook.py"):
        calls = {n.func.attr for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
        assert not calls & {"start_session", "save_attempt", "end_session"}, path.name
