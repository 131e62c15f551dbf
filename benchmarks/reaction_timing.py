"""How right the saved reaction times are: the app and the terminal drill, on the (virtual) sound card.

    scripts/virtual-devices.sh start && source .devices/env
    .venv/bin/python benchmarks/reaction_timing.py [--trials 6] [--json FILE]

A reaction time runs from the moment the last knock of a group is heard to the answer. For each front end this
plays a timed drill through the sound card while recording the card's output (the default input is its monitor),
finds the last knock of every group in the recording, answers a known delay after that *recorded* knock, and then
reads the records file: the error is the saved reaction time less that delay. It also gives how far the front end's
own "heard" time (when it says the last knock reached the output) lies from the recorded knock.

The app is driven as the end-to-end test drives it (its own process, keys from xdotool); the terminal drill gets
its answers on standard input.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "app"))

from test_app_e2e import App, Loopback  # noqa: E402  (the end-to-end test's app driver and recorder)

DELAYS_S = (0.45, 0.8, 1.2, 0.6, 1.0, 1.5, 0.7, 0.9)
GROUPS = ("T5", "T3", "T2", "T4", "T5", "T3", "T2", "T4")
ANSWER = {"T5": "5", "T4": "4", "T3": "3", "T2": "2"}


def scenario(trials: int) -> str:
    steps = "".join(f'  - recognise: "{GROUPS[i % len(GROUPS)]}"\n' for i in range(trials))
    return ("title: {zh: 反应时间, en: Reaction timing}\nsummary: {zh: 计时, en: Timing}\nlevel: 1\n"
            "trainee: rescuer\ntime_limit_s: 20\n"
            "conditions: {medium: rock_crib, distance_m: 3, reverb: 0.0, jitter: 0.0, drift: 0.0, compress_gaps: 10}\n"
            "steps:\n" + steps)


class Recorder(Loopback):
    """The sound card's output, recorded live (as the end-to-end test records it), with the knocks found in it."""

    def onsets_s(self) -> list[float]:
        """Monotonic times where the 5 ms energy jumps far above the 50 ms before it, at most one per 0.4 s."""
        blocks = list(self.blocks)
        if not blocks:
            return []
        rate = self.capture.sample_rate
        x = np.concatenate([b for b, _ in blocks])
        starts = np.concatenate([s + np.arange(len(b)) / rate for b, s in blocks])
        hop = int(0.005 * rate)
        e = np.mean(x[: x.size // hop * hop].reshape(-1, hop).astype(np.float64) ** 2, axis=1)
        found: list[int] = []
        for i in range(10, e.size):
            if e[i] > 1e-6 and e[i] > 30 * np.mean(e[i - 10:i - 1]) + 1e-12 and (not found or i - found[-1] > 80):
                found.append(i)
        out = []
        for i in found:  # the first sample of the jump's 5 ms that stands above the background
            seg = np.abs(x[i * hop:(i + 1) * hop])
            before = np.sqrt(np.mean(e[i - 10:i - 1]))
            k = int(np.argmax(seg > max(4 * before, 0.1 * seg.max())))
            out.append(float(starts[i * hop + k]))
        return out

    def wait_knocks(self, count: int, quiet_s: float = 0.3, timeout_s: float = 60.0) -> float:
        """The time of the ``count``-th recorded knock, once it is the last for ``quiet_s``."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            onsets = self.onsets_s()
            if len(onsets) >= count and time.monotonic() - onsets[count - 1] > quiet_s:
                return onsets[count - 1]
            time.sleep(0.01)
        raise SystemExit(f"error: knock {count} never came back from the sound card")


def _until(moment_s: float) -> None:
    while (left := moment_s - time.monotonic()) > 0.002:
        time.sleep(left - 0.002)
    while time.monotonic() < moment_s:
        pass


def _knocks(group: str) -> int:
    return int(group[1:])


def _drain(fd: int) -> None:
    """Read what the terminal echoes, so that it never fills up."""
    try:
        while os.read(fd, 4096):
            pass
    except OSError:
        pass


def _prepare(folder: Path, trials: int, name: str) -> tuple[Path, Path, Recorder]:
    """The drill's scenario file, its records file, and the recorder, running (given a second to settle)."""
    path = folder / "timing.yaml"
    path.write_text(scenario(trials), encoding="utf-8")
    rec = Recorder()
    time.sleep(1.0)
    return path, folder / f"{name}.sqlite3", rec


def terminal(folder: Path, trials: int) -> dict:
    path, db, rec = _prepare(folder, trials, "terminal")
    # the answers come from a terminal (a pseudo-terminal), as a trainee types them: stamped when they arrive
    keyboard, tty = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "rescue_signals", "drill", str(path), "--trainee", "Timing",
                             "--db", str(db), "--lang", "en", "--seed", "1"], stdin=tty,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    os.close(tty)
    echo = threading.Thread(target=_drain, args=(keyboard,), daemon=True)
    echo.start()
    pressed, total = [], 0
    try:
        for i in range(trials):
            group = GROUPS[i % len(GROUPS)]
            total += _knocks(group)
            last = rec.wait_knocks(total)
            _until(last + DELAYS_S[i % len(DELAYS_S)])
            os.write(keyboard, (ANSWER[group] + "\n").encode())
            pressed.append(last)
        os.write(keyboard, b"\x04")
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(keyboard)
        rec.stop()
    with sqlite3.connect(db) as conn:
        attempts = [json.loads(r[0]) for r in conn.execute("SELECT attempt_json FROM trials ORDER BY trial_index")]
    return _figures([a["reaction_s"] for a in attempts], [a["response"]["heard_s"] for a in attempts], pressed)


def app(folder: Path, trials: int) -> dict:
    path, db, rec = _prepare(folder, trials, "app")
    front = App(folder, "--lang", "en", "--trainee", "Timing", "--scene", "listen", "--scenario", str(path),
                "--records", str(db))
    pressed, heard, total = [], [], 0
    try:
        front.key("1")
        for i in range(trials):
            group = GROUPS[i % len(GROUPS)]
            total += _knocks(group)
            last = rec.wait_knocks(total)
            heard.append(front.wait("heard", i + 1)["heard_s"])
            _until(last + DELAYS_S[i % len(DELAYS_S)])
            front.key(ANSWER[group])
            front.wait("answer", i + 1)
            front.key("Return")
            pressed.append(last)
        front.wait("summary", 1)
    finally:
        front.close()
        rec.stop()
    with sqlite3.connect(db) as conn:
        saved = [r[0] for r in conn.execute("SELECT reaction_s FROM trials ORDER BY trial_index")]
    return _figures(saved, heard, pressed)


def _figures(saved, heard, recorded) -> dict:
    n = min(len(saved), len(recorded))
    errors = [round((saved[i] - DELAYS_S[i % len(DELAYS_S)]) * 1000, 1) for i in range(n)]
    offsets = [round((heard[i] - recorded[i]) * 1000, 1) for i in range(min(len(heard), n))]
    return {"trials": n, "reaction_error_ms": errors, "heard_minus_recorded_ms": offsets,
            "mean_abs_error_ms": round(float(np.mean(np.abs(errors))), 1) if errors else None,
            "max_abs_error_ms": round(float(np.max(np.abs(errors))), 1) if errors else None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--only", choices=("app", "terminal"))
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, run in (("terminal", terminal), ("app", app)):
            if args.only in (None, name):
                folder = Path(tmp) / name
                folder.mkdir()
                result[name] = run(folder, args.trials)
    print(f"{'front end':<10} {'trials':>6} {'mean |error|':>13} {'max |error|':>12}  heard - recorded (ms)")
    for name, r in result.items():
        print(f"{name:<10} {r['trials']:>6} {r['mean_abs_error_ms']:>10} ms {r['max_abs_error_ms']:>9} ms  "
              f"{r['heard_minus_recorded_ms']}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
