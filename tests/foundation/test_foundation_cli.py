"""The command line as a user meets it: the codebook table, JSON, devices, help, and errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rescue_signals.cli import COMMANDS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "codebooks"


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "rescue_signals", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_codebook_table_in_chinese_by_default_and_english_on_request():
    zh = cli("codebook")
    assert zh.returncode == 0, zh.stderr
    assert "矿山（隧道）事故救援联络信号（试行）" in zh.stdout
    for words in ("呼救：我们在这里", "寻求联络", "询问被困人数", "停止", "3声（收到）", "项目决定"):
        assert words in zh.stdout
    en = cli("codebook", "--lang", "en")
    assert en.returncode == 0
    for words in ("distress call: we are here", "how many of you are there?", "Headcount: R4 → T3 → TN → R3",
                  "Project decisions"):
        assert words in en.stdout


def test_codebook_json_has_the_four_official_signals_with_their_rules():
    out = cli("codebook", "--json")
    assert out.returncode == 0
    data = json.loads(out.stdout)
    assert {s["knocks"]: s["id"] for s in data["signals"]} == {5: "call", 4: "ask_count", 3: "received", 2: "stop"}
    assert data["timing"]["knock_interval_s"] == 1.0 and data["timing"]["group_gap_s"] == 30.0
    ask = next(s for s in data["signals"] if s["id"] == "ask_count")
    assert ask["senders"] == [{"role": "rescuer", "meaning": {"zh": "询问被困人数", "en": "how many of you are there?"},
                               "replies": ["received", "headcount"]}]
    assert all(d["project_decision"] for d in data["decisions"])


def test_a_broken_codebook_gives_file_line_and_exit_1_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((FIXTURES / "alt.yaml").read_text(encoding="utf-8").replace("    knocks: 3\n", "    knocks: 0\n"),
                   encoding="utf-8")
    out = cli("codebook", "--file", str(bad))
    assert out.returncode == 1
    assert out.stderr.startswith(f"error: {bad}:") and "'knocks' of signal 'halt' is 0" in out.stderr
    assert "Traceback" not in out.stderr


def test_help_lists_every_subcommand_and_each_has_help():
    out = cli("--help")
    assert out.returncode == 0
    for name, _ in COMMANDS:
        assert name in out.stdout
        sub = cli(name, "--help")
        assert sub.returncode == 0 and "usage: rescue-signals " + name in sub.stdout


def test_bad_usage_exits_2():
    out = cli("codebook", "--lang", "fr")
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_devices_without_any_sound_server_says_so(tmp_path):
    import os
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULSE", "XDG_RUNTIME"))}
    env["PULSE_SERVER"] = f"unix:{tmp_path}/no-such-server"
    out = cli("devices", env=env)
    assert "Traceback" not in out.stderr
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("none found") == 2


@pytest.mark.devices
def test_devices_lists_the_virtual_sound_card(real_devices):
    out = cli("devices")
    assert out.returncode == 0, out.stderr
    inputs, outputs = out.stdout.split("Outputs")
    assert "(default)" in inputs and "(default)" in outputs
    assert "none found" not in out.stdout


def test_readme_table_says_what_the_codebook_says():
    from rescue_signals.codebook import default_codebook
    from rescue_signals.paper.printed import codebook_rows

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    cb = default_codebook()
    for z, e in zip(codebook_rows(cb, "zh"), codebook_rows(cb, "en")):
        assert f"| {e[0]} | {z[1]} ({e[1]}) | {z[3]} | {e[3]} | {e[4]} |" in readme


def test_options_without_a_command_go_to_the_app():
    out = cli("--lang", "xx")  # routed to `app`, whose --lang only takes zh or en
    assert out.returncode == 2 and "usage: rescue-signals app" in out.stderr
