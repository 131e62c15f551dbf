"""What the decoder reports, and why a sound was not counted.

:class:`KnockEvent` is a knock as heard; :class:`RejectedImpulse` a sound that rose like a knock but was not
counted, with its :class:`Reason`. A rejection at the time of a knock reported earlier takes that knock back (a
sound shown at once as a probable knock that the rhythm model then left out). Groups are reported by
:class:`rescue_signals.decode.decoder.GroupEvent`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from rescue_signals.catalog import text
from rescue_signals.codebook import Text


class Reason(str, Enum):
    """Why a sound was not counted as a knock. The values are what ``--json`` and the plots show."""

    ECHO = "echo"
    VOICE = "voice"
    CLICK = "click"
    SWELL = "swell"
    NOT_A_BLOW = "not-a-blow"
    OFF_BEAT = "off-beat"
    LONE = "lone"
    DOUBTFUL = "doubtful"

    @property
    def message(self) -> Text:
        return REASONS[self]


REASONS = {reason: text(f"rejected.{reason.value}") for reason in Reason}
"""What each reason means, in every language of the program."""


@dataclass(frozen=True)
class KnockEvent:
    """One knock.

    Attributes
    ----------
    time_s : float, s
        Onset, from the start of the stream.
    strength : float
        RMS amplitude of the knock's loudest 5 ms (full scale = 1).
    snr_db : float, dB
        Level of the loudest 5 ms above the noise floor, over the bands where it at least doubles the noise.
    level_db : float, dB
        Level of the loudest 5 ms (mean power; a full-scale sine is -3 dB).
    brightness_hz : float, Hz
        Centre of gravity of the knock's spectrum above the noise: far knocks, and knocks through rock, are duller.
    probability : float or None
        P(knock) of the sound alone, from the evidence model (before the rhythm is taken into account); None for
        a loud sound shown at once, before the model has heard enough of it.
    """

    time_s: float
    strength: float
    snr_db: float
    level_db: float
    brightness_hz: float
    probability: float | None = None


@dataclass(frozen=True)
class RejectedImpulse:
    """A sound that rose like a knock but was not counted as one.

    Attributes
    ----------
    time_s : float, s
    reason : Reason
    snr_db : float, dB
    level_db : float, dB
    probability : float
        P(knock) of the sound alone.
    """

    time_s: float
    reason: Reason
    snr_db: float
    level_db: float
    probability: float = 0.0

    @property
    def message(self) -> Text:
        return REASONS[Reason(self.reason)]

    @classmethod
    def taking_back(cls, knock: KnockEvent, reason: Reason) -> "RejectedImpulse":
        """The rejection that takes back ``knock``, reported earlier, for ``reason``."""
        return cls(knock.time_s, reason, knock.snr_db, knock.level_db, knock.probability or 0.0)
