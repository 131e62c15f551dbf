"""Reports an inspector can check, and the printed helmet label and pocket card."""

import csv
import io
import re
import sqlite3
import subprocess
from datetime import timedelta

import numpy as np
import pytest
from PIL import Image

from rescue_signals.cli import main
from rescue_signals.codebook import default_codebook
from rescue_signals.drill import Drill, Response, find_scenario, score
from rescue_signals.paper.printed import LABEL_SIZE_MM, cjk_font_path, label_rows
from rescue_signals.paper.records import Records

CB = default_codebook()
NAMES = ("Li Wei", "王强", "Zhao Lei")


@pytest.fixture
def records_file(tmp_path, clock):
    """A crew of three, each with two finished sessions, a better score the second time."""
    db = tmp_path / "records.sqlite3"
    clock.step = timedelta(seconds=7)
    with Records(db, now=clock) as rec:
        for person, name in enumerate(NAMES):
            trainee = rec.ensure_trainee(name, "一班")
            for day in range(2):
                clock.now += timedelta(days=1)
                s = find_scenario("first-lesson")
                sid = rec.start_session(trainee.id, s.id, scenario_title=s.title.get("zh"), codebook_id=CB.id)
                drill = Drill(s, CB, rng=np.random.default_rng(day))
                i = 0
                while (t := drill.next_trial()) is not None:
                    ok = i % (person + 2 + day) != 0
                    answer = t.expected.label if ok else "unknown"
                    if t.task != "recognise":
                        answer = t.expected.count if ok else 1
                    rec.save_attempt(sid, drill.answer(t, Response(answer, 0.0, 1.0 + 0.3 * i + person)))
                    i += 1
                rec.end_session(sid, score(drill.attempts, s))
    return db


def run_cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("fmt", ["csv", "html", "pdf"])
def test_a_crew_report_is_written_and_verifies(records_file, tmp_path, capsys, fmt):
    out_file = tmp_path / f"crew.{fmt}"
    code, out, err = run_cli(capsys, "report", "--crew", "一班", "-o", str(out_file), "--db", str(records_file))
    assert code == 0, err
    digest = re.search(r"content sha256 ([0-9a-f]{64})", out).group(1)
    code, out, err = run_cli(capsys, "report", "--verify", str(out_file), "--db", str(records_file))
    assert code == 0, err
    assert "signature: valid" in out and "trusted: this site's own key" in out
    assert digest in out and "give the same content" in out
    # one changed byte is detected
    body = bytearray(out_file.read_bytes())
    i = body.find("王强".encode()) if fmt != "pdf" else body.find(b"/Producer")
    body[i + 1] ^= 0x01
    out_file.write_bytes(bytes(body))
    code, out, err = run_cli(capsys, "report", "--verify", str(out_file))
    assert code == 1 and "changed since it was signed" in err


def test_the_csv_holds_every_trial_with_what_was_played_and_answered(records_file, tmp_path, capsys):
    out_file = tmp_path / "li.csv"
    assert run_cli(capsys, "report", "--trainee", "Li Wei", "-o", str(out_file), "--db", str(records_file))[0] == 0
    text = out_file.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO("".join(l for l in text.splitlines(True) if not l.startswith("#")))))
    assert len(rows) == 14 and {r["trainee"] for r in rows} == {"Li Wei"}
    with sqlite3.connect(records_file) as conn:
        uuids = {u for (u,) in conn.execute("SELECT t.uuid FROM trials t JOIN sessions s ON s.id = t.session_id "
                                             "JOIN trainees p ON p.id = s.trainee_id WHERE p.name = 'Li Wei'")}
    assert {r["trial_uuid"] for r in rows} == uuids
    first = rows[0]
    assert first["played"] == "T5" and first["expected"] == "call" and first["seed"].isdigit()
    assert '"medium": "pipe"' in first["conditions"]  # enough to replay the trial exactly
    assert text.rstrip().splitlines()[-1].startswith("# rescue-signals-signature:ed25519:")


def test_a_report_no_longer_matching_the_records_is_caught_but_later_drills_do_not_matter(
        records_file, tmp_path, capsys):
    out_file = tmp_path / "li.html"
    assert run_cli(capsys, "report", "--trainee", "Li Wei", "-o", str(out_file), "--db", str(records_file))[0] == 0
    with Records(records_file) as rec:  # a later session does not change what the report covered
        t = rec.trainee("Li Wei")
        rec.start_session(t.id, "first-lesson", codebook_id=CB.id)
    code, out, _ = run_cli(capsys, "report", "--verify", str(out_file), "--db", str(records_file))
    assert code == 0 and "give the same content" in out
    with sqlite3.connect(records_file) as conn:  # an answer changed in the records afterwards
        conn.execute("UPDATE trials SET attempt_json = replace(attempt_json, '\"correct\": false', "
                     "'\"correct\": true') WHERE id = (SELECT min(id) FROM trials WHERE correct = 0)")
    code, out, err = run_cli(capsys, "report", "--verify", str(out_file), "--db", str(records_file))
    assert code == 1 and "the stored row was changed afterwards: attempt_json" in out
    assert "does not match the records" in err


def test_the_pdf_report_shows_the_crew_charts_and_digest(records_file, tmp_path, capsys, artifacts_dir):
    out_file = tmp_path / "crew.pdf"
    code, out, _ = run_cli(capsys, "report", "--crew", "一班", "-o", str(out_file), "--db", str(records_file),
                           "--lang", "zh")
    digest = re.search(r"content sha256 ([0-9a-f]{64})", out).group(1)
    text = subprocess.run(["pdftotext", "-layout", str(out_file), "-"], capture_output=True, text=True).stdout
    assert "班组训练记录：一班" in text and all(name in text for name in NAMES)
    assert text.count(digest) >= 2  # on every page
    fingerprint = re.search(r"key ([0-9a-f:]{79})", out).group(1)
    assert text.count(fingerprint) == text.count(digest) and "签署单位" in text
    assert "综合分 = 100 ×" in text and "混淆矩阵" in text
    assert "各场景结果" in text and "第一课：四个信号" in text  # who passed which scenario
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(out_file), str(tmp_path / "p")],
                   check=True)
    page = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    page.save(artifacts_dir / "drill-crew-report-page1.png")
    pixels = np.asarray(page)
    lower = pixels[pixels.shape[0] // 2:].astype(int)  # the confusion matrix and the reaction times
    coloured = (lower.max(axis=2) - lower.min(axis=2)) > 60
    assert coloured.mean() > 0.05


def test_reports_for_unknown_people_suggest_the_closest_name(records_file, capsys):
    code, _, err = run_cli(capsys, "report", "--trainee", "Li Wie", "--db", str(records_file))
    assert code == 1 and "did you mean 'Li Wei'" in err
    code, out, _ = run_cli(capsys, "report", "--crew", "一班", "--db", str(records_file))
    assert code == 0 and all(name in out for name in NAMES)  # a summary on the terminal
    code, _, err = run_cli(capsys, "report", "--crew", "一班", "-o", "x.docx", "--db", str(records_file))
    assert code == 1 and "use csv, html, pdf, xapi" in err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_helmet_label_and_pocket_card_print_at_size(tmp_path, capsys, artifacts_dir, lang):
    code, out, err = run_cli(capsys, "label", "--lang", lang, "-o", str(tmp_path))
    assert code == 0, err
    png = Image.open(tmp_path / f"helmet-label-{lang}.png")
    w_px, h_px = (round(mm / 25.4 * 600) for mm in LABEL_SIZE_MM)
    assert abs(png.width - w_px) <= 1 and abs(png.height - h_px) <= 1
    png.convert("RGB").save(artifacts_dir / f"drill-helmet-label-{lang}.png")
    info = subprocess.run(["pdfinfo", str(tmp_path / f"helmet-label-{lang}.pdf")], capture_output=True,
                          text=True).stdout
    w_pt, h_pt = (float(x) for x in re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert (round(w_pt / 72 * 25.4), round(h_pt / 72 * 25.4)) == LABEL_SIZE_MM
    text = subprocess.run(["pdftotext", str(tmp_path / f"helmet-label-{lang}.pdf"), "-"], capture_output=True,
                          text=True).stdout
    for knocks, name, _, _ in label_rows(CB, lang):
        assert name in text
    assert ("本项目自行设计" if lang == "zh" else "own layout") in text
    pixels = np.asarray(png.convert("RGB")).astype(int)
    band = pixels[: h_px // 8]
    assert (np.abs(band - [242, 169, 0]).sum(axis=2) < 60).mean() > 0.5  # the safety-yellow title band
    card = subprocess.run(["pdfinfo", str(tmp_path / f"pocket-card-{lang}.pdf")], capture_output=True,
                          text=True).stdout
    assert "Pages:           1" in card
    card_text = subprocess.run(["pdftotext", str(tmp_path / f"pocket-card-{lang}.pdf"), "-"], capture_output=True,
                               text=True).stdout
    assert CB.precondition.get(lang)[:8] in card_text
    assert (tmp_path / f"helmet-labels-a4-{lang}.pdf").is_file()


def test_every_chinese_character_printed_has_a_glyph():
    from matplotlib.ft2font import FT2Font

    font = FT2Font(str(cjk_font_path()))
    texts = [CB.title.get("zh"), CB.precondition.get("zh"), *[r.get("zh") for r in CB.rules]]
    texts += [" ".join(row[1:]) for row in label_rows(CB, "zh")]
    missing = {c for t in texts for c in t if not c.isspace() and font.get_char_index(ord(c)) == 0}
    assert not missing
