"""Fit the decoder's model (knock evidence and confidence calibration): one seeded, reproducible command.

    bash benchmarks/setup-venv.sh                     # once: the benchmark environment, with scikit-learn
    benchmarks/.venv/bin/python benchmarks/train_model.py

For each fold, the training corpus is the development pack without the fold's source (see :mod:`training_data`),
plus synthetic renders; the fold ``all`` has every source and is the shipped model, ``assets/decoder/model.npz``.
The leave-one-source-out models that the real-audio benchmark scores with go to ``benchmarks/out/models/``.

Within a fold, the evidence model (gradient-boosted trees, scikit-learn's HistGradientBoostingClassifier, exported
to plain arrays) is fitted once per knock source of the fold's corpus without that source, to give every real
training file out-of-fold P(knock). The rhythm model decodes those files; the groups it finds, right or wrong, fit
the calibration of the confidence (:mod:`rescue_signals.decode.confidence`). The evidence model is then fitted on
the whole fold. Nothing here ever sees the benchmark's corpus (another seed) or the fold's own source.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import realcorpus  # noqa: E402
import training_data as td  # noqa: E402
from metrics import calibration_error, match_groups  # noqa: E402

from rescue_signals.decode.candidates import FEATURES, CandidateSettings  # noqa: E402
from rescue_signals.decode.confidence import Calibration, group_snr  # noqa: E402
from rescue_signals.decode.evidence import EvidenceModel, TreeEnsemble  # noqa: E402
from rescue_signals.decode.model import MODEL_ASSET, DecoderModel  # noqa: E402
from rescue_signals.decode.rhythm import RhythmSettings, evidence_score, track  # noqa: E402
from rescue_signals.resources import assets_dir  # noqa: E402

SEED = 0
LEVEL = FEATURES.index("level_db")
SNR = FEATURES.index("snr_db")
MODELS = HERE / "out" / "models"
TEMPERATURES = (0.5, 0.7, 1.0, 1.4, 2.0, 2.8)
RHYTHM_GRID = {"evidence_weight": (1.0, 1.5), "evidence_bias": (2.0, 3.0, 4.0), "group_cost": (5.0, 7.0, 9.0),
               "level_sigma_db": (3.0, 6.0, 12.0), "tempo_sigma": (0.12,)}
"""Fitted settings of the rhythm model, chosen on out-of-fold groups: the most groups right less false groups."""
FLOORS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
"""Confidences below which a group might not be reported (:attr:`Calibration.floor`), chosen on out-of-fold groups
by the same score as the rhythm settings."""
SYNTHETIC_WEIGHT = 0.5
"""How much the synthetic renders' out-of-fold score counts in choosing the rhythm settings (real files: 1)."""
TREES = {"max_iter": 400, "learning_rate": 0.06, "max_leaf_nodes": 31, "min_samples_leaf": 40,
         "l2_regularization": 1.0, "early_stopping": True, "validation_fraction": 0.1, "n_iter_no_change": 20}
"""Settings of the gradient-boosted trees."""


def model_path(fold: str) -> Path:
    return assets_dir() / MODEL_ASSET if fold == "all" else MODELS / f"without-{fold}.npz"


# -- data ------------------------------------------------------------------------------------------------------------
def _extract_fold(fold: str) -> str:
    folder = td.CACHE / fold
    pack = realcorpus.load_pack()
    if fold == "synthetic":
        items = td.synthetic_files(CandidateSettings())
    else:
        items = td.real_files(fold, pack, CandidateSettings())
    for data in items:
        td.save(data, folder)
    (folder / "complete").write_text(_signature())
    return fold


def _signature() -> str:
    """What extracted candidates depend on: the features, the candidate finder's settings, the corpus sizes."""
    return json.dumps({"features": FEATURES, "candidates": CandidateSettings().__dict__,
                       "files_per_cell": td.FILES_PER_CELL, "synthetic": td.SYNTHETIC_FILES,
                       "seed": td.TRAIN_SEED}, sort_keys=True, default=str)


def extract(folds, jobs: int) -> None:
    """Labelled candidates of every fold's corpus and of the synthetic renders, unless already there (a change
    of the candidate features makes them stale: they are extracted again)."""
    todo = [f for f in (*folds, "synthetic")
            if not (td.CACHE / f / "complete").exists() or (td.CACHE / f / "complete").read_text() != _signature()]
    for f in todo:
        for old in (td.CACHE / f).glob("*.npz"):
            old.unlink()
    started = time.time()
    with multiprocessing.get_context("fork").Pool(max(1, min(jobs, len(todo) or 1))) as pool:
        for fold in pool.imap_unordered(_extract_fold, todo):
            print(f"  extracted {fold} ({time.time() - started:.0f} s)", file=sys.stderr, flush=True)


# -- fitting ---------------------------------------------------------------------------------------------------------
def fit_trees(x: np.ndarray, y: np.ndarray) -> EvidenceModel:
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(random_state=SEED, **TREES).fit(x, y)
    return EvidenceModel(FEATURES, export_trees(model))


def export_trees(model) -> TreeEnsemble:
    """A fitted HistGradientBoostingClassifier (binary) as flat arrays; checked against its own predictions."""
    feature, threshold, left, right, value, roots = [], [], [], [], [], []
    offset, depth = 0, 0
    for (tree,) in model._predictors:
        nodes = tree.nodes
        n = len(nodes)
        leaf = nodes["is_leaf"].astype(bool)
        own = np.arange(n)
        roots.append(offset)
        feature.append(np.where(leaf, 0, nodes["feature_idx"]))
        threshold.append(np.where(leaf, 0.0, nodes["num_threshold"]))
        left.append(np.where(leaf, own, nodes["left"]) + offset)
        right.append(np.where(leaf, own, nodes["right"]) + offset)
        value.append(np.where(leaf, nodes["value"], 0.0))
        depth = max(depth, int(nodes["depth"].max()))
        offset += n
    baseline = float(np.ravel(model._baseline_prediction)[0])
    return TreeEnsemble(np.concatenate(feature).astype(np.int64), np.concatenate(threshold).astype(np.float64),
                        np.concatenate(left).astype(np.int64), np.concatenate(right).astype(np.int64),
                        np.concatenate(value).astype(np.float64), np.array(roots, np.int64), depth, baseline)


def _stack(files):
    return (np.concatenate([f.features for f in files]).astype(np.float32),
            np.concatenate([f.labels for f in files]).astype(np.int8))


def decode_groups(files, probabilities, settings: RhythmSettings) -> list[dict]:
    """The rhythm model over each file's candidates: every decoded group with its posterior, its SNR (the median
    of its knocks', as the decoder takes it) and whether it is right, and per true group how it was read."""
    out = []
    for f, p in zip(files, probabilities):
        groups = track(f.times_s, p, settings, f.features[:, LEVEL])
        decoded = [(g.count, g.times_s[0], g.times_s[-1]) for g in groups]
        m = match_groups(f.truth_groups, decoded, f.distractor_spans)
        out.append({"file": f.name, "source": f.source, "snr_db": f.snr_db, "true": m["true"],
                    "decoded": decoded, "right": m["decoded"], "posterior": [g.probability(g.count) for g in groups],
                    "snr_db": [float(np.median(f.features[list(g.knocks), SNR])) for g in groups],
                    "exchange": [g[0] for g in decoded] == [t[0] for t in f.truth_groups], "false": len(m["false"])})
    return out


def fit_calibration(files, probabilities, base: RhythmSettings) -> tuple[Calibration, dict, list]:
    """The temperature, and the slopes and intercept of the posterior's log-odds and the group's SNR, that make
    the stated confidence of out-of-fold groups honest; with the figures and the groups decoded at that
    temperature."""
    from sklearn.linear_model import LogisticRegression

    best = None
    for temperature in TEMPERATURES:
        rows = decode_groups(files, probabilities, _with(base, temperature=temperature))
        post = np.array([p for r in rows for p in r["posterior"]])
        snr = np.array([x for r in rows for x in r["snr_db"]])
        right = np.array([x for r in rows for x in r["right"]], dtype=int)
        z = np.log(np.clip(post, 1e-6, 1 - 1e-6) / np.clip(1 - post, 1e-6, 1))
        if len(set(right)) < 2:
            slope, snr_slope, intercept = 1.0, 0.0, 0.0
        else:
            lr = LogisticRegression(C=100.0).fit(np.column_stack([z, group_snr(snr)]), right)
            (slope, snr_slope), intercept = map(float, lr.coef_[0]), float(lr.intercept_[0])
        cal = Calibration(temperature, slope, intercept, snr_slope=snr_slope)
        conf = cal.confidence(post, snr)
        loss = float(-np.mean(right * np.log(conf) + (1 - right) * np.log(1 - conf)))
        if best is None or loss < best[0]:
            best = (loss, cal, rows, conf, right)
    loss, cal, rows, conf, right = best
    figures = summary(rows)
    figures.update(log_loss=loss, ece=calibration_error(conf, right))
    return cal, figures, rows


def fit_floor(files, rows, calibration: Calibration) -> tuple[float, list]:
    """The floor of :data:`FLOORS` under which the most out-of-fold groups are right, less the false groups, when
    the groups below it are not reported (the lowest of equal scores)."""
    confidences = [calibration.confidence(np.array(r["posterior"]), np.array(r["snr_db"])) if r["posterior"] else []
                   for r in rows]
    tried = []
    for floor in FLOORS:
        kept_rows = []
        for f, r, confidence in zip(files, rows, confidences):
            kept = [d for d, c in zip(r["decoded"], confidence) if c >= floor]
            m = match_groups(f.truth_groups, kept, f.distractor_spans)
            kept_rows.append({"true": m["true"], "false": len(m["false"]),
                              "exchange": [d[0] for d in kept] == [t[0] for t in f.truth_groups]})
        s = summary(kept_rows)
        tried.append({"floor": floor, **s, "score": _score(s)})
    best = max(tried, key=lambda t: t["score"])
    return best["floor"], tried


def _score(s: dict) -> float:
    """What the fitted settings are chosen by: the share of groups right, less the false groups per true group."""
    return s["group_acc"] - s["false_groups_per_file"] * s["files"] / max(1, s["groups"])


def fit_rhythm(files, probabilities, base: RhythmSettings, synthetic=(), synthetic_probabilities=()) \
        -> tuple[dict, list]:
    """The rhythm settings of :data:`RHYTHM_GRID` under which the most out-of-fold groups are right, less the
    false groups: on the real files, and with :data:`SYNTHETIC_WEIGHT` on the synthetic renders."""
    import itertools

    score = _score
    keys = list(RHYTHM_GRID)
    tried = []
    for values in itertools.product(*RHYTHM_GRID.values()):
        changes = dict(zip(keys, values))
        s = summary(decode_groups(files, probabilities, _with(base, **changes)))
        total = score(s)
        if synthetic:
            s["synthetic"] = summary(decode_groups(synthetic, synthetic_probabilities, _with(base, **changes)))
            total += SYNTHETIC_WEIGHT * score(s["synthetic"])
        tried.append({**changes, **s, "score": total})
    best = max(tried, key=lambda t: t["score"])
    return {k: best[k] for k in keys}, tried


def summary(rows) -> dict:
    true = [s for r in rows for s in r["true"]]
    return {"files": len(rows), "groups": len(true), "group_acc": true.count("right") / max(1, len(true)),
            "exchange_acc": float(np.mean([r["exchange"] for r in rows])) if rows else 0.0,
            "false_groups_per_file": float(np.mean([r["false"] for r in rows])) if rows else 0.0}


def _with(settings: RhythmSettings, **changes) -> RhythmSettings:
    from dataclasses import replace

    return replace(settings, **changes)


def _oof_signature() -> str:
    return json.dumps({"candidates": _signature(), "trees": TREES, "seed": SEED}, sort_keys=True)


def out_of_fold(fold: str, real, synthetic, started: float) -> tuple[list, list]:
    """P(knock) of every candidate of the fold's real files from trees fitted without the file's source, and of
    the synthetic renders from trees fitted without their half of them (kept in the fold's cache)."""
    path = td.CACHE / f"{fold}.out-of-fold.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as z:
            if str(z["signature"]) == _oof_signature():
                return ([z[f"real/{f.name}"] for f in real], [z[f"synthetic/{f.name}"] for f in synthetic])
    oof = {}
    for source in sorted({f.source for f in real}):
        model = fit_trees(*_stack([f for f in real if f.source != source] + synthetic))
        for f in real:
            if f.source == source:
                oof[f"real/{f.name}"] = model.probability(f.features)
        print(f"  {fold}: out-of-fold evidence for {source} ({time.time() - started:.0f} s)", file=sys.stderr,
              flush=True)
    for half in (0, 1):
        model = fit_trees(*_stack(real + [f for i, f in enumerate(synthetic) if i % 2 != half]))
        for i, f in enumerate(synthetic):
            if i % 2 == half:
                oof[f"synthetic/{f.name}"] = model.probability(f.features)
    np.savez_compressed(path, signature=np.array(_oof_signature()), **oof)
    return [oof[f"real/{f.name}"] for f in real], [oof[f"synthetic/{f.name}"] for f in synthetic]


def fit_fold(fold: str) -> dict:
    started = time.time()
    real = td.load(td.CACHE / fold)
    synthetic = td.load(td.CACHE / "synthetic")
    sources = sorted({f.source for f in real})
    settings = RhythmSettings()
    probabilities, synthetic_probabilities = out_of_fold(fold, real, synthetic, started)
    rhythm, choice = fit_rhythm(real, probabilities, settings, synthetic, synthetic_probabilities)
    calibration, figures, rows = fit_calibration(real, probabilities, _with(settings, **rhythm))
    calibration, floor_figures = _floored(real, rows, calibration)
    figures.update(floor_figures)
    figures["rhythm_grid"] = choice
    figures["synthetic"] = next(t["synthetic"] for t in choice if all(t[k] == v for k, v in rhythm.items()))
    model = DecoderModel(fit_trees(*_stack(real + synthetic)), calibration, rhythm, {
        "fold": fold, "sources": sources, "real_files": len(real), "synthetic_files": len(synthetic),
        "candidates": int(sum(len(f.labels) for f in real + synthetic)), "seed": SEED,
        "training_seed": td.TRAIN_SEED, "trees": TREES, "out_of_fold": figures})
    model.save(model_path(fold))
    print(f"  {fold}: {json.dumps({k: v for k, v in figures.items() if k not in ('rhythm_grid', 'floor_grid')})} "
          f"({time.time() - started:.0f} s)", file=sys.stderr, flush=True)
    return {"fold": fold, **figures}


def _floored(real, rows, calibration: Calibration) -> tuple[Calibration, dict]:
    """``calibration`` with its floor fitted on ``rows`` (:func:`decode_groups` of ``real`` at the calibration's
    temperature), and the out-of-fold figures with the floor applied."""
    from dataclasses import replace

    floor, tried = fit_floor(real, rows, calibration)
    chosen = next(t for t in tried if t["floor"] == floor)
    return replace(calibration, floor=floor), {
        "floor": floor, "floor_grid": tried, "without_floor": next(t for t in tried if t["floor"] == 0.0),
        **{k: chosen[k] for k in ("group_acc", "exchange_acc", "false_groups_per_file")}}


def refit_calibration(fold: str) -> dict:
    """Only the calibration (and its floor) of the fold's model already fitted, from the fold's cached
    out-of-fold evidence and the model's rhythm settings."""
    started = time.time()
    path = model_path(fold)
    model = DecoderModel.load(path)
    real = td.load(td.CACHE / fold)
    synthetic = td.load(td.CACHE / "synthetic")
    probabilities, _ = out_of_fold(fold, real, synthetic, started)
    calibration, figures, rows = fit_calibration(real, probabilities, _with(RhythmSettings(), **model.rhythm))
    calibration, floor_figures = _floored(real, rows, calibration)
    figures.update(floor_figures)
    about = dict(model.about)
    about["out_of_fold"] = {**about.get("out_of_fold", {}), **figures}
    DecoderModel(model.evidence, calibration, model.rhythm, about).save(path)
    print(f"  {fold}: {calibration} ({time.time() - started:.0f} s)", file=sys.stderr, flush=True)
    return {"fold": fold, **about["out_of_fold"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", default=",".join(td.FOLDS), help="folds to fit (default: every source, and all)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--calibration-only", action="store_true",
                        help="re-fit only the confidence calibration and the reporting floor of the models already "
                             "fitted (from the cached out-of-fold evidence)")
    args = parser.parse_args(argv)
    folds = [f.strip() for f in args.folds.split(",") if f.strip()]
    unknown = sorted(set(folds) - set(td.FOLDS))
    if unknown:
        parser.error(f"unknown fold {', '.join(unknown)}; choose from {', '.join(td.FOLDS)}")
    extract(folds, args.jobs)  # only what is not there yet, or is stale
    with multiprocessing.get_context("fork").Pool(max(1, min(args.jobs, len(folds)))) as pool:
        for row in pool.imap_unordered(refit_calibration if args.calibration_only else fit_fold, folds):
            print(f"{row['fold']:<16} out-of-fold: groups {row['group_acc']:.3f}, exchanges {row['exchange_acc']:.3f}, "
                  f"false groups/file {row['false_groups_per_file']:.2f}, ECE {row['ece']:.3f}, "
                  f"floor {row['floor']:.1f} "
                  f"-> {model_path(row['fold'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
