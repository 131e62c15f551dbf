"""Printed material: the helmet label and the pocket card, drawn with matplotlib as vector PDF and print PNG.

The official layout of the helmet label (Attachment 2 of the 2021 notice) is not available to the project, so the
label is the project's own design carrying the official content, and says so on its face (codebook decision
``helmet-label``). Every count, name and meaning comes from the codebook.

Chinese text needs a CJK font: :func:`use_cjk_font` finds one at run time (pygame_gui's Noto Sans SC, or a system
Noto/Source Han/WenQuanYi font) and registers it with matplotlib.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from rescue_signals.catalog import say
from rescue_signals.codebook import HEADCOUNT, Codebook
from rescue_signals.errors import UsageError

MM = 1 / 25.4
"""Inches per millimetre (matplotlib sizes figures in inches)."""

LABEL_SIZE_MM = (90.0, 50.0)
"""Helmet label, width × height: fits the flat inside of a safety helmet's shell or suspension band area."""

CARD_SIZE_MM = (105.0, 148.0)
"""Pocket card: A6 portrait."""

SHEET_SIZE_MM = (210.0, 297.0)
"""A4 sheet of labels with cut marks."""

PRINT_DPI = 600

_INK = "#111111"
_BAND = "#F2A900"  # safety yellow: readable under a cap lamp
_RULE = "#777777"

_SYSTEM_CJK = ("NotoSansSC", "NotoSansCJKsc", "NotoSansCJK", "SourceHanSans", "wqy-zenhei", "wqy-microhei",
               "DroidSansFallback")

def _w(key: str, lang: str) -> str:
    """The printed material's phrase ``key`` (``label.<key>`` in the catalog) in ``lang``."""
    return say("label." + key, lang)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def cjk_font_path() -> Path | None:
    """A font file with simplified Chinese glyphs, or None if the machine has none."""
    spec = importlib.util.find_spec("pygame_gui")  # locate without importing (that would start pygame)
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            candidate = Path(folder) / "data" / "NotoSansSC-Regular.otf"
            if candidate.is_file():
                return candidate
    from matplotlib import font_manager

    files = sorted(font_manager.findSystemFonts(), key=lambda f: Path(f).name)
    for marker in _SYSTEM_CJK:
        for f in files:
            if marker.lower() in Path(f).name.lower() and "bold" not in Path(f).name.lower():
                return Path(f)
    return None


@lru_cache(maxsize=1)
def use_cjk_font() -> str:
    """Register a CJK font with matplotlib and make it the default; returns its family name.

    Raises
    ------
    UsageError
        No font with Chinese glyphs was found.
    """
    _pyplot()
    from matplotlib import font_manager, rcParams

    path = cjk_font_path()
    if path is None:
        raise UsageError("no font with Chinese characters found; install pygame_gui (it ships Noto Sans SC) or "
                         "the Debian package fonts-noto-cjk")
    font_manager.fontManager.addfont(str(path))
    bold = path.with_name(path.name.replace("Regular", "Bold"))
    if bold != path and bold.is_file():
        font_manager.fontManager.addfont(str(bold))
    family = font_manager.FontProperties(fname=str(path)).get_name()
    rcParams["font.family"] = [family, "DejaVu Sans"]
    rcParams["pdf.fonttype"] = 42 if path.suffix.lower() == ".ttf" else 3
    rcParams["svg.fonttype"] = "path"
    rcParams["axes.unicode_minus"] = False
    return family


# -- the helmet label -------------------------------------------------------------------------------------------
def _reply(cb: Codebook, replies: tuple[str, ...], lang: str) -> str:
    if not replies:
        return _w("none", lang)
    parts = [_w("per_person", lang) if r == HEADCOUNT else f"{cb.signal(r).knocks}" for r in replies]
    return f"{_w('reply', lang)} " + " → ".join(parts)


def label_rows(cb: Codebook, lang: str) -> list[tuple[int, str, str, str]]:
    """(knocks, signal name, who sends it, reply) for each signal, from the codebook."""
    rows = []
    for sig in cb.signals:
        senders = " / ".join(cb.role(r.role).name.get(lang) for r in sig.senders)
        replies = next((r.replies for r in sig.senders if r.replies), ())
        rows.append((sig.knocks, sig.name.get(lang), senders, _reply(cb, replies, lang)))
    return rows


def _source_short(cb: Codebook, lang: str) -> str:
    src = cb.source.get(lang)
    if "〔" in src:  # the notice number, e.g. 应急厅〔2021〕66号, says it all on a small label
        start = src.rfind(" ", 0, src.index("〔")) + 1 if lang != "zh" else src.index("〔") - 3
        end = src.index("号", src.index("〔")) + 1
        return src[max(start, 0):end]
    return src


def draw_label(ax, cb: Codebook, lang: str) -> None:
    """Draw the helmet label into ``ax``, whose data coordinates are millimetres (0..90 × 0..50)."""
    from matplotlib.patches import Circle, Rectangle

    w, h = LABEL_SIZE_MM
    ax.set_xlim(0, w)
    ax.set_ylim(0, h)
    ax.set_axis_off()
    ax.add_patch(Rectangle((0.3, 0.3), w - 0.6, h - 0.6, fill=False, lw=0.8, ec=_INK))
    band = 9.0
    ax.add_patch(Rectangle((0.3, h - band), w - 0.6, band - 0.3, color=_BAND, lw=0))
    title = cb.title.get(lang)
    ax.text(3, h - band / 2, title, fontsize=8.6 if lang == "zh" else 6.4, fontweight="bold", va="center",
            ha="left", color=_INK)
    ax.text(w - 3, h - band / 2, cb.short_name.get(lang), fontsize=6.5, va="center", ha="right", color=_INK)
    rows = label_rows(cb, lang)
    top, bottom = h - band - 0.6, 12.0
    step = (top - bottom) / len(rows)
    for i, (knocks, name, senders, reply) in enumerate(rows):
        y = top - step * (i + 0.5)
        if i:
            ax.plot([2, w - 2], [top - step * i] * 2, color=_RULE, lw=0.3)
        ax.text(4.5, y, str(knocks), fontsize=15, fontweight="bold", va="center", ha="center", color=_INK)
        dot_r = min(1.05, 14.0 / (2.6 * max(knocks, 1)))
        for k in range(knocks):
            ax.add_patch(Circle((9.5 + dot_r + k * 2.6 * dot_r, y), dot_r, color=_INK, lw=0))
        ax.text(25, y + 1.6, name, fontsize=7.6 if lang == "zh" else 6.6, fontweight="bold", va="center",
                color=_INK)
        ax.text(25, y - 2.0, senders, fontsize=4.8, va="center", color=_INK)
        ax.text(w - 3, y, reply, fontsize=6.2 if lang == "zh" else 5.4, va="center", ha="right", color=_INK)
    t = cb.timing
    rule = cb.rules[0].get(lang) if cb.rules else f"{t.knock_interval_s:g} s / {t.group_gap_s:g} s"
    ax.plot([2, w - 2], [bottom] * 2, color=_INK, lw=0.4)
    ax.text(3, 9.4, cb.precondition.get(lang), fontsize=4.6 if lang == "zh" else 3.7, va="center", color=_INK)
    ax.text(3, 6.0, rule, fontsize=4.6 if lang == "zh" else 4.2, va="center", color=_INK)
    ax.text(3, 2.7, f"{_w('own_layout', lang)} {_source_short(cb, lang)}", fontsize=3.7, va="center",
            color=_INK)


def _figure(size_mm: tuple[float, float]):
    plt = _pyplot()
    return plt.figure(figsize=(size_mm[0] * MM, size_mm[1] * MM))


def helmet_label_figure(cb: Codebook, lang: str):
    """The helmet label as a matplotlib figure of exactly :data:`LABEL_SIZE_MM`."""
    use_cjk_font()
    fig = _figure(LABEL_SIZE_MM)
    draw_label(fig.add_axes((0, 0, 1, 1)), cb, lang)
    return fig


def label_sheet_figure(cb: Codebook, lang: str, *, columns: int = 2, rows: int = 5):
    """An A4 sheet of helmet labels with cut marks."""
    use_cjk_font()
    fig = _figure(SHEET_SIZE_MM)
    sw, sh = SHEET_SIZE_MM
    lw, lh = LABEL_SIZE_MM
    gap = 6.0
    x0 = (sw - columns * lw - (columns - 1) * gap) / 2
    y0 = (sh - rows * lh - (rows - 1) * gap) / 2
    marks = fig.add_axes((0, 0, 1, 1))
    marks.set_xlim(0, sw)
    marks.set_ylim(0, sh)
    marks.set_axis_off()
    for c in range(columns):
        for r in range(rows):
            x, y = x0 + c * (lw + gap), y0 + r * (lh + gap)
            draw_label(fig.add_axes((x / sw, y / sh, lw / sw, lh / sh)), cb, lang)
            for cx in (x, x + lw):
                for cy, d in ((y, -1), (y + lh, 1)):
                    marks.plot([cx, cx], [cy + d * 1.0, cy + d * 3.0], color=_INK, lw=0.3)
                    marks.plot([cx + (1.0 if cx == x else -1.0) * -1, cx + (3.0 if cx == x else -3.0) * -1],
                               [cy, cy], color=_INK, lw=0.3)
    return fig


# -- the pocket card --------------------------------------------------------------------------------------------
def _reply_text(cb: Codebook, reply: str, lang: str) -> str:
    if reply == HEADCOUNT:
        return f"{cb.headcount.name.get(lang)} ({_w('knock_each', lang)})"
    sig = cb.signal(reply)
    return say("label.reply_signal", lang, knocks=sig.knocks, name=sig.name.get(lang))


def codebook_rows(cb: Codebook, lang: str) -> list[tuple[str, str, str, str, str]]:
    """One row per (signal, sender): knocks, sender, signal name, meaning, expected reply (the codebook's table,
    on the pocket card and printed by ``rescue-signals codebook``)."""
    rows = []
    for sig in cb.signals:
        for rule in sig.senders:
            replies = " → ".join(_reply_text(cb, r, lang) for r in rule.replies) or _w("reply_none", lang)
            rows.append((str(sig.knocks), cb.role(rule.role).name.get(lang), sig.name.get(lang),
                         rule.meaning.get(lang), replies))
    return rows


def pocket_card_figure(cb: Codebook, lang: str):
    """A one-page A6 pocket card: the signals with every sender's meaning, the sequences, timing, rules and
    the project's decisions."""
    use_cjk_font()
    fig = _figure(CARD_SIZE_MM)
    ax = fig.add_axes((0, 0, 1, 1))
    w, h = CARD_SIZE_MM
    ax.set_xlim(0, w)
    ax.set_ylim(0, h)
    ax.set_axis_off()
    from matplotlib.patches import Rectangle

    ax.add_patch(Rectangle((0.3, h - 13), w - 0.6, 12.7, color=_BAND, lw=0))
    ax.text(4, h - 5.2, cb.title.get(lang), fontsize=9.5 if lang == "zh" else 7.5, fontweight="bold", va="center")
    ax.text(4, h - 10.2, f"{cb.short_name.get(lang)} · {_w('card_title', lang)}", fontsize=6.5, va="center")
    y = h - 17.5
    ax.text(4, y, cb.precondition.get(lang), fontsize=5.6, va="top", wrap=True)
    y -= 8
    for knocks, sender, name, meaning, reply in codebook_rows(cb, lang):
        ax.text(4, y, knocks, fontsize=10, fontweight="bold", va="top")
        ax.text(11, y, f"{name} · {sender}", fontsize=6.4, fontweight="bold", va="top")
        ax.text(11, y - 3.6, meaning, fontsize=5.6, va="top")
        ax.text(11, y - 6.8, f"→ {reply}", fontsize=5.4, va="top", color="#333333")
        y -= 10.4
    hc = cb.headcount
    ask, ack = cb.signal(hc.asked_by), cb.signal(hc.acknowledged_with)
    asker, answerer = cb.role(cb.rescuer).name.get(lang), cb.role(hc.answered_by).name.get(lang)
    seq = [f"{asker} {ask.knocks}"] + ([f"{answerer} {ack.knocks}"] if hc.acknowledge_first else []) + \
          [f"{answerer} N", f"{asker} {ack.knocks}"]
    colon = "：" if lang == "zh" else ": "
    ax.text(4, y, _w("headcount_seq", lang) + colon + " → ".join(seq), fontsize=5.8, fontweight="bold", va="top")
    y -= 5
    for rule in cb.rules:
        ax.text(4, y, "• " + rule.get(lang), fontsize=5.2, va="top")
        y -= 3.6
    y -= 1.4
    ax.text(4, y, _w("decisions", lang), fontsize=5.4, fontweight="bold", va="top")
    y -= 3.8
    for d in (d for d in cb.decisions if d.project_decision and d.id != "helmet-label"):
        y = _wrapped(ax, 4, y, "• " + d.text.get(lang), width_mm=w - 8, size=4.3, lang=lang)
    ax.text(4, 8.5, _w("name_line", lang), fontsize=5.6, va="center")
    ax.text(4, 3.5, f"{_w('own_layout', lang)} {cb.source.get(lang)}", fontsize=3.6, va="center")
    return fig


def _wrapped(ax, x: float, y: float, text: str, *, width_mm: float, size: float, lang: str) -> float:
    """Draw ``text`` wrapped to ``width_mm``; returns the y below it."""
    import textwrap

    per_mm = 1 / (size * 0.3528 * (1.0 if lang == "zh" else 0.52))  # characters per mm at this size
    chars = max(10, int(width_mm * per_mm))
    lines = [text[i:i + chars] for i in range(0, len(text), chars)] if lang == "zh" else \
        textwrap.wrap(text, chars)
    for line in lines:
        ax.text(x, y, line, fontsize=size, va="top")
        y -= size * 0.3528 * 1.45
    return y - 0.6


def write_printed(out_dir: str | Path, cb: Codebook, *, lang: str = "zh", dpi: int = PRINT_DPI) -> list[Path]:
    """Write the helmet label (PDF and PNG), an A4 sheet of labels (PDF) and the pocket card (PDF and PNG).

    Returns
    -------
    list of Path
        The files written.
    """
    if lang not in cb.languages:
        raise UsageError(f"language '{lang}' is not in the codebook; use one of {', '.join(cb.languages)}")
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{out}: cannot create the folder: {exc.strerror}") from None
    plt = _pyplot()
    written = []
    for stem, make, formats in (("helmet-label", helmet_label_figure, ("pdf", "png")),
                                ("helmet-labels-a4", label_sheet_figure, ("pdf",)),
                                ("pocket-card", pocket_card_figure, ("pdf", "png"))):
        fig = make(cb, lang)
        for fmt in formats:
            path = out / f"{stem}-{lang}.{fmt}"
            try:
                fig.savefig(path, dpi=dpi, metadata=_metadata(cb, fmt, stem))
            except OSError as exc:
                plt.close(fig)
                raise UsageError(f"{path}: cannot write: {exc.strerror}") from None
            written.append(path)
        plt.close(fig)
    return written


def _metadata(cb: Codebook, fmt: str, stem: str) -> dict:
    if fmt == "pdf":
        return {"Title": f"{cb.title.get('en')} — {stem}", "Creator": "rescue-signals",
                "Subject": "The project's own layout carrying the official content (codebook decision helmet-label)",
                "CreationDate": None}
    return {"Software": "rescue-signals", "Description": "The project's own layout (codebook decision helmet-label)"}
