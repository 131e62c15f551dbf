"""Exchange: the trainee plays one side of a whole rescue exchange against a simulated other side.

In turn the trainee recognises what the other side knocked (the answer keys of Listen) and knocks their own
signals and replies (space bar, mouse or microphone). The other side waits before answering, repeats what went
unanswered, answers the headcount question and sometimes knocks unevenly (see :mod:`rescue_signals.app.partner`).
Each recognition and each knocked group is judged by the drill rules and saved to the records as it happens.
"""

from __future__ import annotations

from dataclasses import dataclass
import uuid
from enum import StrEnum

import numpy as np
import pygame

from rescue_signals.app.answers import CountEntry, answer_key, label_text
from rescue_signals.app.drawing import draw_panel, draw_text, text_height
from rescue_signals.app.hearing import render_heard
from rescue_signals.app.knockpad import KnockPad
from rescue_signals.app.logbook import Logbook
from rescue_signals.app.phases import Phases
from rescue_signals.app.partner import Conversation, Temper
from rescue_signals.app.practice import gap_line, summary
from rescue_signals.app.scene import Scene, row
from rescue_signals.app.timeline import draw_beats, draw_flash
from rescue_signals.codebook import HEADCOUNT
from rescue_signals.protocol import Group

SCENARIO_ID = "app-exchange"
"""Scenario id under which simulated exchanges are stored in the records."""

TIME_LIMIT_S = 15.0


@dataclass(frozen=True)
class LogEntry:
    """One line of the exchange log: who knocked, the knock times drawn (None: not shown), the words."""

    sender: str
    times: tuple[float, ...] | None
    text: str
    ok: bool


class Phase(StrEnum):
    """Where a rescue exchange is."""

    CHOOSE = "choose"  # which side the trainee plays
    RUNNING = "running"  # the exchange goes on
    DONE = "done"  # it is over: the score


TRANSITIONS = {
    Phase.CHOOSE: frozenset({Phase.RUNNING}),
    Phase.RUNNING: frozenset({Phase.DONE, Phase.CHOOSE}),
    Phase.DONE: frozenset({Phase.RUNNING, Phase.CHOOSE}),  # again, or the other side
}
"""Every move between the exchange screen's phases."""


class ExchangeScene(Scene):
    title_key = "exchange.title"
    phase = Phases(TRANSITIONS)

    def __init__(self, app):
        super().__init__(app)
        self.pad = KnockPad(app)
        self.logbook = Logbook(app)
        self.count = CountEntry()
        self.conversation: Conversation | None = None

    # -- flow ---------------------------------------------------------------------------------------------------
    def begin(self, role: str):
        app, cb = self.app, self.app.codebook
        seed = int(app.rng.integers(0, 2**31 - 1))
        self.rng = np.random.default_rng(seed)
        headcount = int(self.rng.integers(6, 15))  # not a code word: the number reads unambiguously
        self.sound = app.settings.practice(app.trainee_name)  # how this exchange sounds, gaps included
        window = self.sound.reply_window_s(cb)
        self.conversation = Conversation(cb, trainee_role=role, headcount=headcount, rng=self.rng,
                                         temper=Temper(patience_s=max(8.0, window * 2)))
        self.rng.bytes(16)  # (drawn as before, so the other side's choices stay as they were for a seed)
        session_uuid = uuid.uuid4()  # an identity, not a random choice: a seeded one repeated and was refused
        self.logbook.open_session(scenario_id=SCENARIO_ID, title=self.text("exchange.title"), seed=seed,
                                  session_uuid=str(session_uuid))
        # (Group with times, reading, on_script, attempt, knock times, repeat) as they happened
        self.groups = []
        self.log_back = 0  # how many of the newest log lines are scrolled out below (0: the newest are shown)
        self.log_rows = 1  # log lines that fit in the panel (set when it is drawn)
        self.knocking = None  # the simulated side's group being rendered or played
        self.cue = None
        self.recognise = None  # (knocking, heard_s, rendering) waiting for the trainee's answer
        self.turn_s = app.now_s()
        self.phase = Phase.RUNNING
        self.conversation.start(app.now_s())
        app.log("exchange", role=role, headcount=headcount)
        self.rebuild()

    def again(self):
        self.begin(self.conversation.trainee)

    @property
    def attempts(self):
        """This exchange's recognitions and knocked groups, judged, in order."""
        return self.logbook.attempts

    # -- records ------------------------------------------------------------------------------------------------
    def _judge(self, task: str, step, sequence, response):
        """Judge one recognition or knocked group by the drill rules and save it at once."""
        from rescue_signals.drill import Expected

        cb, conv = self.app.codebook, self.conversation
        label = HEADCOUNT if step.kind == "headcount" else step.signal
        return self.logbook.judge(
            task=task, expected=Expected(label, step.count, step.sender, step.meaning), trainee_role=conv.trainee,
            conditions=self.sound.conditions(cb, listener=conv.trainee),
            response=response, context=[g for g, *_ in self.groups], sequence=sequence, time_limit_s=TIME_LIMIT_S)

    def _answer(self, label):
        from rescue_signals.drill import RECOGNISE, Response

        knocking, heard_s, _ = self.recognise
        step = self.conversation.steps[knocking.step]
        attempt = self._judge(RECOGNISE, step, [knocking.group], Response(label, heard_s, self.app.input_s,
                                                                        visual_beats=self.app.visual_beats))
        group, reading, on_script, _, times, repeat = self.groups[-1]
        self.groups[-1] = (group, reading, on_script, attempt, times, repeat)
        self.recognise = None
        self.turn_s = self.app.now_s()
        self.rebuild()

    # -- widgets ------------------------------------------------------------------------------------------------
    def build(self, rect):
        cb = self.app.codebook
        bottom = pygame.Rect(rect.x, rect.bottom - 56, rect.width, 56)
        if self.phase == Phase.CHOOSE:
            for i, role in enumerate(r.id for r in cb.roles):
                r = pygame.Rect(rect.x, rect.y + 60 + i * 72, min(560, rect.width), 60)
                self.button(r, self.text("exchange.you_are", role=self.app.role_name(role)),
                            lambda ro=role: self.begin(ro), key=pygame.K_1 + i, object_id="#big")
            return
        if self.phase == Phase.DONE:
            buttons = [(self.text("listen.again"), self.again, pygame.K_a),
                       (self.text("app.home"), self.back, pygame.K_h)]
            for r, (label, action, key) in zip(row(bottom, 2), buttons):
                self.button(r, label, action, key=key)
            return
        if self.recognise is not None:
            labels = [s.id for s in cb.signals] + [HEADCOUNT, "unknown"]
            for r, label in zip(row(bottom, len(labels), gap_px=10), labels):
                action = self.count.start if label == HEADCOUNT else (lambda lb=label: self._answer(lb))
                self.button(r, label_text(self.app, label), action, key=answer_key(cb, label))
        else:
            self.button(pygame.Rect(rect.right - 260, rect.y, 260, 48), self.text("knock.mic"),
                        self.pad.toggle_mic, key=pygame.K_m,
                        object_id="#toggle_on" if self.pad.mic is not None else None)

    # -- events -------------------------------------------------------------------------------------------------
    def on_key(self, event):
        if event.key in (pygame.K_PAGEUP, pygame.K_PAGEDOWN) and self.groups:
            step = max(1, self.log_rows - 1)
            self.scroll_log(step if event.key == pygame.K_PAGEUP else -step)
            return True, None
        if self.phase != Phase.RUNNING:
            return False, None
        if self.recognise is not None and self.count.open:
            number = self.count.key(event)
            if number is not None:
                self._answer(number)
            return True, None
        if self.recognise is None and self.pad.handle_event(event):
            return True, None
        return False, None

    def scroll_log(self, lines: int) -> None:
        """Scroll the log back (``lines`` > 0, to earlier groups) or forward, within what there is."""
        self.log_back = max(0, min(len(self.groups) - self.log_rows, self.log_back + lines))

    def on_other(self, event):
        if event.type == pygame.MOUSEWHEEL and self.groups:
            self.scroll_log(event.y)
            return None
        if self.phase == Phase.RUNNING and self.recognise is None and event.type == pygame.MOUSEBUTTONDOWN:
            self.pad.handle_event(event)
        return None

    # -- time ---------------------------------------------------------------------------------------------------
    def update(self, dt_s):
        if self.phase != Phase.RUNNING:
            return None
        conv, now = self.conversation, self.app.now_s()
        if self.pad.update():
            self._trainee_group(now)
        if self.knocking is None and not self.pad.knocks:
            knocking = conv.poll(now)
            if knocking is not None:
                self._partner_group(knocking)
        if self.knocking is not None:
            self._playing(now)
        if conv.finished and self.knocking is None and self.recognise is None:
            self._finish()
        return None

    def _partner_group(self, knocking):
        extra = dict(jitter=0.25, drift=0.2) if knocking.uneven else {}
        conditions = self.sound.conditions(self.app.codebook, listener=self.conversation.trainee, **extra)
        self.knocking = knocking
        self.cue = None
        self.future = self.app.background(render_heard, self.app.codebook, [knocking.group],
                                          listener=self.conversation.trainee,
                                          seed=int(self.rng.integers(0, 2**31 - 1)), conditions=conditions)

    def _playing(self, now):
        if self.cue is None:
            if not self.future.done():
                return
            rendering = self.future.result()
            self.rendering = rendering
            self.cue = self.app.speaker.play_rendering(rendering)
            self.app.log("play", offsets_s=list(self.cue.offsets_s), repeat=self.knocking.repeat)
            return
        if not self.cue.all_heard():
            return
        heard = self.cue.heard_times_s()
        knocking, self.knocking = self.knocking, None
        reading = self.conversation.partner_knocked(knocking, start_s=heard[0], end_s=heard[-1], now_s=now)
        group = Group(knocking.group.count, knocking.group.sender, heard[0], heard[-1])
        self.groups.append((group, reading, True, None, tuple(heard), knocking.repeat))
        self.app.log("heard", heard_s=heard[-1], repeat=knocking.repeat)
        if not knocking.repeat:
            self.recognise = (knocking, heard[-1], self.rendering)
        self.turn_s = now
        self.rebuild()

    def _trainee_group(self, now):
        from rescue_signals.drill import RESPOND, SEND, Response

        knocks = list(self.pad.knocks)
        self.pad.reset()
        step = self.conversation.due()
        reading, on_script = self.conversation.trainee_knocked(len(knocks), start_s=knocks[0], end_s=knocks[-1],
                                                               now_s=now)
        group = reading.group
        attempt = None
        if step is not None and step.sender == self.conversation.trainee:
            task = SEND if step.in_reply_to is None else RESPOND
            attempt = self._judge(task, step, [], Response(None, self.turn_s, None, tuple(knocks),
                                                                      visual_beats=self.app.visual_beats))
        self.groups.append((group, reading, on_script, attempt, tuple(knocks), False))
        self.turn_s = now
        self.rebuild()

    def _finish(self):
        self.phase = Phase.DONE
        self.pad.close()
        from rescue_signals.drill import score

        self.score = score(self.attempts)
        self.logbook.finish(self.score)
        self.app.log("exchange-done", accuracy=self.score.accuracy)
        self.rebuild()

    def animating(self) -> bool:
        return self.phase == Phase.RUNNING  # the other side waits, knocks and repeats on its own

    def leave(self):
        self.pad.close()
        super().leave()

    # -- drawing ------------------------------------------------------------------------------------------------
    def draw_content(self, surface, rect):
        theme, cb = self.app.theme, self.app.codebook
        if self.phase == Phase.CHOOSE:
            draw_text(surface, self.text("exchange.choose"), rect.topleft, theme.font(26, bold=True), theme.text)
            about = self.text("exchange.about")
            box = pygame.Rect(rect.x + 600, rect.y + 60, rect.width - 600, 200)
            box.height = max(box.height, text_height(about, theme.font(20), box.width - 40) + 32)
            draw_panel(surface, box, theme)
            draw_text(surface, about, (box.x + 20, box.y + 16), theme.font(20), theme.muted, width_px=box.width - 40)
            self._draw_sound(surface, pygame.Rect(box.x, box.bottom + 16, box.width, 0))
            return
        conv = self.conversation
        brief = (self.text("exchange.brief_trapped", n=conv.headcount) if conv.trainee == cb.trapped
                 else self.text("exchange.brief_rescuer"))
        draw_text(surface, brief, rect.topleft, theme.font(20), theme.muted, width_px=rect.width - 280)
        log_rect = pygame.Rect(rect.x, rect.y + 40, rect.width, rect.height - 40 - 250)
        self._draw_log(surface, log_rect)
        stage = pygame.Rect(rect.x, log_rect.bottom + 8, rect.width, rect.bottom - log_rect.bottom - 8 - 62)
        if self.phase == Phase.DONE:
            self._draw_done(surface, stage)
        elif self.knocking is not None:
            self._draw_listening(surface, stage)
        elif self.recognise is not None:
            text = self.text("exchange.recognise")
            if self.count.open:
                text += "  " + self.text("exchange.enter_count") + f": {self.count.digits}_"
            draw_text(surface, text, stage.topleft, theme.font(28, bold=True), theme.accent, width_px=stage.width)
        elif conv.trainee_turn:
            self._draw_turn(surface, stage)
        else:
            draw_text(surface, self.text("exchange.waiting"), stage.topleft, theme.font(26), theme.muted)
            self.pad.draw(surface, pygame.Rect(stage.x, stage.y + 44, stage.width, stage.height - 44))

    def _draw_sound(self, surface, rect):
        """How the exchange will sound (the trainee's practice sound) and whether its gaps are compressed."""
        theme, cb, lang = self.app.theme, self.app.codebook, self.app.lang
        sound = self.app.settings.practice(self.app.trainee_name)
        y = draw_text(surface, self.text("practice.now", sound=summary(sound, cb, lang)), rect.topleft,
                      theme.font(20), theme.text, width_px=rect.width).bottom + 6
        draw_text(surface, gap_line(sound, cb, lang), (rect.x, y), theme.font(20, bold=sound.gaps_compressed),
                  theme.warn if sound.gaps_compressed else theme.text, width_px=rect.width)

    def _draw_turn(self, surface, rect):
        app, theme = self.app, self.app.theme
        step = self.conversation.due()
        if step.in_reply_to is None:
            what = app.t(step.meaning)
            text = self.text("exchange.your_turn", what=what)
        else:
            text = self.text("exchange.your_reply")
        last = self.groups[-1] if self.groups else None
        if last is not None and last[1].sender == self.conversation.trainee and not last[2]:
            text += "  " + self.text("exchange.expected", what=f"{step.count} — {app.t(step.meaning)}")
        draw_text(surface, text, rect.topleft, theme.font(24, bold=True), theme.accent, width_px=rect.width - 280)
        self.pad.draw(surface, pygame.Rect(rect.x, rect.y + 40, rect.width, rect.height - 40))

    def _draw_listening(self, surface, rect):
        app, theme = self.app, self.app.theme
        partner = self.conversation.partner
        colour = theme.role_colour(app.role_index(partner))
        draw_text(surface, self.text("exchange.listen"), rect.topleft, theme.font(26, bold=True), colour)
        if app.visual_beats and self.cue is not None:
            heard = self.cue.heard_times_s()
            since = app.now_s() - heard[-1] if heard else None
            size = min(150, rect.height - 50)
            draw_flash(surface, pygame.Rect(rect.centerx - size // 2, rect.y + 44, size, size), theme,
                       since_s=since, colour=colour)

    def _draw_log(self, surface, rect):
        """The exchange so far: rescuers on the left, trapped on the right, newest at the bottom."""
        app, theme, cb = self.app, self.app.theme, self.app.codebook
        draw_panel(surface, rect, theme)
        half = rect.width // 2
        for role in (r.id for r in cb.roles):
            x = rect.x + (16 if role == cb.rescuer else half + 16)
            draw_text(surface, app.role_name(role), (x, rect.y + 8), theme.font(20, bold=True),
                      theme.role_colour(app.role_index(role)))
        row_h = 38
        entries = self.log_entries()
        fits = max(1, (rect.height - 44) // row_h)
        if len(entries) > fits:  # a line says what is scrolled out
            fits = max(1, fits - 1)
        end = len(entries) - min(self.log_back, max(0, len(entries) - fits))
        if len(entries) > fits:
            hint = self.text("exchange.log_more", earlier=max(0, end - fits), later=len(entries) - end)
            draw_text(surface, hint, (rect.x + 16, rect.bottom - 30), theme.font(16), theme.muted,
                      width_px=rect.width - 32)
        self.log_rows = fits
        interval = cb.timing.knock_interval_s
        for i, entry in enumerate(entries[max(0, end - fits):end]):
            x = rect.x + (16 if entry.sender == cb.rescuer else half + 16)
            y = rect.y + 40 + i * row_h
            colour = theme.role_colour(app.role_index(entry.sender))
            beats = pygame.Rect(x, y, 0, row_h - 8)
            if entry.times is not None:
                relative = [t - entry.times[0] for t in entry.times]  # as knocked: uneven hands show
                span = max(max(5, len(relative)) * interval, relative[-1] + interval)
                beats.width = min(half - 40, int(18 * span / interval))
                draw_beats(surface, beats, theme, relative, span_s=span, start_s=-interval / 2, colour=colour,
                           labels=False, radius_px=7)
            draw_text(surface, entry.text, (beats.right + 10, y + 2), theme.font(18),
                      theme.text if entry.ok else theme.bad, width_px=max(60, x + half - beats.right - 40))

    def log_entries(self) -> list["LogEntry"]:
        """The exchange so far as the log shows it. A group of the other side that the trainee has not answered
        yet shows neither its count nor its knocks (unless visual beats are on): the ear test stays an ear test."""
        app = self.app
        entries = []
        answered = {}  # the other side's signals the trainee has recognised: a repeat shows what it repeats
        for group, reading, on_script, attempt, times, repeat in self.groups:
            mine = group.sender == self.conversation.trainee
            if attempt is not None and not mine:
                answered[(group.sender, group.count)] = attempt
            known = mine or attempt is not None or self.phase == Phase.DONE or (
                repeat and (group.sender, group.count) in answered)
            mark, ok = "", True
            if attempt is not None:
                mark, ok = ("✓ " if attempt.correct else "× "), attempt.correct
            elif mine:
                mark, ok = ("✓ " if on_script else "× "), on_script
            if known:
                text = f"{mark}{group.count} · {app.t(reading.meaning)}"
            else:
                text = "? · ?"
            if repeat:
                text += " " + self.text("exchange.repeat_short")
            if attempt is not None and attempt.reaction_s is not None and not mine:
                text += f" · {attempt.reaction_s:.1f} s"
            shown_times = times if (known or app.visual_beats) else None
            entries.append(LogEntry(group.sender, shown_times, text, ok))
        return entries

    def _draw_done(self, surface, rect):
        theme, s = self.app.theme, self.score
        from rescue_signals.drill import RECOGNISE

        heard = [a for a in self.attempts if a.trial.task == RECOGNISE]
        sent = [a for a in self.attempts if a.trial.task != RECOGNISE]
        text = self.text("exchange.finished", sent_ok=sum(a.correct for a in sent), sent=len(sent),
                         heard_ok=sum(a.correct for a in heard), heard=len(heard))
        y = draw_text(surface, text, rect.topleft, theme.font(28, bold=True), theme.good, width_px=rect.width).bottom
        if s.latency_median_s is not None:
            draw_text(surface, self.text("exchange.median", s=s.latency_median_s), (rect.x, y + 8),
                      theme.font(22), theme.text)
