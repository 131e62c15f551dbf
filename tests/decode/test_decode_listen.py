"""`rescue-signals listen` on the real (virtual) sound card: a rendered exchange played to the output comes back
through the microphone path, and every knock and group is printed as it is heard."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.devices
REPO = Path(__file__).resolve().parents[2]


def test_listen_decodes_an_exchange_played_through_the_sound_card(render, tmp_path, artifacts_dir):
    from rescue_signals.synth import write_rendering

    r = render("R5 T3 R4", medium="pipe", noises=("fan",), snr_db=20.0, group_gap_s=4.0, seed=3)
    wav = tmp_path / "exchange.wav"
    write_rendering(r, wav)
    listen = subprocess.Popen(
        [sys.executable, "-m", "rescue_signals", "listen", "--json", "--lang", "en",
         "--duration", f"{r.duration_s + 4:.1f}"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        first = json.loads(listen.stdout.readline())
        assert first["event"] == "start", first
        time.sleep(0.5)  # the input stream is running before the first knock is played
        subprocess.run(["paplay", str(wav)], check=True, timeout=60, env=os.environ.copy())
        out, err = listen.communicate(timeout=60)
    finally:
        if listen.poll() is None:
            listen.kill()
    events = [first] + [json.loads(line) for line in out.splitlines() if line.strip()]
    (artifacts_dir / "listen-events.jsonl").write_text("".join(json.dumps(e) + "\n" for e in events))
    assert listen.returncode == 0, err
    groups = [e for e in events if e["event"] == "group"]
    # A sound shown at once as a knock may be taken back later ("not a knock"): the knocks that stand are the rest.
    taken_back = {e["time_s"] for e in events if e["event"] == "rejected" and e["takes_back_knock"]}
    events = [e for e in events if not (e["event"] == "knock" and e["time_s"] in taken_back)]
    knocks = [e for e in events if e["event"] == "knock"]
    assert [g["count"] for g in groups] == [5, 3, 4]
    assert [g["signal"] for g in groups] == ["call", "received", "ask_count"]
    assert groups[2]["meaning"] == "how many of you are there?"
    # Every knock was shown before its group was announced (events come out as they are heard).
    order = [e["event"] for e in events if e["event"] in ("knock", "group")]
    assert order == ["knock"] * 5 + ["group"] + ["knock"] * 3 + ["group"] + ["knock"] * 4 + ["group"]
    # Spacing as played: the knocks keep the rendering's rhythm.
    played = [k.time_s for k in r.knocks]
    heard = [k["time_s"] for k in knocks]
    offset = heard[0] - played[0]
    assert all(abs(h - p - offset) < 0.03 for h, p in zip(heard, played))
    assert events[-1]["event"] == "end" and events[-1]["groups"] == 3 and events[-1]["knocks"] == 12
