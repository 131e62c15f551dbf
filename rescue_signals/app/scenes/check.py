"""Microphone check: the trainee knocks three times; the screen says how many knocks it heard, how loud they were
against the noise, and what to do, and the app sets its level meter up for this trainee.

The knocks are those of the live decoder's group (as every knock pad counts them). The result is kept per trainee
in the preferences, so the check is offered once (before the first knocking with the microphone); K does it again.
"""

from __future__ import annotations

from enum import Enum

import pygame

from rescue_signals.app.calibration import Calibration, CalibrationRules, Verdict, calibrate, describe
from rescue_signals.app.drawing import draw_panel, draw_text
from rescue_signals.app.inputlevel import SILENCE_DBFS
from rescue_signals.app.knockpad import KnockPad
from rescue_signals.app.levelbar import draw_level_meter
from rescue_signals.app.scene import Scene, row

RULES = CalibrationRules()

NOTHING_HEARD_S = 8.0
"""With no knock heard this long, the screen points at the level bar."""


class CheckPhase(Enum):
    LISTEN = "listen"
    HEARD = "heard"


class CheckScene(Scene):
    """The microphone check.

    Parameters
    ----------
    app : App
    done : callable, optional
        Called with the :class:`Calibration` when the trainee goes on (or skips); returns the next scene. Without
        it the scene goes back where it was opened from.
    """

    title_key = "check.title"

    def __init__(self, app, *, done=None):
        super().__init__(app)
        self.done = done
        self.pad = KnockPad(app, expected=RULES.knocks)
        self.phase = CheckPhase.LISTEN
        self.result: Calibration | None = None
        self.started_s = app.now_s()

    def enter(self):
        if self.pad.mic is None:
            self.pad.toggle_mic()  # the check is of the microphone: it listens from the start
        super().enter()

    def leave(self):
        self.pad.close()
        super().leave()

    # -- flow ---------------------------------------------------------------------------------------------------
    def again(self):
        self.pad.reset(expected=RULES.knocks)
        self.phase = CheckPhase.LISTEN
        self.result = None
        self.started_s = self.app.now_s()
        if self.pad.mic is None:
            self.pad.toggle_mic()
        self.rebuild()

    def go_on(self):
        return self._finish(self.result)

    def skip(self):
        earlier = self.app.settings.mic_check(self.app.trainee_name)
        if earlier is None:  # offered once: a skipped check is not offered again
            earlier = Calibration.skipped()
            self._store(earlier)
        return self._finish(earlier)

    def back(self):
        return self.go_on() if self.phase == CheckPhase.HEARD else self.skip()

    def _finish(self, result: Calibration):
        self.pad.close()  # the scene that takes over opens its own
        if self.done is not None:
            return self.done(result)
        return super().back()

    def _store(self, result: Calibration) -> None:
        self.app.settings.set_mic_check(self.app.trainee_name, result)
        self.app.save_settings()

    def update(self, dt_s):
        if self.phase == CheckPhase.LISTEN and self.pad.update() and self.pad.mic is not None:
            self._judge()
        return None

    def _judge(self):
        meter, knocks = self.pad.mic.meter, self.pad.knocks
        peaks = [meter.peak_near(t) for t in knocks]
        self.result = calibrate([SILENCE_DBFS if p is None else p for p in peaks], noise_dbfs=meter.noise_dbfs,
                                clipped=meter.clipped_between(knocks[0] - 0.05, knocks[-1] + 0.3),
                                quiet_sounds=meter.quiet_sounds_between(self.started_s, self.app.now_s()),
                                rules=RULES)
        self._store(self.result)
        self.phase = CheckPhase.HEARD
        self.app.log("mic-check", **self.result.as_dict())
        self.rebuild()

    # -- widgets ------------------------------------------------------------------------------------------------
    def build(self, rect):
        bottom = pygame.Rect(rect.x, rect.bottom - 56, min(rect.width, 900), 56)
        if self.phase == CheckPhase.HEARD:
            buttons = [(self.text("check.keep"), self.go_on, pygame.K_c),
                       (self.text("check.again"), self.again, pygame.K_k)]
        else:
            buttons = [(self.text("check.skip"), self.skip, pygame.K_s)]
        for i, (r, (label, action, key)) in enumerate(zip(row(bottom, len(buttons)), buttons)):
            first = self.button(r, label, action, key=key)
            if i == 0:
                self.focus_on(first)

    # -- drawing ------------------------------------------------------------------------------------------------
    def draw_content(self, surface, rect):
        theme = self.app.theme
        y = draw_text(surface, self.text("check.ask", n=RULES.knocks), rect.topleft, theme.font(26, bold=True),
                      theme.accent, width_px=rect.width).bottom + 6
        y = draw_text(surface, self.text("check.why"), (rect.x, y), theme.font(18), theme.muted,
                      width_px=rect.width).bottom + 16
        if self.pad.mic is None:
            draw_text(surface, self.text("knock.no_mic", problem=self.pad.mic_problem or ""), (rect.x, y),
                      theme.font(22), theme.bad, width_px=rect.width)
            return
        y = draw_level_meter(surface, pygame.Rect(rect.x, y, min(rect.width, 760), 100), theme, self.pad.mic.meter,
                             self.text) + 16
        box = pygame.Rect(rect.x, y, min(rect.width, 900), max(120, rect.bottom - 70 - y))
        draw_panel(surface, box, theme)
        inner = box.inflate(-40, -32)
        if self.phase == CheckPhase.LISTEN:
            words = (self.text("check.heard_so_far", n=len(self.pad.knocks)) if self.pad.knocks
                     else self.text("check.listening"))
            ty = draw_text(surface, words, inner.topleft, theme.font(24, bold=True), theme.text).bottom
            if not self.pad.knocks and self.app.now_s() - self.started_s > NOTHING_HEARD_S:
                ty = draw_text(surface, self.text("check.nothing_yet"), (inner.x, ty + 8), theme.font(19),
                               theme.warn, width_px=inner.width).bottom
        else:
            colour = theme.good if self.result.verdict == Verdict.OK else theme.warn
            ty = inner.y
            lines = describe(self.result, self.app.lang, rules=RULES)
            for i, line in enumerate(lines):
                last = i == len(lines) - 1
                ty = draw_text(surface, line, (inner.x, ty), theme.font(24 if last else 21, bold=last),
                               colour if last else theme.text, width_px=inner.width).bottom + 6
        line = pygame.Rect(inner.x + 20, ty + 14, inner.width - 40, max(50, min(80, inner.bottom - ty - 14)))
        if line.bottom <= box.bottom:
            self.pad.draw_timeline(surface, line)
