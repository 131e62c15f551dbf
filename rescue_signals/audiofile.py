"""Audio files: the only module that imports soundfile (and PyAV for phone and video formats)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rescue_signals.errors import AudioFileError

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
    """Read a whole audio file as float32 samples, shape (n, channels), and its sample rate in Hz."""
    import soundfile

    try:
        data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    except (OSError, RuntimeError, soundfile.LibsndfileError) as exc:
        raise AudioFileError(f"{path}: cannot read the file as audio: {exc}") from None
    return data, int(rate)
