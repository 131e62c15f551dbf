"""Decoding recorded files: block by block through the streaming decoder, with bounded memory.

A file of any length is read in blocks of a few seconds and fed to :class:`KnockDecoder`; memory holds one block
and the knocks and groups found, never the audio. Each channel can be decoded on its own in the same pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from rescue_signals.audiofile import AudioReader
from rescue_signals.catalog import text
from rescue_signals.codebook import Codebook, Text
from rescue_signals.decode.decoder import GroupEvent, KnockDecoder
from rescue_signals.decode.events import KnockEvent, RejectedImpulse
from rescue_signals.decode.result import DecodeResult
from rescue_signals.errors import UsageError

AUDIO_SUFFIXES = frozenset(
    ".wav .wave .flac .ogg .oga .opus .mp3 .aif .aiff .aifc .caf .w64 .rf64 .m4a .mp4 .m4v .mov .aac .amr .3gp "
    ".3g2 .mkv .mka .webm .avi .wma .wmv .ac3".split())
"""Suffixes taken from a folder; a file named on the command line is tried whatever its suffix."""

DC_WARNING = 0.05
"""A mean sample value beyond this (full scale = 1) is reported as a DC offset."""

LOW_RATE_HZ = 16000
"""Below this sample rate the upper bands are missing, and the decoder says so."""

Progress = Callable[[float, float | None], None]
"""Called with (seconds decoded, seconds in the file or None if unknown)."""


def audio_files(paths) -> list[Path]:
    """The files to decode: files as given, folders searched (recursively, sorted) for audio files.

    Raises
    ------
    UsageError
        A path does not exist, or a folder holds no audio file.
    """
    out: list[Path] = []
    for name in paths:
        p = Path(name)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in AUDIO_SUFFIXES
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not found:
                raise UsageError(f"{p}: the folder holds no audio file ({', '.join(sorted(AUDIO_SUFFIXES)[:8])}, ...)")
            out += found
        else:
            out.append(p)
    return out


def decode_file(path, *, codebook: Codebook, channel: int | None = None, progress: Progress | None = None,
                keep_trace: bool = False, reply_window_s: float | None = None) -> DecodeResult:
    """Decode one recording.

    Parameters
    ----------
    path : str or Path
    codebook : Codebook
    channel : int or None
        0-based channel to decode; None mixes all channels.
    progress : callable, optional
        Called after each block with (seconds decoded, seconds in the file or None).
    keep_trace : bool
        Keep per-frame signals for a plot (memory grows with the length of the file).
    reply_window_s : float, optional
        How long a reply may take (the codebook's listening window by default).

    Raises
    ------
    AudioFileError
        The file cannot be read as audio.
    UsageError
        ``channel`` does not exist in the file.
    """
    return _decode(path, codebook, [channel], progress, keep_trace, reply_window_s)[0]


def decode_channels(path, *, codebook: Codebook, progress: Progress | None = None, keep_trace: bool = False,
                    reply_window_s: float | None = None) -> list[DecodeResult]:
    """Decode every channel of a recording on its own, in one pass (see :func:`decode_file`)."""
    return _decode(path, codebook, None, progress, keep_trace, reply_window_s)


def _decode(path, codebook, channels, progress, keep_trace, reply_window_s) -> list[DecodeResult]:
    with AudioReader(path) as reader:
        info = reader.info
        if channels is None:
            channels = list(range(info.channels))
        for c in channels:
            if c is not None and not 0 <= c < info.channels:
                raise UsageError(f"{path}: has {info.channels} channel(s); channel {c + 1} does not exist")
        tracks = [_Track(c, KnockDecoder(info.sample_rate, codebook, reply_window_s=reply_window_s,
                                         keep_trace=keep_trace, keep_groups=True)) for c in channels]
        for block in reader.blocks(FILE_BLOCK_FRAMES):
            for track in tracks:
                samples = block.mean(axis=1) if track.channel is None else block[:, track.channel]
                track.take(track.decoder.feed(samples))
            if progress is not None:
                progress(reader.frames_read / info.sample_rate, info.duration_s)
        for track in tracks:
            track.take(track.decoder.flush())
        problem = reader.problem if reader.truncated else None
        duration = reader.frames_read / info.sample_rate
    return [track.result(str(path), info, duration, codebook, problem) for track in tracks]


FILE_BLOCK_FRAMES = 1 << 18
"""Frames read from a file at a time (5.5 s at 48 kHz): the decoder measures the candidates of a block together,
and memory stays flat."""


class _Track:
    """One decoder and what it found."""

    def __init__(self, channel: int | None, decoder: KnockDecoder):
        self.channel = channel
        self.decoder = decoder
        self.knocks: list[KnockEvent] = []
        self.groups: list = []
        self.rejected: list[RejectedImpulse] = []

    def take(self, events) -> None:
        for event in events:
            if isinstance(event, GroupEvent):  # a file's knocks are those its groups counted
                self.groups.append(event.group)
                self.knocks += event.knocks
            elif isinstance(event, RejectedImpulse):
                self.rejected.append(event)

    def result(self, path: str, info, duration_s: float, codebook: Codebook, problem: str | None) -> DecodeResult:
        # A file is whole: read its groups again knowing how each side sounded by the end.
        self.groups = self.decoder.reread()
        warnings = _warnings(self, info, duration_s, codebook, problem)
        return DecodeResult(path, info.sample_rate, duration_s, info.channels, self.channel, tuple(self.knocks),
                            tuple(self.groups), tuple(self.rejected), tuple(warnings), self.decoder.trace())


def _warnings(track: _Track, info, duration_s: float, codebook: Codebook, problem: str | None) -> list[Text]:
    out: list[Text] = []
    decoder = track.decoder
    if problem is not None:
        out.append(text("warning.incomplete", duration=duration_s, problem=problem))
    if duration_s == 0:
        out.append(text("warning.no_audio"))
    elif decoder.peak == 0:
        out.append(text("warning.silent"))
    if not track.knocks and duration_s > 0:
        out.append(text("warning.no_knocks"))
    if decoder.clipped_samples:
        share = decoder.clipped_samples / max(1, decoder.samples_seen)
        out.append(text("warning.clipped", n=decoder.clipped_samples, share=share))
    if abs(decoder.dc_offset) > DC_WARNING:
        out.append(text("warning.dc_offset", offset=decoder.dc_offset))
    if info.sample_rate < LOW_RATE_HZ:
        out.append(text("warning.low_rate", rate=info.sample_rate))
    if info.channels > 1 and track.channel is None:
        out.append(text("warning.mixed_channels", n=info.channels))
    gaps = [b.start_s - a.end_s for a, b in zip(track.groups, track.groups[1:])]
    nominal = codebook.timing.group_gap_s
    if gaps and float(np.median(gaps)) < 0.5 * nominal:
        typical = float(np.median(gaps))
        out.append(text("warning.short_gaps", typical=typical, nominal=nominal))
    return out
