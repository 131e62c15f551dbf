"""Echo practice: the app knocks a group through the speaker (or shows it as flashes), the trainee knocks it back
with the space bar, the mouse or a real object at the microphone.

The echo is graded for its count and its rhythm against the codebook's spacing (what was off is said: the count,
too fast, too slow, uneven; :mod:`rescue_signals.app.knockback`) and saved like every other practice answer. With
the microphone, the knocks are the live decoder's group, heard only once the app's own knocking is over.
"""

from __future__ import annotations

import uuid
from enum import Enum

import numpy as np
import pygame

from rescue_signals.app.answers import answer_key
from rescue_signals.app.drawing import draw_panel, draw_text
from rescue_signals.app.knockback import describe, expected_group, grade_echo
from rescue_signals.app.knockpad import PLAYBACK_GUARD_S, KnockPad
from rescue_signals.app.levelbar import draw_level_meter, level_words
from rescue_signals.app.logbook import Logbook
from rescue_signals.app.micswitch import check_line, switch_mic
from rescue_signals.app.scene import Scene, row
from rescue_signals.app.timeline import draw_beats, draw_flash
from rescue_signals.codebook import HEADCOUNT

SCENARIO_ID = "app-echo"
"""Scenario id under which echo practice is stored in the records."""

HEADCOUNTS = (6, 9)
"""An echoed headcount has between these many knocks (inclusive): enough to have to count."""

NO_ECHO_S = 15.0
"""A turn with no knock this long is graded as no answer."""

RING_S = 0.6
"""The app's knocking is cut this long after its last knock (faded), so the trainee's turn comes at once."""


class EchoPhase(Enum):
    CHOOSE = "choose"
    PLAYING = "playing"
    ECHO = "echo"
    GRADED = "graded"


def trimmed(rendering):
    """The samples of ``rendering`` up to :data:`RING_S` after its last knock, faded out over the last 0.1 s."""
    sr = rendering.sample_rate
    end = min(rendering.samples.size, int((rendering.knocks[-1].time_s + RING_S) * sr))
    samples = rendering.samples[:end].copy()
    fade = min(end, int(0.1 * sr))
    samples[end - fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    return samples


class EchoScene(Scene):
    title_key = "echo.title"

    def __init__(self, app):
        super().__init__(app)
        cb = app.codebook
        self.targets = [(s.id, s.knocks) for s in cb.signals]
        self.interval_s = cb.timing.knock_interval_s
        self.pad = KnockPad(app)
        self.phase = EchoPhase.CHOOSE
        self.target = None
        self.cue = None
        self.future = None
        self.turn_s: float | None = None  # when the trainee's turn began
        self.heard_s: float | None = None  # when the app's last knock was heard (or shown)
        self.early = False  # the trainee knocked while the app was still knocking
        self.grade = None
        self.logbook = Logbook(app)

    # -- flow ---------------------------------------------------------------------------------------------------
    def choose(self, target):
        from rescue_signals.synth import Conditions, render_sequence
        from rescue_signals.protocol import Group

        label, count = target
        if label == HEADCOUNT and count == 0:
            count = int(self.app.rng.integers(HEADCOUNTS[0], HEADCOUNTS[1] + 1))
        self.target = (label, count)
        self.pad.reset()
        self.grade, self.cue, self.turn_s, self.early = None, None, None, False
        medium = self.app.settings.practice(self.app.trainee_name).medium
        # near and clean, evenly on the codebook's beat: the rhythm to copy
        self.conditions = Conditions(medium=medium, distance_m=2.0, jitter=0.0, drift=0.0, reverb=0.1)
        seed = int(self.app.rng.integers(0, 2**31 - 1))
        self.future = self.app.background(render_sequence, [Group(count, self.app.codebook.rescuer)],
                                          self.app.codebook, self.conditions, seed=seed)
        self.phase = EchoPhase.PLAYING
        self.app.log("echo-task", label=label, count=count)
        self.rebuild()

    def again(self):
        self.choose(self.target)

    def other(self):
        self.app.speaker.stop()
        self.phase = EchoPhase.CHOOSE
        self.pad.reset()
        self.rebuild()

    def check(self):
        self.pad.close()
        return self.go("check", return_to=self)

    def toggle_mic(self):
        nxt = switch_mic(self, self.pad)
        self.rebuild()
        return nxt

    def leave(self):
        self.pad.close()
        super().leave()

    # -- widgets ------------------------------------------------------------------------------------------------
    def build(self, rect):
        app, cb = self.app, self.app.codebook
        if self.phase == EchoPhase.CHOOSE:
            options = [(app.t(cb.signal(label).name) + " · " + self.text("echo.group", n=n), (label, n))
                       for label, n in self.targets]
            options.append((app.t(cb.headcount.name) + " · ?", (HEADCOUNT, 0)))
            for i, (label, target) in enumerate(options):
                r = pygame.Rect(rect.x, rect.y + 44 + i * 64, min(520, rect.width), 54)
                self.button(r, label, lambda t=target: self.choose(t), key=answer_key(cb, target[0]),
                            object_id="#big")
            self.button(pygame.Rect(rect.x + 560, rect.y + 280, min(360, rect.width - 560), 54),
                        self.text("knock.check"), self.check, key=pygame.K_k)
            return
        self.button(pygame.Rect(rect.right - 260, rect.y, 260, 48), self.text("knock.mic"), self.toggle_mic,
                    key=pygame.K_m, object_id="#toggle_on" if self.pad.mic is not None else None)
        if self.phase == EchoPhase.GRADED:
            bottom = pygame.Rect(rect.x, rect.bottom - 56, rect.width, 56)
            buttons = [(self.text("echo.again"), self.again, pygame.K_a),
                       (self.text("echo.other"), self.other, pygame.K_o),
                       (self.text("knock.check"), self.check, pygame.K_k)]
            for r, (label, action, key) in zip(row(bottom, 3), buttons):
                first = self.button(r, label, action, key=key)
                if action == self.again:
                    self.focus_on(first)

    # -- events and time ----------------------------------------------------------------------------------------
    def on_key(self, event):
        if event.key == pygame.K_SPACE:
            if self.phase == EchoPhase.PLAYING:
                self.early = True
                return True, None
            if self.phase == EchoPhase.ECHO:
                self.pad.handle_event(event)
                return True, None
            if self.phase == EchoPhase.GRADED:
                self.again()
                return True, None
        return False, None

    def on_other(self, event):
        if event.type == pygame.MOUSEBUTTONDOWN and self.phase == EchoPhase.ECHO:
            self.pad.handle_event(event)
        return None

    def update(self, dt_s):
        if self.phase == EchoPhase.PLAYING:
            if self.cue is None and self.future is not None and self.future.done():
                rendering = self.future.result()
                self.cue = self.app.speaker.play(trimmed(rendering), sample_rate=rendering.sample_rate,
                                                 knock_offsets_s=[k.time_s for k in rendering.knocks])
            elif self.cue is not None and self.cue.done:
                self._your_turn()
        elif self.phase == EchoPhase.ECHO:
            if self.pad.update():
                self._grade()
            elif not self.pad.knocks and self.app.now_s() - self.turn_s > NO_ECHO_S:
                self._grade()
        return None

    def _your_turn(self):
        now = self.app.now_s()
        cue = self.cue
        self.heard_s = (cue.heard_times_s() or [cue.start_s + cue.offsets_s[-1]])[-1]
        self.turn_s = now
        if self.pad.mic is not None:
            # the app's own knocking went into the decoder too: the trainee's group starts afresh after it
            self.pad.mic.restart_at(max(now, cue.start_s + cue.duration_s) + PLAYBACK_GUARD_S / 2)
        self.phase = EchoPhase.ECHO
        self.rebuild()

    def _grade(self):
        label, count = self.target
        self.grade = grade_echo(self.pad.knocks, expected=count, interval_s=self.interval_s)
        self.phase = EchoPhase.GRADED
        self.app.log("echo-graded", **self.grade.as_dict())
        self._save()
        self.rebuild()

    def _save(self):
        """Store the echo with the drill rules' judgement (count, spacing), like a drill's "send" trial."""
        from rescue_signals.drill import SEND, Expected, Response

        label, count = self.target
        role, meaning = expected_group(self.app.codebook, label, count)
        if self.logbook.session_id is None and not self.logbook.attempts:
            seed = int(self.app.rng.integers(0, 2**31 - 1))
            self.logbook.open_session(scenario_id=SCENARIO_ID, title=self.text("echo.title"), seed=seed,
                                      session_uuid=str(uuid.uuid4()))
        self.attempt = self.logbook.judge(task=SEND, expected=Expected(label, count, role, meaning),
                                          trainee_role=role, conditions=self.conditions,
                                          response=Response(None, self.heard_s, None, tuple(self.pad.knocks),
                                                            visual_beats=self.app.visual_beats))

    # -- drawing ------------------------------------------------------------------------------------------------
    def draw_content(self, surface, rect):
        app, theme, cb = self.app, self.app.theme, self.app.codebook
        if self.phase == EchoPhase.CHOOSE:
            draw_text(surface, self.text("echo.choose"), rect.topleft, theme.font(24, bold=True), theme.text)
            box = pygame.Rect(rect.x + 560, rect.y + 44, rect.width - 560, 220)
            draw_panel(surface, box, theme)
            lines = [self.text("echo.about", interval=self.interval_s), check_line(self)]
            y = box.y + 16
            for line in lines:
                y = draw_text(surface, line, (box.x + 20, y), theme.font(20), theme.muted,
                              width_px=box.width - 40).bottom + 10
            return
        label, count = self.target
        if self.phase == EchoPhase.PLAYING:
            self._draw_playing(surface, rect)
        elif self.phase == EchoPhase.ECHO:
            draw_text(surface, self.text("echo.your_turn"), rect.topleft, theme.font(30, bold=True), theme.good,
                      width_px=rect.width - 280)
            stage = pygame.Rect(rect.x, rect.y + 56, rect.width, min(rect.height - 56, 300))
            self.pad.draw(surface, stage, show_ideal=False)
            if self.pad.mic is not None:
                draw_level_meter(surface, pygame.Rect(rect.x, stage.bottom + 10, min(rect.width, 720), 100), theme,
                                 self.pad.mic.meter, self.text)
        else:
            self._draw_grade(surface, rect)

    def _draw_playing(self, surface, rect):
        app, theme = self.app, self.app.theme
        draw_text(surface, self.text("echo.listen"), rect.topleft, theme.font(30, bold=True), theme.accent,
                  width_px=rect.width - 280)
        if self.early:
            draw_text(surface, self.text("echo.wait_turn"), (rect.x, rect.y + 44), theme.font(20), theme.warn)
        _, count = self.target
        heard = self.cue.heard_times_s() if self.cue is not None else []
        times = [i * self.interval_s for i in range(count)]
        beats = pygame.Rect(rect.x + 30, rect.y + 110, min(rect.width - 200, 110 * count), 80)
        draw_beats(surface, beats, theme, times, span_s=count * self.interval_s, start_s=-self.interval_s / 2,
                   colour=theme.accent, lit=len(heard), labels=False)
        if app.visual_beats:
            since = app.now_s() - heard[-1] if heard else None
            draw_flash(surface, pygame.Rect(rect.right - 160, rect.y + 80, 140, 140), theme, since_s=since)

    def _draw_grade(self, surface, rect):
        theme, g = self.app.theme, self.grade
        y = draw_text(surface, self.text("echo.right" if g.right else "echo.wrong"), rect.topleft,
                      theme.font(34, bold=True), theme.good if g.right else theme.bad).bottom + 8
        for text, ok in describe(g, self.app.lang):
            y = draw_text(surface, ("✓ " if ok else "× ") + text, (rect.x, y + 4), theme.font(24),
                          theme.text if ok else theme.bad, width_px=rect.width).bottom
        if not self.pad.knocks:
            y = draw_text(surface, self.text("echo.no_answer"), (rect.x, y + 4), theme.font(22), theme.bad).bottom
        y = level_words(surface, (rect.x, y), rect.width, theme, self.pad.mic, self.turn_s, self.text)
        draw_text(surface, self.text("echo.timeline"), (rect.x, y + 16), theme.font(18), theme.muted)
        times = [i * self.interval_s for i in range(g.expected)]
        given = [t - self.pad.knocks[0] for t in self.pad.knocks] if self.pad.knocks else []
        span = max(times[-1], given[-1] if given else 0.0) + self.interval_s
        lane = pygame.Rect(rect.x + 30, y + 44, rect.width - 60, 50)
        draw_beats(surface, lane, theme, times, span_s=span, start_s=-self.interval_s / 2, colour=theme.ideal,
                   labels=False)
        lane = lane.move(0, 60)
        if given:
            draw_beats(surface, lane, theme, given, span_s=span, start_s=-self.interval_s / 2,
                       colour=theme.good if g.right else theme.bad)
