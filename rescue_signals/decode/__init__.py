"""Decoding knocks from recordings and the live microphone.

One streaming decoder serves both: :class:`KnockDecoder` takes blocks of samples and returns events
(:class:`KnockEvent`, :class:`GroupEvent`, :class:`RejectedImpulse`); :func:`decode_file` feeds it a file block by
block, with bounded memory, and returns a :class:`DecodeResult`.

The stages, each in its own module with its own settings: :mod:`.features` (band powers of 5 ms frames),
:mod:`.noisefloor`, :mod:`.candidates` (every sound that rises like a blow, with its features), :mod:`.evidence`
(P(knock) from the fitted model, :mod:`.model`), :mod:`.rhythm` (knocks and groups chosen jointly, with a posterior
over each count), :mod:`.confidence` (calibration) and :mod:`.reading` (the protocol's reading, the sender, notes);
:mod:`.events` holds what is reported and the reasons, :mod:`.decoder` joins the stages. Around them:
:mod:`.files` (recordings in blocks), :mod:`.result` (the ``--json`` form), :mod:`.formats` (timeline, CSV,
Audacity labels), :mod:`.plot` and :mod:`.evaluation` (scores against known onsets).
"""

from rescue_signals.decode.decoder import (RETRACTIONS, DecoderSettings, Event, GroupEvent, KnockDecoder, Trace,
                                           standing_knocks)
from rescue_signals.decode.events import REASONS, KnockEvent, Reason, RejectedImpulse
from rescue_signals.decode.files import AUDIO_SUFFIXES, audio_files, decode_channels, decode_file
from rescue_signals.decode.model import DecoderModel, default_model
from rescue_signals.decode.reading import DecodedGroup
from rescue_signals.decode.result import DecodeResult

__all__ = ["AUDIO_SUFFIXES", "DecodeResult", "DecodedGroup", "DecoderModel", "DecoderSettings", "Event",
           "GroupEvent", "KnockDecoder", "KnockEvent", "REASONS", "RETRACTIONS", "Reason", "RejectedImpulse", "Trace",
           "audio_files", "decode_channels", "decode_file", "default_model", "standing_knocks"]
