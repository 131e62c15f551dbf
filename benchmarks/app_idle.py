"""How much processor the trainer app uses while nobody touches it: each main screen, left alone.

For every screen the app is started on its own (``rescue-signals app --trainee … --scene …``, the start screen
without a trainee) under the virtual display and sound card of ``scripts/virtual-devices.sh`` (started and stopped
here unless a display is already set), left to settle, and its process time (all threads, from ``/proc``) is read
over the measuring window. Prints one row per screen, with sound on and in visual-only mode, in percent of one core:

    .venv/bin/python benchmarks/app_idle.py [--seconds 10] [--screens home,learn] [--json out.json]

Linux only (``/proc``). Not part of the test run: the figure depends on the machine and on what else it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCREENS = ("start", "home", "course", "learn", "listen", "knock", "exchange", "decode", "progress")
TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    """User plus system time of process ``pid`` (all its threads) so far, s."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_S  # utime, stime (fields 14 and 15 of stat)


def started(log: Path, timeout_s: float) -> bool:
    """Wait until the app's event log says the window is open."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        if any(json.loads(line).get("event") == "started" for line in lines if line.strip()):
            return True
        time.sleep(0.1)
    return False


def measure(screen: str, *, sound: bool, seconds: float, settle_s: float, home: Path, env: dict) -> float:
    """Percent of one core the app uses on ``screen`` over ``seconds`` after ``settle_s`` of settling."""
    log = home / f"events-{screen}-{int(sound)}.jsonl"
    command = [sys.executable, "-m", "rescue_signals", "app", "--lang", "zh", "--records", str(home / "records.db"),
               "--event-log", str(log)]
    if screen != "start":
        command += ["--trainee", "bench", "--scene", screen]
    if not sound:
        command.append("--no-sound")
    app = subprocess.Popen(command, env={**env, "RESCUE_SIGNALS_HOME": str(home)}, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
    try:
        if not started(log, 60.0):
            raise SystemExit(f"app_idle: the app did not open on {screen}: {app.stderr.read().decode()[-2000:]}")
        time.sleep(settle_s)
        t0, c0 = time.monotonic(), cpu_s(app.pid)
        time.sleep(seconds)
        t1, c1 = time.monotonic(), cpu_s(app.pid)
        if app.poll() is not None:
            raise SystemExit(f"app_idle: the app closed on {screen}: {app.stderr.read().decode()[-2000:]}")
        return 100.0 * (c1 - c0) / (t1 - t0)
    finally:
        app.terminate()
        try:
            app.wait(10)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()


def devices() -> tuple[dict, bool]:
    """The environment with a display and sound server; True if this run started them (and must stop them)."""
    if os.environ.get("DISPLAY") and os.environ.get("PULSE_SERVER"):
        return dict(os.environ), False
    script = ROOT / "scripts" / "virtual-devices.sh"
    ours = subprocess.run([str(script), "status"], capture_output=True).returncode != 0
    subprocess.run([str(script), "start"], check=True)
    env = dict(os.environ)
    for line in (ROOT / ".devices" / "env").read_text().splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = value.strip("'\"")
    return env, ours


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measuring window per screen (default 10 s)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds left to settle before measuring")
    parser.add_argument("--screens", default=",".join(SCREENS), help="comma-separated screens to measure")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    screens = [s for s in args.screens.split(",") if s]
    env, stop = devices()
    env.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="app-idle-") as tmp:
            print(f"{'screen':<10} {'sound on':>9} {'visual only':>12}   (% of one core, {args.seconds:g} s each)")
            for screen in screens:
                figures = {}
                for sound in (True, False):
                    home = Path(tmp) / f"{screen}-{int(sound)}"
                    home.mkdir()
                    figures[sound] = measure(screen, sound=sound, seconds=args.seconds, settle_s=args.settle,
                                             home=home, env=env)
                rows.append({"screen": screen, "sound_on_pct": round(figures[True], 1),
                             "visual_only_pct": round(figures[False], 1)})
                print(f"{screen:<10} {figures[True]:>8.1f}% {figures[False]:>11.1f}%", flush=True)
    finally:
        if stop:
            subprocess.run([str(ROOT / "scripts" / "virtual-devices.sh"), "stop"])
    worst = max(max(r["sound_on_pct"], r["visual_only_pct"]) for r in rows)
    print(f"worst: {worst:.1f}% of one core")
    if args.json:
        Path(args.json).write_text(json.dumps({"seconds": args.seconds, "screens": rows, "worst_pct": worst},
                                              indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
