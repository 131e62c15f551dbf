"""What an inspection asks of a printed training record: unit and place, dates, trainer and trainee, the signals
tested and mastered, score and reaction times, whether visual beats were on, and lines to sign on."""

import json
import re
import subprocess

import numpy as np
import pytest

from rescue_signals.cli import main
from rescue_signals.codebook import default_codebook
from rescue_signals.drill import Drill, Response, find_scenario, score
from rescue_signals.paper.records import Records

from tests.drill.test_drill_reports import records_file  # noqa: F401  (the crew of three, as a fixture)

CB = default_codebook()


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def pdf_text(path, *options):
    return subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def with_beats(records_file, clock):
    """Li Wei drills three times more with visual beats on, all right this time."""
    with Records(records_file, now=clock) as rec:
        t = rec.trainee("Li Wei")
        s = find_scenario("first-lesson")
        for seed in range(3):
            sid = rec.start_session(t.id, s.id, scenario_title=s.title.get("zh"), codebook_id=CB.id)
            drill = Drill(s, CB, rng=np.random.default_rng(5 + seed))
            while (trial := drill.next_trial()) is not None:
                answer = trial.expected.label if trial.task == "recognise" else trial.expected.count
                rec.save_attempt(sid, drill.answer(trial, Response(answer, 0.0, 1.5, visual_beats=True)))
            rec.end_session(sid, score(drill.attempts, s))
    return records_file


WORDS = {
    "zh": {"unit": "单位", "place": "培训地点", "trainer": "培训教员", "trainee": "学员", "period": "培训日期",
           "tested": "测试过的信号", "mastered": "已掌握的信号（正确率 ≥ 80%）", "beats": "节拍闪光",
"sign_trainee": "学员签名", "sign_trainer": "培训教员签名",
           "call": "呼救", "latency": "反应时间"},
    "en": {"unit": "Unit", "place": "Place of training", "trainer": "Trainer", "trainee": "Trainee",
           "period": "Dates of training", "tested": "Signals tested", "mastered": "Signals mastered (≥ 80% right)",
           "beats": "Visual beats", "sign_trainee": "Trainee's signature",
           "sign_trainer": "Trainer's signature", "call": "call (5)", "latency": "Reaction"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_printed_report_carries_what_an_inspection_asks_for(with_beats, tmp_path, capsys, lang):
    out = tmp_path / f"li-{lang}.pdf"
    code, _, err = run_cli(capsys, "report", "--trainee", "Li Wei", "-o", out, "--db", with_beats, "--lang", lang,
                           "--unit", "Hushan No. 2 Mine", "--place", "Training hall B", "--trainer", "Zhang Gong")
    assert code == 0, err
    text = " ".join(pdf_text(out).split())
    w = WORDS[lang]
    for word in ("unit", "place", "trainer", "trainee", "period", "tested", "mastered", "beats", "sign_trainee",
                 "sign_trainer", "latency"):
        assert w[word] in text, word
    assert "Hushan No. 2 Mine" in text and "Training hall B" in text and "Zhang Gong" in text
    assert "2024-05-02 – 2024-05-" in text  # the dates of training, first to last
    assert w["call"] in text
    beats = {"zh": "开", "en": "on"}[lang]
    assert f"{w['beats']}" in text and re.search(rf"\b{beats}\b" if lang == "en" else beats, text)
    assert "1.5 / 1.5 s" in text  # the session with beats: its reaction times, in seconds


def test_mastered_signals_are_those_with_at_least_80_percent_right(with_beats):
    from rescue_signals.paper.pages import signal_rows
    from rescue_signals.paper.reports import build_report

    with Records(with_beats, read_only=True) as rec:
        data = build_report(rec, trainee="Li Wei").data
    head, rows = signal_rows(data, CB, "en")
    member = data["members"][0]
    tested = [p for p in member["per_label"] if p["trials"]]
    mastered = [p["label"] for p in tested if p["accepted"] >= 0.8 * p["trials"]]
    assert head[2] == "Signals mastered (≥ 80% right)"
    assert 0 < len(mastered) < len(tested)  # some mastered, some not yet
    from rescue_signals.drill import label_name

    assert rows[0][2] == ", ".join(label_name(m, CB, "en") for m in mastered)
    assert rows[0][1] == ", ".join(label_name(p["label"], CB, "en") for p in tested)
    assert rows[0][3] == "on in 21 of 35"


def test_unit_place_and_trainer_are_remembered_signed_and_checked(records_file, tmp_path, capsys):
    first = tmp_path / "crew.pdf"
    assert run_cli(capsys, "report", "--crew", "一班", "-o", first, "--db", records_file, "--unit", "湖山煤矿",
                   "--place", "培训中心三楼", "--trainer", "张工")[0] == 0
    later = tmp_path / "crew.html"  # no options: the remembered ones
    code, out, err = run_cli(capsys, "report", "--crew", "一班", "-o", later, "--db", records_file)
    assert code == 0, err
    page = later.read_text(encoding="utf-8")
    assert "湖山煤矿" in page and "培训中心三楼" in page and "张工" in page and "培训教员签名" in page
    for name in ("Li Wei", "王强", "Zhao Lei"):  # a line for each trainee to sign
        assert f"学员签名: {name}" in page
    csv_file = tmp_path / "crew.csv"
    assert run_cli(capsys, "report", "--crew", "一班", "-o", csv_file, "--db", records_file)[0] == 0
    assert "# unit: 湖山煤矿\n# place: 培训中心三楼\n# trainer: 张工\n" in csv_file.read_text(encoding="utf-8")
    code, out, _ = run_cli(capsys, "report", "--crew", "一班", "--db", records_file)  # the terminal summary
    assert "单位: 湖山煤矿" in out and "培训教员: 张工" in out
    # an inspector's check rebuilds the content with the details the report was signed with, even after they change
    assert run_cli(capsys, "report", "--crew", "一班", "--db", records_file, "--trainer", "李工")[0] == 0
    for path in (first, later, csv_file):
        code, out, err = run_cli(capsys, "report", "--verify", path, "--db", records_file)
        assert code == 0 and "give the same content" in out, (out, err)
    # cleared with an empty value; the xAPI instructor is the trainer unless given
    xapi = tmp_path / "crew.json"
    assert run_cli(capsys, "report", "--crew", "一班", "-o", xapi, "--db", records_file, "--unit", "")[0] == 0
    statements = json.loads(xapi.read_text(encoding="utf-8"))
    assert {json.dumps(s["context"]["instructor"], ensure_ascii=False) for s in statements} and \
        all("李工" in json.dumps(s["context"]["instructor"], ensure_ascii=False) for s in statements)
    with Records(records_file, read_only=True) as rec:
        assert rec.setting("report.unit") is None and rec.setting("report.trainer") == "李工"


def test_without_details_a_report_has_lines_to_fill_in_and_its_content_is_unchanged(records_file, tmp_path,
                                                                                    capsys):
    from rescue_signals.paper.reports import build_report

    with Records(records_file, read_only=True) as rec:
        report = build_report(rec, trainee="Li Wei")
    assert "details" not in report.data and "details" not in report.meta(_signer())  # as reports made before
    out = tmp_path / "li.pdf"
    assert run_cli(capsys, "report", "--trainee", "Li Wei", "-o", out, "--db", records_file, "--lang", "en")[0] == 0
    text = pdf_text(out, "-layout")
    assert re.search(r"Unit\s+_{8,}", text) and re.search(r"Trainer\s+_{8,}", text)


def _signer():
    from rescue_signals.paper.sitekey import site_key

    return site_key(site="Hushan")[0].public


def test_percentages_are_written_the_way_the_screen_shows_them_in_every_format(records_file, tmp_path, capsys):
    """As the screen shows a share (``f"{share:.0%}"``: 80%): in the CSV, the HTML page, the PDF and the terminal."""
    import csv
    import io

    from rescue_signals.paper.reports import build_report

    with Records(records_file, read_only=True) as rec:
        data = build_report(rec, crew="一班").data
    shown = {s["id"]: f"{s['accuracy']:.0%}" for s in data["sessions"]}
    out = tmp_path / "crew.csv"
    assert run_cli(capsys, "report", "--crew", "一班", "-o", out, "--db", records_file)[0] == 0
    body = "".join(line for line in out.read_text(encoding="utf-8").splitlines(True) if not line.startswith("#"))
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and all(r["session_accuracy"] == shown[int(r["session"])] for r in rows)
    for lang in ("zh", "en"):
        page = tmp_path / f"crew-{lang}.html"
        assert run_cli(capsys, "report", "--crew", "一班", "-o", page, "--db", records_file, "--lang", lang)[0] == 0
        pdf = tmp_path / f"crew-{lang}.pdf"
        assert run_cli(capsys, "report", "--crew", "一班", "-o", pdf, "--db", records_file, "--lang", lang)[0] == 0
        code, summary, _ = run_cli(capsys, "report", "--crew", "一班", "--db", records_file, "--lang", lang)
        for text in (page.read_text(encoding="utf-8"), pdf_text(pdf), summary):
            assert not re.search(r"\d %", text)  # never "80 %" beside "80%"
            assert all(v in text for v in shown.values())
