"""On the real (virtual) sound card: a terminal drill plays its knocks through the speaker path, takes the time the
last knock was heard from the playback, and stores every answer in a real SQLite file."""

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from rescue_signals.audiofile import write_audio

pytestmark = pytest.mark.devices
REPO = Path(__file__).resolve().parent.parent.parent
SR = 48000

SCENARIO = """\
title: Played
trainee: rescuer
time_limit_s: 20
conditions: {medium: rock_crib, distance_m: 3, reverb: 0.0, jitter: 0.0, drift: 0.0, compress_gaps: 10}
steps:
  - recognise: "T5"
  - recognise: "R5 | T3"
"""


def knock_onsets_s(x, sr):
    """Onsets where the 5 ms energy jumps far above the 50 ms before it, at most one per 0.4 s."""
    hop = int(0.005 * sr)
    e = np.mean(x[: x.size // hop * hop].reshape(-1, hop) ** 2, axis=1)
    floor = 1e-4 * e.max()
    out = []
    for i in range(10, e.size):
        if e[i] > floor and e[i] > 30 * np.mean(e[i - 10:i - 1]) + 1e-12 and (not out or i - out[-1] > 80):
            out.append(i)
    return np.array(out) * hop / sr


def test_a_terminal_drill_plays_on_the_sound_card_and_saves_each_answer(tmp_path, artifacts_dir):
    from rescue_signals.audio import Capture

    scenario = tmp_path / "played.yaml"
    scenario.write_text(SCENARIO)
    db = tmp_path / "records.sqlite3"
    cmd = [sys.executable, "-m", "rescue_signals", "drill", str(scenario), "--trainee", "Li Wei", "--db", str(db),
           "--lang", "en"]
    blocks = []
    with Capture(sample_rate=SR, block_size=1024) as cap:
        cap.read(2.0)
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, cwd=REPO, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        proc.stdin.write("5\n3\n")  # call, then received; read only after each group has been played
        proc.stdin.close()
        end = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < end:
            blocks.append(cap.read(2.0)[0])
        for _ in range(10):
            blocks.append(cap.read(2.0)[0])
    out, err = proc.stdout.read(), proc.stderr.read()
    assert proc.wait(timeout=30) == 0, err
    assert "(listen…)" in out and "no sound device" not in out
    recording = np.concatenate(blocks)
    write_audio(artifacts_dir / "drill-played.wav", recording, SR)
    assert len(knock_onsets_s(recording, SR)) == 5 + 3  # the knocks really came out of the sound card

    with sqlite3.connect(db) as conn:
        answers = [json.loads(r[0]) for r in conn.execute("SELECT attempt_json FROM trials ORDER BY trial_index")]
    assert [a["given"] for a in answers] == ["call", "received"] and all(a["correct"] for a in answers)
    for a in answers:
        r = a["response"]
        assert r["heard_s"] is not None and r["answered_s"] >= r["heard_s"]  # measured from the playback
        assert 0 <= a["reaction_s"] < 10
