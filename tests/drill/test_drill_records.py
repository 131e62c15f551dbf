"""The records file: every answer committed once, a versioned schema, and clear errors when the file cannot be used.

Everything here runs on real SQLite files."""

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
import pytest

from rescue_signals.codebook import default_codebook
from rescue_signals.drill import Drill, Response, find_scenario, score
from rescue_signals.errors import RecordsError
from rescue_signals.paper.records import _MIGRATIONS, ENV_VAR, SCHEMA_VERSION, Records, default_path

CB = default_codebook()
REPO = Path(__file__).resolve().parent.parent.parent


def attempts(scenario_id="first-lesson", seed=0, wrong_every=3):
    drill = Drill(find_scenario(scenario_id), CB, rng=np.random.default_rng(seed))
    i = 0
    while (t := drill.next_trial()) is not None:
        label = "unknown" if i % wrong_every == 0 else t.expected.label
        drill.answer(t, Response(label if t.task == "recognise" else t.expected.count, heard_s=0.0, answered_s=1.5))
        i += 1
    return drill.attempts


def rows(path, sql="SELECT count(*) FROM trials"):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def new_session(rec, name="Li Wei", crew="A shift", scenario="first-lesson"):
    t = rec.ensure_trainee(name, crew)
    return rec.start_session(t.id, scenario, scenario_title=scenario, codebook_id=CB.id, seed=1)


def test_each_answer_is_committed_at_once_and_stored_once(tmp_path, clock):
    db = tmp_path / "r.sqlite3"
    rec = Records(db, now=clock)
    sid = new_session(rec)
    answers = attempts()
    assert rec.save_attempt(sid, answers[0]) is True
    assert rows(db) == [(1,)]  # another connection sees it while this one is still open
    assert rec.save_attempt(sid, answers[0]) is False
    with Records(db) as again:  # a second program on the same file
        assert again.save_attempt(sid, answers[0]) is False
        assert again.save_attempt(sid, answers[1]) is True
    assert rows(db) == [(2,)]
    stored = rec.attempts(sid)
    assert [a.as_dict() for a in stored] == [a.as_dict() for a in answers[:2]]
    other = new_session(rec, "Wang")
    with pytest.raises(RecordsError, match="already stored for session"):
        rec.save_attempt(other, answers[0])


def test_two_programs_writing_at_once_lose_nothing_and_store_nothing_twice(tmp_path):
    db = tmp_path / "r.sqlite3"
    with Records(db) as setup:
        sid = new_session(setup)
    answers = attempts("noisy-roadway")
    results = []

    def writer():
        with Records(db, busy_timeout_s=10) as rec:
            results.append([rec.save_attempt(sid, a) for a in answers])

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert rows(db) == [(len(answers),)]
    assert sum(sum(r) for r in results) == len(answers)  # each answer stored by exactly one writer


def test_a_locked_file_gives_a_clear_error_and_the_answer_can_be_saved_later(tmp_path):
    db = tmp_path / "r.sqlite3"
    rec = Records(db, busy_timeout_s=0.2)
    sid = new_session(rec)
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    answer = attempts()[0]
    with pytest.raises(RecordsError, match="locked by another program"):
        rec.save_attempt(sid, answer)
    blocker.execute("ROLLBACK")
    blocker.close()
    assert rec.save_attempt(sid, answer) is True
    assert rows(db) == [(1,)]


def test_a_full_disk_gives_a_clear_error_and_keeps_what_was_saved(tmp_path):
    db = tmp_path / "r.sqlite3"
    rec = Records(db)
    sid = new_session(rec)
    pages = rec._conn.execute("PRAGMA page_count").fetchone()[0]
    rec._conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # the disk fills up after a few answers
    saved, error = 0, None
    for a in attempts("noisy-roadway") + attempts("noisy-roadway", seed=1):
        try:
            rec.save_attempt(sid, a)
            saved += 1
        except RecordsError as exc:
            error = str(exc)
            break
    assert error is not None and "the disk is full" in error and f"trial {a.trial.index + 1}" in error
    assert saved > 0 and rows(db) == [(saved,)]
    rec._conn.execute("PRAGMA max_page_count = 1000000")  # space freed: the same answer can be saved now
    assert rec.save_attempt(sid, a) is True


def test_a_read_only_file_gives_a_clear_error(tmp_path):
    folder = Path(tempfile.mkdtemp(prefix="rs-readonly-"))
    try:
        db = folder / "r.sqlite3"
        with Records(db) as rec:
            new_session(rec)
        os.chmod(db, 0o444)
        os.chmod(folder, 0o555)
        code = (f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
                "from rescue_signals.paper.records import Records\n"
                "from rescue_signals.errors import RecordsError\n"
                f"try:\n    Records({str(db)!r}).add_trainee('Zhao')\n"
                "except RecordsError as exc:\n    print(exc)\n")
        # root may write anywhere: drop to an ordinary user so the permissions mean something
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []
        out = subprocess.run(prefix + [sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert "read-only" in out.stdout, out.stdout + out.stderr
        with Records(db, read_only=True) as rec:  # reading for a report still works
            assert [t.name for t in rec.trainees()] == ["Li Wei"]
            with pytest.raises(RecordsError, match="read-only"):
                rec.add_trainee("Zhao")
    finally:
        os.chmod(folder, 0o755)
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()


def test_an_older_schema_is_migrated_and_keeps_its_data(tmp_path):
    db = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.executescript(_MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO trainees (name, created_at) VALUES ('Li Wei', '2024-01-01T00:00:00+00:00')")
    a = attempts()
    score_json = score(a, find_scenario("first-lesson")).as_dict()
    conn.execute("INSERT INTO sessions (uuid, trainee_id, scenario_id, scenario_title, codebook_id, started_at, "
                 "ended_at, score_json, program_version) VALUES ('u1', 1, 'first-lesson', 'First', 'mem-2021', "
                 "'2024-01-01T00:00:00+00:00', '2024-01-01T00:10:00+00:00', ?, '0.0.1')", (json.dumps(score_json),))
    conn.execute("INSERT INTO trials (uuid, session_id, trial_index, task, expected, given, correct, accepted, "
                 "false_start, timed_out, answered_at, attempt_json) VALUES (?, 1, 0, 'recognise', 'call', 'call', 1, "
                 "1, 0, 0, '2024-01-01T00:01:00+00:00', ?)", (a[0].trial.uuid, json.dumps(a[0].as_dict())))
    conn.close()
    with Records(db) as rec:
        assert rec.schema_version == SCHEMA_VERSION == 3
        check = rec.verify_chain()  # the rows written before the chain are adopted into it, as they stood
        assert check.ok and check.entries == 1 + 1 + 1 + 1  # its start, the trainee, the session, the answer
        (session,) = rec.sessions()
        assert session.composite == score_json["composite"] and session.passed == score_json["passed"]
        assert rec.attempts(session.id)[0].as_dict() == a[0].as_dict()
        assert rec.leaderboard()[0].best_composite == score_json["composite"]


def test_newer_or_foreign_files_are_refused(tmp_path):
    newer = tmp_path / "newer.sqlite3"
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(RecordsError, match="newer version"):
        Records(newer)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(RecordsError, match="not a records file"):
        Records(junk)


def test_the_file_is_found_in_the_data_folder_or_where_the_environment_says(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "elsewhere.db"))
    assert default_path() == tmp_path / "elsewhere.db"
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.setenv("RESCUE_SIGNALS_HOME", str(tmp_path / "home"))
    assert default_path() == tmp_path / "home" / "records.sqlite3"
    monkeypatch.delenv("RESCUE_SIGNALS_HOME")
    assert default_path().name == "records.sqlite3" and "rescue-signals" in default_path().parts[-2]


def test_roster_crews_and_leaderboard(tmp_path, clock):
    rec = Records(tmp_path / "r.sqlite3", now=clock)
    for name, good in (("Li Wei", 1), ("Wang Qiang", 4), ("Zhao Lei", 2)):
        sid = new_session(rec, name)
        answers = attempts(wrong_every=good + 1)
        for a in answers:
            rec.save_attempt(sid, a)
        rec.end_session(sid, score(answers, find_scenario("first-lesson")))
    rec.ensure_trainee("Sun Li", "B shift")
    assert [t.name for t in rec.trainees("A shift")] == ["Li Wei", "Wang Qiang", "Zhao Lei"]
    assert [c.name for c in rec.crews()] == ["A shift", "B shift"]
    with pytest.raises(RecordsError, match="already registered"):
        rec.add_trainee("li wei")
    assert rec.ensure_trainee("Sun Li", "A shift").crew == "A shift"
    board = rec.leaderboard(crew="A shift")
    assert [r.trainee for r in board] == ["Wang Qiang", "Zhao Lei", "Li Wei", "Sun Li"]
    assert [r.rank for r in board] == [1, 2, 3, 4] and board[-1].best_composite is None
    assert board[0].best_composite > board[1].best_composite > board[2].best_composite


def test_history_feeds_adaptive_practice(tmp_path, clock):
    rec = Records(tmp_path / "r.sqlite3", now=clock)
    sid = new_session(rec)
    answers = attempts(wrong_every=2)
    for a in answers:
        rec.save_attempt(sid, a)
    trainee = rec.trainee("Li Wei")
    profile = rec.profile(trainee.id)
    assert sum(r.trials for r in profile.labels) == len(answers)
    assert sum(r.accepted for r in profile.labels) == sum(a.accepted for a in answers)
    practice = rec.practice(trainee.id)
    assert len(practice) == len(answers) and practice[-1].at <= clock.now
    assert rec.unfinished_session(trainee.id, "first-lesson").id == sid
    rec.end_session(sid)
    assert rec.unfinished_session(trainee.id, "first-lesson") is None
    assert rec.profile(trainee.id, before_session=sid).labels == ()
