"""The printed report's pages: nothing printed runs into anything else, in either language."""

import math

import pytest
from matplotlib.text import Text

from rescue_signals.paper.records import Records
from rescue_signals.paper.pages import A4_MM, pdf_pages
from rescue_signals.paper.reports import Details, build_report, stamp_for
from rescue_signals.paper.sitekey import site_key

from tests.drill.test_drill_reports import records_file  # noqa: F401  (the crew of three, as a fixture)


def _corners(box, rotation_deg):
    """The corners of a (possibly rotated) text's own rectangle, from its upright bounding box."""
    theta = math.radians(rotation_deg % 180)
    c, s = abs(math.cos(theta)), abs(math.sin(theta))
    det = c * c - s * s
    if abs(det) < 0.2:  # near 45°: the upright box is all there is to go on
        w, h, theta = box.width, box.height, 0.0
    else:
        w, h = (box.width * c - box.height * s) / det, (box.height * c - box.width * s) / det
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    ux, uy = math.cos(theta), math.sin(theta)
    return [(cx + a * w / 2 * ux - b * h / 2 * uy, cy + a * w / 2 * uy + b * h / 2 * ux)
            for a, b in ((-1, -1), (1, -1), (1, 1), (-1, 1))]


def _overlap(p, q, tolerance_px=0.5):
    """Whether two convex quadrilaterals overlap by more than the tolerance (separating axes)."""
    for poly in (p, q):
        for i in range(4):
            (x1, y1), (x2, y2) = poly[i], poly[(i + 1) % 4]
            nx, ny = y2 - y1, x1 - x2
            norm = math.hypot(nx, ny) or 1.0
            a = [(x * nx + y * ny) / norm for x, y in p]
            b = [(x * nx + y * ny) / norm for x, y in q]
            if max(a) - tolerance_px <= min(b) or max(b) - tolerance_px <= min(a):
                return False
    return True


def drawn_text(figures, monkeypatch):
    """Per page: every piece of text as drawn, with its box (display pixels), and the QR code's box."""
    drawn = []
    original = Text.draw

    def recording(self, renderer):
        if self.get_visible() and self.get_text().strip():
            drawn.append((self.get_text(), self.get_window_extent(renderer), self.get_rotation()))
        return original(self, renderer)

    monkeypatch.setattr(Text, "draw", recording)
    pages = []
    for fig in figures:
        drawn.clear()
        fig.canvas.draw()
        qr = [ax.get_window_extent() for ax in fig.axes if ax.get_label() == "qr-code"]
        pages.append((list(drawn), qr, fig.bbox))
    return pages


def layout_problems(pages) -> list[str]:
    """Every text of ``pages`` (:func:`drawn_text`) that runs off its page, into the QR code or over another text."""
    problems = []
    for number, (texts, qr, page) in enumerate(pages, 1):
        shapes = [(t, _corners(box, rot), box) for t, box, rot in texts]
        for i, (a, pa, box) in enumerate(shapes):
            if box.x0 < page.x0 - 0.5 or box.x1 > page.x1 + 0.5 or box.y0 < page.y0 - 0.5 or box.y1 > page.y1 + 0.5:
                problems.append(f"page {number}: {a!r} runs off the page")
            for q in qr:
                if box.overlaps(q) and _overlap(pa, _corners(q, 0)):
                    problems.append(f"page {number}: {a!r} runs into the QR code")
            problems += [f"page {number}: {a!r} overlaps {b!r}" for b, pb, _ in shapes[:i] if _overlap(pa, pb)]
    return problems


@pytest.mark.parametrize("kind", ["trainee", "crew"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_two_pieces_of_text_on_a_report_page_overlap(records_file, monkeypatch, kind, lang):
    key, _ = site_key(site="Hushan training centre")
    details = Details() if kind == "trainee" else Details(  # blank lines to fill in, or long names
        unit="Hushan Coal Mining Company, No. 2 Mine (mine rescue brigade, second squadron)",
        place="Underground training gallery, level −450 m, west wing", trainer="Zhang Jianguo 张建国")
    with Records(records_file, read_only=True) as records:
        report = build_report(records, details=details,
                              **({"trainee": "Li Wei"} if kind == "trainee" else {"crew": "一班"}))
    pages = drawn_text(pdf_pages(report, stamp_for(report, key.public), lang), monkeypatch)
    assert pages and all(abs(fig_box.width / fig_box.height - A4_MM[0] / A4_MM[1]) < 1e-3 for _, _, fig_box in pages)
    problems = layout_problems(pages)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_charts_name_their_axes_in_the_report_language_and_give_reaction_times_in_seconds(records_file, lang):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    from rescue_signals.codebook import default_codebook
    from rescue_signals.paper.pages import confusion_chart, progress_chart, reaction_chart

    with Records(records_file, read_only=True) as records:
        data = build_report(records, crew="一班").data
    fig = pyplot.figure()
    progress, confusion, reaction = (fig.add_subplot(1, 3, n) for n in (1, 2, 3))
    progress_chart(progress, data, lang)
    confusion_chart(confusion, data["confusion"], default_codebook(), lang)
    reaction_chart(reaction, data, lang)
    expected = {"zh": [("训练日期", "综合分（0–100）"), ("所答", "正确答案"), ("学员", "反应时间（秒）")],
                "en": [("Date of the session", "Composite score (0–100)"), ("Answer given", "Right answer"),
                       ("Trainee", "Reaction time (s)")]}[lang]
    assert [(ax.get_xlabel(), ax.get_ylabel()) for ax in (progress, confusion, reaction)] == expected
    seconds = [row["reaction_s"] for row in data["trials"] if row["correct"] and not row["false_start"]]
    low, high = reaction.get_ylim()
    assert 0 < max(seconds) < 30 and low <= min(seconds) and max(seconds) <= high < 60  # seconds, not ms
    pyplot.close(fig)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_large_crew_report_runs_over_pages_without_overlaps(tmp_path, clock, monkeypatch, lang):
    import numpy as np

    from rescue_signals.codebook import default_codebook
    from rescue_signals.drill import Drill, Response, find_scenario, score

    cb, s = default_codebook(), find_scenario("first-lesson")
    with Records(tmp_path / "r.sqlite3", now=clock) as rec:
        for n in range(24):
            trainee = rec.ensure_trainee(f"Trainee number {n} 李{n}", "二班")
            sid = rec.start_session(trainee.id, s.id, scenario_title=s.title.get(lang), codebook_id=cb.id)
            drill = Drill(s, cb, rng=np.random.default_rng(n))
            while (t := drill.next_trial()) is not None:
                answer = t.expected.label if t.task == "recognise" else t.expected.count
                rec.save_attempt(sid, drill.answer(t, Response(answer, 0.0, 1.0 + 0.1 * n)))
            rec.end_session(sid, score(drill.attempts, s))
        report = build_report(rec, crew="二班")
    key, _ = site_key(site="Hushan training centre")
    pages = drawn_text(pdf_pages(report, stamp_for(report, key.public), lang), monkeypatch)
    assert len(pages) >= 2
    problems = layout_problems(pages)
    assert not problems, "\n".join(problems[:20])
