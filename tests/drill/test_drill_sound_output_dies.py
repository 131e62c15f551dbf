"""On the real (virtual) sound card: the sound output dies in the middle of a terminal drill, and the drill says so,
goes on with text beats, finishes, and keeps every answer in the SQLite records.

The drill reaches the harness's sound server through a socket of its own (a second protocol module the test loads
and unloads), so unloading it drops exactly the drill's connection, as a sound server going away would, while the
server, its sink and every other client carry on.
"""

import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.devices
REPO = Path(__file__).resolve().parent.parent.parent

ANSWERS = ["5", "5", "4", "3", "2", "5", "3"]  # first-lesson, all right
GIVEN = ["call", "call", "ask_count", "received", "stop", "call", "received"]
STOPPED = "the sound output stopped"
PROMPT = "What does the last group mean?"


def pactl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["pactl", *args], capture_output=True, text=True, timeout=20)


def streams_of(pid: int) -> int:
    """How many playback streams the process ``pid`` has open on the harness's sound server."""
    return pactl("list", "sink-inputs").stdout.count(f'application.process.id = "{pid}"')


def wait_until(condition, what: str, timeout_s: float = 20.0) -> None:
    end = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"{what} within {timeout_s:g} s")
        time.sleep(0.05)


class OwnSocket:
    """A socket of the harness's sound server for one client; :meth:`drop` cuts whoever is connected to it."""

    def __init__(self, folder: str):
        self.server = f"unix:{folder}/native"
        loaded = pactl("load-module", "module-native-protocol-unix", f"socket={folder}/native", "auth-anonymous=1")
        if loaded.returncode != 0:
            pytest.fail(f"the sound server refused a second socket: {loaded.stderr.strip()}", pytrace=False)
        self.module = loaded.stdout.strip()

    def loaded(self) -> bool:
        return any(line.split("\t")[0] == self.module for line in pactl("list", "short", "modules").stdout.splitlines())

    def drop(self) -> None:
        if self.loaded():
            assert pactl("unload-module", self.module).returncode == 0


def server_state() -> tuple[str, str]:
    """What the other tests rely on: the server answers, with its default sink and source, and its sinks."""
    info = pactl("info")
    assert info.returncode == 0, info.stderr
    lines = [line for line in info.stdout.splitlines() if not line.startswith("Client Index")]
    sinks = [line.split("\t")[1] for line in pactl("list", "short", "sinks").stdout.splitlines()]
    return "\n".join(lines), " ".join(sinks)


@pytest.fixture
def own_socket(real_devices):
    before = server_state()
    with tempfile.TemporaryDirectory(prefix="rescue-signals-drill-") as folder:  # short: a socket path is < 108 B
        socket = OwnSocket(folder)
        try:
            yield socket
        finally:
            socket.drop()
    assert not socket.loaded() and server_state() == before  # as it was, for the tests that follow


class DrillProcess:
    """`rescue-signals drill` in a subprocess, its screen read as it is written; never waits without a time-out."""

    def __init__(self, args, *, env: dict, stderr_path: Path):
        self._err_path = stderr_path
        self._err = open(stderr_path, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "rescue_signals", "drill", *map(str, args)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._err, text=True,
                                     cwd=REPO, env={**env, "PYTHONUNBUFFERED": "1"})
        self._out: list[str] = []
        self._reader = threading.Thread(target=lambda: self._out.extend(iter(self.proc.stdout.readline, "")),
                                        daemon=True)
        self._reader.start()

    @property
    def out(self) -> str:
        return "".join(list(self._out))

    def wait_for(self, text: str, *, after: int = 0, timeout_s: float = 60.0) -> int:
        """Where ``text`` appears on the screen at or after ``after``, once it has."""
        end = time.monotonic() + timeout_s
        while (at := self.out.find(text, after)) < 0:
            if self.proc.poll() is not None or time.monotonic() > end:
                pytest.fail(f"the drill never showed {text!r}:\n{self.out}\n{self.err}")
            time.sleep(0.02)
        return at

    def type(self, lines) -> None:
        self.proc.stdin.write("".join(line + "\n" for line in lines))
        self.proc.stdin.flush()

    def finish(self, timeout_s: float = 90.0) -> int:
        self.proc.stdin.close()
        try:
            code = self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the drill did not finish within {timeout_s:g} s:\n{self.out}")
        self._reader.join(timeout=10)
        return code

    @property
    def err(self) -> str:
        return self._err_path.read_text()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self._err.close()


@pytest.mark.parametrize("when", ["while a trial plays", "while the trainee answers"])
def test_when_the_sound_output_dies_the_drill_goes_on_with_text_beats_and_saves_every_answer(tmp_path, own_socket,
                                                                                             when):
    db = tmp_path / "records.sqlite3"
    drill = DrillProcess(["first-lesson", "--trainee", "Li Wei", "--seed", "1", "--db", db, "--lang", "en"],
                         env={**os.environ, "PULSE_SERVER": own_socket.server}, stderr_path=tmp_path / "stderr.txt")
    try:
        first = drill.wait_for("[1/7]")
        drill.wait_for("(listen…)", after=first)
        wait_until(lambda: streams_of(drill.proc.pid) == 1, "the drill played nothing on the sound card")
        if when == "while a trial plays":
            drill.type(ANSWERS)  # the answer to each trial is read only once its knocks have been played
            second = drill.wait_for("[2/7]")
            drill.wait_for("(listen…)", after=second)
            time.sleep(0.5)  # the five knocks of trial 2 take four seconds
        else:
            drill.wait_for("5 call · 4 how many?", after=first)  # trial 1 played, its answer awaited
        own_socket.drop()
        wait_until(lambda: streams_of(drill.proc.pid) == 0, "the drill's sound stayed on the sound card")
        if when == "while the trainee answers":
            time.sleep(0.5)
            drill.type(ANSWERS)
        code = drill.finish()
    finally:
        drill.kill()
    out, err = drill.out, drill.err

    assert code == 0 and "Traceback" not in err and "error:" not in err, (out, err)
    assert out.count(STOPPED) == 1 and "text beats" in out, out
    said, second = out.index(STOPPED), out.index("[2/7]")
    assert second < said < out.index(PROMPT, second)  # said before trial 2 asks: trial 2 is the one shown again
    before, after = out[:said], out[said:]
    assert before.count("(listen…)") == 2 and "●" not in before  # trials 1 and 2 went to the sound card
    assert "(listen…)" not in after  # the dead output is not tried again
    assert "R ● ● ● ● ●" in after and "T ● ●" in after  # trials 2 to 5 as beats
    assert "Result: PASSED" in out and "accuracy 100% (7/7)" in out

    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT trial_index, given, accepted, attempt_json FROM trials "
                            "ORDER BY trial_index").fetchall()
        (ended_at,) = conn.execute("SELECT ended_at FROM sessions").fetchone()
    assert [r[0] for r in rows] == list(range(7))
    assert [r[1] for r in rows] == GIVEN and all(r[2] for r in rows)
    beats = [json.loads(r[3])["response"]["visual_beats"] for r in rows]
    assert beats == [False] + [True] * 6  # the records say which answers were given to text beats
    assert ended_at is not None
