"""The trainee's knocks: the space bar, a mouse click on the pad, or a real object heard by the microphone.

A :class:`KnockPad` collects the knocks of one group with their monotonic times and says when the group is over.
Knocks of the space bar or the mouse end with a silence longer than any knock spacing the codebook allows. The
microphone goes through the project's one live decoder (:class:`rescue_signals.decode.KnockDecoder`): a sound that
is probably a knock shows at once, one the decoder takes back disappears, and the group is the decoder's own (its
knocks and its end), so the pad counts exactly what ``decode`` and ``listen`` would. Sounds heard while the trainer
itself is playing are ignored, so the program does not answer itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pygame

from rescue_signals.app.drawing import draw_panel, draw_text
from rescue_signals.app.inputlevel import LevelMeter, LevelSettings
from rescue_signals.app.timeline import FLASH_S, draw_beats

END_SILENCE_FACTOR = 1.25
"""A group ends after a silence this many times the longest knock spacing the codebook allows."""

PLAYBACK_GUARD_S = 0.3
"""Microphone knocks up to this long after the trainer's own sound ended are its echo, not the trainee."""


@dataclass(frozen=True)
class Spacing:
    """How evenly a group was knocked, against the codebook's spacing (a rhythm game's hit statistics).

    Attributes
    ----------
    errors_s : tuple of float, s
        Each spacing minus the codebook's (positive: too slow).
    mean_error_s : float, s
    spread_s : float, s
        Standard deviation of the spacing: how steady the hand is.
    """

    errors_s: tuple[float, ...]
    mean_error_s: float
    spread_s: float

    @classmethod
    def of(cls, times_s, *, interval_s: float) -> "Spacing | None":
        if len(times_s) < 2:
            return None
        spacing = np.diff(np.asarray(times_s, dtype=float))
        errors = spacing - interval_s
        return cls(tuple(float(e) for e in errors), float(errors.mean()), float(spacing.std()))


@dataclass(frozen=True)
class Heard:
    """What the microphone's decoder said, on the monotonic clock.

    Attributes
    ----------
    kind : str
        ``"knock"`` (probably a knock, shown at once), ``"taken back"`` (a knock shown earlier was not one) or
        ``"group"`` (the decoder closed a group: ``times_s`` are the knocks it counted).
    times_s : tuple of float, s
    strength : float
    """

    kind: str
    times_s: tuple[float, ...]
    strength: float = 0.0


class Microphone:
    """Knocks and groups from the default input, through the live decoder, in monotonic seconds; the input's
    level in :attr:`meter`."""

    def __init__(self, codebook, *, level: LevelSettings = LevelSettings(), noise_dbfs: float | None = None):
        from rescue_signals.audio import SAMPLE_RATE, Capture
        from rescue_signals.decode import GroupEvent, KnockDecoder, KnockEvent

        self._capture = Capture(sample_rate=SAMPLE_RATE, block_size=1024)
        self._capture.open()
        self._decoder = KnockDecoder(SAMPLE_RATE, codebook)
        self._types = (KnockEvent, GroupEvent)
        self._blocks: list[tuple[int, float]] = []  # (first sample, monotonic time it was recorded)
        self._fed = 0
        self.sample_rate = SAMPLE_RATE
        self.meter = LevelMeter(level, noise_dbfs=noise_dbfs)
        self._restart_s: float | None = None

    def _monotonic(self, stream_time_s: float) -> float:
        # From the recording time of the block the knock is in, so a dropped block cannot shift later knocks.
        sample = int(round(stream_time_s * self.sample_rate))
        first, start_s = next(((f, s) for f, s in reversed(self._blocks) if f <= sample), self._blocks[0])
        return start_s + (sample - first) / self.sample_rate

    def heard(self) -> list[Heard]:
        """What the decoder said since the last call; never blocks."""
        knock, group = self._types
        out = []
        while self._capture.pending():
            block, start_s = self._capture.read(timeout_s=0.1)
            if self._restart_s is not None and start_s >= self._restart_s:
                self._decoder.reset()
                self._blocks, self._fed, self._restart_s = [], 0, None
            self._blocks.append((self._fed, start_s))
            self._fed += block.size
            clipped = self._decoder.clipped_samples
            events = self._decoder.feed(block)
            self.meter.feed(block, time_s=start_s, sample_rate=self.sample_rate,
                            clipped=self._decoder.clipped_samples - clipped)
            for event in events:
                if isinstance(event, knock):
                    out.append(Heard("knock", (self._monotonic(event.time_s),), float(event.strength)))
                elif isinstance(event, group):
                    out.append(Heard("group", tuple(self._monotonic(k.time_s) for k in event.knocks)))
                else:
                    out.append(Heard("taken back", (self._monotonic(event.time_s),)))
            del self._blocks[:-2048]  # tens of seconds: a group of many knocks is reported once it is over
        return out

    def restart_at(self, time_s: float) -> None:
        """Start the decoder afresh with the first block recorded at ``time_s`` (monotonic) or later, so that a
        group knocked after a sound the trainer played is not joined to that sound's knocks."""
        self._restart_s = time_s

    def close(self) -> None:
        self._capture.close()


class KnockPad:
    """Collects one group of knocks.

    Parameters
    ----------
    app : App
    expected : int or None
        How many knocks are asked for (for the display only).
    """

    def __init__(self, app, *, expected: int | None = None):
        self.app = app
        self.expected = expected
        timing = app.codebook.timing
        self.interval_s = timing.knock_interval_s
        self.end_silence_s = timing.knock_interval_max_s * END_SILENCE_FACTOR
        self.knocks: list[float] = []
        self.rect = pygame.Rect(0, 0, 0, 0)
        self.mic: Microphone | None = None
        self.mic_problem: str | None = None
        self.ended_s: float | None = None
        self.level = LevelSettings()  # the level meter's zones (a microphone check sets them per trainee)
        self.noise_dbfs: float | None = None  # the noise the microphone check measured

    # -- input --------------------------------------------------------------------------------------------------
    def handle_event(self, event) -> bool:
        """Take a knock from the space bar or a click on the pad; True if the event was a knock."""
        if event.type == pygame.KEYDOWN and event.key == pygame.K_SPACE:
            self.knock(event.time_s)
            return True
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1 and self.rect.collidepoint(event.pos):
            self.knock(event.time_s)
            return True
        return False

    def knock(self, time_s: float) -> None:
        if self.ended_s is None:
            self.knocks.append(time_s)
            self.app.log("knock", at_s=time_s)

    def toggle_mic(self) -> None:
        if self.mic is not None:
            self.close()
            return
        from rescue_signals.errors import RescueSignalsError

        try:
            self.mic = Microphone(self.app.codebook, level=self.level, noise_dbfs=self.noise_dbfs)
            self.mic_problem = None
        except (RescueSignalsError, ImportError, OSError) as exc:
            self.mic_problem = str(exc)

    def close(self) -> None:
        if self.mic is not None:
            self.mic.close()
        self.mic = None

    def update(self) -> bool:
        """Poll the microphone and the silence; True on the frame the group ends."""
        if self.mic is not None:
            from rescue_signals.errors import AudioDeviceError

            try:
                heard = self.mic.heard()
            except AudioDeviceError as exc:
                self.mic_problem = str(exc)
                self.close()
                heard = []
            for item in heard:
                if self._own_sound(item.times_s[0]):
                    continue
                if item.kind == "knock":
                    self.knock(item.times_s[0])
                elif item.kind == "taken back" and self.ended_s is None:
                    self.knocks = [t for t in self.knocks if abs(t - item.times_s[0]) > 1e-6]
                elif item.kind == "group" and self.ended_s is None:
                    # The decoder's group is the answer: exactly the knocks it counted, ended when it closed it.
                    self.knocks = [t for t in item.times_s if not self._own_sound(t)]
                    if self.knocks:
                        self.app.log("mic group", count=len(self.knocks))
                        self.ended_s = self.app.now_s()
                        return True
            if self.mic is not None:
                return False  # with the microphone on, only the decoder says when a group is over
        if self.ended_s is None and self.knocks and self.app.now_s() - self.knocks[-1] > self.end_silence_s:
            self.ended_s = self.app.now_s()
            return True
        return False

    def _own_sound(self, t: float) -> bool:
        cue = self.app.speaker.current
        return cue is not None and cue.start_s - 0.05 <= t <= cue.start_s + cue.duration_s + PLAYBACK_GUARD_S

    @property
    def ended(self) -> bool:
        return self.ended_s is not None

    def reset(self, *, expected: int | None = None) -> None:
        self.knocks = []
        self.ended_s = None
        self.expected = expected

    def spacing(self) -> Spacing | None:
        return Spacing.of(self.knocks, interval_s=self.interval_s)

    # -- drawing ------------------------------------------------------------------------------------------------
    def draw(self, surface: pygame.Surface, rect: pygame.Rect, *, show_ideal: bool = True) -> None:
        """The pad (top) and the timeline of the knocks against the ideal beat (bottom)."""
        app, theme = self.app, self.app.theme
        pad_h = min(150, rect.height // 2)
        self.rect = pygame.Rect(rect.x, rect.y, rect.width, pad_h)
        since = app.now_s() - self.knocks[-1] if self.knocks else None
        lit = since is not None and 0 <= since < FLASH_S and not self.ended
        draw_panel(surface, self.rect, theme, edge=theme.accent if lit else theme.panel_edge,
                   fill=theme.panel_edge if lit else theme.panel, width_px=4 if lit else 2)
        label = app.say("knock.how")
        if self.mic is not None:
            label += "  " + app.say("knock.mic_on")
        draw_text(surface, label, (self.rect.x + 20, self.rect.y + 16), theme.font(22), theme.text,
                  width_px=self.rect.width - 40)
        count = f"{len(self.knocks)}" + (f" / {self.expected}" if self.expected else "")
        draw_text(surface, count, (self.rect.x, self.rect.bottom - 64), theme.font(44, bold=True),
                  theme.accent, width_px=self.rect.width - 20, align="right")
        if self.mic_problem:
            draw_text(surface, app.say("knock.no_mic", problem=self.mic_problem), (self.rect.x + 20,
                      self.rect.bottom - 40), theme.font(17), theme.bad, width_px=self.rect.width - 200)
        elif self.knocks and not self.ended:
            left_s = max(0.0, self.end_silence_s - (app.now_s() - self.knocks[-1]))
            draw_text(surface, app.say("knock.wait_gap", s=left_s), (self.rect.x + 20, self.rect.bottom - 40),
                      theme.font(18), theme.muted)
        line = pygame.Rect(rect.x + 30, self.rect.bottom + 20, rect.width - 60, max(60, rect.height - pad_h - 40))
        self.draw_timeline(surface, line, show_ideal=show_ideal)

    def draw_timeline(self, surface, rect, *, show_ideal: bool = True) -> None:
        theme = self.app.theme
        if not self.knocks:
            return
        t0 = self.knocks[0]
        times = [t - t0 for t in self.knocks]
        n_ideal = max(len(times), self.expected or 0)
        ideal = [i * self.interval_s for i in range(n_ideal)] if show_ideal else None
        span = max(times[-1], (n_ideal - 1) * self.interval_s) + self.interval_s
        marks = [theme.good] + [_spacing_colour(theme, e, self.interval_s)
                                for e in np.diff(times)] if len(times) > 1 else None
        draw_beats(surface, rect, theme, times, span_s=span, start_s=-self.interval_s / 2, colour=theme.accent,
                   ideal_times_s=ideal, marks=marks)


def _spacing_colour(theme, spacing_s: float, interval_s: float):
    rel = abs(spacing_s - interval_s) / interval_s
    return theme.good if rel < 0.15 else theme.warn if rel < 0.3 else theme.bad
