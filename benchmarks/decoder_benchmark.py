"""Decoder benchmark: accuracy, speed and memory of the knock decoder beside librosa, aubio and madmom.

Run it in the benchmark environment (``bash benchmarks/setup-venv.sh`` makes ``benchmarks/.venv`` with the peers):

    benchmarks/.venv/bin/python benchmarks/decoder_benchmark.py [--quick] [--live]

Corpus: the exchange ``R5 T3 R4 T3 T7 R3`` rendered by the synthesizer on every medium under every noise bed, at
SNRs from +20 to -10 dB, with tempos and reverberation varied by seed; the real tap recordings of
``../shared/data/real-knocks`` as they are; and those taps cut out and placed on the exchange's timing under every
noise bed at every SNR (real impacts in noise). Every method's onsets go through the same grouping (the decoder's
rhythm model), so the group counts compare the detectors. Prints the tables and writes ``benchmarks/out/decoder-benchmark.json``.
Speed is measured on one core; peak memory in a separate process on a 10-hour file written for the purpose.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_name] = "1"  # one core, for every method alike

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from metrics import group_accuracy, knock_scores  # noqa: E402
from peers import PEERS, available  # noqa: E402

from rescue_signals.codebook import default_codebook  # noqa: E402
from rescue_signals.decode import GroupEvent, KnockDecoder, KnockEvent, decode_file, standing_knocks  # noqa: E402
from rescue_signals.decode.rhythm import RhythmSettings, track  # noqa: E402
from rescue_signals.protocol import parse_sequence  # noqa: E402
from rescue_signals.synth import MEDIA, NOISES, Conditions, render_sequence  # noqa: E402
from rescue_signals.synth.samplepack import load_knock_pack  # noqa: E402

SEQUENCE = "R5 T3 R4 T3 T7 R3"
SNRS_DB = (20, 10, 6, 3, 0, -3, -6, -10)
TEMPOS = (0.6, 1.0, 1.6)  # knocks 1.7 s, 1 s and 0.6 s apart
REVERBS = (0.2, 0.5, 0.9)
REAL = HERE.parent.parent / "shared" / "data" / "real-knocks"
OUT = HERE / "out"
OURS = "rescue-signals"
AUDIO_LOCK = "/tmp/rescue-audio.lock"
SLOW_PEERS = ("madmom CNN",)
"""Peers too slow for the whole corpus: run at a few SNRs only (the table says which)..."""

SLOW_PEER_SNRS_DB = (20, 0, -6)
"""...these."""

QUICK_SNRS_DB, QUICK_NOISES = (20, 0, -6), ("fan", "rock_drill", "hum", "drip")
"""The corpus of ``--quick``."""

TAPS = "real taps"
"""The "medium" of the renderings whose knocks are the real taps..."""

TAP_DISTANCE_M = 0.5
"""...heard as they were recorded, next to the microphone (the nearest the synthesizer places a knock)."""


def grid(quick: bool) -> tuple[tuple, tuple]:
    """SNRs and noise beds of the corpus (every medium is in both)."""
    return (QUICK_SNRS_DB, QUICK_NOISES) if quick else (SNRS_DB, NOISES)


@dataclass(frozen=True)
class Case:
    """One rendering of the corpus with its ground truth."""

    snr_db: int
    medium: str
    noise: str
    samples: np.ndarray
    sample_rate: int
    knocks_s: np.ndarray  # true onsets
    groups: list  # (count, start_s, end_s)


def corpus(codebook, *, quick: bool, cache: Path | None = None, taps: bool = False):
    """Yield the corpus as :class:`Case`, deterministic. With ``cache``, renderings are kept there (a few GB) and
    read back on later runs, so that trying a change to the decoder takes seconds, not minutes. With ``taps``, the
    knocks are the real taps instead of the synthesized media (one rendering per noise bed and SNR)."""
    snrs, noises = grid(quick)
    pack = load_knock_pack(REAL) if taps else None
    for s, snr in enumerate(snrs):
        for m, medium in enumerate((TAPS,) if taps else MEDIA):
            for n, noise in enumerate(noises):
                k = s * 100 + m * 10 + n
                where = {"medium": "rock_hammer", "distance_m": TAP_DISTANCE_M} if taps else {"medium": medium}
                conditions = Conditions(**where, noises=(noise,), snr_db=float(snr), group_gap_s=8.0,
                                        tempo=TEMPOS[k % 3], reverb=REVERBS[(k // 3) % 3], jitter=0.08,
                                        double_strike_prob=0.15)
                name = medium.replace(" ", "-")
                stem = None if cache is None else cache / f"{SEQUENCE.replace(' ', '')}-{snr:+d}-{name}-{noise}-{k}"
                if stem is not None and stem.with_suffix(".json").exists():
                    truth = json.loads(stem.with_suffix(".json").read_text())
                    yield Case(snr, medium, noise, np.load(stem.with_suffix(".npy")), truth["sample_rate"],
                               np.array(truth["knocks_s"]), [tuple(g) for g in truth["groups"]])
                    continue
                r = render_sequence(parse_sequence(SEQUENCE, codebook), codebook, conditions,
                                    seed=(5000 if taps else 1000) + k, knock_pack=pack)
                case = Case(snr, medium, noise, r.samples, r.sample_rate, np.array([kn.time_s for kn in r.knocks]),
                            [(g.count, g.start_s, g.end_s) for g in r.groups])
                if stem is not None:
                    cache.mkdir(parents=True, exist_ok=True)
                    np.save(stem.with_suffix(".npy"), case.samples.astype(np.float32))
                    stem.with_suffix(".json").write_text(json.dumps(
                        {"sample_rate": case.sample_rate, "knocks_s": case.knocks_s.tolist(), "groups": case.groups}))
                yield case


def ours(x: np.ndarray, sample_rate: int, codebook) -> tuple[np.ndarray, list[int], list[tuple[float, float]]]:
    decoder = KnockDecoder(sample_rate, codebook)
    events = decoder.feed(x) + decoder.flush()
    knocks = np.array([k.time_s for k in standing_knocks(events)])
    groups = [e.group for e in events if isinstance(e, GroupEvent)]
    return knocks, [g.count for g in groups], [(g.start_s, g.end_s) for g in groups]


PEER_PROBABILITY = 0.9
"""A peer's onset enters the decoder's rhythm model as a sound this likely a knock (peers say nothing more)."""


def grouped(onsets: np.ndarray, codebook) -> tuple[list[int], list[tuple[float, float]]]:
    """The decoder's grouping (its rhythm model, with every onset equally likely a knock) applied to a peer's
    onsets."""
    times = np.sort(np.asarray(onsets, dtype=float))
    groups = track(times, np.full(len(times), PEER_PROBABILITY), RhythmSettings())
    return [g.count for g in groups], [(g.times_s[0], g.times_s[-1]) for g in groups]


def run_method(name, x, sample_rate, codebook):
    if name == OURS:
        return ours(x, sample_rate, codebook)
    onsets = np.asarray(PEERS[name][0](x, sample_rate), dtype=float)
    counts, spans = grouped(onsets, codebook)
    return onsets, counts, spans


def accuracy(methods, codebook, cases) -> dict:
    """Per method and SNR: knock F1, share counted once, group-count accuracy; and per medium / noise. ``cases``
    are :class:`Case` (see :func:`corpus`)."""
    table: dict = {m: {} for m in methods}
    for case in cases:
        snr, medium, noise = case.snr_db, case.medium, case.noise
        for name in methods:
            if name in SLOW_PEERS and snr not in SLOW_PEER_SNRS_DB:
                continue
            knocks, counts, spans = run_method(name, case.samples, case.sample_rate, codebook)
            scores = knock_scores(case.knocks_s, knocks)
            right, total = group_accuracy(case.groups, list(zip(counts, *zip(*spans))) if spans else [])
            for key in (f"snr {snr:+d} dB", f"medium {medium}", f"noise {noise}", "all"):
                cell = table[name].setdefault(key, {"tp": 0, "fp": 0, "fn": 0, "once": 0, "knocks": 0,
                                                    "groups_right": 0, "groups": 0})
                for field, value in scores.items():
                    cell[field] += value
                cell["groups_right"] += right
                cell["groups"] += total
        print(f"  corpus: SNR {snr:+d} dB {medium:<11} {noise:<10} done", file=sys.stderr, flush=True)
    for name in methods:
        for cell in table[name].values():
            cell["f1"] = 2 * cell["tp"] / max(1, 2 * cell["tp"] + cell["fp"] + cell["fn"])
            cell["counted_once"] = cell["once"] / max(1, cell["knocks"])
            cell["group_accuracy"] = cell["groups_right"] / max(1, cell["groups"])
    return table


def real_recordings(methods, codebook) -> dict:
    out = {}
    files = sorted(REAL.glob("*.flac"))
    for name in methods:
        cell = {"tp": 0, "fp": 0, "fn": 0, "once": 0, "knocks": 0, "counts_right": 0, "files": len(files)}
        for path in files:
            truth = np.loadtxt(path.with_suffix(".labels.txt"), usecols=0, ndmin=1) + 0.012
            if name == OURS:
                result = decode_file(path, codebook=codebook)
                knocks = np.array([k.time_s for k in result.knocks])
                counts = [g.count for g in result.groups]
            else:
                import soundfile

                x, rate = soundfile.read(path, dtype="float32")
                knocks = np.asarray(PEERS[name][0](x, rate), dtype=float)
                counts, _ = grouped(knocks, codebook)
            for field, value in knock_scores(truth, knocks).items():
                cell[field] += value
            cell["counts_right"] += int(sum(counts) == len(truth))
        cell["f1"] = 2 * cell["tp"] / max(1, 2 * cell["tp"] + cell["fp"] + cell["fn"])
        cell["counted_once"] = cell["once"] / max(1, cell["knocks"])
        out[name] = cell
    return out


def long_signal(codebook, seconds: float) -> np.ndarray:
    """``seconds`` of renderings at mixed SNRs, tiled."""
    pieces = []
    for k, (medium, noise, snr) in enumerate([("pipe", "fan", 10.0), ("rock_hammer", "rock_drill", 3.0),
                                              ("rail", "pump", 6.0), ("rock_crib", "hum", 0.0)]):
        r = render_sequence(parse_sequence(SEQUENCE, codebook), codebook,
                            Conditions(medium=medium, noises=(noise,), snr_db=snr, group_gap_s=10.0), seed=77 + k)
        pieces.append(r.samples)
    base = np.concatenate(pieces)
    reps = int(np.ceil(seconds * 48000 / base.size))
    return np.tile(base, reps)[:int(seconds * 48000)]


def speed(methods, codebook, *, quick: bool) -> dict:
    """Multiple of real time on one core, on the same 10 minutes of audio; the decoder also on one hour."""
    try:
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    except (AttributeError, OSError):
        pass
    minutes = 2 if quick else 10
    x = long_signal(codebook, minutes * 60)
    out = {}
    for name in methods:
        start = time.process_time()
        run_method(name, x, 48000, codebook)
        elapsed = time.process_time() - start
        out[name] = {"audio_s": x.size / 48000, "cpu_s": elapsed, "x_real_time": x.size / 48000 / elapsed}
        print(f"  speed: {name}: {out[name]['x_real_time']:.0f}x", file=sys.stderr, flush=True)
    hour = long_signal(codebook, 600 if quick else 3600)
    start = time.process_time()
    decoder = KnockDecoder(48000, codebook)
    decoder.feed(hour)
    decoder.flush()
    elapsed = time.process_time() - start
    out[OURS + " (1 h)"] = {"audio_s": hour.size / 48000, "cpu_s": elapsed, "x_real_time": hour.size / 48000 / elapsed}
    return out


def write_long_wav(path: Path, codebook, hours: float) -> None:
    """A WAV of ``hours`` hours, written block by block (16-bit PCM)."""
    import soundfile

    block = long_signal(codebook, 600)
    with soundfile.SoundFile(path, "w", samplerate=48000, channels=1, subtype="PCM_16") as f:
        for _ in range(int(round(hours * 6))):
            f.write(block)


MEASURE = """
import sys, time, numpy as np
name, path = sys.argv[1], sys.argv[2]
start = time.time()
if name == "rescue-signals":
    from rescue_signals.codebook import default_codebook
    from rescue_signals.decode import decode_file
    r = decode_file(path, codebook=default_codebook())
    found = len(r.knocks)
else:
    sys.path.insert(0, sys.argv[3])
    from peers import PEERS
    import soundfile
    x, rate = soundfile.read(path, dtype="float32")
    found = len(PEERS[name][0](x, rate))
# VmHWM: the peak resident memory of this process image (ru_maxrss can carry the parent's over from the fork).
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(found, time.time() - start, peak_kb)
"""


def memory(methods, codebook, *, quick: bool) -> dict:
    """Peak resident memory of decoding a long file in a fresh process (the decoder: 10 hours; peers: 1 hour)."""
    out = {}
    with tempfile.TemporaryDirectory(dir=OUT) as folder:
        for hours, who in ((0.5 if quick else 10.0, [OURS]), (0.5 if quick else 1.0, [m for m in methods])):
            path = Path(folder) / f"long-{hours:g}h.wav"
            write_long_wav(path, codebook, hours)
            for name in who:
                if name in SLOW_PEERS:
                    continue
                done = subprocess.run([sys.executable, "-c", MEASURE, name, str(path), str(HERE)],
                                      capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(HERE.parent)})
                if done.returncode:
                    out[f"{name} ({hours:g} h)"] = {"error": done.stderr.strip().splitlines()[-1:]}
                    continue
                found, wall_s, max_kb = done.stdout.split()
                out[f"{name} ({hours:g} h)"] = {"hours": hours, "peak_mb": int(max_kb) / 1024,
                                                "wall_s": float(wall_s), "knocks": int(found)}
                print(f"  memory: {name} {hours:g} h: {int(max_kb) / 1024:.0f} MB", file=sys.stderr, flush=True)
            path.unlink()
    return out


def live() -> dict:
    """Latency of ``listen`` on the sound card: a rendering played while it listens (needs a sound server)."""
    from rescue_signals.synth import write_rendering

    codebook = default_codebook()
    r = render_sequence(parse_sequence(SEQUENCE, codebook), codebook,
                        Conditions(medium="pipe", noises=("fan",), snr_db=15.0, group_gap_s=8.0), seed=5)
    import fcntl

    # The sound card may be shared (other test runs): hold the same lock they take while playing and recording.
    with open(AUDIO_LOCK, "w") as lock, tempfile.TemporaryDirectory() as folder:
        fcntl.flock(lock, fcntl.LOCK_EX)
        wav = Path(folder) / "live.wav"
        write_rendering(r, wav)
        listen = subprocess.Popen([sys.executable, "-m", "rescue_signals", "listen", "--json", "--duration",
                                   f"{r.duration_s + 4:.0f}"], stdout=subprocess.PIPE, text=True,
                                  cwd=HERE.parent)
        listen.stdout.readline()
        time.sleep(0.5)
        limit_s = r.duration_s + 30
        subprocess.run(["paplay", str(wav)], check=True, timeout=limit_s)
        out, _ = listen.communicate(timeout=limit_s)
    events = [json.loads(line) for line in out.splitlines()]
    knocks = [e["latency_s"] for e in events if e["event"] == "knock" and e["latency_s"] is not None]
    groups = [e for e in events if e["event"] == "group" and e["latency_s"] is not None]
    return {"groups": [g["count"] for g in events if g["event"] == "group"],
            "knock_latency_s": {"median": float(np.median(knocks)), "max": float(np.max(knocks)), "n": len(knocks)},
            "group_latency_after_last_knock_s": [g["latency_s"] for g in groups]}


def print_tables(result: dict) -> None:
    methods = result["methods"]
    acc = result["accuracy"]
    if not acc or not any(acc.values()):
        print_performance(result, max(len(m) for m in methods) + 2)
        return
    keys = [k for k in next(iter(acc.values())) if k.startswith("snr")] + ["all"]
    width = max(len(m) for m in methods) + 2
    print("\nGroup-count accuracy (share of groups counted exactly; spurious groups count as wrong)")
    print(" " * width + "".join(f"{k.replace('snr ', ''):>10}" for k in keys))
    for m in methods:
        print(f"{m:<{width}}" + "".join(f"{acc[m][k]['group_accuracy']:>10.3f}" if k in acc[m] else f"{'-':>10}"
                                         for k in keys))
    print("\nKnock F1 at +-50 ms")
    for m in methods:
        print(f"{m:<{width}}" + "".join(f"{acc[m][k]['f1']:>10.3f}" if k in acc[m] else f"{'-':>10}" for k in keys))
    print("\nShare of knocks counted exactly once")
    for m in methods:
        print(f"{m:<{width}}" + "".join(f"{acc[m][k]['counted_once']:>10.3f}" if k in acc[m] else f"{'-':>10}"
                                         for k in keys))
    for title, field in (("group-count accuracy", "group_accuracy"), ("knock F1", "f1")):
        print(f"\nReal taps on the exchange's timing under the noise beds (one rendering per bed and SNR): {title}")
        for m in methods:
            taps = result.get("taps", {}).get(m, {})
            print(f"{m:<{width}}" + "".join(f"{taps[k][field]:>10.3f}" if k in taps else f"{'-':>10}" for k in keys))
    print("\nReal recordings (4 files, 120 labelled taps)")
    for m, cell in result["real"].items():
        print(f"{m:<{width}} F1 {cell['f1']:.3f}  counted once {cell['counted_once']:.3f}  "
              f"files with the right count {cell['counts_right']}/{cell['files']}")
    print_performance(result, width)


def print_performance(result: dict, width: int) -> None:
    print("\nSpeed on one core (multiple of real time)")
    for m, cell in result["speed"].items():
        print(f"{m:<{width + 6}} {cell['x_real_time']:>9.0f}x   ({cell['audio_s'] / 60:.0f} min in {cell['cpu_s']:.2f} s)")
    print("\nPeak memory (separate process, whole decode of a long file)")
    for m, cell in result["memory"].items():
        if "error" in cell:
            print(f"{m:<{width + 8}} failed: {cell['error']}")
        else:
            print(f"{m:<{width + 8}} {cell['peak_mb']:>8.0f} MB   ({cell['wall_s']:.1f} s wall)")
    if result.get("live") and "error" in result["live"]:
        print(f"\nLive: not measured ({result['live']['error']})")
    elif result.get("live"):
        lv = result["live"]
        print(f"\nLive (listen on the sound card): groups {lv['groups']}, knock shown after "
              f"{lv['knock_latency_s']['median'] * 1000:.0f} ms median, {lv['knock_latency_s']['max'] * 1000:.0f} ms max")


def plot_accuracy(result: dict, path: Path) -> None:
    """Group-count accuracy against SNR for every method, with the targets marked, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    acc = result["accuracy"]
    fig, ax = plt.subplots(figsize=(9.0, 4.2), dpi=110)
    peer_colours = iter(["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#7f7f7f"])
    for name in result["methods"]:
        points = sorted((int(k.split()[1]), cell["group_accuracy"]) for k, cell in acc[name].items()
                        if k.startswith("snr "))
        ours = name == OURS
        ax.plot(*zip(*points), marker="o", lw=2.6 if ours else 1.4, color="#c62828" if ours else next(peer_colours),
                label=name, zorder=3 if ours else 2)
    ax.plot([0, -6], [0.99, 0.95], ls="none", marker="*", ms=13, color="black", label="target", zorder=4)
    ax.set_xlabel("SNR, dB (knock power over 100 ms windows / mean noise power)")
    ax.set_ylabel("groups counted exactly")
    ax.set_xlim(21, -11)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    c = result["corpus"]
    ax.set_title(f"Group-count accuracy, {len(c['snrs_db']) * len(c['media']) * len(c['noises'])} renderings: "
                 f"{len(c['media'])} media × {len(c['noises'])} noise beds per SNR", fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _keep_others(result: dict, earlier: dict) -> None:
    """Carry the figures of methods not run this time over from an earlier run of the same corpus."""
    ran = list(result["methods"])
    others = [m for m in earlier.get("methods", []) if m not in ran]
    result["methods"] = ran + others
    for section in ("accuracy", "real", "taps"):
        for m in others:
            if m in earlier.get(section, {}):
                result[section][m] = earlier[section][m]
    for section in ("speed", "memory"):
        for key, cell in earlier.get(section, {}).items():
            if not any(key == m or key.startswith(m + " (") for m in ran):
                result[section][key] = cell
    result["carried_over_from_earlier_run"] = others


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small corpus and short files (a few minutes)")
    parser.add_argument("--live", action="store_true", help="also measure listen's latency on the sound card")
    parser.add_argument("--cache", type=Path, help="keep the rendered corpus in this folder and reuse it (about 3.3 GB)")
    parser.add_argument("--only", nargs="*", help="methods to run (default: the decoder and every peer installed); "
                                                  "the others' figures are kept from the last full run")
    parser.add_argument("--performance", action="store_true",
                        help="only speed, memory (and --live): the accuracy figures are kept from the last full run")
    args = parser.parse_args(argv)
    OUT.mkdir(exist_ok=True)
    codebook = default_codebook()
    versions = {name: available(package) for name, (_, package) in PEERS.items()}
    methods = [OURS] + [name for name, version in versions.items() if version]
    if args.only:
        methods = [m for m in methods if m in args.only]
    for name, version in versions.items():
        print(f"{name}: {'version ' + version if version else 'not installed'}", file=sys.stderr)
    snrs, noises = grid(args.quick)
    result = {"machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine(),
                          "cores": os.cpu_count()},
              "methods": methods, "versions": versions, "quick": args.quick,
              "corpus": {"sequence": SEQUENCE, "snrs_db": list(snrs), "media": list(MEDIA), "noises": list(noises),
                         "tempos": list(TEMPOS), "reverbs": list(REVERBS),
                         "slow_peers_at_snrs_db": {p: list(SLOW_PEER_SNRS_DB) for p in SLOW_PEERS}}}
    target = OUT / ("decoder-benchmark-quick.json" if args.quick else "decoder-benchmark.json")
    if args.performance and target.exists():
        earlier = json.loads(target.read_text())
        for section in ("accuracy", "real", "taps"):
            result[section] = earlier.get(section, {})
    else:
        result["accuracy"] = accuracy(methods, codebook, corpus(codebook, quick=args.quick, cache=args.cache))
        result["real"] = real_recordings(methods, codebook)
        result["taps"] = accuracy(methods, codebook, corpus(codebook, quick=args.quick, cache=args.cache, taps=True))
    result["speed"] = speed(methods, codebook, quick=args.quick)
    result["memory"] = memory(methods, codebook, quick=args.quick)
    if args.live:
        try:
            result["live"] = live()
        except (OSError, subprocess.SubprocessError, ValueError) as exc:  # no sound server, no paplay, ...
            result["live"] = {"error": str(exc)}
    if args.only and target.exists():
        _keep_others(result, json.loads(target.read_text()))
    target.write_text(json.dumps(result, indent=2, default=lambda v: v.item() if hasattr(v, "item") else str(v)))
    print_tables(result)
    if result["accuracy"] and any(result["accuracy"].values()):
        plot_accuracy(result, target.with_suffix(".png"))
    print(f"\nwrote {target} and {target.with_suffix('.png').name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
