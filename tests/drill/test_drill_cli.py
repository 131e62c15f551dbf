"""`rescue-signals drill` driven through a pipe, end to end, with a real SQLite file: answers stored as given,
a crew taking turns, and a drill killed in the middle that loses no saved answer and stores none twice."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent


def drill(*args, stdin="", db=None, timeout=120):
    cmd = [sys.executable, "-m", "rescue_signals", "drill", *args, "--silent", "--lang", "en"]
    if db is not None:
        cmd += ["--db", str(db)]
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, cwd=REPO, timeout=timeout,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})


def stored(db, sql="SELECT attempt_json FROM trials ORDER BY session_id, trial_index"):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


# who-answers: reply to R5 (knock 3), reply to T5 as rescuer (3), reply to T2 (3), call (5), then name R3 twice
WHO_ANSWERS = ["3", "3", "", "", "", ".", "5", "3", "5"]


def test_a_drill_through_a_pipe_stores_every_answer_as_given(tmp_path):
    db = tmp_path / "records.sqlite3"
    out = drill("who-answers", "--trainee", "Li Wei", "--seed", "3", stdin="\n".join(WHO_ANSWERS) + "\n", db=db)
    assert out.returncode == 0, out.stderr
    assert "Result: PASSED" not in out.stdout or "composite" in out.stdout
    answers = [json.loads(r[0]) for r in stored(db)]
    assert [a["trial"]["index"] for a in answers] == list(range(6))
    assert answers[0]["response"]["answer"] == 3 and answers[0]["correct"]
    assert answers[2]["response"]["answer"] is None and len(answers[2]["response"]["knock_times_s"]) == 3
    assert answers[3]["response"]["answer"] == 5 and answers[3]["trial"]["expected"]["label"] == "call"
    assert answers[4]["response"]["answer"] == "received" and answers[4]["correct"]
    assert answers[5]["response"]["answer"] == "call" and not answers[5]["correct"]
    assert "you answered: call (5)" in out.stdout
    (session,) = stored(db, "SELECT seed, ended_at, score_json FROM sessions")
    assert session[0] == 3 and session[1] is not None
    assert json.loads(session[2])["accuracy"] == pytest.approx(5 / 6)


def test_a_crew_takes_turns_on_one_laptop_and_sees_a_leaderboard(tmp_path):
    db = tmp_path / "records.sqlite3"
    turns = []
    for wrong in range(3):  # each person gets one more answer wrong than the one before
        answers = WHO_ANSWERS[:-1] + ["3"] if wrong == 0 else WHO_ANSWERS[:-2] + ["5", "5"]
        if wrong == 2:
            answers = ["4"] + answers[1:]
        turns += [""] + answers  # Enter at the hand-over
    names = ["Li Wei", "Wang Qiang", "赵磊"]
    args = ["who-answers", "--crew", "A shift"] + [x for n in names for x in ("--trainee", n)]
    out = drill(*args, stdin="\n".join(turns) + "\n", db=db)
    assert out.returncode == 0, out.stderr
    for i, name in enumerate(names):
        assert f"{i + 1} of 3: {name}, take the seat" in out.stdout
    board = out.stdout.split("Leaderboard")[1].strip().splitlines()
    assert [line.split(".")[1].split()[0] for line in board] == ["Li", "Wang", "赵磊"]
    assert stored(db, "SELECT count(*) FROM sessions WHERE ended_at IS NOT NULL") == [(3,)]
    assert stored(db, "SELECT count(*) FROM trials") == [(18,)]
    # the next time, naming the crew is enough
    again = drill("first-lesson", "--crew", "A shift", stdin=("\n" + "5\n5\n4\n3\n2\n5\n3\n") * 3, db=db)
    assert again.returncode == 0, again.stderr
    assert "3 of 3: 赵磊" in again.stdout


def wait_for_rows(db, n, proc, timeout_s=60.0):
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        assert proc.poll() is None, "the drill stopped before saving the answer"
        try:
            if stored(db, "SELECT count(*) FROM trials")[0][0] >= n:
                return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{n} answers were not saved in time")


def test_a_drill_killed_in_the_middle_loses_no_saved_answer_and_resumes_without_duplicates(tmp_path):
    db = tmp_path / "records.sqlite3"
    answers = ["5", "5", "4", "3", "2", "5", "3"]  # first-lesson, all right
    cmd = [sys.executable, "-m", "rescue_signals", "drill", "first-lesson", "--trainee", "Li Wei", "--silent",
           "--db", str(db)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, cwd=REPO)
    for k, answer in enumerate(answers[:4], 1):
        proc.stdin.write(answer + "\n")
        proc.stdin.flush()
        wait_for_rows(db, k, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    before = stored(db, "SELECT uuid, answered_at, attempt_json FROM trials ORDER BY trial_index")
    assert len(before) == 4
    assert stored(db, "SELECT ended_at FROM sessions") == [(None,)]

    out = drill("first-lesson", "--trainee", "Li Wei", "--resume", stdin="\n".join(answers[4:]) + "\n", db=db)
    assert out.returncode == 0, out.stderr
    assert "4 answers already saved" in out.stdout
    after = stored(db, "SELECT uuid, answered_at, attempt_json FROM trials ORDER BY trial_index")
    assert after[:4] == before  # untouched
    assert len(after) == 7 and len({r[0] for r in after}) == 7
    assert [json.loads(r[2])["trial"]["index"] for r in after] == list(range(7))
    assert stored(db, "SELECT count(*) FROM sessions") == [(1,)]
    (score_json,) = stored(db, "SELECT score_json FROM sessions")[0]
    assert json.loads(score_json)["accepted"] == 7


def test_input_ending_early_keeps_the_answers_and_says_how_to_go_on(tmp_path):
    db = tmp_path / "records.sqlite3"
    out = drill("first-lesson", "--trainee", "Li Wei", stdin="5\n5\n", db=db)
    assert out.returncode == 1
    assert "2 of 7 answers saved; continue with --resume" in out.stdout
    assert stored(db, "SELECT count(*) FROM trials") == [(2,)]


def test_bad_input_gives_clear_errors(tmp_path):
    db = tmp_path / "records.sqlite3"
    out = drill("first-lessen", "--trainee", "Li", db=db)
    assert out.returncode == 1 and "did you mean 'first-lesson'" in out.stderr and "Traceback" not in out.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: T\ntrainee: trapped\nsteps:\n  - recognise: T5\n    conditions: {medium: pipee}\n")
    out = drill(str(bad), "--trainee", "Li", db=db)
    assert out.returncode == 1 and f"{bad}:5:" in out.stderr and "did you mean 'pipe'" in out.stderr
    out = drill("first-lesson", db=db)
    assert out.returncode == 1 and "--trainee NAME" in out.stderr
    out = drill("first-lesson", "--crew", "Nobody", db=db)
    assert out.returncode == 1 and "has no members yet" in out.stderr
    listing = drill("--list")
    assert listing.returncode == 0 and "hushan-misread" in listing.stdout and "expert-shift" in listing.stdout


def test_on_a_terminal_an_answer_typed_while_the_knocks_still_come_is_a_false_start(tmp_path):
    import pty
    import select

    db = tmp_path / "records.sqlite3"
    pid, fd = pty.fork()
    if pid == 0:  # the drill, on a terminal: beats are shown in real time
        os.chdir(REPO)
        os.execv(sys.executable, [sys.executable, "-m", "rescue_signals", "drill", "first-lesson", "--trainee",
                                  "Li Wei", "--silent", "--db", str(db), "--lang", "en"])
    screen = b""
    try:
        def read_until(text, timeout_s=60.0):
            nonlocal screen
            end = time.monotonic() + timeout_s
            while text not in screen and time.monotonic() < end:
                if select.select([fd], [], [], 0.05)[0]:
                    screen += os.read(fd, 4096)
            assert text in screen, screen.decode(errors="replace")

        read_until("● ".encode())  # the first of five knocks, about a second apart
        os.write(fd, b"5\n")
        read_until(b"What does the last group mean?")
        read_until(b"false start: the group had not ended")
        wait_for_rows(db, 1, _Alive(pid))
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    (answer,) = [json.loads(r[0]) for r in stored(db)]
    assert answer["false_start"] and answer["correct"] and answer["reaction_s"] < 0


class _Alive:
    """``poll()`` for a forked child, as wait_for_rows expects of a Popen."""

    def __init__(self, pid):
        self.pid = pid

    def poll(self):
        done, _ = os.waitpid(self.pid, os.WNOHANG)
        return None if done == 0 else 1


def test_without_a_usable_sound_device_the_knocks_are_shown_as_beats(tmp_path):
    db = tmp_path / "records.sqlite3"
    cmd = [sys.executable, "-m", "rescue_signals", "drill", "first-lesson", "--trainee", "Li Wei", "--db", str(db),
           "--device", "no-such-sound-card", "--lang", "en"]
    out = subprocess.run(cmd, input="5\n5\n4\n3\n2\n5\n3\n", capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "no sound device" in out.stdout and "showing the knocks as text beats" in out.stdout
    assert "T ● ● ● ● ●" in out.stdout
    assert stored(db, "SELECT count(*) FROM trials WHERE accepted = 1") == [(7,)]


FOUR_TRIALS = """
title: {zh: 按键, en: Answer keys}
summary: {zh: 四题, en: Four trials}
level: 1
trainee: trapped
time_limit_s: 20
conditions: {medium: pipe, distance_m: 5, compress_gaps: 10}
steps:
  - recognise: "R5"
  - recognise: "R4 T3 | T9"
  - recognise: "T2"
  - recognise: "R3"
"""


def test_signals_are_named_with_the_same_keys_as_in_the_app(tmp_path):
    """The digit of the knocks names a signal, h and the number a headcount, u "not a signal": the app's keys."""
    from rescue_signals.app.answers import answer_key
    from rescue_signals.codebook import default_codebook

    cb = default_codebook()
    scenario = tmp_path / "keys.yaml"
    scenario.write_text(FOUR_TRIALS, encoding="utf-8")
    db = tmp_path / "records.sqlite3"
    out = drill(str(scenario), "--trainee", "Li Wei", stdin="5\nh9\n2\nu\n", db=db)
    assert out.returncode == 0, out.stderr
    for s in cb.signals:  # the menu offers each signal under the digit the app's key has
        key = answer_key(cb, s.id)
        assert f"{chr(key)} {s.name.get('en')}" in out.stdout
    assert "h and a number = headcount" in out.stdout and "u not a signal" in out.stdout
    answers = [json.loads(r[0]) for r in stored(db)]
    assert [a["response"]["answer"] for a in answers] == ["call", 9, "stop", "unknown"]
    assert [a["correct"] for a in answers] == [True, True, True, False]
