"""Labelled candidates for fitting the decoder's model: real recordings mixed into noise and rooms, and renders of
the synthesizer, each file run through the decoder's own candidate finder.

For every fold (a knock source held out) there is a separate training corpus, built by :mod:`realcorpus` from the
development pack *without* that source's repository (:meth:`realcorpus.Pack.without`), with a training seed that
the benchmark's corpus does not use. The fold ``all`` is built from the whole pack: it is what the shipped model is
fitted on. Synthetic renders never contain recorded audio and serve every fold.

A candidate is labelled a knock when it is the strongest (highest novelty) candidate within
:data:`LABEL_WINDOW_S` of a true onset; everything else is not a knock: echoes, rebounds and ringing of a knock,
noise, distractors.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import realcorpus  # noqa: E402

from rescue_signals.codebook import default_codebook  # noqa: E402
from rescue_signals.decode.candidates import CandidateSettings, find_candidates  # noqa: E402
from rescue_signals.protocol import parse_sequence  # noqa: E402
from rescue_signals.synth import MEDIA, NOISES, Conditions, render_sequence  # noqa: E402

TRAIN_SEED = 7
FOLDS = realcorpus.SOURCES + ("all",)
FILES_PER_CELL = 14
"""Training files per (source, SNR) of each fold's real corpus."""

SYNTHETIC_FILES = 200
LABEL_WINDOW_S = (-0.03, 0.06)
"""A true onset's knock is the strongest candidate from this before to this after it, s."""

CACHE = HERE / "out" / "training"


@dataclass(frozen=True)
class FileData:
    """The labelled candidates of one training file."""

    name: str
    fold: str  # the fold whose training corpus it belongs to ("synthetic": every fold's)
    source: str  # knock source ("synth-<medium>" for renders)
    snr_db: float
    times_s: np.ndarray  # (n,)
    features: np.ndarray  # (n, FEATURES)
    labels: np.ndarray  # (n,) 1 = knock
    truth_groups: list  # (count, start_s, end_s)
    knocks_s: np.ndarray
    distractor_spans: list
    duration_s: float
    sample_rate: int


def label(times_s: np.ndarray, novelty: np.ndarray, knocks_s: np.ndarray) -> np.ndarray:
    """1 for the strongest candidate near each true onset, 0 for every other candidate."""
    labels = np.zeros(len(times_s), np.int8)
    for t in knocks_s:
        near = np.flatnonzero((times_s >= t + LABEL_WINDOW_S[0]) & (times_s <= t + LABEL_WINDOW_S[1]))
        if near.size:
            labels[near[np.argmax(novelty[near])]] = 1
    return labels


def _file_data(name, fold, source, snr, samples, rate, knocks_s, groups, spans, settings) -> FileData:
    cands = find_candidates(samples, rate, settings)
    times = np.array([c.time_s for c in cands])
    novelty = np.array([c.novelty for c in cands])
    feats = np.stack([c.features for c in cands]) if cands else np.zeros((0, 0), np.float32)
    return FileData(name, fold, source, float(snr), times, feats, label(times, novelty, np.asarray(knocks_s)),
                    [tuple(g) for g in groups], np.asarray(knocks_s, float), [tuple(s) for s in spans],
                    samples.size / rate, rate)


def fold_specs(fold: str, pack):
    """The pack, seed and file specs of the fold's real training corpus (the whole pack for ``all``)."""
    fold_pack = pack if fold == "all" else pack.without(fold)
    sources = [s for s in realcorpus.SOURCES if s != fold]
    seed = TRAIN_SEED * 1000 + FOLDS.index(fold)
    return fold_pack, seed, realcorpus.specs(fold_pack, seed=seed, files_per_cell=FILES_PER_CELL, sources=sources)


def real_files(fold: str, pack, settings: CandidateSettings):
    """The fold's real training corpus (the whole pack for ``all``)."""
    fold_pack, seed, specs = fold_specs(fold, pack)
    for spec in specs:
        case = realcorpus.render(spec, fold_pack, seed=seed)
        yield _file_data(f"{fold}/{spec.name}", fold, spec.source, spec.snr_db, case.samples, case.sample_rate,
                         case.knocks_s, case.groups, case.distractor_spans, settings)


def synthetic_files(settings: CandidateSettings, count: int = SYNTHETIC_FILES):
    """Renders of random sequences on every medium under every noise bed, SNRs +20 to -5 dB, tempos, rooms."""
    codebook = default_codebook()
    snrs = (20.0, 10.0, 5.0, 0.0, -5.0)
    for k in range(count):
        rng = np.random.default_rng([TRAIN_SEED, 555, k])
        counts = rng.choice(np.arange(1, 16), size=int(rng.integers(2, 6)))
        sequence = " ".join(f"{'RT'[int(rng.integers(2))]}{int(c)}" for c in counts)
        medium, noise = MEDIA[k % len(MEDIA)], NOISES[int(rng.integers(len(NOISES)))]
        snr = snrs[int(rng.integers(len(snrs)))]
        conditions = Conditions(medium=medium, noises=(noise,), snr_db=snr, tempo=float(rng.uniform(0.55, 1.9)),
                                jitter=float(rng.uniform(0.02, 0.1)), drift=float(rng.uniform(0.0, 0.15)),
                                reverb=float(rng.uniform(0.1, 0.9)), double_strike_prob=float(rng.uniform(0, 0.2)),
                                weak_knock_prob=float(rng.uniform(0, 0.1)), distance_m=float(rng.uniform(1, 300)),
                                group_gap_s=float(np.exp(rng.uniform(np.log(4.0), np.log(20.0)))))
        r = render_sequence(parse_sequence(sequence, codebook), codebook, conditions, seed=9000 + k)
        yield _file_data(f"synthetic/{k:03d}-{medium}-{noise}-{snr:+.0f}", "synthetic", f"synth-{medium}", snr,
                         r.samples, r.sample_rate, [kn.time_s for kn in r.knocks],
                         [(g.count, g.start_s, g.end_s) for g in r.groups], [], settings)


def save(data: FileData, folder: Path) -> None:
    path = folder / (data.name.replace("/", "__") + ".npz")
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {k: getattr(data, k) for k in ("name", "fold", "source", "snr_db", "truth_groups", "distractor_spans",
                                          "duration_s", "sample_rate")}
    np.savez_compressed(path, times_s=data.times_s, features=data.features, labels=data.labels,
                        knocks_s=data.knocks_s, meta=json.dumps(meta))


def load(folder: Path) -> list[FileData]:
    out = []
    for path in sorted(folder.glob("*.npz")):
        z = np.load(path)
        meta = json.loads(str(z["meta"]))
        out.append(FileData(meta["name"], meta["fold"], meta["source"], meta["snr_db"], z["times_s"], z["features"],
                            z["labels"], [tuple(g) for g in meta["truth_groups"]], z["knocks_s"],
                            [tuple(s) for s in meta["distractor_spans"]], meta["duration_s"], meta["sample_rate"]))
    return out
