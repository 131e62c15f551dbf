"""`rescue-signals codebook`: the signals as a table (zh or en) or as JSON."""

from __future__ import annotations

import json
import unicodedata

from rescue_signals.catalog import languages, say
from rescue_signals.codebook import Codebook, codebook_as_dict, default_codebook, load_codebook
from rescue_signals.paper.printed import codebook_rows

_HEAD = ("knocks", "sent_by", "signal", "meaning", "reply")
"""The table's columns, said from the catalog as ``cli.codebook.<column>``."""


def add_arguments(parser):
    parser.add_argument("--lang", choices=languages(), default="zh", help="language of the table (default zh)")
    parser.add_argument("--json", action="store_true", help="print the codebook as JSON data")
    parser.add_argument("--file", metavar="YAML", help="load another codebook file instead of the official one")


def run(args) -> int:
    cb = load_codebook(args.file) if args.file else default_codebook()
    if args.json:
        print(json.dumps(codebook_as_dict(cb), ensure_ascii=False, indent=2))
    else:
        print(format_codebook(cb, args.lang))
    return 0


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_codebook(cb: Codebook, lang: str = "zh") -> str:
    """The codebook as a text table with its timing, headcount rule and project decisions."""
    h = {word: say(f"cli.codebook.{word}", lang) for word in _HEAD + ("timing", "headcount", "decisions", "source",
                                                                       "precondition")}
    rows = [tuple(h[word] for word in _HEAD), *codebook_rows(cb, lang)]
    widths = [max(_width(r[i]) for r in rows) for i in range(5)]
    lines = [cb.title.get(lang), "", f"{h['source']}: {cb.source.get(lang)}",
             f"{h['precondition']}: {cb.precondition.get(lang)}", ""]
    for i, row in enumerate(rows):
        lines.append("  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    t = cb.timing
    lines += ["", f"{h['timing']}:"] + [f"  - {rule.get(lang)}" for rule in cb.rules]
    if not cb.rules:
        lines.append(f"  - {t.knock_interval_s:g} s / {t.group_gap_s:g} s")
    hc = cb.headcount
    ask, ack = cb.signal(hc.asked_by), cb.signal(hc.acknowledged_with)
    asker, answerer = cb.role(cb.rescuer).symbol, cb.role(hc.answered_by).symbol
    seq = f"{asker}{ask.knocks} → " + (f"{answerer}{ack.knocks} → " if hc.acknowledge_first else "") + \
        f"{answerer}N → {asker}{ack.knocks}"
    lines += ["", f"{h['headcount']}: {seq}"]
    decisions = [d for d in cb.decisions if d.project_decision]
    if decisions:
        lines += ["", f"{h['decisions']}:"] + [f"  - [{d.id}] {d.text.get(lang)}" for d in decisions]
    return "\n".join(lines)
