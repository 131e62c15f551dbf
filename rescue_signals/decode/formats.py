"""A decoding as people read it: a timeline for the terminal, CSV rows for a spreadsheet, and an Audacity label
track that opens on top of the audio."""

from __future__ import annotations

import unicodedata

from rescue_signals.catalog import say
from rescue_signals.codebook import Codebook
from rescue_signals.decode.reading import DecodedGroup, clock_text
from rescue_signals.decode.result import DecodeResult

_WORDS = ("time", "knocks", "sender", "reading", "sure", "mono", "channels", "channel", "none", "summary",
          "rejected", "unknown", "protocol", "sound", "turn-taking", "nobody", "warning", "no group")
"""The words of the timeline, said from the catalog as ``timeline.<word>`` (``-`` and spaces as ``_``)."""

CSV_FIELDS = ("file", "channel", "group", "start_s", "end_s", "count", "signal", "meaning", "sender",
              "sender_basis", "confidence", "count_alternatives", "knock_times_s", "notes")
"""Columns of ``decode --csv``: one row per group."""


def _words(lang: str) -> dict:
    return {w: say("timeline." + w.replace(" ", "_").replace("-", "_"), lang) for w in _WORDS}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def sender_text(group: DecodedGroup, codebook: Codebook, lang: str) -> str:
    """"rescuers (exchange)", "trapped people (sound)", or "? (cannot tell)"."""
    w = _words(lang)
    if group.sender is None:
        return f"{w['unknown']} ({w['nobody']})"
    name = codebook.role(group.sender).name.get(lang)
    return f"{name} ({w.get(group.sender_basis or '', group.sender_basis or '')})"


def sure_text(group: DecodedGroup, lang: str = "en") -> str:
    """How sure the count is, with the other counts it could be: ``82 %; 4: 15 %`` (``none``: not a group)."""
    w = _words(lang)
    text = f"{group.confidence:.0%}"
    if group.count_alternatives:
        text += "; " + ", ".join(f"{c if c else w['no group']}: {p:.0%}" for c, p in group.count_alternatives)
    return text


def _heading(result: DecodeResult, lang: str) -> str:
    w = _words(lang)
    if result.channel is not None:
        layout = w["channel"].format(n=result.channel + 1, of=result.channels)
    elif result.channels > 1:
        layout = w["channels"].format(n=result.channels)
    else:
        layout = w["mono"]
    return f"{result.file} — {result.sample_rate} Hz, {clock_text(result.duration_s)}, {layout}"


def timeline(result: DecodeResult, codebook: Codebook, lang: str = "en") -> str:
    """The decoding as a text timeline: one line per group, its notes under it, warnings and a summary."""
    w = _words(lang)
    lines = [_heading(result, lang)]
    rows = [(f"{g.index + 1}", clock_text(g.start_s), str(g.count), sender_text(g, codebook, lang), g.meaning.get(lang),
             sure_text(g, lang)) for g in result.groups]
    if rows:
        head = ("#", w["time"], w["knocks"], w["sender"], w["reading"], w["sure"])
        widths = [max(_width(r[i]) for r in [head, *rows]) for i in range(6)]
        lines.append("  " + "  ".join(_pad(c, widths[i]) for i, c in enumerate(head)).rstrip())
        for group, row in zip(result.groups, rows):
            cells = [row[0].rjust(widths[0]), _pad(row[1], widths[1]), row[2].center(widths[2]),
                     _pad(row[3], widths[3]), _pad(row[4], widths[4]), row[5].rjust(widths[5])]
            lines.append("  " + "  ".join(cells).rstrip())
            lines += [f"  {' ' * widths[0]}  ! {note.get(lang)}" for note in group.notes]
    for warning in result.warnings:
        lines.append(f"  {w['warning']}: {warning.get(lang)}")
    if result.groups:
        lines.append("  " + w["summary"].format(g=len(result.groups), k=sum(g.count for g in result.groups)))
    counted = {}
    for r in result.rejected:
        counted[r.reason] = counted.get(r.reason, 0) + 1
    if counted:
        what = ", ".join(f"{n} × {next(r for r in result.rejected if r.reason == reason).message.get(lang)}"
                         for reason, n in counted.items())
        lines.append("  " + w["rejected"].format(n=len(result.rejected), what=what))
    return "\n".join(lines)


def csv_rows(result: DecodeResult, codebook: Codebook, lang: str = "en") -> list[dict]:
    """One row per group, keyed by :data:`CSV_FIELDS`."""
    channel = "" if result.channel is None else result.channel + 1
    return [{"file": result.file, "channel": channel, "group": g.index + 1, "start_s": f"{g.start_s:.3f}",
             "end_s": f"{g.end_s:.3f}", "count": g.count, "signal": g.signal or "",
             "meaning": g.meaning.get(lang), "sender": "" if g.sender is None else codebook.role(g.sender).name.get(lang),
             "sender_basis": g.sender_basis or "", "confidence": f"{g.confidence:.2f}",
             "count_alternatives": " ".join(f"{c}:{p:.2f}" for c, p in g.count_alternatives),
             "knock_times_s": " ".join(f"{t:.3f}" for t in g.knock_times_s),
             "notes": "; ".join(n.get(lang) for n in g.notes)} for g in result.groups]


def audacity_labels(result: DecodeResult, lang: str = "en") -> str:
    """An Audacity label track (File > Import > Labels): a region per group, a point per knock (its number in the
    group), and a point at every sound not counted, other than echoes."""
    rows: list[tuple[float, float, str]] = []
    for g in result.groups:
        rows.append((g.start_s, g.end_s, f"{g.count} × {g.meaning.get(lang)} ({sure_text(g, lang)})"))
        rows += [(t, t, str(i + 1)) for i, t in enumerate(g.knock_times_s)]
    rows += [(r.time_s, r.time_s, f"× {r.message.get(lang)}") for r in result.rejected if r.reason != "echo"]
    rows.sort(key=lambda r: (r[0], -(r[1] - r[0])))
    return "".join(f"{a:.6f}\t{b:.6f}\t{text}\n" for a, b, text in rows)
