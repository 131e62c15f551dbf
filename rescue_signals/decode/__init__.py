"""Decoding knocks from recordings and the live microphone.

One streaming decoder serves both: :class:`KnockDecoder` takes blocks of samples and returns events as soon as
they are sure (:class:`KnockEvent`, :class:`GroupEvent`, :class:`RejectedImpulse`); :func:`decode_file` feeds it a
file block by block, with bounded memory, and returns a :class:`DecodeResult`.

The stages, each in its own module: :mod:`.features` (band powers of 5 ms frames), :mod:`.noisefloor`,
:mod:`.detector` (knocks, counted once), :mod:`.grouping` (groups from the spacing actually used) and
:mod:`.reading` (the protocol's reading, the probable sender, confidence and warnings); :mod:`.decoder` joins
them. Around them: :mod:`.files` (recordings in blocks), :mod:`.result` (the ``--json`` form), :mod:`.formats`
(timeline, CSV, Audacity labels), :mod:`.plot` and :mod:`.evaluation` (scores against known onsets).
"""

from rescue_signals.decode.decoder import RETRACTIONS, Event, GroupEvent, KnockDecoder, Trace, standing_knocks
from rescue_signals.decode.detector import REASONS, KnockEvent, RejectedImpulse
from rescue_signals.decode.files import AUDIO_SUFFIXES, audio_files, decode_channels, decode_file
from rescue_signals.decode.reading import DecodedGroup
from rescue_signals.decode.result import DecodeResult

__all__ = ["AUDIO_SUFFIXES", "DecodeResult", "DecodedGroup", "Event", "GroupEvent", "KnockDecoder", "KnockEvent",
           "REASONS", "RETRACTIONS", "RejectedImpulse", "Trace", "audio_files", "decode_channels", "decode_file",
           "standing_knocks"]
