"""The real trainer, end to end: a window on the X server, knocks through the sound card, keys from xdotool.

The app runs in its own process exactly as a user starts it. It writes what it does to an event log (the test
hook ``--event-log``), including when the last knock of each trial actually reached the sound card's output. The
test presses the answer key a known delay after that moment, then reads the records file the app wrote and checks
that the saved reaction times are those delays.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from rescue_signals.codebook import default_codebook
from rescue_signals.protocol import parse_sequence

pytestmark = pytest.mark.devices

TRIALS = ["R5", "R5 | T3", "T2"]  # what each trial plays (after "|": the group to name)
DELAYS_S = [0.45, 0.9, 1.3]
TOLERANCE_S = 0.030
HEARD_TOLERANCE_S = 0.025  # the app's "heard" time against the knock recorded back from the output

SCENARIO = """
title: {zh: 端到端测试, en: End-to-end drill}
summary: {zh: 三题, en: Three trials}
level: 1
trainee: trapped
time_limit_s: 20
conditions: {medium: pipe, distance_m: 5, reverb: 0.1, compress_gaps: 10}
steps:
""" + "".join(f'  - recognise: "{t}"\n' for t in TRIALS)


class App:
    """The trainer in a subprocess, driven through one long-lived xdotool (no start-up delay per key)."""

    def __init__(self, tmp_path: Path, *args: str):
        self.log = tmp_path / "events.jsonl"
        env = dict(os.environ, RESCUE_SIGNALS_HOME=str(tmp_path / "home"))
        env.pop("SDL_VIDEODRIVER", None)
        env.pop("SDL_AUDIODRIVER", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "rescue_signals", "app", "--event-log", str(self.log),
                                      *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.xdo = subprocess.Popen(["xdotool", "-"], stdin=subprocess.PIPE, text=True)
        self.window = self._find_window()
        self.seen = 0

    def _find_window(self) -> str:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"the app exited at start:\n{self.proc.stdout.read()}")
            found = subprocess.run(["xdotool", "search", "--pid", str(self.proc.pid)], capture_output=True,
                                   text=True).stdout.split()
            if found and self.events("started"):
                return found[0]
            time.sleep(0.1)
        pytest.fail("no app window within 30 s")

    def key(self, name: str) -> None:
        self.xdo.stdin.write(f"key --window {self.window} {name}\n")
        self.xdo.stdin.flush()

    def events(self, kind: str) -> list[dict]:
        if not self.log.exists():
            return []
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [e for e in map(json.loads, lines) if e["event"] == kind]

    def wait(self, kind: str, count: int, timeout_s: float = 30.0) -> dict:
        """The ``count``-th event of ``kind`` (1-based), waiting for it."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = self.events(kind)
            if len(found) >= count:
                return found[count - 1]
            if self.proc.poll() is not None:
                pytest.fail(f"the app exited:\n{self.proc.stdout.read()}")
            time.sleep(0.005)
        pytest.fail(f"no '{kind}' event #{count} within {timeout_s} s")

    def screenshot(self, path: Path) -> Path:
        subprocess.run(["import", "-window", self.window, str(path)], check=True, timeout=20)
        return path

    def close(self) -> int:
        if self.proc.poll() is None:
            self.key("Escape")
            self.key("q")
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.xdo.stdin.close()
        self.xdo.wait(timeout=5)
        return self.proc.returncode


class Loopback:
    """Records the sound card's output (the default input is its monitor), every block stamped in monotonic s."""

    def __init__(self):
        from rescue_signals.audio import Capture

        self.capture = Capture(block_size=480)
        self.blocks: list[tuple[np.ndarray, float]] = []
        self.running = True
        self.capture.open()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            self.blocks.append(self.capture.read(timeout_s=2.0))

    def stop(self):
        self.running = False
        self.thread.join(timeout=5)
        self.capture.close()

    def onsets_s(self, *, threshold: float, refractory_s: float = 0.25) -> list[float]:
        """Monotonic times at which the recorded level first crosses ``threshold`` (one per knock)."""
        rate = self.capture.sample_rate
        found: list[float] = []
        for block, start_s in self.blocks:
            for i in np.flatnonzero(np.abs(block) > threshold):
                t = start_s + i / rate
                if not found or t - found[-1] > refractory_s:
                    found.append(t)
        return found


def until(moment_s: float) -> None:
    while (left := moment_s - time.monotonic()) > 0.002:
        time.sleep(left - 0.002)
    while time.monotonic() < moment_s:
        pass


def test_a_listen_drill_in_the_real_app_saves_the_reaction_times_it_was_given(tmp_path, artifacts_dir):
    assert shutil.which("xdotool") and shutil.which("import"), "xdotool and ImageMagick are needed"
    scenario = tmp_path / "e2e.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    db = tmp_path / "records.sqlite3"
    cb = default_codebook()
    keys = [str(parse_sequence(t.split("|")[-1], cb)[-1].count) for t in TRIALS]

    loopback = Loopback()
    app = App(tmp_path, "--lang", "en", "--trainee", "E2E", "--scene", "listen", "--scenario", str(scenario),
              "--records", str(db))
    try:
        assert app.events("started")[0]["audible"], "the app found no sound card"
        app.key("1")  # the first drill offered: the one given with --scenario
        for i, (key, delay) in enumerate(zip(keys, DELAYS_S)):
            played = app.wait("play", i + 1)
            if i == 0:
                time.sleep(0.6)
                app.screenshot(artifacts_dir / "app-e2e-listen-playing.png")
            heard = app.wait("heard", i + 1)
            assert heard["trial"] == i and heard["heard_s"] > played["time_s"]
            until(heard["heard_s"] + delay)
            app.key(key)
            answer = app.wait("answer", i + 1)
            assert answer["correct"], answer
            if i == 0:
                app.screenshot(artifacts_dir / "app-e2e-listen-feedback.png")
            app.key("Return")
        app.wait("summary", 1)
        time.sleep(0.3)
        app.screenshot(artifacts_dir / "app-e2e-listen-summary.png")
    finally:
        code = app.close()
        loopback.stop()
    assert code == 0

    # "heard" is when the last knock really came out of the sound card, not when it was scheduled
    level = max(float(np.abs(b).max()) for b, _ in loopback.blocks)
    assert level > 0.05, "the knocks did not come back from the sound card's output"
    onsets = loopback.onsets_s(threshold=level / 4)
    heard_s = [e["heard_s"] for e in app.events("heard")]
    offsets_ms = [round((min(onsets, key=lambda t: abs(t - h)) - h) * 1000, 1) for h in heard_s]

    with sqlite3.connect(db) as conn:
        saved = [r[0] for r in conn.execute("SELECT reaction_s FROM trials ORDER BY trial_index")]
    errors_ms = [round((r - d) * 1000, 1) for r, d in zip(saved, DELAYS_S)]
    (artifacts_dir / "app-e2e-reaction-errors.json").write_text(json.dumps(
        {"delays_s": DELAYS_S, "saved_reaction_s": saved, "errors_ms": errors_ms,
         "recorded_minus_heard_ms": offsets_ms, "frames_while_playing": app.events("frames")}, indent=1))
    assert len(saved) == len(DELAYS_S)
    assert all(abs(e) <= TOLERANCE_S * 1000 for e in errors_ms), errors_ms
    assert all(abs(o) <= HEARD_TOLERANCE_S * 1000 for o in offsets_ms), offsets_ms
