"""How practice sounds: the medium, distance, noise, SNR, tempo and gap compression a trainee chose.

Learn and the rescue exchange render what they play through the trainee's choice; timed drills keep the
conditions of their scenario. Each setting moves through a short list of values (a drop-down or a slider's steps on
screen, the arrow keys too). Pure: no pygame, no sound card; the choice is plain data in the preferences file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from rescue_signals.app.hearing import FAR_DISTANCE_M, listening_conditions
from rescue_signals.app.phrases import say
from rescue_signals.codebook import Codebook
from rescue_signals.protocol import Group
from rescue_signals.synth.conditions import MEDIA, NOISES

OWN_NOISE = None
"""The noise choice "each side over its own": the rescuers over a fan, the trapped over dripping water."""

NOISE_CHOICES = (OWN_NOISE, ()) + tuple((n,) for n in NOISES) + (("rock_drill", "fan"),)
DISTANCES_M = (2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 150.0, 300.0, 600.0, 1000.0)
SNRS_DB = (-6.0, -3.0, 0.0, 3.0, 6.0, 9.0, 12.0, 15.0, 20.0, 25.0, 30.0, 40.0)
TEMPOS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
GAP_COMPRESSIONS = (1.0, 2.0, 3.0, 5.0, 6.0, 10.0, 15.0, 30.0)

PREVIEW_KNOCKS = 5
"""The preview plays a call: 5 knocks from the trapped side, as the rescuers hear them."""


@dataclass(frozen=True)
class PracticeSound:
    """One trainee's choice of how practice sounds.

    Parameters
    ----------
    medium : str
        What is struck, one of :data:`rescue_signals.synth.MEDIA`.
    noises : tuple of str or None
        Noise beds under the knocks; None for each side's own (see :data:`OWN_NOISE`), () for quiet.
    distance_m : float, m
        How far away the other side knocks.
    snr_db : float, dB
        Knock-to-noise ratio (ignored when quiet).
    tempo : float
        The sender's knock rate; 1 is the codebook's spacing.
    compress_gaps : float
        Divides the codebook's gap between groups; 1 keeps it.
    """

    medium: str = "pipe"
    noises: tuple[str, ...] | None = OWN_NOISE
    distance_m: float = FAR_DISTANCE_M
    snr_db: float = 20.0
    tempo: float = 1.0
    compress_gaps: float = 6.0

    CHOICES = {"medium": MEDIA, "noises": NOISE_CHOICES, "distance_m": DISTANCES_M, "snr_db": SNRS_DB,
               "tempo": TEMPOS, "compress_gaps": GAP_COMPRESSIONS}
    """Every setting and its values, in the order the screen lists them."""

    # -- changing it --------------------------------------------------------------------------------------------
    def index(self, name: str) -> int:
        """Position of the current value of ``name`` among its choices (the nearest, for a number)."""
        choices, value = self.CHOICES[name], getattr(self, name)
        if value in choices:
            return choices.index(value)
        if isinstance(value, float):
            return min(range(len(choices)), key=lambda i: abs(choices[i] - value))
        return 0

    def chosen(self, name: str, index: int) -> "PracticeSound":
        """This choice with ``name`` set to its ``index``-th value (clamped to the list)."""
        choices = self.CHOICES[name]
        return replace(self, **{name: choices[max(0, min(len(choices) - 1, int(index)))]})

    def stepped(self, name: str, step: int) -> "PracticeSound":
        """One value up (``step`` 1) or down (-1) the list of ``name``."""
        return self.chosen(name, self.index(name) + step)

    # -- what it means ------------------------------------------------------------------------------------------
    @property
    def gaps_compressed(self) -> bool:
        return self.compress_gaps > 1.0

    def group_gap_s(self, codebook: Codebook) -> float:
        """Seconds between groups in practice: the codebook's gap divided by the compression."""
        return codebook.timing.group_gap_s / self.compress_gaps

    def reply_window_s(self, codebook: Codebook) -> float:
        """Seconds in which a reply is expected in practice, compressed like the gaps."""
        return codebook.timing.reply_window_s / self.compress_gaps

    def conditions(self, codebook: Codebook, *, listener: str, **extra):
        """The :class:`rescue_signals.synth.Conditions` of knocks ``listener`` (a role id) hears from the other
        side; ``extra`` sets any further condition (an uneven hand's jitter, say)."""
        values = dict(medium=self.medium, distance_m=self.distance_m, compress_gaps=self.compress_gaps,
                      tempo=self.tempo, snr_db=self.snr_db)
        if self.noises is not OWN_NOISE:
            values["noises"] = self.noises
        values.update(extra)
        if not values.get("noises", True):
            values["snr_db"] = None  # quiet: there is nothing to measure the knocks against
        return listening_conditions(codebook, listener=listener, **values)

    def preview(self, codebook: Codebook) -> tuple[list[Group], str]:
        """The preview's groups and who hears them: a call from the trapped side, heard by the rescuers."""
        return [Group(PREVIEW_KNOCKS, codebook.trapped)], codebook.rescuer

    # -- stored as plain data -----------------------------------------------------------------------------------
    def as_dict(self) -> dict:
        out = asdict(self)
        out["noises"] = None if self.noises is None else list(self.noises)
        return out

    @classmethod
    def from_dict(cls, data) -> "PracticeSound":
        """The choice stored in ``data``; a value the lists do not hold (a damaged or older file) is left at its
        default, so a bad preference never stops practice."""
        sound = cls()
        if not isinstance(data, dict):
            return sound
        for name, choices in cls.CHOICES.items():
            value = data.get(name)
            if isinstance(value, list):
                value = tuple(str(v) for v in value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                value = float(value)
            if name in data and value in choices:
                sound = replace(sound, **{name: value})
        return sound


# -- in words -------------------------------------------------------------------------------------------------------
def medium_name(codebook: Codebook, medium: str, lang: str) -> str:
    named = next((m.name.get(lang) for m in codebook.media if m.id == medium), None)
    return named or say(f"medium.{medium}", lang)


def noise_name(codebook: Codebook, noises, lang: str) -> str:
    """"fan + dripping water", "quiet", or each side's own noise, in ``lang``."""
    if noises is OWN_NOISE:
        own = {r.id: noise_name(codebook, listening_conditions(codebook, listener=r.id).noises, lang)
               for r in codebook.roles}
        return say("practice.noise_own", lang, rescuers=own[codebook.rescuer], trapped=own[codebook.trapped])
    joined = ("、" if lang == "zh" else " + ").join(say(f"noise.{n}", lang) for n in noises)
    return joined or say("noise.none", lang)


def value_text(codebook: Codebook, name: str, value, lang: str) -> str:
    """One value of setting ``name`` as the screen shows it ("rail", "150 m", "6 dB", "1.25×", "÷6")."""
    if name == "medium":
        return medium_name(codebook, value, lang)
    if name == "noises":
        return noise_name(codebook, value, lang)
    if name == "distance_m":
        return say("practice.metres", lang, m=value)
    if name == "snr_db":
        return say("practice.db", lang, db=value)
    if name == "tempo":
        return say("practice.tempo_value", lang, tempo=value, interval=codebook.timing.knock_interval_s / value)
    gap = codebook.timing.group_gap_s
    if value <= 1.0:
        return say("practice.gaps_value_full", lang, gap=gap)
    return say("practice.gaps_value", lang, factor=value, gap=gap / value)


def gap_line(sound: PracticeSound, codebook: Codebook, lang: str) -> str:
    """What the screen says about the gaps between groups: compressed (and how much), or as the codebook has them."""
    full = codebook.timing.group_gap_s
    if sound.gaps_compressed:
        return say("practice.gaps_compressed", lang, gap=sound.group_gap_s(codebook), full=full,
                   factor=sound.compress_gaps)
    return say("practice.gaps_real", lang, full=full)


def summary(sound: PracticeSound, codebook: Codebook, lang: str) -> str:
    """"rail · 300 m · fan · 6 dB" in ``lang``: the practice sound in one line."""
    parts = [medium_name(codebook, sound.medium, lang), say("practice.metres", lang, m=sound.distance_m),
             noise_name(codebook, sound.noises, lang)]
    if sound.noises != ():
        parts.append(say("practice.db", lang, db=sound.snr_db))
    if sound.tempo != 1.0:
        parts.append(value_text(codebook, "tempo", sound.tempo, lang))
    return " · ".join(parts)
