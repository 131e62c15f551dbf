"""The layout of a report: charts (progress, confusion matrix, reaction times), an HTML page and an A4 PDF.

Everything shown comes from the data of a :class:`rescue_signals.paper.reports.Report`; this module only lays it
out, and imports nothing of the reports (they import it). Both formats show who signed the report (the site and its
key's fingerprint; the PDF also as a QR code) and carry the metadata and the signature's place of the
:class:`rescue_signals.paper.reports.Stamp` they are given.
"""

from __future__ import annotations

import base64
import html
import io
import re
from datetime import datetime

from rescue_signals.catalog import say
from rescue_signals.codebook import Codebook, default_codebook
from rescue_signals.drill import label_name
from rescue_signals.drill.adaptive import MASTERED
from rescue_signals.paper.printed import MM, use_cjk_font

A4_MM = (210.0, 297.0)
QR_MM = 22.0
"""Side of the QR code in the first page's title band (modules of about 0.4 mm: a phone reads them up close)."""
_ROW_MM = 5.2
_MAX_NAMED = 10
"""Charts name each trainee (a legend, a box each) for crews up to this size; larger crews' charts go by scenario."""

def _t(key: str, lang: str, **values) -> str:
    """The printed pages' phrase ``key`` (``report.<key>`` in the catalog) in ``lang``."""
    return say("report." + key, lang, **values)


def _join(items, lang: str) -> str:
    return say("report.list_separator", lang).join(items) or "—"


def percent(share: float | None) -> str:
    """A share as the screen and the printed report show it: ``"86%"`` (``"—"`` when there is none)."""
    return "—" if share is None else f"{share:.0%}"


def _num(x, unit: str = "", digits: int = 1) -> str:
    return "—" if x is None else f"{x:.{digits}f}{unit}"


def _date(iso: str | None, *, time: bool = True) -> str:
    if not iso:
        return "—"
    local = datetime.fromisoformat(iso).astimezone()
    return local.strftime("%Y-%m-%d %H:%M" if time else "%Y-%m-%d")


def member_rows(data: dict, lang: str) -> tuple[list[str], list[list[str]]]:
    """The summary table: one row per member."""
    head = [_t(k, lang) for k in ("rank", "name", "sessions", "trials", "accuracy", "latency", "false_starts",
                                  "spacing", "snr", "best", "passed")]
    rows = []
    for m in data["members"]:
        lat = "—" if m["latency_median_s"] is None else f"{m['latency_median_s']:.1f} / {m['latency_p90_s']:.1f} s"
        rows.append([str(m["rank"]), m["name"], str(m["sessions"]), str(m["trials"]), percent(m["accuracy"]), lat,
                     str(m["false_starts"]), _num(m["knock_spacing_error_s"], " s", 2),
                     _num(m["snr_threshold_db"], " dB"), _num(m["best_composite"]),
                     str(len(m["passed_scenarios"]))])
    return head, rows


def scenario_rows(data: dict, lang: str) -> tuple[list[str], list[list[str]]]:
    """Who passed which scenario: a row per member, a column per scenario ("passed 85.0", "not passed 57.1")."""
    ids: dict[str, str] = {}
    for m in data["members"]:
        for r in m["scenarios"]:
            ids.setdefault(r["scenario_id"], r["title"] or r["scenario_id"])
    head = [_t("name", lang)] + list(ids.values())
    rows = []
    for m in data["members"]:
        results = {r["scenario_id"]: r for r in m["scenarios"]}
        cells = []
        for sid in ids:
            r = results.get(sid)
            if r is None:
                cells.append("—")
            elif not r["finished"]:
                cells.append(_t("open", lang))
            else:
                cells.append(f"{_t('yes' if r['passed'] else 'no', lang)} {_num(r['best_composite'])}")
        rows.append([m["name"]] + cells)
    return head, rows


def session_rows(data: dict, lang: str) -> tuple[list[str], list[list[str]]]:
    head = [_t(k, lang) for k in ("date", "name", "scenario", "trials", "accuracy", "latency", "false_starts",
                                  "composite", "result", "beats")]
    rows = []
    for s in data["sessions"]:
        lat = "—" if s["latency_median_s"] is None else f"{s['latency_median_s']:.1f} / {s['latency_p90_s']:.1f} s"
        result = _t("yes" if s["passed"] else "no", lang) if s["finished"] else _t("open", lang)
        planned = f"/{s['trials_planned']}" if s["trials_planned"] else ""
        rows.append([_date(s["started_at"]), s["trainee"], s["scenario_title"] or s["scenario_id"],
                     f"{s['trials']}{planned}", percent(s["accuracy"]), lat, str(s["false_starts"]),
                     _num(s["composite"]), result,
                     beats_text([r for r in data["trials"] if r["session"] == s["id"]], lang)])
    return head, rows


def beats_text(trials: list[dict], lang: str) -> str:
    """Whether the knocks were also shown on screen in these answers: on, off, on in k of n, or not recorded."""
    known = [r["visual_beats"] for r in trials if r["visual_beats"] is not None]
    if not known:
        return _t("beats.unknown", lang) if trials else "—"
    on = sum(bool(v) for v in known)
    if on == len(trials):
        return _t("beats.on", lang)
    if on == 0 and len(known) == len(trials):
        return _t("beats.off", lang)
    return _t("beats.some", lang, k=on, n=len(trials))


def detail_rows(report, lang: str) -> list[tuple[str, str]]:
    """What the report is of, as an inspection asks it: unit, place, trainer, trainee or crew, the dates of
    training, when the records were taken, the codebook and whether visual beats were on. A detail the site has
    not set is a line to fill in by hand."""
    d, cb = report.data, default_codebook()
    details = d.get("details", {})
    rows = [(_t(k, lang), details.get(k) or _t("blank", lang)) for k in ("unit", "place", "trainer")]
    if report.kind == "trainee":
        crew = d["members"][0]["crew"] if d["members"] else None
        rows.append((_t("trainee", lang), report.subject))
        rows.append((_t("crew", lang), crew or "—"))
    else:
        rows.append((_t("crew", lang), f"{report.subject} · {_t('members_n', lang, n=len(d['members']))}"))
    days = sorted({_date(s["started_at"], time=False) for s in d["sessions"]})
    rows.append((_t("period", lang), "—" if not days else days[0] if len(days) == 1 else f"{days[0]} – {days[-1]}"))
    rows.append((_t("until", lang), _date(d["generated_at"])))
    rows.append((_t("codebook", lang), cb.title.get(lang)))
    rows.append((_t("beats", lang), beats_text(d["trials"], lang)))
    return rows


def signal_rows(data: dict, cb: Codebook, lang: str) -> tuple[list[str], list[list[str]]]:
    """Per member: the signals tested, those mastered (at least :data:`MASTERED` of the answers right), and
    whether visual beats were on."""
    head = [_t("name", lang), _t("tested", lang), _t("mastered", lang, share=percent(MASTERED)), _t("beats", lang)]
    rows = []
    for m in data["members"]:
        tested = [p for p in m["per_label"] if p["trials"]]
        mastered = [p for p in tested if p["accepted"] / p["trials"] >= MASTERED]
        rows.append([m["name"], _join([label_name(p["label"], cb, lang) for p in tested], lang),
                     _join([label_name(p["label"], cb, lang) for p in mastered], lang),
                     beats_text([r for r in data["trials"] if r["trainee"] == m["name"]], lang)])
    return head, rows


def signature_rows(report, lang: str) -> list[tuple[str, str]]:
    """The signatures a printed report asks for: (whose, name printed beside the line)."""
    d = report.data
    rows = [(_t("sign.trainee", lang), m["name"]) for m in sorted(d["members"], key=lambda m: m["name"])]
    return rows + [(_t("sign.trainer", lang), d.get("details", {}).get("trainer", ""))]


def refresher_lines(data: dict, cb: Codebook, lang: str) -> list[str]:
    lines = []
    for m in data["members"]:
        due = [r for r in m["refreshers"] if r["overdue"]][:4]
        if due:
            names = "、".join(label_name(r["label"], cb, lang) for r in due) if lang == "zh" else \
                ", ".join(label_name(r["label"], cb, lang) for r in due)
            lines.append(f"{m['name']}: {names}")
    return lines


# -- charts -----------------------------------------------------------------------------------------------------
def _pyplot():
    use_cjk_font()
    from matplotlib import pyplot

    return pyplot


def progress_chart(ax, data: dict, lang: str) -> None:
    """Composite score of each finished session over time, a line per trainee; filled dots passed."""
    done = [s for s in data["sessions"] if s["finished"] and s["composite"] is not None]
    for name in dict.fromkeys(s["trainee"] for s in done):
        mine = [s for s in done if s["trainee"] == name]
        times = [datetime.fromisoformat(s["started_at"]).astimezone() for s in mine]
        line, = ax.plot(times, [s["composite"] for s in mine], "-", lw=1, label=name)
        for t, s in zip(times, mine):
            ax.plot([t], [s["composite"]], "o", ms=4, color=line.get_color(),
                    markerfacecolor=line.get_color() if s["passed"] else "white")
    ax.set_ylim(0, 105)
    ax.set_ylabel(_t("axis.composite", lang), fontsize=7)
    ax.set_xlabel(_t("axis.date", lang), fontsize=7)
    ax.set_title(_t("progress", lang), fontsize=8)
    ax.tick_params(labelsize=6)
    ax.grid(alpha=0.3)
    if done:
        import matplotlib.dates as mdates

        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.xaxis.get_offset_text().set_fontsize(6)
        if len({s["trainee"] for s in done}) <= _MAX_NAMED:  # more names would cover the chart
            ax.legend(fontsize=6, loc="lower right")
    else:
        ax.text(0.5, 0.5, _t("none", lang), transform=ax.transAxes, ha="center", fontsize=8)


def confusion_chart(ax, confusion: dict, cb: Codebook, lang: str) -> None:
    """The confusion matrix as a heat map with the counts written in."""
    import numpy as np

    counts = np.array(confusion["counts"], dtype=float).reshape(len(confusion["rows"]), len(confusion["columns"]))
    if counts.size:
        ax.imshow(counts, cmap="Oranges", aspect="auto", vmin=0)
        for (i, j), v in np.ndenumerate(counts):
            if v:
                ax.text(j, i, f"{int(v)}", ha="center", va="center", fontsize=7,
                        color="white" if v > counts.max() * 0.6 else "black")
        ax.set_xticks(range(len(confusion["columns"])), [label_name(c, cb, lang) for c in confusion["columns"]],
                      rotation=35, ha="right", fontsize=6)
        ax.set_yticks(range(len(confusion["rows"])), [label_name(r, cb, lang) for r in confusion["rows"]],
                      fontsize=6)
        ax.set_xlabel(_t("axis.given", lang), fontsize=7)
        ax.set_ylabel(_t("axis.right", lang), fontsize=7)
    else:
        ax.set_axis_off()
        ax.text(0.5, 0.5, _t("none", lang), transform=ax.transAxes, ha="center", fontsize=8)
    ax.set_title(_t("confusion", lang), fontsize=8)


def reaction_chart(ax, data: dict, lang: str) -> None:
    """Reaction times of right answers, a box per trainee (a crew of up to :data:`_MAX_NAMED`) or per scenario."""
    key = "trainee" if data["kind"] == "crew" and len(data["members"]) <= _MAX_NAMED else "scenario"
    groups: dict[str, list[float]] = {}
    for row in data["trials"]:
        if row["correct"] and not row["false_start"] and row["reaction_s"] is not None:
            groups.setdefault(row[key], []).append(row["reaction_s"])
    if groups:
        ax.boxplot(list(groups.values()), showfliers=True, widths=0.5)
        ax.set_xticks(range(1, len(groups) + 1), list(groups), rotation=35, ha="right", fontsize=6)
        ax.set_ylabel(_t("axis.reaction", lang), fontsize=7)
        ax.set_xlabel(_t("axis." + key, lang), fontsize=7)
        ax.tick_params(axis="y", labelsize=6)
        ax.grid(axis="y", alpha=0.3)
    else:
        ax.set_axis_off()
        ax.text(0.5, 0.5, _t("none", lang), transform=ax.transAxes, ha="center", fontsize=8)
    ax.set_title(_t("reaction", lang), fontsize=8)


def _svg(draw, size_mm, *args) -> str:
    """A chart as an SVG data URL for the HTML page."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(size_mm[0] * MM, size_mm[1] * MM), layout="constrained")
    draw(ax, *args)
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


# -- HTML -------------------------------------------------------------------------------------------------------
_CSS = """body{font-family:"Noto Sans SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em auto;
max-width:62em;color:#111}h1{border-bottom:4px solid #F2A900;padding-bottom:.2em}table{border-collapse:collapse;
margin:.6em 0;font-size:.9em}th,td{border:1px solid #999;padding:.25em .5em;text-align:left}th{background:#f4f4f4}
img{max-width:100%}.details th{background:none;border:0;padding-left:0}.details td{border:0}
.sign{margin:1.6em 0 .4em}.sign span{display:inline-block;width:16em;border-bottom:1px solid #111;margin:0 1em}
.sign span.date{width:7em}footer{margin-top:2em;font-size:.8em;color:#444;word-break:break-all}
@media print{body{margin:0}section{break-inside:avoid}}"""


def _table(head, rows) -> str:
    esc = html.escape
    out = ["<table><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr>"]
    out += ["<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows]
    return "".join(out) + "</table>"


def html_page(report, stamp, lang: str) -> str:
    """The report as one self-contained HTML page (charts and the signer's QR code inline), with the place of its
    signature."""
    cb, d, esc = default_codebook(), report.data, html.escape
    title = f"{_t('title.' + report.kind, lang)}：{report.subject}" if lang == "zh" else \
        f"{_t('title.' + report.kind, lang)}: {report.subject}"
    details = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in detail_rows(report, lang))
    parts = [
        f"<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{esc(title)}</title>",
        f"<meta name=\"rescue-signals-report\" content=\"{stamp.meta}\">",
        f"<meta name=\"rescue-signals-signature\" content=\"{stamp.signature}\">",
        f"<style>{_CSS}</style></head><body><h1>{esc(title)}</h1><table class=\"details\">{details}</table>",
        f"<section><h2>{_t('summary', lang)}</h2>{_table(*member_rows(d, lang))}<p>{esc(_t('formula', lang))}</p>"
        "</section>",
        f"<section><img alt=\"{esc(_t('progress', lang))}\" src=\"{_svg(progress_chart, (180, 70), d, lang)}\">"
        f"<img alt=\"{esc(_t('confusion', lang))}\" "
        f"src=\"{_svg(confusion_chart, (110, 80), d['confusion'], cb, lang)}\">"
        f"<img alt=\"{esc(_t('reaction', lang))}\" src=\"{_svg(reaction_chart, (70, 80), d, lang)}\"></section>",
        f"<section><h2>{_t('signals', lang)}</h2>{_table(*signal_rows(d, cb, lang))}</section>",
        f"<section><h2>{_t('by_scenario', lang)}</h2>{_table(*scenario_rows(d, lang))}</section>",
        f"<section><h2>{_t('session_list', lang)}</h2>{_table(*session_rows(d, lang))}</section>",
    ]
    lines = refresher_lines(d, cb, lang)
    if lines:
        parts.append(f"<section><h2>{_t('refresh', lang)}</h2><ul>" +
                     "".join(f"<li>{esc(x)}</li>" for x in lines) + "</ul></section>")
    signs = "".join(f"<p class=\"sign\">{esc(whose)}: {esc(name)}<span></span>{esc(_t('sign.date', lang))}:"
                    "<span class=\"date\"></span></p>" for whose, name in signature_rows(report, lang))
    parts.append(f"<section><h2>{_t('signatures', lang)}</h2>{signs}</section>")
    qr = _qr(stamp.qr_text(report)).svg_data_uri(scale=3, border=2)
    parts.append(f"<footer><img alt=\"QR\" src=\"{qr}\" style=\"float:right\">{_t('signed', lang)}: {esc(stamp.site)}<br>"
                 f"{_t('key', lang)}: {stamp.fingerprint}<br>{_t('digest', lang)}: {report.content_sha256}<br>"
                 f"{_t('chain', lang)}: {stamp.chain_text}<br>{esc(_t('verify', lang))}</footer></body></html>\n")
    return "\n".join(parts)


# -- PDF --------------------------------------------------------------------------------------------------------
_MARGIN_MM = 15.0
_WIDTH_MM = A4_MM[0] - 2 * _MARGIN_MM
_TOP_MM = 15.0
"""Where the content of a page starts (below the title band on the first page)."""
_BOTTOM_MM = A4_MM[1] - 20.0
"""Where the content of a page ends: who signed it and how to check it are printed below."""
_BAND_MM = 24.0
_HEAD_MM = 7.4
"""A table's head row: room for two lines of its words."""
_TITLE_MM = 7.0
_GAP_MM = 5.0
_CHARTS_MM = 166.0
_DETAIL_MM = 5.0
_SIGN_MM = 11.0
_INK = "#111111"
_CELL_PT = 6.0
_MIN_PT = 4.2
"""Text that does not fit is set smaller, down to this size, and then wrapped (never over its neighbours)."""
_PAD_MM = 0.9
_TOKEN_RE = re.compile(r"[^\s\u2e80-\u9fff\uff00-\uffef]+\s*|\s+|.")


class _Sheet:
    """One A4 page: an axes over the whole page in millimetres from its top left corner, and text measured as
    it will be set, so that nothing printed runs into anything else."""

    def __init__(self, fig):
        self.fig = fig
        self.ax = fig.add_axes((0, 0, 1, 1))
        self.ax.set_xlim(0, A4_MM[0])
        self.ax.set_ylim(A4_MM[1], 0)
        self.ax.set_axis_off()
        self._renderer = fig.canvas.get_renderer()

    def width_mm(self, text: str, size: float, bold: bool = False) -> float:
        from matplotlib.font_manager import FontProperties

        prop = FontProperties(size=size, weight="bold" if bold else "normal")
        px = max(self._renderer.get_text_width_height_descent(line, prop, ismath=False)[0]
                 for line in text.split("\n"))
        return px / self._renderer.dpi * 25.4

    def wrap(self, text: str, width_mm: float, size: float, bold: bool = False) -> list[str]:
        """``text`` broken into lines no wider than ``width_mm`` (between words, or between Chinese characters)."""
        lines, line = [], ""
        for token in _TOKEN_RE.findall(text):
            trial = line + token
            if line.strip() and self.width_mm(trial.rstrip(), size, bold) > width_mm:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line = trial
        if line.strip() or not lines:
            lines.append(line.rstrip())
        return lines

    def fit(self, text: str, width_mm: float, size: float, *, lines: int = 1, bold: bool = False
            ) -> tuple[str, float]:
        """``text`` and the size at which it fits ``width_mm`` in at most ``lines`` lines (smaller if need be)."""
        while True:
            got = self.wrap(text, width_mm, size, bold)
            if len(got) <= lines and self.width_mm("\n".join(got), size, bold) <= width_mm or size <= _MIN_PT:
                return "\n".join(got), size
            size = max(_MIN_PT, size - 0.25)

    def text(self, x: float, y: float, text: str, size: float, *, bold: bool = False, color: str = _INK,
             ha: str = "left", va: str = "baseline", width_mm: float | None = None, lines: int = 1) -> None:
        """Write ``text`` at ``(x, y)`` mm; with ``width_mm``, made to fit that width."""
        if width_mm is not None:
            text, size = self.fit(text, width_mm, size, lines=lines, bold=bold)
        self.ax.text(x, y, text, fontsize=size, fontweight="bold" if bold else "normal", color=color, ha=ha,
                     va=va, parse_math=False, linespacing=1.1)

    def paragraph(self, top: float, text: str, size: float, *, x: float = _MARGIN_MM,
                  width_mm: float = _WIDTH_MM) -> float:
        """Write ``text`` wrapped to ``width_mm`` from ``top``; returns the bottom (mm)."""
        step = size * 0.3528 * 1.45
        for n, line in enumerate(self.wrap(text, width_mm, size)):
            self.text(x, top + step * (n + 0.8), line, size)
        return top + step * len(self.wrap(text, width_mm, size))

    def table(self, top: float, head, rows, widths) -> float:
        """A table across the page from ``top`` (mm); ``widths`` are the columns' shares. Returns its bottom."""
        from matplotlib.patches import Rectangle

        total = sum(widths)
        cols = [w / total * _WIDTH_MM for w in widths]
        y = top
        for r, row in enumerate([head, *rows]):
            height = _HEAD_MM if r == 0 else _ROW_MM
            x = _MARGIN_MM
            for cell, w in zip(row, cols):
                self.ax.add_patch(Rectangle((x, y), w, height, lw=0.3, ec="#000000",
                                            fc="#eeeeee" if r == 0 else "none"))
                self.text(x + _PAD_MM, y + height / 2, str(cell), _CELL_PT, bold=r == 0, va="center",
                          width_mm=w - 2 * _PAD_MM, lines=2)
                x += w
            y += height
        return y


class _Flow:
    """Sections set one after another down the pages, a new page begun when the next one does not fit."""

    def __init__(self, new_page):
        self._new_page = new_page
        self.sheets: list[_Sheet] = []
        self.page()

    def page(self) -> None:
        self.sheet = _Sheet(self._new_page())
        self.sheets.append(self.sheet)
        self.y = _TOP_MM

    def room(self, height_mm: float) -> None:
        if self.y + height_mm > _BOTTOM_MM and self.y > _TOP_MM:
            self.page()

    def title(self, text: str) -> None:
        self.sheet.text(_MARGIN_MM, self.y + 4.6, text, 11, bold=True, width_mm=_WIDTH_MM)
        self.y += _TITLE_MM

    def table(self, title: str, head, rows, widths) -> None:
        """A titled table, continued (under its title and head again) on the next pages when it is long."""
        rows = list(rows) or [["—"] + [""] * (len(head) - 1)]
        while rows:
            self.room(_TITLE_MM + _HEAD_MM + _ROW_MM * min(len(rows), 3))
            fit = max(1, int((_BOTTOM_MM - self.y - _TITLE_MM - _HEAD_MM) // _ROW_MM))
            chunk, rows = rows[:fit], rows[fit:]
            self.title(title)
            self.y = self.sheet.table(self.y, head, chunk, widths) + _GAP_MM

    def lines(self, title: str, lines: list[str], size: float = 7.0) -> None:
        for n, line in enumerate(lines):
            height = size * 0.3528 * 1.45 * len(self.sheet.wrap(line, _WIDTH_MM, size))
            self.room(height + (_TITLE_MM if n == 0 else 0))
            if n == 0 or self.y == _TOP_MM:
                self.title(title)
            self.y = self.sheet.paragraph(self.y, line, size)
        self.y += _GAP_MM

    def block(self, height_mm: float, draw) -> None:
        """Something ``height_mm`` tall drawn by ``draw(sheet, top_mm)``, kept whole on one page."""
        self.room(height_mm)
        draw(self.sheet, self.y)
        self.y += height_mm


def pdf_pages(report, stamp, lang: str) -> list:
    """The report's A4 pages as matplotlib figures: the title band with the QR code, the summary and charts, the
    scenarios, what to review and the sessions; on every page who signed it, the key's fingerprint, the content
    digest and how to verify it."""
    plt = _pyplot()
    cb, d = default_codebook(), report.data

    def new_page():
        return plt.figure(figsize=(A4_MM[0] * MM, A4_MM[1] * MM))

    flow = _Flow(new_page)
    _heading(flow.sheet, report, lang, cb)
    _qr_axes(flow.sheet.fig, stamp.qr_text(report))
    flow.y = _BAND_MM + 3
    details = detail_rows(report, lang)
    flow.block(_DETAIL_MM * ((len(details) + 1) // 2) + 2, lambda sheet, top: _details(sheet, top, details))
    flow.table(_t("summary", lang), *member_rows(d, lang), (5, 14, 7, 6, 7, 14, 7, 9, 9, 9, 9))
    flow.y -= _GAP_MM - 1
    flow.block(8, lambda sheet, top: sheet.paragraph(top, _t("formula", lang), 6.5))
    flow.block(_CHARTS_MM, lambda sheet, top: _charts(sheet.fig, top, d, cb, lang))
    flow.table(_t("signals", lang), *signal_rows(d, cb, lang), (14, 40, 40, 12))
    chead, crows = scenario_rows(d, lang)
    flow.table(_t("by_scenario", lang), chead, crows, (14,) + (30,) * (len(chead) - 1))
    lines = refresher_lines(d, cb, lang)
    if lines:
        flow.lines(_t("refresh", lang), lines)
    flow.table(_t("session_list", lang), *session_rows(d, lang), (13, 12, 22, 6, 7, 13, 6, 7, 8, 7))
    signs = signature_rows(report, lang)
    flow.room(_TITLE_MM + _SIGN_MM * min(len(signs), 3))
    flow.title(_t("signatures", lang))
    for whose, name in signs:
        flow.block(_SIGN_MM, lambda sheet, top, whose=whose, name=name: _signature(sheet, top, whose, name, lang))
    for number, sheet in enumerate(flow.sheets, 1):
        _footer(sheet, report, stamp, lang, number, len(flow.sheets))
    return [sheet.fig for sheet in flow.sheets]


def pdf_document(report, stamp, lang: str) -> bytes:
    """The report as an A4 PDF (see :func:`pdf_pages`), carrying the stamp's metadata and signature's place."""
    from matplotlib.backends.backend_pdf import PdfPages

    plt = _pyplot()
    buf = io.BytesIO()
    meta = {"Title": f"{say('report.title.' + report.kind, 'en')}: {report.subject}", "Creator": "rescue-signals",
            "Subject": stamp.meta, "Keywords": stamp.signature, "CreationDate": None}
    figures = pdf_pages(report, stamp, lang)
    try:
        with PdfPages(buf, metadata=meta) as pdf:
            for fig in figures:
                pdf.savefig(fig)
    finally:
        for fig in figures:
            plt.close(fig)
    return buf.getvalue()


def _charts(fig, top_mm: float, d: dict, cb: Codebook, lang: str) -> None:
    progress_chart(_axes(fig, (25, A4_MM[1] - top_mm - 62, 165, 58)), d, lang)
    confusion_chart(_axes(fig, (45, A4_MM[1] - top_mm - 140, 80, 62)), d["confusion"], cb, lang)
    reaction_chart(_axes(fig, (145, A4_MM[1] - top_mm - 140, 50, 62)), d, lang)


def _details(sheet: _Sheet, top: float, rows: list[tuple[str, str]]) -> None:
    """The report's details in two columns: a bold label and its value."""
    half = _WIDTH_MM / 2
    for n, (label, value) in enumerate(rows):
        x, y = _MARGIN_MM + half * (n % 2), top + _DETAIL_MM * (n // 2) + 3.8
        sheet.text(x, y, label, 7, bold=True, width_mm=27)
        sheet.text(x + 28, y, value, 7, width_mm=half - 30)


def _signature(sheet: _Sheet, top: float, whose: str, name: str, lang: str) -> None:
    """A line to sign on, with whose signature it is and the name, and a line for the date."""
    y = top + 8
    sheet.text(_MARGIN_MM, y, f"{whose}: {name}" if name else f"{whose}:", 7, width_mm=60)
    sheet.ax.plot([_MARGIN_MM + 63, _MARGIN_MM + 133], [y + 0.8] * 2, color=_INK, lw=0.5)
    sheet.text(_MARGIN_MM + 137, y, f"{_t('sign.date', lang)}:", 7, width_mm=12)
    sheet.ax.plot([_MARGIN_MM + 150, _MARGIN_MM + _WIDTH_MM], [y + 0.8] * 2, color=_INK, lw=0.5)


def _footer(sheet: _Sheet, report, stamp, lang: str, number: int, total: int) -> None:
    signer = f"{_t('signed', lang)}: {stamp.site}   ·   {_t('key', lang)}: {stamp.fingerprint}"
    foot = (f"{_t('digest', lang)}: {report.content_sha256}   ·   {_t('chain', lang)}: {stamp.chain_text}   ·   "
            f"{number}/{total}")
    for y, text, size, color in ((A4_MM[1] - 13.5, signer, 5.5, "#222222"), (A4_MM[1] - 10, foot, 5.0, "#444444"),
                                 (A4_MM[1] - 6.5, _t("verify", lang), 5.0, "#444444")):
        sheet.text(A4_MM[0] / 2, y, text, size, color=color, ha="center", width_mm=_WIDTH_MM)


def _qr(text: str):
    import segno

    return segno.make(text, error="l", micro=False)


def _qr_axes(fig, text: str) -> None:
    """The QR code of ``text`` at the right end of the first page's title band (black modules on white)."""
    import numpy as np

    matrix = np.array([list(row) for row in _qr(text).matrix], dtype=float)
    matrix = np.pad(matrix, 2)  # the quiet zone a reader needs around it
    matrix = np.kron(matrix, np.ones((8, 8)))  # 8 pixels a module: a viewer's smoothing cannot blur the edges
    side = QR_MM
    ax = fig.add_axes(((A4_MM[0] - 8 - side) / A4_MM[0], 1 - (1 + side) / A4_MM[1], side / A4_MM[0],
                       side / A4_MM[1]), label="qr-code")
    ax.set_zorder(1)  # above the title band
    ax.imshow(1 - matrix, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()


def _heading(sheet: _Sheet, report, lang: str, cb: Codebook) -> None:
    """The first page's title band, left of the QR code: the title, and the unit and place (else the codebook)."""
    from matplotlib.patches import Rectangle

    sheet.ax.add_patch(Rectangle((0, 0), A4_MM[0], _BAND_MM, color="#F2A900", lw=0, zorder=0))
    width = A4_MM[0] - 8 - QR_MM - 4 - _MARGIN_MM
    title = f"{_t('title.' + report.kind, lang)}" + ("：" if lang == "zh" else ": ") + report.subject
    sheet.text(_MARGIN_MM, 12, title, 16, bold=True, va="center", width_mm=width)
    details = report.data.get("details", {})
    where = " · ".join(v for v in (details.get("unit"), details.get("place")) if v)
    sheet.text(_MARGIN_MM, 19.5, where or cb.title.get(lang), 7.5, va="center", width_mm=width)


def _axes(page, rect_mm):
    """Axes on an A4 page at ``rect_mm`` (x, y, width, height from the bottom left, mm)."""
    x, y, w, h = rect_mm
    return page.add_axes((x / A4_MM[0], y / A4_MM[1], w / A4_MM[0], h / A4_MM[1]))
