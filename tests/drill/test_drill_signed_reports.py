"""What an inspector can trust: forged, made-up, unsigned and re-signed reports fail `report --verify` with the
reason; an edit of a stored answer is found by `records --verify` and by `report --verify --db`; the exports
validate."""

import csv
import io
import json
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from PIL import Image

from rescue_signals.paper.chain import canonical, entry_hash
from rescue_signals.paper.reports import CSV_COLUMNS, build_report, write_report
from rescue_signals.paper.records import Records
from rescue_signals.paper.sitekey import site_key

from tests.drill.test_drill_reports import records_file  # noqa: F401  (the crew of three, as a fixture)

SCHEMA = json.loads((Path(__file__).parents[1] / "fixtures" / "xapi" / "statement.schema.json").read_text())


def cli(*args, home: Path, check_code: int | None = None):
    env = {"RESCUE_SIGNALS_HOME": str(home), "PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"}
    p = subprocess.run([sys.executable, "-m", "rescue_signals", *map(str, args)], capture_output=True, text=True,
                       timeout=120, env=env)
    assert "Traceback" not in p.stderr, p.stderr
    if check_code is not None:
        assert p.returncode == check_code, (p.stdout, p.stderr)
    return p


@pytest.fixture
def site(tmp_path):
    return tmp_path / "site-home"


@pytest.fixture
def inspector(tmp_path):
    return tmp_path / "inspector-home"


def make_report(records_file, site, out, *args):
    p = cli("report", "--crew", "一班", "-o", out, "--db", records_file, "--site", "Hushan training centre", *args,
            home=site, check_code=0)
    return re.search(r"key ([0-9a-f:]{79})", p.stdout).group(1)


def test_the_site_key_is_made_once_private_and_exported_for_inspectors(records_file, site, inspector, tmp_path):
    out = tmp_path / "crew.pdf"
    p = cli("report", "--crew", "一班", "-o", out, "--db", records_file, "--site", "Hushan training centre",
            home=site, check_code=0)
    assert "created the signing key of training site 'Hushan training centre'" in p.stderr
    key_file = site / "site-key.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    fp = re.search(r"key ([0-9a-f:]{79})", p.stdout).group(1)
    again = cli("report", "--crew", "一班", "-o", tmp_path / "b.csv", "--db", records_file, home=site, check_code=0)
    assert "created" not in again.stderr and fp in again.stdout  # the same key from then on
    exported = tmp_path / "hushan-key.txt"
    cli("key", "--export", "-o", exported, home=site, check_code=0)
    assert fp in exported.read_text() and "private" not in exported.read_text()
    # the inspector's machine: unknown until trusted, by fingerprint or by the exported file
    p = cli("report", "--verify", out, home=inspector, check_code=1)
    assert "signed by: Hushan training centre" in p.stdout and "NOT a key you trust" in p.stdout
    assert "error:" in p.stderr and "signed by an unknown key" in p.stderr and f"--trust {fp}" in p.stderr
    p = cli("report", "--verify", out, "--trust", fp, home=inspector, check_code=0)
    assert "trusted: --trust" in p.stdout and "records: not checked" in p.stdout
    cli("report", "--verify", out, "--trust", exported, home=inspector, check_code=0)
    cli("report", "--verify", out, "--trust", fp.replace(":", "")[:32].upper(), home=inspector, check_code=0)
    key_file.chmod(0o644)
    p = cli("report", "--crew", "一班", "-o", tmp_path / "c.csv", "--db", records_file, home=site, check_code=1)
    assert "can be read by other users" in p.stderr


def test_a_report_with_changed_numbers_fails_even_with_a_recomputed_seal(records_file, site, inspector, tmp_path):
    out = tmp_path / "crew.csv"
    fp = make_report(records_file, site, out)
    text = out.read_text(encoding="utf-8")
    forged = re.sub(r",\d+%,", ",100%,", text, count=1)
    assert forged != text
    out.write_text(forged, encoding="utf-8")
    for home, extra in ((site, ["--db", records_file]), (inspector, ["--trust", fp])):
        p = cli("report", "--verify", out, *extra, home=home, check_code=1)
        assert "changed since it was signed" in p.stderr


@pytest.mark.parametrize("made_up,reason", [
    ("trainee,trial\nLi Wei,1\n# seal-sha256:" + "0" * 64 + "\n", "unsigned"),
    ("name,score\nLi Wei,100\n", "not a report made by rescue-signals"),
    ("", "not a report made by rescue-signals"),
], ids=["seal-only", "plain-csv", "empty"])
def test_made_up_and_unsigned_files_fail_with_the_reason(tmp_path, inspector, made_up, reason):
    path = tmp_path / "made-up.csv"
    path.write_text(made_up)
    p = cli("report", "--verify", path, home=inspector, check_code=1)
    assert reason in p.stderr


def test_metadata_changed_or_removed_is_a_changed_report(records_file, site, tmp_path):
    out = tmp_path / "crew.html"
    make_report(records_file, site, out)
    body = out.read_bytes()
    meta = re.search(rb"rescue-signals-report:([A-Za-z0-9+/=]+)", body)
    data = json.loads(__import__("base64").b64decode(meta.group(1)))
    data["subject"] = "二班"
    out.write_bytes(body.replace(meta.group(1), __import__("base64").b64encode(json.dumps(data).encode())))
    assert "changed since it was signed" in cli("report", "--verify", out, home=site, check_code=1).stderr
    out.write_bytes(body.replace(meta.group(0), b""))
    assert "changed: it holds 1 signatures and 0 report data" in cli("report", "--verify", out, home=site,
                                                                      check_code=1).stderr


def test_a_report_re_signed_by_another_key_is_an_unknown_signer(records_file, site, tmp_path, monkeypatch):
    out = tmp_path / "crew.csv"
    fp = make_report(records_file, site, out)
    monkeypatch.setenv("RESCUE_SIGNALS_HOME", str(tmp_path / "forger"))
    forger, _ = site_key(site="Hushan training centre")  # the same name, another key
    with Records(records_file, read_only=True) as rec:
        report = build_report(rec, crew="一班")
    report.data["members"][0]["accuracy"] = 1.0  # better numbers
    write_report(report, out, key=forger, fmt="csv")
    p = cli("report", "--verify", out, "--trust", fp, home=tmp_path / "inspector", check_code=1)
    assert "signed by an unknown key" in p.stderr and forger.public.fingerprint in p.stderr
    assert fp not in p.stdout


def test_an_answer_edited_afterwards_is_found_by_both_checks(records_file, site, tmp_path):
    out = tmp_path / "crew.pdf"
    make_report(records_file, site, out)
    cli("records", "--verify", "--db", records_file, home=site, check_code=0)
    with sqlite3.connect(records_file) as conn:  # a wrong answer made right, only in its column
        row_id = conn.execute("SELECT min(id) FROM trials WHERE correct = 0").fetchone()[0]
        conn.execute("UPDATE trials SET correct = 1, accepted = 1 WHERE id = ?", (row_id,))
        position = conn.execute("SELECT position FROM chain WHERE kind = 'answer' AND "
                                "json_extract(content, '$.row.id') = ?", (row_id,)).fetchone()[0]
    p = cli("records", "--verify", "--db", records_file, home=site, check_code=1)
    assert f"BROKEN: entry {position} (an answer saved" in p.stdout and "accepted is 1 where the chain has 0" in p.stdout
    assert f"the first broken one is entry {position}" in p.stderr
    p = cli("report", "--verify", out, "--db", records_file, home=site, check_code=1)
    assert "does not match the records" in p.stderr and f"entry {position}" in p.stderr


def test_records_rewritten_with_every_hash_recomputed_no_longer_hold_the_reports_chain(records_file, site, tmp_path):
    out = tmp_path / "crew.csv"
    make_report(records_file, site, out)
    with sqlite3.connect(records_file) as conn:
        conn.execute("DROP TRIGGER chain_is_append_only_update")
        row_id = conn.execute("SELECT min(id) FROM trials WHERE correct = 0").fetchone()[0]
        conn.execute("UPDATE trials SET correct = 1, accepted = 1 WHERE id = ?", (row_id,))
        # the entry is edited to match: the chain breaks there
        (pos, content), = conn.execute("SELECT position, content FROM chain WHERE kind = 'answer' AND "
                                       "json_extract(content, '$.row.id') = ?", (row_id,)).fetchall()
        data = json.loads(content)
        data["row"].update(correct=1, accepted=1)
        conn.execute("UPDATE chain SET content = ? WHERE position = ?", (canonical(data), pos))
    p = cli("records", "--verify", "--db", records_file, home=site, check_code=1)
    assert f"entry {pos} (an answer saved" in p.stdout and "content was changed after it was written" in p.stdout
    with sqlite3.connect(records_file) as conn:  # ...so every hash from there on is recomputed
        prev = conn.execute("SELECT hash FROM chain WHERE position = ?", (pos - 1,)).fetchone()[0]
        for position, text in conn.execute("SELECT position, content FROM chain WHERE position >= ? "
                                           "ORDER BY position", (pos,)).fetchall():
            digest = entry_hash(prev, text)
            conn.execute("UPDATE chain SET prev_hash = ?, hash = ? WHERE position = ?", (prev, digest, position))
            prev = digest
    cli("records", "--verify", "--db", records_file, home=site, check_code=0)  # what the chain alone cannot see
    p = cli("report", "--verify", out, "--db", records_file, home=site, check_code=1)
    assert "is not the one the report was made from" in p.stderr


def test_the_csv_export_has_the_documented_columns(records_file, site, tmp_path):
    out = tmp_path / "crew.csv"
    make_report(records_file, site, out, "--format", "csv")
    text = out.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO("".join(l for l in text.splitlines(True) if not l.startswith("#")))))
    assert list(rows[0]) == [c for c, _ in CSV_COLUMNS] and len(rows) == 42
    first = rows[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", first["answered_at"])
    assert re.fullmatch(r"\d+%", first["session_accuracy"]) and float(first["reaction_s"]) >= 0
    assert {r["correct"] for r in rows} == {"true", "false"} and {r["visual_beats"] for r in rows} == {""}
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert all(f"`{c}`" in readme for c, _ in CSV_COLUMNS)  # every column is documented


def test_the_xapi_export_validates_against_the_statement_schema(tmp_path, site):
    from rescue_signals.drill import Drill, Response, find_scenario, score
    from rescue_signals.codebook import default_codebook

    db = tmp_path / "r.sqlite3"
    cb = default_codebook()
    with Records(db) as rec:  # one drill with visual beats on, answered from the terminal
        t = rec.ensure_trainee("Li Wei", "一班")
        s = find_scenario("first-lesson")
        sid = rec.start_session(t.id, s.id, scenario_title=s.title.get("en"), codebook_id=cb.id)
        drill = Drill(s, cb, rng=np.random.default_rng(1))
        while (trial := drill.next_trial()) is not None:
            answer = trial.expected.label if trial.task == "recognise" else trial.expected.count
            rec.save_attempt(sid, drill.answer(trial, Response(answer, 0.0, 1.25, visual_beats=True)))
        rec.end_session(sid, score(drill.attempts, s))
    out = tmp_path / "li.json"
    cli("report", "--trainee", "Li Wei", "--format", "xapi", "-o", out, "--db", db, "--instructor", "Zhang Gong",
        home=site, check_code=0)
    statements = json.loads(out.read_text(encoding="utf-8"))
    assert len(statements) == drill.total + 1
    for st in statements:
        jsonschema.validate(st, SCHEMA)
    answered = [st for st in statements if st["verb"]["id"].endswith("/answered")]
    assert {st["object"]["id"] for st in answered} >= {"urn:rescue-signals:signal:call"}
    first = answered[0]
    assert first["result"]["success"] is True and first["result"]["duration"] == "PT1.25S"
    assert first["context"]["instructor"]["name"] == "Zhang Gong" and first["context"]["team"]["name"] == "一班"
    assert first["context"]["extensions"]["urn:rescue-signals:extension:visual-beats"] is True
    done = [st for st in statements if st["verb"]["id"].endswith("/completed")][0]
    assert done["object"]["id"] == "urn:rescue-signals:scenario:first-lesson" and done["result"]["completion"]
    assert 0 <= done["result"]["score"]["scaled"] <= 1
    broken = dict(first, actor={"objectType": "Agent", "name": "no identifier"})
    with pytest.raises(jsonschema.ValidationError):  # the schema is not a rubber stamp
        jsonschema.validate(broken, SCHEMA)


def test_the_pdf_shows_a_qr_code_in_its_title_band(records_file, site, tmp_path):
    out = tmp_path / "crew.pdf"
    fp = make_report(records_file, site, out)
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", str(out), str(tmp_path / "p")],
                   check=True)
    page = np.asarray(Image.open(next(tmp_path.glob("p*.png"))).convert("L")).astype(int)
    h, w = page.shape
    band = page[: int(h * 24 / 297)]
    corner = band[:, int(w * 0.8):]
    dark, light = (corner < 60).mean(), (corner > 200).mean()
    assert dark > 0.08 and light > 0.08  # black modules on white, where the rest of the band is yellow
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert fp in text and "Hushan training centre" in text
