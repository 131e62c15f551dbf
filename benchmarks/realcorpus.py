"""The real-audio development corpus: knock exchanges built only from real recordings.

Every knock, distractor, noise bed and room response comes from ``../shared/data/devpack`` or
``../shared/data/real-knocks`` (see their READMEs and licences); nothing is synthesized. A file is made like this:

* **Sequence.** A codebook exchange (call and reply, a headcount question answered with N, received, stop,
  repeats) or a random sequence, groups of 1 to 25 knocks.
* **Knocks.** All groups of a file are knocked with one *source* (one repository's recordings, see
  :data:`SOURCES`); each knock of a group is a different one-shot of that source, the group's own reel first, at
  a level spread of a few dB, on a human hand: a spacing of 0.5-1.8 s drawn per group, jitter on every interval
  and a drift of up to 25 % across the group.
* **Gaps** of 4 s up to the codebook's 30 s between groups (log-uniform), a lead-in of 3-8 s and a tail of 4-10 s.
* **Room**: on every second file, the knocks (and distractors) are convolved with a measured room response.
* **Distractors**: on every third file, real non-knock sounds in the lead-in, the gaps and the tail (at least
  1.5 s from any knock), each at the level of the knocks +-6 dB (loudest 100 ms against the knocks' 100 ms).
* **Noise**: a real noise bed, looped, at an SNR of +20, +10, +5, 0 or -5 dB, defined as in ``render``
  (:mod:`rescue_signals.synth.mix`): the mean power of the knocks as they arrive (after the room) over 100 ms
  from each onset, over the mean power of the noise over the whole file.

Everything is deterministic from the seed: file ``i`` draws from ``numpy.random.default_rng([seed, i])``, so a
subset (``--quick``) holds exactly the same files as the whole corpus.

Sources and folds. A *source* is one repository's recordings. When a decoder is fitted or tuned for scoring
the files of source S, nothing of S's repository may be used: not its knocks, not its distractors, not its noise
beds (:meth:`Pack.without`).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile
from scipy import signal as sps

from rescue_signals.synth.mix import scale_noise

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
DEVPACK = DATA / "devpack"
TAPS = DATA / "real-knocks"
RATE = 48000

REPOSITORIES = {
    "Fris0uman/CDDA-Soundpacks": "cdda",
    "minetest/minetest_game": "minetest",
    "sonic-pi-net/sonic-pi": "sonic-pi",
    "sfzinstruments/body_percussion": "body-percussion",
    "shamika-tissera/mini-tapsense": "tapsense",
}
"""Repository -> short source name; a file's repository is the part of its manifest ``source`` before ``@``."""

SOURCES = ("cdda", "minetest", "sonic-pi", "body-percussion", "tapsense")
"""The knock sources, each one fold of leave-one-source-out."""

SNRS_DB = (20, 10, 5, 0, -5)
FILES_PER_CELL = 13
"""Files per (source, SNR): 5 x 5 x 13 = 325 files."""

QUICK_FILES_PER_CELL = 2
"""``--quick`` keeps the first this many files of every (source, SNR): 50 files."""

PRE_ROLL_S = 0.005
"""Audio kept before a one-shot's onset, s."""

LEVEL_WINDOW_S = 0.1
"""Window of the level of a knock (as in the SNR) and of a distractor's loudest part, s."""

DISTRACTOR_MARGIN_S = 1.5
"""No distractor starts or ends closer than this to a knock, s."""

LABEL_SLACK_S = 0.005
"""A label this much before its segment's start (the manifest rounds to the millisecond) belongs to it, s."""

RIR_PRE_S = 0.001
"""A room response is trimmed to start this long before its direct sound, s (so onsets move by about this)."""


@dataclass(frozen=True, eq=False)
class Shot:
    """One real sound cut out at its onset: ``clip[onset]`` is the onset sample.

    ``clip`` is scaled so that its level (mean power over :data:`LEVEL_WINDOW_S` from the onset for a knock, over
    its loudest such window for a distractor) is 1.
    """

    clip: np.ndarray
    onset: int
    name: str
    reel: str
    repo: str


@dataclass(frozen=True, eq=False)
class Bed:
    """A whole recording: a noise bed (RMS 1), a long distractor (typing, speech, ...) or a room response."""

    samples: np.ndarray
    name: str
    repo: str


@dataclass(frozen=True, eq=False)
class Pack:
    """Everything the corpus is cut from."""

    knocks: dict  # source -> tuple of Shot
    distractors: dict  # reel name -> tuple of Shot (one-shot reels) or (Bed,) for a long recording
    noises: tuple  # Bed
    rirs: tuple  # Bed
    excluded: tuple = field(default=())  # one-shots left out (two labelled impacts), with the reason

    def without(self, source: str) -> "Pack":
        """This pack with nothing of ``source``'s repository: its knocks, distractors and noise beds."""
        distractors = {}
        for reel, items in self.distractors.items():
            kept = tuple(s for s in items if s.repo != source)
            if kept:
                distractors[reel] = kept
        return Pack({s: k for s, k in self.knocks.items() if s != source}, distractors,
                    tuple(b for b in self.noises if b.repo != source), tuple(b for b in self.rirs if b.repo != source),
                    self.excluded)


def _read(path: Path) -> np.ndarray:
    x, rate = soundfile.read(path, dtype="float32", always_2d=True)
    if rate != RATE:
        raise ValueError(f"{path}: {rate} Hz, expected {RATE}")
    return x.mean(axis=1)


def _repo(source_field: str) -> str:
    repo = source_field.split("@", 1)[0]
    return REPOSITORIES.get(repo, repo)


def _labels(path: Path) -> np.ndarray:
    if not path.exists():
        return np.zeros(0)
    return np.atleast_1d(np.loadtxt(path, usecols=0, ndmin=1))


def _window_power(x: np.ndarray, start: int) -> float:
    w = x[start:start + int(LEVEL_WINDOW_S * RATE)]
    return float(np.mean(np.square(w, dtype=np.float64))) if w.size else 0.0


def _loudest_power(x: np.ndarray) -> float:
    width = int(LEVEL_WINDOW_S * RATE)
    if x.size <= width:
        return float(np.mean(np.square(x, dtype=np.float64)))
    power = np.convolve(np.square(x, dtype=np.float64), np.ones(width) / width, mode="valid")
    return float(power.max())


def _fade(x: np.ndarray, *, in_s: float = 0.0, out_s: float = 0.005) -> np.ndarray:
    x = x.astype(np.float32, copy=True)
    n_in, n_out = min(x.size, int(in_s * RATE)), min(x.size, int(out_s * RATE))
    if n_in:
        x[:n_in] *= np.linspace(0.0, 1.0, n_in, dtype=np.float32)
    if n_out:
        x[-n_out:] *= np.linspace(1.0, 0.0, n_out, dtype=np.float32)
    return x


def _knock_shot(clip: np.ndarray, onset: int, name: str, reel: str, repo: str) -> Shot:
    power = _window_power(clip, onset)
    return Shot((clip / np.sqrt(power)).astype(np.float32), onset, name, reel, repo)


def load_pack(devpack: Path = DEVPACK, taps: Path = TAPS) -> Pack:
    """Cut the development pack into one-shots, beds and room responses.

    A knock one-shot is kept only if its label file gives it exactly one impact: the three one-shots with two
    labelled strikes (a second contact or a second chop 0.07-0.15 s later) are not one knock; they are listed in
    :attr:`Pack.excluded`. The real taps are cut from their recordings at each label (onset refined to the first
    sample reaching 10 % of the tap's peak, as the devpack's labels are).
    """
    rows = list(csv.DictReader(open(devpack / "manifest.csv", newline="")))
    reels: dict[str, list[dict]] = {}
    for row in rows:
        reels.setdefault(row["reel"], []).append(row)
    knocks: dict[str, list[Shot]] = {}
    distractors: dict[str, tuple] = {}
    noises, rirs, excluded = [], [], []
    for reel, segs in sorted(reels.items()):
        folder = reel.split("/", 1)[0]
        x = _read(devpack / reel)
        name = Path(reel).stem
        if folder in ("noise", "rir"):
            repo = _repo(segs[0]["source"])
            if folder == "noise":
                noises.append(Bed((x / np.sqrt(np.mean(np.square(x, dtype=np.float64)))).astype(np.float32), name,
                                  repo))
            else:
                rirs.append(Bed(_trim_rir(x), name, repo))
            continue
        labels = _labels((devpack / reel).with_suffix(".labels.txt"))
        shots = []
        for seg in segs:
            start, end = int(float(seg["start_s"]) * RATE), int(float(seg["end_s"]) * RATE)
            repo = _repo(seg["source"])
            item = seg["source"].rsplit("/", 1)[-1]
            if folder == "distractors" and len(segs) == 1 and end - start > 3 * RATE:
                distractors[name] = (Bed(x[start:end].copy(), name, repo),)
                break
            inside = labels[(labels * RATE >= start - LABEL_SLACK_S * RATE) & (labels * RATE < end)]
            if folder == "knocks":
                if len(inside) != 1:
                    excluded.append(f"{reel} segment {seg['seg']} ({item}): {len(inside)} labelled impacts")
                    continue
                onset = int(round(inside[0] * RATE))
                cut = max(0, onset - int(PRE_ROLL_S * RATE))  # the reels have digital silence before each one-shot
                knocks.setdefault(repo, []).append(_knock_shot(x[cut:end], onset - cut, item, name, repo))
            else:
                onset = int(round(inside[0] * RATE)) if len(inside) else start
                cut = max(start, onset - int(PRE_ROLL_S * RATE))
                clip = x[cut:end]
                shots.append(Shot((clip / np.sqrt(max(_loudest_power(clip), 1e-20))).astype(np.float32),
                                  onset - cut, item, name, repo))
        if shots:
            distractors[name] = tuple(shots)
    knocks["tapsense"] = list(_taps(taps))
    return Pack({s: tuple(knocks[s]) for s in SOURCES}, distractors, tuple(noises), tuple(rirs), tuple(excluded))


def _taps(folder: Path):
    for path in sorted(folder.glob("*.flac")):
        x = _read(path)
        labels = _labels(path.with_suffix(".labels.txt"))
        for k, label in enumerate(labels):
            a = int(label * RATE)
            peak_at = a + int(np.argmax(np.abs(x[a:a + int(0.1 * RATE)])))
            above = np.flatnonzero(np.abs(x[a:peak_at + 1]) >= 0.1 * abs(x[peak_at]))
            onset = a + int(above[0])
            nxt = int(labels[k + 1] * RATE) if k + 1 < len(labels) else x.size
            end = min(onset + int(0.5 * RATE), nxt - int(0.05 * RATE), x.size)
            cut = onset - int(0.01 * RATE)
            clip = _fade(x[cut:end], in_s=0.003, out_s=0.01)
            yield _knock_shot(clip, onset - cut, f"{path.stem}#{k + 1}", path.stem, "tapsense")


def _trim_rir(h: np.ndarray) -> np.ndarray:
    direct = int(np.flatnonzero(np.abs(h) >= 0.5 * np.abs(h).max())[0])
    h = h[max(0, direct - int(RIR_PRE_S * RATE)):]
    return (h / np.abs(h).max()).astype(np.float32)


# -- what a file is made of ----------------------------------------------------------------------------------------
EXCHANGES = (
    ("call, rescuers", "R5 T3"),
    ("call, trapped", "T5 R3"),
    ("headcount", "R5 T3 R4 T3 T{n} R3"),
    ("headcount, bare", "R4 T{n} R3"),
    ("stop", "T2 R3"),
    ("call unanswered, repeated", "R5 R5 T3"),
    ("whole exchange", "T5 R3 R4 T3 T{n} R3 T2 R3"),
    ("headcount asked twice", "R4 R4 T3 T{n} R3"),
)
"""Exchanges that follow the codebook; ``{n}`` is a headcount."""


def _headcount(rng) -> int:
    return int(rng.integers(1, 13)) if rng.random() < 0.8 else int(rng.integers(13, 26))


def _sequence(rng) -> tuple[str, list[tuple[str, int]]]:
    if rng.random() < 0.6:
        kind, template = EXCHANGES[int(rng.integers(len(EXCHANGES)))]
        text = template.format(n=_headcount(rng))
    else:
        kind = "random"
        counts = np.arange(1, 26)
        weights = counts ** -0.8
        n = int(rng.integers(2, 7))
        text = " ".join(f"{'RT'[int(rng.integers(2))]}{int(c)}"
                        for c in rng.choice(counts, size=n, p=weights / weights.sum()))
    return kind, [(g[0], int(g[1:])) for g in text.split()]


@dataclass(frozen=True)
class Spec:
    """One file of the corpus, before it is rendered."""

    index: int
    name: str
    source: str
    snr_db: int
    noise: str
    rir: str | None
    distractors: bool
    kind: str
    sequence: str


@dataclass(frozen=True, eq=False)
class Case:
    """One rendered file with its ground truth."""

    spec: Spec
    samples: np.ndarray
    sample_rate: int
    knocks_s: np.ndarray  # true onsets, s
    groups: list  # (count, start_s, end_s) of every true group
    distractor_spans: list  # (start_s, end_s, what) of every distractor placed

    def __getattr__(self, name):  # source, snr_db, noise, ... straight from the spec
        return getattr(self.__dict__["spec"], name)


def specs(pack: Pack, *, seed: int, files_per_cell: int = FILES_PER_CELL, sources=SOURCES, snrs_db=SNRS_DB):
    """The files of the corpus, in order: for every source and SNR, ``files_per_cell`` files. Room responses go on
    every second file and distractors on every third (counted within each source and SNR, from a per-cell
    offset), noise beds and rooms in turn from a seeded shuffle."""
    order = np.random.default_rng([seed, 999_999])
    noises = [pack.noises[i].name for i in order.permutation(len(pack.noises))]
    rirs = [pack.rirs[i].name for i in order.permutation(len(pack.rirs))]
    out = []
    index = 0
    for s, source in enumerate(sources):
        for k, snr in enumerate(snrs_db):
            for j in range(files_per_cell):
                rng = np.random.default_rng([seed, index])
                kind, groups = _sequence(rng)
                cell = s * len(snrs_db) + k
                noise = noises[(cell * files_per_cell + j) % len(noises)]
                with_room = (j + cell) % 2 == 0
                rir = rirs[(cell * files_per_cell + j) // 2 % len(rirs)] if with_room else None
                sequence = " ".join(f"{role}{n}" for role, n in groups)
                out.append(Spec(index, f"{index:03d}-{source}-{snr:+d}dB", source, snr, noise, rir,
                                (j + cell) % 3 == 0, kind, sequence))
                index += 1
    return out


def quick(all_specs, per_cell: int = QUICK_FILES_PER_CELL):
    """The ``--quick`` subset: the first ``per_cell`` files of every (source, SNR)."""
    seen: dict = {}
    out = []
    for spec in all_specs:
        key = (spec.source, spec.snr_db)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= per_cell:
            out.append(spec)
    return out


def render(spec: Spec, pack: Pack, *, seed: int) -> Case:
    """The audio and ground truth of one file (see the module's docstring for how it is made)."""
    rng = np.random.default_rng([seed, spec.index, 1])
    groups = [(g[0], int(g[1:])) for g in spec.sequence.split()]
    shots = pack.knocks[spec.source]
    reels = sorted({s.reel for s in shots})
    t = float(rng.uniform(3.0, 8.0))
    placed = []  # (time_s, shot, gain)
    truth_groups = []
    for role, count in groups:
        reel = reels[int(rng.integers(len(reels)))]
        own = [s for s in shots if s.reel == reel]
        rest = [s for s in shots if s.reel != reel]
        pool = [own[i] for i in rng.permutation(len(own))] + [rest[i] for i in rng.permutation(len(rest))]
        spacing = float(rng.uniform(0.5, 1.8))
        drift = float(rng.uniform(0.8, 1.25))
        level_db = float(rng.uniform(-3.0, 3.0))
        times = [t]
        for k in range(count - 1):
            along = k / max(1, count - 2)
            interval = spacing * drift ** along * float(np.exp(rng.normal(0.0, 0.06)))
            times.append(times[-1] + max(0.4, interval))
        for k, when in enumerate(times):
            gain_db = level_db + float(np.clip(rng.normal(0.0, 1.5), -3.0, 3.0))
            placed.append((when, pool[k % len(pool)], 10 ** (gain_db / 20)))
        truth_groups.append((count, times[0], times[-1]))
        t = times[-1] + float(np.exp(rng.uniform(np.log(4.0), np.log(30.0))))
    last = truth_groups[-1][2]
    duration = last + float(rng.uniform(4.0, 10.0))
    n = int(duration * RATE)
    rir = next((b.samples for b in pack.rirs if b.name == spec.rir), None) if spec.rir else None
    delay = int(RIR_PRE_S * RATE) if rir is not None else 0
    knocks = np.zeros(n, np.float64)
    for when, shot, gain in placed:
        _add(knocks, shot.clip * gain, int(round(when * RATE)) - shot.onset)
    spans = []
    dis = np.zeros(n, np.float64)
    if spec.distractors:
        for start, end, what, clip in _distractors(rng, pack, truth_groups, duration):
            _add(dis, clip, int(round(start * RATE)))
            spans.append((start, end, what))
    if rir is not None:
        knocks = sps.oaconvolve(knocks, rir)[:n]
        dis = sps.oaconvolve(dis, rir)[:n] if spans else dis
    onsets = np.array([when for when, _, _ in placed]) + delay / RATE
    bed = next(b for b in pack.noises if b.name == spec.noise)
    noise = _loop(bed.samples, n, rng)
    noise = scale_noise(knocks, noise, times_s=onsets, sample_rate=RATE, snr_db=float(spec.snr_db))
    mix = knocks + dis + noise
    peak = float(np.abs(mix).max())
    if peak > 0.9:
        mix *= 0.9 / peak
    shift = delay / RATE
    return Case(spec, mix.astype(np.float32), RATE, onsets,
                [(c, a + shift, b + shift) for c, a, b in truth_groups],
                [(a + shift, b + shift, w) for a, b, w in spans])


def _add(track: np.ndarray, clip: np.ndarray, at: int) -> None:
    a, b = max(0, at), min(track.size, at + clip.size)
    if b > a:
        track[a:b] += clip[a - at:b - at]


def _loop(bed: np.ndarray, n: int, rng) -> np.ndarray:
    """``n`` samples of a noise bed from a random point, looped with 50 ms crossfades."""
    fade = int(0.05 * RATE)
    start = int(rng.integers(bed.size))
    x = np.concatenate((bed[start:], bed[:start]))
    out = np.zeros(n, np.float64)
    pos = 0
    ramp = np.linspace(0.0, 1.0, fade)
    while pos < n:
        take = min(x.size, n - pos)
        piece = x[:take].astype(np.float64)
        if pos > 0:
            k = min(fade, take)
            out[pos - fade:pos - fade + k] = out[pos - fade:pos - fade + k] * (1 - ramp[:k]) + piece[:k] * ramp[:k]
            out[pos - fade + k:pos - fade + take] = piece[k:]
            pos += take - fade
        else:
            out[:take] = piece
            pos += take
        if take < x.size:
            break
    return out[:n]


def _distractors(rng, pack: Pack, groups, duration: float):
    """(start_s, end_s, what, clip) of the distractors of one file: in the lead-in, the gaps and the tail, each
    clear of the knocks by :data:`DISTRACTOR_MARGIN_S`, at the knocks' level +-6 dB."""
    free = [(0.5, groups[0][1] - DISTRACTOR_MARGIN_S)]
    free += [(a[2] + DISTRACTOR_MARGIN_S, b[1] - DISTRACTOR_MARGIN_S) for a, b in zip(groups, groups[1:])]
    free += [(groups[-1][2] + DISTRACTOR_MARGIN_S, duration - 0.5)]
    reels = sorted(pack.distractors)
    chosen = []
    for a, b in free:
        room = b - a
        if room < 1.0:
            continue
        k = min(int(room // 2.5) + 1, int(rng.poisson(0.4 + room / 10.0)))
        for _ in range(k):
            chosen.append((a, b))
    if not chosen:
        widest = max(free, key=lambda f: f[1] - f[0])
        if widest[1] - widest[0] >= 1.0:
            chosen.append(widest)
    placed = []
    for a, b in chosen:
        reel = reels[int(rng.integers(len(reels)))]
        item = pack.distractors[reel][int(rng.integers(len(pack.distractors[reel])))]
        if isinstance(item, Bed):
            length = int(rng.uniform(1.0, 4.0) * RATE)
            at = int(rng.integers(max(1, item.samples.size - length)))
            clip = _fade(item.samples[at:at + length], in_s=0.02, out_s=0.02)
            clip = clip / np.sqrt(max(_loudest_power(clip), 1e-20))
            what = item.name
        else:
            clip, what = item.clip, f"{item.reel}:{item.name}"
        span = clip.size / RATE
        if b - a < span:
            continue
        for _ in range(10):  # a place that does not overlap a distractor already there
            start = float(rng.uniform(a, b - span))
            if all(start + span < s or start > e for s, e, *_ in placed):
                break
        else:
            continue
        gain = 10 ** (float(rng.uniform(-6.0, 6.0)) / 20)
        placed.append((start, start + span, what, clip * gain))
    return placed


# -- cache -----------------------------------------------------------------------------------------------------------
def cases(all_specs, pack: Pack, *, seed: int, cache: Path | None = None):
    """Render the files (or read them from ``cache``), one at a time."""
    for spec in all_specs:
        stem = None if cache is None else cache / f"{seed}-{spec.name}"
        if stem is not None and stem.with_suffix(".json").exists():
            meta = json.loads(stem.with_suffix(".json").read_text())
            if meta["spec"] == spec.__dict__:
                yield Case(spec, np.load(stem.with_suffix(".npy")), meta["sample_rate"], np.array(meta["knocks_s"]),
                           [tuple(g) for g in meta["groups"]], [tuple(d) for d in meta["distractor_spans"]])
                continue
        case = render(spec, pack, seed=seed)
        if stem is not None:
            cache.mkdir(parents=True, exist_ok=True)
            np.save(stem.with_suffix(".npy"), case.samples)
            stem.with_suffix(".json").write_text(json.dumps({
                "spec": spec.__dict__, "sample_rate": case.sample_rate, "knocks_s": case.knocks_s.tolist(),
                "groups": case.groups, "distractor_spans": case.distractor_spans}))
        yield case
