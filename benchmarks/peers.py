"""The onset detectors the decoder is measured against, each returning onset times in seconds.

They are optional: a peer whose package is missing is reported as such. madmom 0.16.1 predates Python 3.10 and
numpy 2; :func:`_madmom` restores the few names it still imports from their old places before importing it.
"""

from __future__ import annotations

import numpy as np
from scipy import signal as sps


def librosa_default(x: np.ndarray, sample_rate: int) -> np.ndarray:
    """librosa ``onset_detect`` with every parameter at its default."""
    import librosa

    return librosa.onset.onset_detect(y=x, sr=sample_rate, units="time")


def librosa_tuned(x: np.ndarray, sample_rate: int) -> np.ndarray:
    """librosa tuned for knocks: a finer hop, a SuperFlux-style maximum filter against ringing, a higher delta,
    and no second onset within 0.2 s (the same refractory time as the decoder's)."""
    import librosa

    hop = 256
    envelope = librosa.onset.onset_strength(y=x, sr=sample_rate, hop_length=hop, lag=2, max_size=3, n_mels=64)
    frames_s = hop / sample_rate
    return librosa.onset.onset_detect(onset_envelope=envelope, sr=sample_rate, hop_length=hop, units="time",
                                      delta=0.2, wait=int(0.2 / frames_s), pre_max=int(0.03 / frames_s),
                                      post_max=int(0.03 / frames_s) + 1, pre_avg=int(0.1 / frames_s),
                                      post_avg=int(0.1 / frames_s) + 1)


def aubio_default(x: np.ndarray, sample_rate: int) -> np.ndarray:
    """aubio 0.4.9 ``onset("default")`` (HFC) at its usual buffer 1024 / hop 256, minimum interval 0.2 s."""
    import aubio

    hop = 256
    detector = aubio.onset("default", 1024, hop, sample_rate)
    detector.set_minioi_s(0.2)
    x = np.asarray(x, dtype=np.float32)
    x = np.concatenate((x, np.zeros((-x.size) % hop, np.float32)))
    out = []
    for start in range(0, x.size, hop):
        if detector(x[start:start + hop]):
            out.append(detector.get_last_s())
    return np.array(out)


def _madmom():
    import collections
    import collections.abc

    for name in ("MutableSequence", "MutableMapping", "Sequence", "Mapping", "Iterable"):
        if not hasattr(collections, name):
            setattr(collections, name, getattr(collections.abc, name))
    for name, kind in (("float", float), ("int", int), ("complex", complex), ("bool", bool), ("object", object)):
        if name not in np.__dict__:
            setattr(np, name, kind)
    import madmom

    return madmom


_MADMOM: list = []  # the processors, built once (loading the network takes a while)


def madmom_cnn(x: np.ndarray, sample_rate: int) -> np.ndarray:
    """madmom's CNN onset detector (trained at 44.1 kHz, so the audio is resampled to it) and its peak picker."""
    if not _MADMOM:
        _madmom()
        from madmom.features.onsets import CNNOnsetProcessor, OnsetPeakPickingProcessor

        _MADMOM[:] = [CNNOnsetProcessor(), OnsetPeakPickingProcessor(fps=100, threshold=0.5, pre_max=0.02,
                                                                     post_max=0.02, combine=0.2)]
    from madmom.audio.signal import Signal

    if sample_rate != 44100:
        g = np.gcd(int(sample_rate), 44100)
        x = sps.resample_poly(np.asarray(x, np.float64), 44100 // g, sample_rate // g).astype(np.float32)
    network, picker = _MADMOM
    return np.asarray(picker(network(Signal(x, sample_rate=44100, num_channels=1))))


PEERS = {
    "librosa (defaults)": (librosa_default, "librosa"),
    "librosa (tuned)": (librosa_tuned, "librosa"),
    "aubio 0.4.9": (aubio_default, "aubio"),
    "madmom CNN": (madmom_cnn, "madmom"),
}
"""name: (detector, package it needs)."""


def available(package: str) -> str | None:
    """The package's version, or None if it cannot be imported here."""
    try:
        module = _madmom() if package == "madmom" else __import__(package)
    except Exception:  # any import failure means the peer is absent, for whatever reason
        return None
    return str(getattr(module, "__version__", getattr(module, "version", "?")))
