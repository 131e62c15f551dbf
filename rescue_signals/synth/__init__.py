"""The sound side: knocks per striking medium, the sender's hand, propagation, noise beds, and rendering.

Pure numpy and scipy: nothing here touches a sound card. Time and randomness are arguments (a seed), so every
rendering is reproducible from its seed and :class:`Conditions`.

>>> from rescue_signals.codebook import default_codebook
>>> from rescue_signals.protocol import parse_sequence
>>> cb = default_codebook()
>>> r = render_sequence(parse_sequence("R5 T3", cb), cb, Conditions(medium="rail", compress_gaps=10), seed=1)
>>> [g.count for g in r.groups]
[5, 3]
"""

from rescue_signals.synth.conditions import MEDIA, NOISES, RANGES, STEEL_MEDIA, Conditions
from rescue_signals.synth.mix import KNOCK_WINDOW_S, measured_snr_db
from rescue_signals.synth.rendering import (DEFAULT_SNR_DB, GroupTruth, KnockTruth, Rendering, render_sequence,
                                            write_rendering)
from rescue_signals.synth.samplepack import SamplePack, load_knock_pack, load_noise_pack

__all__ = ["Conditions", "DEFAULT_SNR_DB", "GroupTruth", "KNOCK_WINDOW_S", "KnockTruth", "MEDIA", "NOISES",
           "RANGES", "Rendering", "STEEL_MEDIA", "SamplePack", "load_knock_pack", "load_noise_pack",
           "measured_snr_db", "render_sequence", "write_rendering"]
