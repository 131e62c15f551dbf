"""`rescue-signals render`: a knock sequence to WAV or FLAC, with its ground-truth sidecar.

The sound options are shared with `rescue-signals play` (:func:`add_sound_arguments`, :func:`rendering_from_args`).
"""

from __future__ import annotations

import argparse
import secrets
from pathlib import Path

import numpy as np

from rescue_signals.audiofile import WRITE_FORMATS
from rescue_signals.catalog import languages
from rescue_signals.codebook import Codebook, default_codebook, load_codebook
from rescue_signals.datafile import did_you_mean
from rescue_signals.errors import UsageError
from rescue_signals.protocol import parse_sequence, read_exchange
from rescue_signals.synth import MEDIA, NOISES, RANGES, Conditions, Rendering, render_sequence, write_rendering

_DEFAULTS = Conditions()

FAINT = 10 ** (-50 / 20)
"""Knocks peaking below -50 dBFS get a note that they are very faint."""

SPEAKER_LOW_HZ = 200.0
"""Laptop and phone speakers play little below this, Hz: a knock that is faint above it gets its own note."""


def _ranged(field: str, unit: str = "", *, integer: bool = False):
    low, high = RANGES[field]

    def parse(text: str):
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not {'a whole number' if integer else 'a number'}")
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is out of range: allowed from {low:g} to {high:g}{unit}")
        return value

    return parse


def _choice(what: str, choices: tuple[str, ...]):
    def parse(text: str) -> str:
        if text not in choices:
            raise argparse.ArgumentTypeError(f"unknown {what} '{text}'{did_you_mean(text, choices)}; "
                                             f"valid: {', '.join(choices)}")
        return text

    return parse


def _noise_list(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    for name in names:
        _choice("noise type", NOISES)(name)
    if len(set(names)) != len(names):
        raise argparse.ArgumentTypeError(f"a noise type is listed twice in '{text}'")
    return names


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number")
    if not 0 <= value < 2 ** 63:
        raise argparse.ArgumentTypeError(f"{text} is out of range: a seed is a whole number from 0")
    return value


def add_sound_arguments(parser) -> None:
    """The options that say how a sequence sounds (shared by render and play)."""
    r = RANGES
    parser.add_argument("sequence", metavar="SEQUENCE",
                        help='groups of knocks in order, each optionally prefixed by who knocks: "R5 T3" or "5 4 3"')
    g = parser.add_argument_group("what is struck, and where")
    g.add_argument("--medium", type=_choice("medium", MEDIA), default=_DEFAULTS.medium,
                   help=f"what is struck: {', '.join(MEDIA)} (default {_DEFAULTS.medium})")
    g.add_argument("--distance", type=_ranged("distance_m", " m"), default=_DEFAULTS.distance_m, metavar="M",
                   help=f"metres from the knocking to the listener, {r['distance_m'][0]:g} to {r['distance_m'][1]:g} "
                        f"(default {_DEFAULTS.distance_m:g})")
    g.add_argument("--far-side", metavar="SIDE",
                   help="the side that is --distance away (R or T, or a role id); the other side knocks 2 m from "
                        "the listener (default: both sides at --distance)")
    g.add_argument("--reverb", type=_ranged("reverb"), default=_DEFAULTS.reverb, metavar="R",
                   help=f"roadway reverberation, 0 (dry) to 1 (long and live) (default {_DEFAULTS.reverb:g})")
    g.add_argument("--impulse-response", metavar="FILE",
                   help="a recorded impulse response (WAV/FLAC) to use instead of the generated roadway")
    g = parser.add_argument_group("noise")
    g.add_argument("--noise", type=_noise_list, default=(), metavar="N[,N...]",
                   help=f"noise beds to mix in: {', '.join(NOISES)}")
    g.add_argument("--snr", type=_ranged("snr_db", " dB"), metavar="DB",
                   help=f"knock-to-noise ratio in dB, {r['snr_db'][0]:g} to {r['snr_db'][1]:g} (default 20 when "
                        "there is noise); measured over the 0.1 s after each knock onset")
    g.add_argument("--noise-pack", metavar="DIR", help="a folder of your own noise recordings to mix in")
    g = parser.add_argument_group("the sender's hand")
    g.add_argument("--tempo", type=_ranged("tempo"), default=_DEFAULTS.tempo, metavar="X",
                   help=f"multiplies the knock rate, {r['tempo'][0]:g} to {r['tempo'][1]:g} (default 1: the "
                        "codebook's spacing)")
    g.add_argument("--jitter", type=_ranged("jitter"), default=_DEFAULTS.jitter, metavar="J",
                   help=f"random spread of each spacing, relative, 0 to {r['jitter'][1]:g} "
                        f"(default {_DEFAULTS.jitter:g})")
    g.add_argument("--drift", type=_ranged("drift"), default=_DEFAULTS.drift, metavar="D",
                   help=f"slow wander of the spacing over a group, 0 to {r['drift'][1]:g} (default {_DEFAULTS.drift:g})")
    g.add_argument("--fatigue", type=_ranged("fatigue"), default=_DEFAULTS.fatigue, metavar="F",
                   help="0 (fresh) to 1 (slows and weakens by half over ten knocks) (default 0)")
    g.add_argument("--double-strikes", type=_ranged("double_strike_prob"), default=_DEFAULTS.double_strike_prob,
                   metavar="P", help="chance that a knock bounces into a second impact, 0 to 1 (default 0)")
    g.add_argument("--weak-knocks", type=_ranged("weak_knock_prob"), default=_DEFAULTS.weak_knock_prob, metavar="P",
                   help="chance that a knock is struck weakly, 0 to 1 (default 0)")
    g.add_argument("--knock-pack", metavar="DIR",
                   help="a folder of your own knock recordings to use instead of synthesized knocks")
    g = parser.add_argument_group("timing and output")
    gap = g.add_mutually_exclusive_group()
    gap.add_argument("--gap", type=_ranged("group_gap_s", " s"), metavar="S",
                     help="seconds from the last knock of a group to the first of the next (default: the codebook's)")
    gap.add_argument("--compress-gaps", type=_ranged("compress_gaps"), default=1.0, metavar="F",
                     help=f"divide the codebook's gap between groups by F, 1 to {r['compress_gaps'][1]:g} (drills)")
    g.add_argument("--seed", type=_seed, metavar="N", help="makes the rendering repeatable (default: a new one)")
    g.add_argument("--sample-rate", type=_ranged("sample_rate", " Hz", integer=True), default=_DEFAULTS.sample_rate,
                   metavar="HZ", help=f"default {_DEFAULTS.sample_rate}")
    g.add_argument("--codebook", metavar="YAML", help="another codebook file instead of the official one")
    g.add_argument("--lang", choices=languages(), default="zh", help="language of the meanings printed (default zh)")


def add_arguments(parser):
    add_sound_arguments(parser)
    parser.add_argument("-o", "--output", required=True, metavar="OUT",
                        help=f"audio file to write ({' or '.join(WRITE_FORMATS)}); the sidecar OUT.json goes beside it")


def load_codebook_arg(args) -> Codebook:
    return load_codebook(args.codebook) if args.codebook else default_codebook()


def _far_side(text: str | None, codebook: Codebook) -> str | None:
    if text is None:
        return None
    role = codebook.role_by_symbol(text)
    if role is not None:
        return role.id
    ids = [r.id for r in codebook.roles]
    if text in ids:
        return text
    valid = [r.symbol for r in codebook.roles] + ids
    raise UsageError(f"unknown side '{text}' for --far-side{did_you_mean(text, valid)}; valid: {', '.join(valid)}")


def rendering_from_args(args) -> tuple[Rendering, Codebook]:
    """Parse the sequence, build the conditions, load any packs, and render."""
    from rescue_signals.synth import load_knock_pack, load_noise_pack

    codebook = load_codebook_arg(args)
    groups = parse_sequence(args.sequence, codebook)
    conditions = Conditions(
        medium=args.medium, noises=args.noise, snr_db=args.snr, distance_m=args.distance, tempo=args.tempo,
        jitter=args.jitter, drift=args.drift, fatigue=args.fatigue, double_strike_prob=args.double_strikes,
        weak_knock_prob=args.weak_knocks, reverb=args.reverb, group_gap_s=args.gap, compress_gaps=args.compress_gaps,
        sample_rate=args.sample_rate, far_side=_far_side(args.far_side, codebook))
    rate = conditions.sample_rate
    knock_pack = load_knock_pack(args.knock_pack, sample_rate=rate) if args.knock_pack else None
    noise_pack = load_noise_pack(args.noise_pack, sample_rate=rate) if args.noise_pack else None
    ir, ir_name = None, None
    if args.impulse_response:
        ir, ir_name = _load_impulse_response(args.impulse_response, sample_rate=rate), args.impulse_response
    seed = args.seed if args.seed is not None else secrets.randbelow(10 ** 6)
    rendering = render_sequence(groups, codebook, conditions, seed=seed, knock_pack=knock_pack,
                                noise_pack=noise_pack, impulse_response=ir, impulse_response_name=ir_name)
    return rendering, codebook


def _load_impulse_response(path: str, *, sample_rate: int):
    from rescue_signals.audiofile import read_audio
    from rescue_signals.synth.samplepack import resample

    data, rate = read_audio(path)
    return resample(data.mean(axis=1), from_rate=rate, to_rate=sample_rate)


def describe_conditions(rendering: Rendering, codebook: Codebook) -> list[str]:
    """A few lines saying how the rendering sounds: medium, distances, noise, timing."""
    c = rendering.conditions
    where = f"{c.medium.replace('_', ' ')}, {c.distance_m:g} m"
    if c.far_side is not None:
        near = ", ".join(codebook.role(r.id).name.get("en") for r in codebook.roles if r.id != c.far_side)
        where = (f"{c.medium.replace('_', ' ')}: {codebook.role(c.far_side).name.get('en')} {c.distance_m:g} m away, "
                 f"{near} close by")
    lines = [where + f"; reverb {c.reverb:g}"]
    peak = float(np.max(np.abs(rendering.clean))) if rendering.clean.size else 0.0
    if peak < FAINT:
        level = f"{20 * np.log10(peak):.0f} dBFS" if peak > 0 else "silence"
        lines.append(f"note: the knocks are very faint at this distance (peak {level}); turn the volume up, or "
                     f"come closer with --distance")
    elif (high := _peak_above(rendering.clean, SPEAKER_LOW_HZ, rendering.sample_rate)) < FAINT:
        lines.append(f"note: the knocks arrive as a low thump, faint above {SPEAKER_LOW_HZ:g} Hz (peak "
                     f"{20 * np.log10(max(high, 1e-12)):.0f} dBFS there), which laptop speakers barely play; listen "
                     f"with headphones, or come closer with --distance")
    noise = [*c.noises] + (["own recordings"] if rendering.sources.get("noise") else [])
    if noise:
        lines.append(f"noise {'+'.join(noise)} at SNR {rendering.snr_db_measured:.1f} dB")
    if rendering.sources.get("knocks") != "synthesized":
        lines.append(f"knocks from {rendering.sources['knocks']}")
    spacing = codebook.timing.knock_interval_s / c.tempo
    timing = f"knocks {spacing:.2g} s apart"
    if len(rendering.groups) > 1:
        timing += f"; groups {rendering.group_gap_s:g} s apart"
        if rendering.gaps_compressed:
            timing += f" (compressed from the codebook's {rendering.codebook_gap_s:g} s)"
    lines.append(timing)
    return lines


def _peak_above(samples: np.ndarray, low_hz: float, sample_rate: int) -> float:
    """Peak (full scale 1) of ``samples`` above ``low_hz``."""
    from scipy import signal as sps

    sos = sps.butter(4, low_hz, btype="high", fs=sample_rate, output="sos")
    return float(np.max(np.abs(sps.sosfilt(sos, samples)))) if samples.size else 0.0


def describe_groups(rendering: Rendering, codebook: Codebook, lang: str) -> list[str]:
    """One line per group: who knocks, how many, when, and what it means in the exchange."""
    from rescue_signals.protocol import Group

    groups = [Group(g.count, g.role, g.start_s, g.end_s) for g in rendering.groups]
    lines = []
    for i, (g, reading) in enumerate(zip(rendering.groups, read_exchange(codebook, groups))):
        who = codebook.role(g.role) if g.role else None
        label = f"{who.symbol if who else ''}{g.count}"
        name = who.name.get(lang) if who else "?"
        when = f"{g.start_s:.2f}-{g.end_s:.2f} s"
        lines.append(f"{i + 1:>2}. {label:<4} {when:<16} {name}: {reading.meaning.get(lang)}")
    return lines


def run(args) -> int:
    out = Path(args.output)
    if out.suffix.lower() not in WRITE_FORMATS:
        raise UsageError(f"{out}: cannot write '{out.suffix or 'no extension'}'; use one of "
                         f"{', '.join(WRITE_FORMATS)}")
    rendering, codebook = rendering_from_args(args)
    sidecar = write_rendering(rendering, out)
    groups, knocks = len(rendering.groups), len(rendering.knocks)
    print(f"wrote {out}: {rendering.duration_s:.1f} s at {rendering.sample_rate} Hz, {groups} group"
          f"{'s' if groups != 1 else ''}, {knocks} knock{'s' if knocks != 1 else ''}")
    for line in describe_conditions(rendering, codebook):
        print(f"  {line}")
    for line in describe_groups(rendering, codebook, args.lang):
        print(f"  {line}")
    print(f"ground truth: {sidecar} (seed {rendering.seed}; repeat with --seed {rendering.seed})")
    return 0
