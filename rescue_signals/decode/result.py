"""The decoding of one recording (or one channel of it), and its plain-data form for ``decode --json``."""

from __future__ import annotations

from dataclasses import dataclass, field

from rescue_signals.codebook import Text
from rescue_signals.decode.decoder import Trace
from rescue_signals.decode.events import KnockEvent, RejectedImpulse
from rescue_signals.decode.reading import DecodedGroup


@dataclass(frozen=True)
class DecodeResult:
    """Everything decoded from one recording.

    Attributes
    ----------
    file : str
    sample_rate : int, Hz
    duration_s : float, s
        Audio actually decoded.
    channels : int
        Channels in the file.
    channel : int or None
        0-based channel decoded, or None when the channels were mixed.
    knocks : tuple of KnockEvent
    groups : tuple of DecodedGroup
    rejected : tuple of RejectedImpulse
        Sounds that rose like knocks but were not counted (echoes and rebounds included).
    warnings : tuple of Text
        About the recording as a whole (cut off, clipped, silent, compressed gaps, ...).
    trace : Trace or None
        Per-frame signals for plotting, when asked for.
    """

    file: str
    sample_rate: int
    duration_s: float
    channels: int
    channel: int | None
    knocks: tuple[KnockEvent, ...]
    groups: tuple[DecodedGroup, ...]
    rejected: tuple[RejectedImpulse, ...]
    warnings: tuple[Text, ...]
    trace: Trace | None = field(default=None, repr=False, compare=False)

    def as_dict(self, lang: str = "en") -> dict:
        """Plain data (the ``decode --json`` contract): times in seconds from the start of the file.

        Parameters
        ----------
        lang : str
            Language of the meanings, notes and warnings.
        """
        return {
            "file": self.file,
            "sample_rate": self.sample_rate,
            "duration_s": round(self.duration_s, 3),
            "channels": self.channels,
            "channel": None if self.channel is None else self.channel + 1,
            "knocks": [{"time_s": round(k.time_s, 4), "strength": round(k.strength, 5), "snr_db": round(k.snr_db, 1),
                        "level_db": round(k.level_db, 1), "brightness_hz": round(k.brightness_hz),
                        "probability": None if k.probability is None else round(k.probability, 3)}
                       for k in self.knocks],
            "groups": [{"index": g.index, "count": g.count, "start_s": round(g.start_s, 4),
                        "end_s": round(g.end_s, 4), "knock_times_s": [round(t, 4) for t in g.knock_times_s],
                        "confidence": g.confidence,
                        "count_alternatives": [{"count": c, "probability": p} for c, p in g.count_alternatives],
                        "kind": g.kind, "signal": g.signal,
                        "meaning": g.meaning.get(lang), "sender": g.sender, "sender_basis": g.sender_basis,
                        "context_dependent": g.context_dependent, "alternatives": list(g.alternatives),
                        "in_reply_to": g.in_reply_to, "deviations": list(g.deviations),
                        "notes": [n.get(lang) for n in g.notes]} for g in self.groups],
            "rejected": [{"time_s": round(r.time_s, 4), "reason": str(r.reason.value if hasattr(r.reason, "value")
                                                                      else r.reason),
                          "message": r.message.get(lang), "snr_db": round(r.snr_db, 1),
                          "probability": round(r.probability, 3)} for r in self.rejected],
            "warnings": [w.get(lang) for w in self.warnings],
        }
