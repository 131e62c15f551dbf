"""Rendering a knock sequence to audio with its ground truth.

:func:`render_sequence` places every group on the codebook's timing through a sender's hand, synthesises each
knock for the medium (or takes it from a sample pack), carries it to the listener, adds the roadway's reverberation
and the noise beds at the requested SNR, and returns a :class:`Rendering`: the samples plus exactly when every
knock was struck and what each group meant to say. :func:`write_rendering` writes the audio and the JSON sidecar.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rescue_signals import __version__
from rescue_signals.codebook import Codebook
from rescue_signals.errors import AudioFileError, UsageError
from rescue_signals.protocol import Group, format_sequence, read_exchange
from rescue_signals.synth import hand, mix, propagation
from rescue_signals.synth.hand import KnockTruth
from rescue_signals.synth.conditions import NEAR_DISTANCE_M, NOISES, Conditions
from rescue_signals.synth.knock import make_instrument
from rescue_signals.synth.noise import noise_bed
from rescue_signals.synth.samplepack import SamplePack

DEFAULT_SNR_DB = 20.0
"""SNR used when noise is asked for without an SNR, dB."""

TAIL_S = 1.5
"""Time after the last knock's sound before a rendering ends, s."""

HEADROOM = 0.98
"""A mix louder than this (full scale = 1) is scaled down as a whole, which keeps the SNR."""

REVERB_WET = 0.8
"""Reverberation amplitude relative to the dry knock at ``reverb=1``."""

SIDECAR_NOTES = {
    "time_s": "seconds from the start of the audio file; a knock's time is its onset as the listener hears it",
    "group": "0-based index into 'groups'",
    "count": "the knocks the sender meant; a double strike still counts as one knock",
    "start_s/end_s": "onsets of the first and of the last knock of the group",
    "kind": "'knock'; 'weak' (struck with a fifth to two fifths of the force); 'double' (the striker bounced: a "
            "second, weaker impact rebound_s after the knock, which a good decoder counts as one knock)",
    "strength": "strike force relative to a normal knock (1.0)",
    "snr_db_measured": "10*log10(P_knock/P_noise): P_knock = mean square of the knock signal alone over the union "
                       "of the windows [t, t+0.1 s) after every knock onset t (only the far side's knocks when "
                       "conditions.far_side is set, see sources.snr_reference); P_noise = mean square of the noise "
                       "alone over the whole file; null without noise",
    "group_gap_s": "silence from the last knock of a group to the first knock of the next",
}


@dataclass(frozen=True)
class GroupTruth:
    """One group as meant by its sender.

    Attributes
    ----------
    count : int
        Knocks the sender meant.
    start_s, end_s : float, s
        Onsets of the first and the last knock.
    role : str or None
        Role id of the sender, as given or as inferred from the exchange; None if it cannot be told.
    """

    count: int
    start_s: float
    end_s: float
    role: str | None


@dataclass(frozen=True, eq=False)
class Rendering:
    """A rendered knock sequence and its ground truth.

    Attributes
    ----------
    samples : ndarray, shape (n,), float32
        The mix, full scale 1.
    sample_rate : int, Hz
    knocks : tuple of KnockTruth
    groups : tuple of GroupTruth
    conditions : Conditions
    seed : int
    sequence : str
        The groups as written on the command line (``"R5 T3"``).
    clean : ndarray, shape (n,), float32
        The knocks alone (same scale as ``samples``): ``samples - clean`` is the noise.
    snr_db_measured : float or None, dB
        The SNR of the mix as defined in :mod:`rescue_signals.synth.mix`; None without noise.
    group_gap_s : float, s
        The gap between groups that was used.
    codebook_gap_s : float, s
        The codebook's gap, to say when the rendering compressed it.
    codebook_id : str
    sources : dict
        Where knocks, noise and reverberation came from: ``"synthesized"`` or the sample pack / file path.
    """

    samples: np.ndarray
    sample_rate: int
    knocks: tuple[KnockTruth, ...]
    groups: tuple[GroupTruth, ...]
    conditions: Conditions
    seed: int
    sequence: str
    clean: np.ndarray
    snr_db_measured: float | None
    group_gap_s: float
    codebook_gap_s: float
    codebook_id: str
    sources: dict

    @property
    def duration_s(self) -> float:
        return self.samples.size / self.sample_rate

    @property
    def gaps_compressed(self) -> bool:
        """True when groups are closer together than the codebook says."""
        return self.group_gap_s < self.codebook_gap_s - 1e-9

    def sidecar(self) -> dict:
        """The ground truth as plain data (the JSON written beside the audio)."""
        knocks = []
        for k in self.knocks:
            entry = {"time_s": round(k.time_s, 6), "group": k.group, "strength": round(k.strength, 4),
                     "kind": k.kind}
            if k.rebound_s is not None:
                entry["rebound_s"] = round(k.rebound_s, 6)
            knocks.append(entry)
        return {
            "sample_rate": self.sample_rate,
            "duration_s": round(self.duration_s, 6),
            "sequence": self.sequence,
            "codebook": self.codebook_id,
            "seed": self.seed,
            "conditions": self.conditions.as_dict(),
            "group_gap_s": round(self.group_gap_s, 6),
            "gaps_compressed": self.gaps_compressed,
            "codebook_group_gap_s": self.codebook_gap_s,
            "snr_db_measured": None if self.snr_db_measured is None else round(self.snr_db_measured, 3),
            "sources": dict(self.sources),
            "knocks": knocks,
            "groups": [{"count": g.count, "start_s": round(g.start_s, 6), "end_s": round(g.end_s, 6),
                        "role": g.role} for g in self.groups],
            "notes": SIDECAR_NOTES,
            "software": f"rescue-signals {__version__}",
        }


def render_sequence(groups, codebook: Codebook, conditions: Conditions, *, seed: int,
                    knock_pack: SamplePack | None = None, noise_pack: SamplePack | None = None,
                    impulse_response: np.ndarray | None = None, impulse_response_name: str | None = None
                    ) -> Rendering:
    """Render groups of knocks to audio.

    Parameters
    ----------
    groups : sequence of protocol.Group
        In order. A group's sender may be None (it is inferred from the exchange where possible); a group with
        ``start_s`` set starts there, otherwise it follows the previous one after the group gap.
    codebook : Codebook
        Knock spacing and group gap.
    conditions : Conditions
    seed : int
        With ``conditions``, determines the rendering exactly.
    knock_pack, noise_pack : SamplePack, optional
        The user's own knocks (replacing the synthesised ones) or noise (added to the noise beds).
    impulse_response : ndarray, shape (k,), optional
        A roadway impulse response at ``conditions.sample_rate`` replacing the generated one.
    impulse_response_name : str, optional
        Where the impulse response came from, for the sidecar.

    Raises
    ------
    UsageError
        No groups, an unknown ``far_side``, a gap too short to keep groups apart, or an SNR without any noise.
    """
    groups = list(groups)
    c = conditions
    sr = c.sample_rate
    if not groups:
        raise UsageError("nothing to render: the sequence has no groups")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise UsageError(f"the seed must be a whole number from 0, not {seed!r}")
    role_ids = [r.id for r in codebook.roles]
    if c.far_side is not None and c.far_side not in role_ids:
        raise UsageError(f"unknown far side '{c.far_side}'; valid: {', '.join(role_ids)}")
    if c.snr_db is not None and not c.noises and noise_pack is None:
        raise UsageError(f"an SNR needs noise: name a noise type ({', '.join(NOISES)}) or a noise pack")
    gap_s = hand.group_gap_s(codebook, c)
    spacing_s = hand.knock_spacing_s(codebook, c)
    longest_s = max(codebook.timing.knock_interval_max_s, spacing_s)
    if gap_s <= longest_s:
        raise UsageError(f"a group gap of {gap_s:g} s would run groups together: it must be longer than the "
                         f"longest knock spacing ({longest_s:g} s); compress the codebook's "
                         f"{codebook.timing.group_gap_s:g} s gap by less than "
                         f"{codebook.timing.group_gap_s / longest_s:g}")

    streams = np.random.SeedSequence(int(seed)).spawn(4)
    hand_rng, instrument_rng, strike_rng, room_rng = (np.random.default_rng(s) for s in streams)
    roles = [r.sender for r in read_exchange(codebook, groups)]
    planned: list[KnockTruth] = []
    truths: list[GroupTruth] = []
    cursor_s = hand.LEAD_IN_S
    for index, (group, role) in enumerate(zip(groups, roles)):
        start_s = group.start_s if group.start_s is not None else cursor_s
        knocks = hand.plan_group(group.count, index=index, start_s=start_s, spacing_s=spacing_s, conditions=c,
                                 rng=hand_rng)
        planned.extend(knocks)
        truths.append(GroupTruth(group.count, knocks[0].time_s, knocks[-1].time_s, role))
        cursor_s = knocks[-1].time_s + gap_s

    if knock_pack is not None:
        strike = knock_pack.striker(sample_rate=sr)
    else:
        strike = make_instrument(c.medium, rng=instrument_rng, sample_rate=sr).strike
    sounds = []
    for k in planned:
        role = truths[k.group].role
        distance_m = c.distance_m
        if c.far_side is not None and role is not None and role != c.far_side:
            distance_m = NEAR_DISTANCE_M
        sound = strike(strength=k.strength, rng=strike_rng)
        if k.kind == hand.DOUBLE:
            rebound = strike(strength=k.rebound_strength, rng=strike_rng)
            offset = int(round(k.rebound_s * sr))
            both = np.zeros(max(sound.size, offset + rebound.size))
            both[:sound.size] += sound
            both[offset:offset + rebound.size] += rebound
            sound = both
        sounds.append(propagation.propagate(sound, medium=c.medium, distance_m=distance_m, sample_rate=sr))

    ir_source = "generated"
    if impulse_response is not None:
        ir = _reverberant_part(np.asarray(impulse_response, dtype=float))
        ir_source = impulse_response_name or "loaded"
    else:
        ir = propagation.roadway_impulse_response(reverb=c.reverb, rng=room_rng, sample_rate=sr)
    # Room for the last knock to ring out and for most of the reverberation to die away.
    tail = max(TAIL_S * sr, 0.7 * ir.size if c.reverb > 0 else 0)
    n = int(max(k.time_s * sr + s.size for k, s in zip(planned, sounds)) + tail)
    clean = np.zeros(n)
    for k, s in zip(planned, sounds):
        i = int(round(k.time_s * sr))
        clean[i:i + s.size] += s[: n - i]
    clean = propagation.add_reverb(clean, impulse_response=ir, wet=REVERB_WET * c.reverb)

    # With a far side, the SNR is the one the listener strains against: that of the far side's knocks.
    far_times_s = [k.time_s for k in planned if truths[k.group].role == c.far_side]
    times_s = far_times_s if c.far_side is not None and far_times_s else [k.time_s for k in planned]
    noise = np.zeros(n)
    beds = [noise_bed(name, n=n, sample_rate=sr, rng=np.random.default_rng([int(seed), 1000 + NOISES.index(name)]))
            for name in c.noises]
    if noise_pack is not None:
        beds.append(noise_pack.noise(n=n, sample_rate=sr, rng=np.random.default_rng([int(seed), 2000])))
    snr_measured = None
    if beds:
        noise = sum(beds) / np.sqrt(len(beds))
        target = c.snr_db if c.snr_db is not None else DEFAULT_SNR_DB
        noise = mix.scale_noise(clean, noise, times_s=times_s, sample_rate=sr, snr_db=target)
    samples = clean + noise
    peak = float(np.max(np.abs(samples))) if n else 0.0
    if peak > HEADROOM:
        samples *= HEADROOM / peak
        clean *= HEADROOM / peak
        noise *= HEADROOM / peak
    samples = samples.astype(np.float32)
    clean = clean.astype(np.float32)
    if beds:
        snr_measured = mix.measured_snr_db(clean, samples - clean, times_s=times_s, sample_rate=sr)
    sources = {"knocks": knock_pack.path if knock_pack is not None else "synthesized",
               "noise": noise_pack.path if noise_pack is not None else None,
               "impulse_response": ir_source if c.reverb > 0 else None,
               "snr_reference": "far side" if times_s is far_times_s else "all knocks"}
    return Rendering(
        samples=samples, sample_rate=sr,
        knocks=tuple(planned),
        groups=tuple(truths), conditions=c, seed=int(seed), sequence=format_sequence(groups, codebook),
        clean=clean, snr_db_measured=snr_measured, group_gap_s=gap_s, codebook_gap_s=codebook.timing.group_gap_s,
        codebook_id=codebook.id, sources=sources)


def _reverberant_part(ir: np.ndarray) -> np.ndarray:
    """A loaded (measured) impulse response from its direct-path peak on, with unit energy."""
    if ir.ndim > 1:
        ir = ir.mean(axis=1)
    if ir.size < 2 or not np.any(ir):
        raise UsageError("the impulse response is empty or silent")
    ir = ir[int(np.argmax(np.abs(ir))):].copy()
    ir[0] = 0.0
    energy = np.sqrt(np.sum(ir ** 2))
    if energy == 0:
        raise UsageError("the impulse response has nothing after its direct sound")
    return ir / energy


def write_rendering(rendering: Rendering, path: str | Path) -> Path:
    """Write the audio (WAV or FLAC, by the extension) and the sidecar ``<name>.json`` beside it.

    Returns
    -------
    Path
        The sidecar's path.

    Raises
    ------
    AudioFileError
        The format is not WAV or FLAC, or the file cannot be written.
    """
    from rescue_signals.audiofile import write_audio

    p = Path(path)
    if not p.parent.is_dir():
        raise AudioFileError(f"{p}: the folder '{p.parent}' does not exist")
    write_audio(p, rendering.samples, rendering.sample_rate)
    sidecar = p.with_suffix(".json")
    try:
        sidecar.write_text(json.dumps(rendering.sidecar(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise AudioFileError(f"{sidecar}: cannot write the sidecar: {exc}") from None
    return sidecar
