"""The decoder's fitted model: knock evidence and confidence calibration in one small file.

``assets/decoder/model.npz`` is written by ``benchmarks/train_model.py`` (fitted on every development source) and
loaded here without any network or training library. Other files of the same form (the benchmark's
leave-one-source-out models) load the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from rescue_signals.decode.candidates import FEATURES
from rescue_signals.decode.confidence import Calibration
from rescue_signals.decode.evidence import EvidenceModel
from rescue_signals.decode.rhythm import RhythmSettings
from rescue_signals.errors import RescueSignalsError
from rescue_signals.resources import assets_dir


@dataclass(frozen=True, eq=False)
class DecoderModel:
    """Everything the decoder has learnt.

    Attributes
    ----------
    evidence : EvidenceModel
    calibration : Calibration
    rhythm : dict
        The rhythm model's fitted settings (fields of :class:`~rescue_signals.decode.rhythm.RhythmSettings`).
    about : dict
        How it was fitted (the sources, files, seed, and out-of-fold figures).
    """

    evidence: EvidenceModel
    calibration: Calibration
    rhythm: dict
    about: dict

    def save(self, path: Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            np.savez_compressed(f, **self.evidence.arrays(), **self.calibration.arrays(),
                                rhythm=np.array(json.dumps(self.rhythm, sort_keys=True)),
                                about=np.array(json.dumps(self.about, sort_keys=True)))

    @classmethod
    def load(cls, path) -> "DecoderModel":
        """Read a model file; a file that is not one, or was fitted on other features, is a clear error."""
        try:
            with np.load(path, allow_pickle=False) as data:
                evidence = EvidenceModel.from_arrays(data)
                calibration = Calibration.from_arrays(data)
                rhythm = json.loads(str(data["rhythm"]))
                about = json.loads(str(data["about"]))
        except (OSError, KeyError, ValueError, TypeError) as exc:
            raise RescueSignalsError(f"{path}: not a decoder model ({exc})") from None
        if evidence.feature_names != FEATURES:
            raise RescueSignalsError(f"{path}: fitted on other candidate features than this decoder's; "
                                     "fit it again with benchmarks/train_model.py")
        unknown = sorted(set(rhythm) - set(RhythmSettings.__dataclass_fields__))
        if unknown:
            raise RescueSignalsError(f"{path}: rhythm settings this decoder does not know: {', '.join(unknown)}")
        return cls(evidence, calibration, rhythm, about)

    def rhythm_settings(self, base: RhythmSettings = RhythmSettings()) -> RhythmSettings:
        """``base`` with what was fitted (the posterior's temperature among it)."""
        return replace(base, **self.rhythm, temperature=self.calibration.temperature)


MODEL_ASSET = "decoder/model.npz"


@lru_cache(maxsize=1)
def default_model() -> DecoderModel:
    """The shipped model (``assets/decoder/model.npz``)."""
    return DecoderModel.load(assets_dir() / MODEL_ASSET)
