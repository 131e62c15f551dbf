"""Markdown tables of a real-audio benchmark result (``real_benchmark.py --json``), for the README.

    benchmarks/.venv/bin/python benchmarks/real_tables.py benchmarks/results/real.json \
        --baseline "rescue-signals v1=benchmarks/results/real-v1.json"

The decoder's row comes first, then the baseline's decoder row (an earlier version scored on the same corpus), then
every peer of the result. Last, the decoder against each baseline file by file: the whole exchanges only one of them
reads right, and whether so lopsided a split could be luck (a sign test).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

OURS = "rescue-signals"
SNRS = ("20", "10", "5", "0", "-5")


def _rows(result: dict, baselines: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    rows = [(f"**{OURS}**", result["decoders"][OURS])]
    rows += [(label, b["decoders"][OURS]) for label, b in baselines]
    rows += [(name, r) for name, r in result["decoders"].items() if name != OURS]
    return rows


def _cell(value, bold: bool) -> str:
    text = "–" if value is None else f"{value:.2f}"
    return f"**{text}**" if bold and value is not None else text


def by_snr(result: dict, baselines, measure: str, title: str) -> str:
    out = [f"| {title} | +20 dB | +10 | +5 | 0 | −5 | all |", "|---|" + "---:|" * 6]
    for label, r in _rows(result, baselines):
        bold = label.startswith("**")
        cells = [_cell(r["by_snr"].get(s, {}).get(measure), bold) for s in SNRS]
        cells.append(_cell(r["overall"].get(measure), bold))
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def by_key(result: dict, baselines, key: str, title: str) -> str:
    names = list(result["decoders"][OURS][key])
    out = [f"| {title} | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    for label, r in _rows(result, baselines):
        bold = label.startswith("**")
        cells = []
        for n in names:
            m = r[key].get(n)
            cells.append("–" if m is None else
                         (f"**{m['group_acc']:.2f} ({m['false_groups_per_file']:.2f})**" if bold else
                          f"{m['group_acc']:.2f} ({m['false_groups_per_file']:.2f})"))
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def by_size(result: dict, baselines) -> str:
    """Groups right by their true count, for the decoders whose result has it."""
    rows = [(label, r) for label, r in _rows(result, baselines) if "by_size" in r]
    sizes = list(rows[0][1]["by_size"])
    out = ["| groups right, by true count | " + " | ".join(f"{k} ({rows[0][1]['by_size'][k]['groups']})"
                                                        for k in sizes) + " |", "|---|" + "---:|" * len(sizes)]
    for label, r in rows:
        out.append(f"| {label} | " + " | ".join(_cell(r["by_size"][k]["group_acc"], label.startswith("**"))
                                               for k in sizes) + " |")
    return "\n".join(out)


def false_by_distractor(result: dict) -> str:
    """The decoder's false groups on distractors, by what the distractor was."""
    found = result["decoders"][OURS].get("false_by_distractor", {})
    out = ["| false groups on distractors (all SNRs) | groups |", "|---|---:|"]
    out += [f"| {kind.replace('_', ' ')} | {n} |" for kind, n in found.items()]
    return "\n".join(out)


def levels(result: dict) -> str:
    """The decoder on the --quick files at other recording levels."""
    cells = result["levels"]
    first = next(iter(cells.values()))
    out = [f"| recording level ({first['files']} files, {first['groups']} groups) | "
           + " | ".join(f"{int(k)} dB" for k in cells) + " |", "|---|" + "---:|" * len(cells)]
    for field, title in (("group_acc", "groups right"), ("false_groups_per_file", "false groups per file"),
                         ("read_as_at_0_db", "files read as at 0 dB")):
        out.append(f"| {title} | " + " | ".join(f"{c[field]:.2f}" for c in cells.values()) + " |")
    return "\n".join(out)


def _exchange_right(entry: dict) -> bool:
    return entry[OURS] == [int(g[1:]) for g in entry["sequence"].split()]


def _sign_test(wins: int, losses: int) -> float:
    """Two-sided p of a sign test: how likely so lopsided a split of the files that changed is, by luck alone."""
    n, k = wins + losses, min(wins, losses)
    if not n:
        return 1.0
    return min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n)


def paired(result: dict, baselines) -> str:
    """File by file against each baseline scored on the same files: whole exchanges read right by both, only by
    this result, only by the baseline, and the sign test's p. A headline that moves by 0.01 may be luck; this
    says whether it is."""
    out = ["| whole exchanges, file by file | both right | only this one | only the baseline | p (sign test) |",
           "|---|---:|---:|---:|---:|"]
    mine = {f["name"]: f for f in result.get("files", []) if OURS in f}
    for label, b in baselines:
        pairs = [(mine[f["name"]], f) for f in b.get("files", []) if OURS in f and f["name"] in mine]
        if not pairs:
            continue
        right = [(_exchange_right(x), _exchange_right(y)) for x, y in pairs]
        both = sum(x and y for x, y in right)
        wins = sum(x and not y for x, y in right)
        lost = sum(y and not x for x, y in right)
        p = _sign_test(wins, lost)
        out.append(f"| against {label} ({len(pairs)} files) | {both} | {wins} | {lost} | {p:.3f} |")
    return "\n".join(out) if len(out) > 2 else ""


def losses(result: dict, baselines) -> str:
    out = ["| where groups are lost (all SNRs) | " + " | ".join(label for label, _ in _rows(result, baselines)) + " |"]
    rows = _rows(result, baselines)
    causes = []
    for _, r in rows:
        causes += [c for c in r["losses"] if c not in causes]
    out.append("|---|" + "---:|" * len(rows))
    for c in causes:
        out.append(f"| {c} | " + " | ".join(str(r["losses"].get(c, 0)) for _, r in rows) + " |")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("result", type=Path)
    parser.add_argument("--baseline", action="append", default=[], help="LABEL=FILE: another result's decoder row")
    args = parser.parse_args(argv)
    result = json.loads(args.result.read_text())
    baselines = []
    for item in args.baseline:
        label, _, path = item.partition("=")
        baselines.append((label, json.loads(Path(path).read_text())))
    print(by_snr(result, baselines, "group_acc", "groups counted right"), end="\n\n")
    print(by_snr(result, baselines, "exchange_acc", "whole exchanges read right"), end="\n\n")
    print(by_snr(result, baselines, "false_groups_per_file", "false groups per file"), end="\n\n")
    print(by_snr(result, baselines, "knock_f1", "knock F1 at ±50 ms"), end="\n\n")
    print(by_snr(result, baselines, "ece", "calibration error (ECE, 10 bins)"), end="\n\n")
    for key, title in (("by_source", "source held out"), ("by_room", "room"),
                       ("by_distractors", "distractors"), ("by_kind", "sequence")):
        print(by_key(result, baselines, key, f"groups right (false per file), by {title}"), end="\n\n")
    if "by_size" in result["decoders"][OURS]:
        print(by_size(result, baselines), end="\n\n")
        print(false_by_distractor(result), end="\n\n")
    if "levels" in result:
        print(levels(result), end="\n\n")
    print(losses(result, baselines))
    table = paired(result, baselines)
    if table:
        print("", table, sep="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
