"""Real-audio development benchmark: the decoder and its peers on knock exchanges built from real recordings.

Run it in the benchmark environment (``bash benchmarks/setup-venv.sh`` makes ``benchmarks/.venv`` with the peers):

    benchmarks/.venv/bin/python benchmarks/real_benchmark.py [--quick] [--json FILE] [--cache DIR] [--jobs N]

The corpus (:mod:`realcorpus`) is 325 files cut only from real recordings (knocks from five sources, real noise
beds, measured rooms, real distractor sounds), deterministic from ``--seed``. Every figure is leave-one-source-out:
a file is decoded with the model fitted without its source's repository (``benchmarks/out/models/without-S.npz``,
written by ``benchmarks/train_model.py``, which never sees this corpus). The peers
(librosa with its defaults and tuned, aubio, madmom's CNN) are each followed by the same grouping as the decoder's.

Measures (:mod:`metrics`), overall and by SNR, source, noise bed, room and distractors:
``group_acc`` (exactly one decoded group overlaps the true group and has its count), ``exchange_acc`` (the decoded
sequence of counts is the true one), ``false_groups_per_file`` (decoded groups overlapping no true group),
``knock_f1`` (+-50 ms) and ``ece`` (expected calibration error of the stated group confidence, 10 equal bins; a
decoded group is right when it overlaps exactly one true group, that group overlaps only it, and the counts
agree). The losses are counted by cause. A recording can be made at any level: the decoder also reads the
``--quick`` files with their samples scaled by each of :data:`LEVELS_DB`, and says how often it reads the same
counts as at the level they were made at. The full run also gives the synthetic corpus's table and the real tap
recordings (:mod:`decoder_benchmark`), and writes ``benchmarks/results/real.json`` with two charts beside it.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_name] = "1"  # one core per worker, for every method alike

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import realcorpus  # noqa: E402
from metrics import calibration_error, knock_scores, match_groups, reliability  # noqa: E402
from peers import PEERS, available  # noqa: E402

from rescue_signals.codebook import default_codebook  # noqa: E402
from rescue_signals.decode import DecoderModel, GroupEvent, KnockDecoder, standing_knocks  # noqa: E402

SEED = 2026
RESULTS = HERE / "results"
MODELS = HERE / "out" / "models"
OURS = "rescue-signals"
PEER_NAMES = {"librosa": "librosa (defaults)", "librosa-tuned": "librosa (tuned)", "aubio": "aubio 0.4.9",
              "madmom": "madmom CNN"}
"""Benchmark name -> the peer in :data:`peers.PEERS`."""

DIMENSIONS = {
    "by_snr": lambda s: str(s.snr_db),
    "by_source": lambda s: s.source,
    "by_noise": lambda s: s.noise,
    "by_room": lambda s: "room" if s.rir else "dry",
    "by_distractors": lambda s: "with" if s.distractors else "without",
    "by_kind": lambda s: "random" if s.kind == "random" else "exchange",
}


# -- decoding ----------------------------------------------------------------------------------------------------
_MODELS: dict = {}


def fold_model(fold: str):
    """The decoder's model fitted without ``fold`` (``benchmarks/train_model.py`` writes them)."""
    if fold not in _MODELS:
        path = MODELS / f"without-{fold}.npz"
        if not path.exists():
            raise SystemExit(f"error: {path} is missing: run benchmarks/train_model.py first")
        _MODELS[fold] = DecoderModel.load(path)
    return _MODELS[fold]


def _ours(x: np.ndarray, rate: int, fold: str, codebook):
    """The decoder with the model fitted without the file's source."""
    decoder = KnockDecoder(rate, codebook, model=fold_model(fold))
    events = decoder.feed(x) + decoder.flush()
    knocks = [k.time_s for k in standing_knocks(events)]
    groups = [(e.group.count, e.group.start_s, e.group.end_s, float(e.group.confidence))
              for e in events if isinstance(e, GroupEvent)]
    return knocks, groups


def _peer(name: str):
    def run(x: np.ndarray, rate: int, fold: str, codebook):
        from decoder_benchmark import grouped

        onsets = np.asarray(PEERS[PEER_NAMES[name]][0](x, rate), dtype=float)
        counts, spans = grouped(onsets, codebook)
        return onsets.tolist(), [(c, a, b, None) for c, (a, b) in zip(counts, spans)]
    return run


def decoders(names) -> dict:
    """name -> ``decode(samples, rate, fold, codebook) -> (knock_times_s, [(count, start_s, end_s, confidence)])``,
    where ``fold`` is the source the file's knocks come from (what the decoder must not have been fitted on)."""
    table = {OURS: _ours, **{n: _peer(n) for n in PEER_NAMES}}
    return {n: table[n] for n in names}


# -- one file --------------------------------------------------------------------------------------------------------
_WORKER: dict = {}


def _init(seed: int, cache: str | None, names: list[str]) -> None:
    _WORKER.update(pack=realcorpus.load_pack(), seed=seed, cache=Path(cache) if cache else None,
                   decoders=decoders(names), codebook=default_codebook())


def evaluate(spec) -> dict:
    """Every decoder on one file of the corpus: its scores and what each group was read as."""
    w = _WORKER
    case = next(realcorpus.cases([spec], w["pack"], seed=w["seed"], cache=w["cache"]))
    truth = [tuple(g) for g in case.groups]
    out = {"spec": spec.__dict__, "groups": len(truth), "knocks": len(case.knocks_s),
           "duration_s": case.samples.size / case.sample_rate, "decoders": {}}
    for name, decode in w["decoders"].items():
        knocks, groups, cpu = _decoded(name, decode, case, spec, w)
        scores = knock_scores(case.knocks_s, np.asarray(knocks, dtype=float))
        matched = match_groups(truth, [g[:3] for g in groups], case.distractor_spans)
        out["decoders"][name] = {
            "tp": scores["tp"], "fp": scores["fp"], "fn": scores["fn"], "cpu_s": cpu,
            "true": matched["true"], "right": matched["decoded"], "false": matched["false"],
            "false_on": matched["false_on"],
            "confidence": [g[3] for g in groups], "exchange": [g[0] for g in groups] == [t[0] for t in truth],
            "read": [g[0] for g in groups]}
    return out


def _decoded(name: str, decode, case, spec, w) -> tuple[list, list, float]:
    """What ``name`` decodes in the file, and its CPU time; a peer's result is kept in the cache folder (it does
    not change while the decoder does), keyed by the peer's version."""
    kept = None
    if w["cache"] is not None and name != OURS:
        version = available(PEERS[PEER_NAMES[name]][1])
        kept = w["cache"] / f"{w['seed']}-{spec.name}-{name}-{version}.result.json"
        if kept.exists():
            r = json.loads(kept.read_text())
            return r["knocks"], [tuple(g) for g in r["groups"]], r["cpu_s"]
    start = time.process_time()
    knocks, groups = decode(case.samples, case.sample_rate, spec.source, w["codebook"])
    cpu = time.process_time() - start
    if kept is not None:
        kept.write_text(json.dumps({"knocks": list(map(float, knocks)), "groups": [list(g) for g in groups],
                                    "cpu_s": cpu}))
    return knocks, groups, cpu


LEVELS_DB = (0, -20, -40, -60)
"""Recording levels the decoder reads the ``--quick`` files at (dB relative to the file as made; peak at most 0.9)."""


def evaluate_levels(spec) -> dict:
    """The decoder on one file with its samples scaled to each of :data:`LEVELS_DB`: what it read at each."""
    w = _WORKER
    case = next(realcorpus.cases([spec], w["pack"], seed=w["seed"], cache=w["cache"]))
    truth = [tuple(g) for g in case.groups]
    out = {"spec": spec.__dict__, "groups": len(truth), "levels": {}}
    for level in LEVELS_DB:
        x = (case.samples * 10 ** (level / 20)).astype(np.float32)
        _, groups = _ours(x, case.sample_rate, spec.source, w["codebook"])
        matched = match_groups(truth, [g[:3] for g in groups], case.distractor_spans)
        out["levels"][str(level)] = {"right": matched["true"].count("right"), "false": len(matched["false"]),
                                     "read": [g[0] for g in groups]}
    return out


def level_table(specs, *, seed: int, cache: Path | None, jobs: int) -> dict:
    """Per recording level: groups right, false groups per file, and the share of files read exactly as at 0 dB."""
    rows = run_corpus(specs, [OURS], seed=seed, cache=cache, jobs=jobs, work=evaluate_levels)
    groups = sum(r["groups"] for r in rows)
    table = {}
    for level in map(str, LEVELS_DB):
        cells = [r["levels"][level] for r in rows]
        table[level] = {"files": len(rows), "groups": groups,
                        "group_acc": sum(c["right"] for c in cells) / max(1, groups),
                        "false_groups_per_file": sum(c["false"] for c in cells) / max(1, len(rows)),
                        "read_as_at_0_db": float(np.mean([c["read"] == r["levels"]["0"]["read"]
                                                          for c, r in zip(cells, rows)]))}
    return table


# -- figures ---------------------------------------------------------------------------------------------------------
def measures(rows: list[dict], name: str) -> dict:
    """The measures of one decoder over some files."""
    cells = [r["decoders"][name] for r in rows]
    true = [s for c in cells for s in c["true"]]
    tp, fp, fn = (sum(c[k] for c in cells) for k in ("tp", "fp", "fn"))
    confidence = [x for c in cells for x in c["confidence"]]
    stated = bool(confidence) and all(x is not None for x in confidence)
    return {"group_acc": true.count("right") / max(1, len(true)),
            "exchange_acc": sum(c["exchange"] for c in cells) / max(1, len(cells)),
            "false_groups_per_file": sum(len(c["false"]) for c in cells) / max(1, len(cells)),
            "knock_f1": 2 * tp / max(1, 2 * tp + fp + fn),
            "ece": calibration_error(confidence, [x for c in cells for x in c["right"]]) if stated else None,
            "files": len(cells), "groups": len(true)}


def losses(rows: list[dict], name: str) -> dict:
    """True groups lost, by cause, and false groups, by what they were made of."""
    cells = [r["decoders"][name] for r in rows]
    lost = Counter(s for c in cells for s in c["true"] if s != "right")
    false = Counter(f"false group on {f}" for c in cells for f in c["false"])
    return dict(sorted((lost + false).items(), key=lambda kv: -kv[1]))


SIZES = ((1, 1), (2, 2), (3, 5), (6, 10), (11, 17), (18, 99))
"""Bins of a true group's count, for the accuracy by group size."""


def by_size(rows: list[dict], name: str) -> dict:
    """Share of true groups read right, by the group's true count (a headcount of one is a group of one knock)."""
    out = {}
    for lo, hi in SIZES:
        status = [s for r in rows for g, s in zip(r["spec"]["sequence"].split(), r["decoders"][name]["true"])
                  if lo <= int(g[1:]) <= hi]
        key = str(lo) if lo == hi else f"{lo}-{hi}" if hi < 99 else f"{lo}+"
        out[key] = {"groups": len(status), "group_acc": status.count("right") / max(1, len(status))}
    return out


def false_by_distractor(rows: list[dict], name: str) -> dict:
    """False groups on distractors, by what the distractor was."""
    found = Counter(k for r in rows for k in r["decoders"][name].get("false_on", []))
    return dict(sorted(found.items(), key=lambda kv: -kv[1]))


def summarize(rows: list[dict], names: list[str]) -> dict:
    out = {}
    for name in names:
        entry = {"overall": measures(rows, name)}
        for dim, key in DIMENSIONS.items():
            values = sorted({key(_Spec(r["spec"])) for r in rows}, key=_order)
            entry[dim] = {v: measures([r for r in rows if key(_Spec(r["spec"])) == v], name) for v in values}
        entry["losses"] = losses(rows, name)
        entry["by_size"] = by_size(rows, name)
        entry["false_by_distractor"] = false_by_distractor(rows, name)
        entry["losses_by_snr"] = {v: losses([r for r in rows if str(r["spec"]["snr_db"]) == v], name)
                                  for v in sorted({str(r["spec"]["snr_db"]) for r in rows}, key=_order)}
        room = DIMENSIONS["by_room"]
        entry["losses_by_room"] = {v: losses([r for r in rows if room(_Spec(r["spec"])) == v], name)
                                   for v in ("dry", "room")}
        cells = [r["decoders"][name] for r in rows]
        conf = [x for c in cells for x in c["confidence"]]
        if conf and all(x is not None for x in conf):
            entry["reliability"] = reliability(conf, [x for c in cells for x in c["right"]])
        entry["cpu_s"] = sum(c["cpu_s"] for c in cells)
        out[name] = entry
    return out


class _Spec:
    def __init__(self, d: dict):
        self.__dict__.update(d)


def _order(value: str):
    try:
        return (0, -float(value))
    except ValueError:
        return (1, value)


# -- printing and charts -----------------------------------------------------------------------------------------
def print_tables(result: dict) -> None:
    names = list(result["decoders"])
    width = max(len(n) for n in names) + 2
    first = result["decoders"][names[0]]
    snrs = list(first["by_snr"])
    c = result["corpus"]
    print(f"\nReal-audio corpus: {c['files']} files, {c['groups']} groups, {c['knocks']} knocks, "
          f"{c['hours']:.1f} h, seed {c['seed']}; every figure leave-one-source-out")
    for field, title in (("group_acc", "group-count accuracy"), ("exchange_acc", "whole exchange read right"),
                         ("false_groups_per_file", "false groups per file"), ("knock_f1", "knock F1 at +-50 ms"),
                         ("ece", "expected calibration error of the group confidence")):
        print(f"\n{title}")
        print(" " * width + "".join(f"{s + ' dB':>9}" for s in snrs) + f"{'all':>9}")
        for n in names:
            d = result["decoders"][n]
            cells = [d["by_snr"][s][field] for s in snrs] + [d["overall"][field]]
            print(f"{n:<{width}}" + "".join(f"{'-':>9}" if v is None else f"{v:>9.3f}" for v in cells))
    for dim, title in (("by_source", "source held out"), ("by_noise", "noise bed"), ("by_room", "room"),
                       ("by_distractors", "distractors"), ("by_kind", "sequence")):
        keys = list(first[dim])
        print(f"\ngroup-count accuracy (false groups per file) by {title}")
        col = max(12, max(len(k) for k in keys) + 2)
        print(" " * width + "".join(f"{k:>{col}}" for k in keys))
        for n in names:
            d = result["decoders"][n][dim]
            print(f"{n:<{width}}" + "".join(f"{d[k]['group_acc']:>{col - 6}.3f} ({d[k]['false_groups_per_file']:.2f})"
                                            for k in keys))
    sized = [n for n in names if "by_size" in result["decoders"][n]]
    if sized:
        keys = list(result["decoders"][sized[0]]["by_size"])
        print("\ngroup-count accuracy by the group's true count (groups)")
        print(" " * width + "".join(f"{k + ' (' + str(result['decoders'][sized[0]]['by_size'][k]['groups']) + ')':>12}"
                                    for k in keys))
        for n in sized:
            print(f"{n:<{width}}" + "".join(f"{result['decoders'][n]['by_size'][k]['group_acc']:>12.3f}"
                                            for k in keys))
    print("\nfalse groups on distractors, by what the distractor was")
    for n in names:
        if "false_by_distractor" in result["decoders"][n]:
            found = result["decoders"][n]["false_by_distractor"]
            print(f"{n:<{width}} " + (", ".join(f"{k} {v}" for k, v in found.items()) or "none"))
    print("\nWhere groups are lost (true groups by cause; false groups by what they were made of), all SNRs")
    for n in names:
        print(f"{n:<{width}} " + ", ".join(f"{k} {v}" for k, v in result["decoders"][n]["losses"].items()))
    print(f"\nlosses of {names[0]} by SNR")
    for s, d in first["losses_by_snr"].items():
        print(f"  {s:>4} dB: " + ", ".join(f"{k} {v}" for k, v in d.items()))
    if "losses_by_room" in first:
        print(f"\nlosses of {names[0]}, dry and in a room")
        for s, d in first["losses_by_room"].items():
            print(f"  {s:>4}: " + ", ".join(f"{k} {v}" for k, v in d.items()))
    if "synthetic" in result:
        syn = result["synthetic"]
        keys = [k for k in next(iter(syn.values())) if k.startswith("snr")] + ["all"]
        print("\nSynthetic corpus (second table): group-count accuracy")
        print(" " * width + "".join(f"{k.replace('snr ', ''):>9}" for k in keys))
        for n, cells in syn.items():
            print(f"{n:<{width}}" + "".join(f"{cells[k]['group_accuracy']:>9.3f}" if k in cells else f"{'-':>9}"
                                            for k in keys))
    if "levels" in result:
        print(f"\n{OURS} at other recording levels ({next(iter(result['levels'].values()))['files']} files of "
              f"--quick, scaled)")
        for level, cell in result["levels"].items():
            print(f"  {int(level):>4} dB: groups {cell['group_acc']:.3f}, false groups/file "
                  f"{cell['false_groups_per_file']:.2f}, files read as at 0 dB {cell['read_as_at_0_db']:.2f}")
    if "real_knocks" in result:
        print("\nReal tap recordings (4 files, 120 labelled taps, as recorded)")
        for n, cell in result["real_knocks"].items():
            print(f"{n:<{width}} F1 {cell['f1']:.3f}  files with the right count {cell['counts_right']}/{cell['files']}")


def plot(result: dict, stem: Path) -> list[Path]:
    """Group-count accuracy against SNR for every decoder, and the decoder's reliability diagram."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    fig, ax = plt.subplots(figsize=(8.6, 4.0), dpi=110)
    colours = iter(["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"])
    for name, d in result["decoders"].items():
        points = [(float(s), m["group_acc"]) for s, m in d["by_snr"].items()]
        ours = name == OURS
        ax.plot(*zip(*points), marker="o", lw=2.6 if ours else 1.4, color="#c62828" if ours else next(colours),
                label=name, zorder=3 if ours else 2)
    ax.axhline(0.95, ls=":", color="black", lw=1, label="target 0.95")
    ax.set_xlabel("SNR, dB (knock power over 100 ms from each onset / mean noise power)")
    ax.set_ylabel("groups counted exactly")
    ax.set_xlim(21, -6)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    c = result["corpus"]
    ax.set_title(f"Real-audio corpus, leave-one-source-out: {c['files']} files, {c['groups']} groups", fontsize=9)
    fig.tight_layout()
    paths.append(stem.with_suffix(".png"))
    fig.savefig(paths[-1])
    plt.close(fig)
    bins = result["decoders"].get(OURS, {}).get("reliability")
    if bins:
        fig, ax = plt.subplots(figsize=(4.6, 4.2), dpi=110)
        used = [b for b in bins if b["groups"]]
        ax.plot([0, 1], [0, 1], ls=":", color="black", lw=1, label="perfectly calibrated")
        ax.bar([(b["low"] + b["high"]) / 2 for b in used], [b["accuracy"] for b in used], width=0.09,
               color="#c62828", alpha=0.75, label="share right")
        ax.plot([b["confidence"] for b in used], [b["accuracy"] for b in used], "o", color="black", ms=4,
                label="mean stated confidence")
        for b in used:
            ax.annotate(str(b["groups"]), ((b["low"] + b["high"]) / 2, min(0.98, b["accuracy"] + 0.02)),
                        ha="center", fontsize=7)
        ax.set_xlabel("stated group confidence")
        ax.set_ylabel("share of groups right")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.05)
        ax.set_title(f"{OURS}: ECE {result['decoders'][OURS]['overall']['ece']:.3f} "
                     f"(numbers: groups per bin)", fontsize=9)
        ax.legend(loc="upper left", fontsize=7)
        fig.tight_layout()
        paths.append(stem.with_name(stem.name + "-reliability.png"))
        fig.savefig(paths[-1])
        plt.close(fig)
    return paths


# -- the run ---------------------------------------------------------------------------------------------------------
def run_corpus(specs, names, *, seed: int, cache: Path | None, jobs: int, work=evaluate) -> list[dict]:
    """``work`` (:func:`evaluate`, or another function of one spec) on every file, in the corpus's order."""
    args = (seed, str(cache) if cache else None, names)
    rows = []
    started = time.time()
    if jobs <= 1:
        _init(*args)
        stream = map(work, specs)
    else:
        pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_init, initargs=args)
        stream = pool.imap_unordered(work, specs)
    for k, row in enumerate(stream, 1):
        rows.append(row)
        if k % 10 == 0 or k == len(specs):
            print(f"  {k}/{len(specs)} files ({time.time() - started:.0f} s)", file=sys.stderr, flush=True)
    if jobs > 1:
        pool.close()
        pool.join()
    return sorted(rows, key=lambda r: r["spec"]["index"])


def synthetic_tables(names, cache: Path | None = None) -> tuple[dict, dict]:
    """The synthetic corpus and the real tap recordings as they are, from :mod:`decoder_benchmark` (its renderings
    kept in ``cache`` when given)."""
    import decoder_benchmark as syn

    codebook = default_codebook()
    methods = [syn.OURS if n == OURS else PEER_NAMES[n] for n in names]
    table = syn.accuracy(methods, codebook, syn.corpus(codebook, quick=False, cache=cache))
    taps = syn.real_recordings(methods, codebook)
    rename = {m: n for m, n in zip(methods, names)}
    return {rename[m]: v for m, v in table.items()}, {rename[m]: v for m, v in taps.items()}


def kept_others(result: dict, target: Path, names: list[str]) -> dict:
    """``result`` with the figures of every decoder not in ``names`` taken from ``target``, a run on the same
    corpus (its files and their sequences); each decoder's run is named in ``runs``."""
    if not target.exists():
        raise SystemExit(f"error: --keep-others: {target} does not exist")
    old = json.loads(target.read_text())
    same = (old.get("corpus", {}).get("seed") == result["corpus"]["seed"]
            and [(f["name"], f["sequence"]) for f in old.get("files", [])]
            == [(f["name"], f["sequence"]) for f in result["files"]])
    if not same:
        raise SystemExit(f"error: --keep-others: {target} holds another corpus; run every decoder")
    others = [n for n in old.get("decoders", {}) if n not in names]
    today = time.strftime("%Y-%m-%d")
    runs = {n: old.get("runs", {}).get(n, "an earlier run") for n in others}
    result["runs"] = {**{n: today for n in names}, **runs}
    for n in others:
        result["decoders"][n] = old["decoders"][n]
        if n in old.get("versions", {}):
            result["versions"][n] = old["versions"][n]
    for new_file, old_file in zip(result["files"], old["files"]):
        new_file.update({n: old_file[n] for n in others if n in old_file})
    for table in ("synthetic", "real_knocks"):
        if table in old:
            result[table] = {**old[table], **result.get(table, {})}
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"{realcorpus.QUICK_FILES_PER_CELL} files of every source and SNR, no synthetic tables")
    parser.add_argument("--json", type=Path, help="write the figures here (default: benchmarks/results/real.json, "
                                                  "or real-quick.json with --quick)")
    parser.add_argument("--cache", type=Path, help="keep the rendered files in this folder and reuse them")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="files decoded at once")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--only", nargs="*", help="decoders to run (default: ours and every peer installed)")
    parser.add_argument("--no-synthetic", action="store_true", help="skip the synthetic corpus and tap tables")
    parser.add_argument("--keep-others", action="store_true",
                        help="with --only: keep the figures of the decoders not run from the JSON file being "
                             "replaced (refused unless it holds the same corpus)")
    args = parser.parse_args(argv)
    versions = {n: available(PEERS[p][1]) for n, p in PEER_NAMES.items()}
    names = [OURS] + [n for n in PEER_NAMES if versions[n]]
    if args.only:
        unknown = sorted(set(args.only) - {OURS, *PEER_NAMES})
        if unknown:
            parser.error(f"unknown decoder {', '.join(unknown)}; choose from {OURS}, {', '.join(PEER_NAMES)}")
        names = [n for n in names if n in args.only]
    for n in PEER_NAMES:
        print(f"{n}: {'version ' + versions[n] if versions[n] else 'not installed'}", file=sys.stderr)
    pack = realcorpus.load_pack()
    specs = realcorpus.specs(pack, seed=args.seed)
    if args.quick:
        specs = realcorpus.quick(specs)
    rows = run_corpus(specs, names, seed=args.seed, cache=args.cache, jobs=args.jobs)
    result = {
        "corpus": {"files": len(rows), "groups": sum(r["groups"] for r in rows),
                   "knocks": sum(r["knocks"] for r in rows), "seed": args.seed, "sources": list(realcorpus.SOURCES),
                   "hours": sum(r["duration_s"] for r in rows) / 3600, "snrs_db": list(realcorpus.SNRS_DB),
                   "noises": sorted({s.noise for s in specs}), "rooms": sorted({s.rir for s in specs if s.rir}),
                   "files_with_room": sum(1 for s in specs if s.rir),
                   "files_with_distractors": sum(1 for s in specs if s.distractors),
                   "one_shots": {s: len(v) for s, v in pack.knocks.items()}, "left_out": list(pack.excluded),
                   "quick": args.quick,
                   "snr_definition": "10*log10(P_knock/P_noise): P_knock = mean square of the knocks alone, after "
                                     "the room, over the union of 100 ms windows from each onset; P_noise = mean "
                                     "square of the noise bed over the whole file"},
        "folds": "leave-one-source-out: each file is decoded with what was fitted or tuned without its source's "
                 "repository (knocks, distractors and noise beds)",
        "decoders": summarize(rows, names),
        "versions": {n: v for n, v in versions.items() if n in names},
        "machine": {"python": platform.python_version(), "cores": os.cpu_count(), "jobs": args.jobs},
        "files": [{"name": r["spec"]["name"], "sequence": r["spec"]["sequence"],
                   **{n: r["decoders"][n]["read"] for n in names}} for r in rows],
    }
    if not (args.quick or args.no_synthetic):
        result["synthetic"], result["real_knocks"] = synthetic_tables(
            names, Path(args.cache) / "synthetic" if args.cache else None)
    if OURS in names:
        result["levels"] = level_table(realcorpus.quick(specs), seed=args.seed, cache=args.cache, jobs=args.jobs)
    target = args.json or RESULTS / ("real-quick.json" if args.quick else "real.json")
    if args.keep_others:
        result = kept_others(result, target, names)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=1, default=lambda v: v.item() if hasattr(v, "item") else str(v)))
    print_tables(result)
    charts = plot(result, target.with_suffix(""))
    print(f"\nwrote {target}" + "".join(f", {p.name}" for p in charts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
