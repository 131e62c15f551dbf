"""Audio files: the only module that imports soundfile (and PyAV for phone and video formats).

:func:`write_audio` and :func:`read_audio` handle whole files; :class:`AudioReader` reads any length in blocks,
with bounded memory, from every format soundfile or FFmpeg (through PyAV) can decode.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rescue_signals.errors import AudioFileError
from rescue_signals.filesystem import not_a_regular_file

WRITE_FORMATS = {".wav": "WAV", ".flac": "FLAC"}


def write_audio(path: str | Path, samples: np.ndarray, sample_rate: int, *, subtype: str | None = None) -> None:
    """Write mono or multichannel float samples (-1..1) to WAV or FLAC, chosen by the file extension.

    Parameters
    ----------
    samples : ndarray, shape (n,) or (n, channels)
    sample_rate : int, Hz
    """
    import soundfile

    p = Path(path)
    fmt = WRITE_FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise AudioFileError(f"{p}: cannot write '{p.suffix or 'no extension'}'; use one of "
                             f"{', '.join(WRITE_FORMATS)}")
    try:
        soundfile.write(str(p), np.asarray(samples, dtype=np.float32), int(sample_rate), format=fmt,
                        subtype=subtype or ("PCM_24" if fmt == "FLAC" else "FLOAT"))
    except (OSError, RuntimeError, soundfile.LibsndfileError) as exc:
        raise AudioFileError(f"{p}: cannot write the file: {exc}") from None


def read_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """Read a whole audio file (any format :class:`AudioReader` reads) as float32 samples, shape (n, channels),
    and its sample rate in Hz."""
    import soundfile

    problem = not_a_regular_file(path)
    if problem:
        raise AudioFileError(f"{path}: {problem.replace(', not a file', ', not an audio file')}")
    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (OSError, RuntimeError, soundfile.LibsndfileError) as exc:
        first_error = exc
    else:
        if np.isfinite(data).all():
            return data, int(rate)
        first_error = None  # read again in blocks, which refuses the file and says how many samples are bad
    try:
        with AudioReader(path) as reader:
            blocks = list(reader.blocks())
            channels, rate = reader.info.channels, reader.info.sample_rate
    except AudioFileError:
        if first_error is None:
            raise
        raise AudioFileError(f"{path}: cannot read the file as audio: {first_error}") from None
    data = np.concatenate(blocks) if blocks else np.zeros((0, channels), dtype=np.float32)
    return data, rate


READ_BLOCK_FRAMES = 1 << 16
"""Frames per block when a file is read in blocks (1.4 s at 48 kHz): memory stays flat however long the file."""


@dataclass(frozen=True)
class AudioInfo:
    """What a file says about its audio, before it is read.

    Attributes
    ----------
    path : str
    sample_rate : int, Hz
    channels : int
    duration_s : float or None, s
        As the header claims (None when the container does not say).
    format : str
        The container or codec, for messages ("WAV", "FLAC", "aac", ...).
    """

    path: str
    sample_rate: int
    channels: int
    duration_s: float | None
    format: str


class AudioReader:
    """A file opened for reading in blocks: soundfile for WAV, FLAC, OGG, MP3 and AIFF; PyAV for everything
    FFmpeg reads (m4a/AAC, AMR, 3GP, and the soundtrack of a video).

    Use as a context manager; :meth:`blocks` yields float32 samples of shape (n, channels).

    Attributes
    ----------
    info : AudioInfo
    frames_read : int
        Frames delivered so far.
    truncated : bool
        Set once reading stopped early: the data ended before the header said, or could not be decoded further.

    Raises
    ------
    AudioFileError
        Missing, empty or unreadable file, a file that is not audio, or a video without a soundtrack.
    """

    def __init__(self, path: str | Path):
        self.path = str(path)
        self.frames_read = 0
        self.truncated = False
        self.problem: str | None = None
        p = Path(path)
        if not p.exists():
            raise AudioFileError(f"{p}: no such file")
        problem = not_a_regular_file(p)
        if problem:
            raise AudioFileError(f"{p}: {problem.replace(', not a file', ', not an audio file')}")
        try:
            size = p.stat().st_size
        except OSError as exc:
            raise AudioFileError(f"{p}: cannot read the file: {exc.strerror or exc}") from None
        if size == 0:
            raise AudioFileError(f"{p}: the file is empty (0 bytes)")
        self._sf = self._av = None
        sf_error = self._open_soundfile()
        if self._sf is None:
            av_error = self._open_av()
            if self._av is None:
                raise AudioFileError(f"{p}: not an audio file, or damaged ({av_error or sf_error})")

    def __enter__(self) -> "AudioReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._sf is not None:
            self._sf.close()
        if self._av is not None:
            self._av[0].close()

    # -- opening ------------------------------------------------------------------------------------------------
    def _open_soundfile(self) -> str | None:
        import soundfile

        try:
            f = soundfile.SoundFile(self.path)
        except (OSError, RuntimeError, soundfile.LibsndfileError) as exc:
            return str(exc)
        if f.samplerate <= 0 or f.channels <= 0:
            f.close()
            return "no audio in the header"
        self._sf = f
        duration = f.frames / f.samplerate if f.frames >= 0 else None
        self.info = AudioInfo(self.path, int(f.samplerate), int(f.channels), duration, str(f.format))
        declared = _declared_wav_bytes(self.path) if f.format == "WAV" else None
        if declared is not None and f.frames >= 0:
            # libsndfile quietly shortens a WAV whose data was cut off; the header still tells the length meant.
            bytes_per_frame = max(1, Path(self.path).stat().st_size - 44) / max(1, f.frames)
            meant = declared / bytes_per_frame / f.samplerate
            if meant > duration + 0.01:
                self.truncated = True
                self.problem = f"the file is cut off: its header announces {meant:.1f} s"
        return None

    def _open_av(self) -> str | None:
        import av

        try:
            container = av.open(self.path)
        except (av.FFmpegError, OSError, ValueError) as exc:
            return _av_message(exc)
        streams = container.streams.audio
        if not streams:
            container.close()
            kinds = "video only" if container.streams.video else "no streams FFmpeg can read"
            raise AudioFileError(f"{self.path}: has no audio track ({kinds})")
        stream = streams[0]
        rate = int(stream.rate or stream.codec_context.sample_rate or 0)
        channels = int(stream.channels or stream.codec_context.channels or 0)
        if rate <= 0 or channels <= 0:
            container.close()
            return "the audio track has no sample rate"
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        self._av = (container, stream)
        self.info = AudioInfo(self.path, rate, channels, duration, stream.codec_context.name)
        return None

    # -- reading ------------------------------------------------------------------------------------------------
    def blocks(self, block_frames: int = READ_BLOCK_FRAMES):
        """Samples in blocks of about ``block_frames`` frames, float32, shape (n, channels), full scale = 1.

        Reading stops quietly at damaged or missing data; :attr:`truncated` and :attr:`problem` say so.
        """
        source = self._soundfile_blocks(block_frames) if self._sf is not None else self._av_blocks(block_frames)
        for block in source:
            if not np.isfinite(block).all():
                self._refuse_non_finite(block, source)
            self.frames_read += len(block)
            yield block
        expected = self.info.duration_s
        if (self._sf is not None and expected is not None and not self.truncated
                and self.frames_read < round(expected * self.info.sample_rate)):
            self.truncated = True
            self.problem = "the data ends before the header says"

    def _refuse_non_finite(self, block: np.ndarray, rest) -> None:
        """Count the samples that are not numbers (NaN) or infinite, in this block and the rest of the file, and
        refuse the file: a float file holding them was written wrongly, and decoding it would count knocks wrong."""
        bad = ~np.isfinite(block)
        first_s = (self.frames_read + int(np.flatnonzero(bad.any(axis=1))[0])) / self.info.sample_rate
        count = int(bad.sum())
        for later in rest:
            count += int(np.count_nonzero(~np.isfinite(later)))
        raise AudioFileError(f"{self.path}: {count} sample{'s' if count != 1 else ''} are not numbers (NaN) or are "
                             f"infinite, the first at {first_s:.3f} s: the file was written wrongly (a float WAV "
                             "from a faulty program?); it is not decoded, since its knocks would be counted wrong. "
                             "Export it again, or convert it to 16- or 24-bit PCM")

    def _soundfile_blocks(self, block_frames: int):
        import soundfile

        while True:
            try:
                block = self._sf.read(block_frames, dtype="float32", always_2d=True)
            except (OSError, RuntimeError, soundfile.LibsndfileError) as exc:
                self.truncated, self.problem = True, f"the data ends early or is damaged ({exc})"
                return
            if not len(block):
                return
            yield block

    def _av_blocks(self, block_frames: int):
        import av

        container, stream = self._av
        resampler = av.AudioResampler(format="fltp")
        parts: list[np.ndarray] = []
        held = 0
        try:
            for packet in container.demux(stream):
                for frame in packet.decode():
                    for out in resampler.resample(frame):
                        parts.append(out.to_ndarray().T)
                        held += parts[-1].shape[0]
                if held >= block_frames:
                    yield _joined(parts, self.info.channels)
                    parts, held = [], 0
        except (av.FFmpegError, ValueError) as exc:
            self.truncated = True
            self.problem = f"the data ends early or is damaged ({_av_message(exc)})"
        if held:
            yield _joined(parts, self.info.channels)


def _declared_wav_bytes(path: str) -> int | None:
    """Size of the data chunk that a RIFF/WAVE header announces, or None if it cannot be found."""
    try:
        with open(path, "rb") as f:
            head = f.read(1 << 16)
    except OSError:
        return None
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    at = 12
    while at + 8 <= len(head):
        chunk, size = head[at:at + 4], int.from_bytes(head[at + 4:at + 8], "little")
        if chunk == b"data":
            return size if size not in (0, 0xFFFFFFFF) else None  # 0 or -1: a stream that never set it
        at += 8 + size + (size & 1)
    return None


def _joined(parts: list[np.ndarray], channels: int) -> np.ndarray:
    block = np.concatenate(parts).astype(np.float32, copy=False)
    if block.shape[1] != channels:  # a stream that changes layout midway: keep the channels promised
        block = np.resize(block, (block.shape[0], channels))
    return block


def _av_message(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.split(": '")[0] if isinstance(text, str) else str(exc)
