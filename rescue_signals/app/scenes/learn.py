"""Learn: the codebook as cards, each signal as each side hears it, the helmet card, and a guided exchange.

Everything shown comes from the codebook: the cards are its signals (and the headcount answer), the guided walk is
built by running the protocol's state machine and answering every expectation it raises.
"""

from __future__ import annotations

from dataclasses import dataclass

import pygame

from rescue_signals.app.drawing import draw_panel, draw_text, fit_font, text_height
from rescue_signals.app.hearing import render_heard
from rescue_signals.app.scene import Scene, row
from rescue_signals.app.timeline import draw_beats, draw_flash, group_times
from rescue_signals.codebook import HEADCOUNT, Codebook
from rescue_signals.app.partner import full_exchange
from rescue_signals.app.practice import summary
from rescue_signals.protocol import Group

EXAMPLE_HEADCOUNT = 7
"""The number of trapped people in the examples (not a code word, so it reads unambiguously)."""

HELMET_SCALES = (1.0, 0.9, 0.8, 0.7)
"""Sizes the helmet card's text may take, largest first, so that the whole card shows in a small window."""


@dataclass(frozen=True)
class Card:
    """One card: a signal (or the headcount answer) and the knocks to show."""

    signal_id: str  # a signal id or HEADCOUNT
    knocks: int


def cards(codebook: Codebook) -> list[Card]:
    out = [Card(s.id, s.knocks) for s in codebook.signals]
    return out + [Card(HEADCOUNT, EXAMPLE_HEADCOUNT)]


class LearnScene(Scene):
    title_key = "learn.title"
    arrows_navigate = False

    def __init__(self, app):
        super().__init__(app)
        self.view = "cards"
        self.cards = cards(app.codebook)
        self.index = 0
        self.steps = full_exchange(app.codebook, headcount=EXAMPLE_HEADCOUNT)
        self.step = 0
        self.cue = None
        self.cue_group_start: list[float] = []
        self.seed = 0
        self.conditions = None

    # -- widgets ------------------------------------------------------------------------------------------------
    def build(self, rect):
        tabs = pygame.Rect(rect.x, rect.y, min(rect.width, 760), 48)
        for r, (view, key, shortcut) in zip(row(tabs, 3), (("cards", "learn.cards", pygame.K_c),
                                                           ("helmet", "learn.helmet", pygame.K_h),
                                                           ("walk", "learn.walk", pygame.K_w))):
            self.button(r, self.text(key), lambda v=view: self.show(v), key=shortcut,
                        object_id="#toggle_on" if view == self.view else None)
        bottom = pygame.Rect(rect.x, rect.bottom - 52, rect.width, 52)
        if self.view == "cards":
            card = self.cards[self.index]
            players = self._players(card)
            buttons = [(self.text("learn.prev"), lambda: self.flip(-1), pygame.K_PAGEUP)]
            buttons += [(self.text("learn.play_as", role=self.app.role_name(listener)),
                         lambda s=sender, l=listener: self.play_card(s, l), pygame.K_1 + i)
                        for i, (sender, listener) in enumerate(players)]
            buttons.append((self.text("learn.next"), lambda: self.flip(1), pygame.K_PAGEDOWN))
            widths = row(bottom, len(buttons), weights=[self.label_px(label, key=key) for label, _, key in buttons])
            for r, (label, action, key) in zip(widths, buttons):
                self.button(r, label, action, key=key)
            if players:
                self.focus_on(self._controls[4].element)
        elif self.view == "walk":
            buttons = [(self.text("learn.prev_step"), lambda: self.move_step(-1), pygame.K_PAGEUP),
                       (self.text("listen.replay"), self.play_step, pygame.K_p),
                       (self.text("learn.next_step"), lambda: self.move_step(1), pygame.K_PAGEDOWN)]
            for r, (label, action, key) in zip(row(bottom, 3), buttons):
                self.button(r, label, action, key=key)
            self.focus_on(self._controls[-1].element)

    def _players(self, card: Card) -> list[tuple[str, str]]:
        """(sender, listener) pairs this card can be played for."""
        cb = self.app.codebook
        if card.signal_id == HEADCOUNT:
            return [(cb.trapped, cb.rescuer)]
        return [(rule.role, cb.other_role(rule.role)) for rule in cb.signal(card.signal_id).senders]

    # -- actions ------------------------------------------------------------------------------------------------
    def show(self, view: str):
        self.view = view
        self.app.speaker.stop()
        self.cue = None
        self.rebuild()
        if view == "walk":
            self.play_step()

    def flip(self, step: int):
        self.index = (self.index + step) % len(self.cards)
        self.app.speaker.stop()
        self.cue = None
        self.rebuild()

    def move_step(self, step: int):
        new = max(0, min(len(self.steps) - 1, self.step + step))
        if new != self.step:
            self.step = new
            self.play_step()

    def play_card(self, sender: str, listener: str):
        card = self.cards[self.index]
        self._play([Group(card.knocks, sender)], listener)
        self.app.settings.hear(self.app.trainee_name, card.signal_id)  # the course's first step counts these
        self.app.save_settings()

    def play_step(self):
        reading = self.steps[self.step]
        sender = reading.sender
        self._play([Group(reading.count, sender)], self.app.codebook.other_role(sender))

    def _play(self, groups, listener):
        self.seed += 1
        sound = self.app.settings.practice(self.app.trainee_name)
        rendering = render_heard(self.app.codebook, groups, listener=listener, seed=self.seed,
                                 conditions=sound.conditions(self.app.codebook, listener=listener))
        self.conditions = rendering.conditions  # what the trainee just heard
        self.cue = self.app.speaker.play_rendering(rendering)
        self.cue_group_start = [g.start_s for g in rendering.groups]
        self.app.log("play", knocks=[k.time_s for k in rendering.knocks])

    def on_key(self, event):
        if event.key in (pygame.K_LEFT, pygame.K_RIGHT):
            step = -1 if event.key == pygame.K_LEFT else 1
            if self.view == "cards":
                self.flip(step)
            elif self.view == "walk":
                self.move_step(step)
            return True, None
        if self.view == "walk" and event.key in (pygame.K_RETURN, pygame.K_KP_ENTER, pygame.K_SPACE):
            if self.focused is self._controls[-1].element or event.key == pygame.K_SPACE:
                self.move_step(1)
                return True, None
        return False, None

    # -- drawing ------------------------------------------------------------------------------------------------
    def _lit(self) -> tuple[int | None, float | None]:
        """(knocks heard so far, seconds since the latest) of the sound playing, or (None, None)."""
        if self.cue is None:
            return None, None
        heard = self.cue.heard_times_s()
        since = self.app.now_s() - heard[-1] if heard else None
        return len(heard), since

    def draw_content(self, surface, rect):
        body = pygame.Rect(rect.x, rect.y + 64, rect.width, rect.height - 64 - 64)
        if rect.width - 780 >= 300:  # beside the tabs, where there is room
            sound = summary(self.app.settings.practice(self.app.trainee_name), self.app.codebook, self.app.lang)
            draw_text(surface, self.text("practice.now", sound=sound), (rect.x + 780, rect.y + 2),
                      self.app.theme.font(17), self.app.theme.muted, width_px=rect.width - 780)
        if self.view == "cards":
            self._draw_card(surface, body)
        elif self.view == "helmet":  # no buttons under the card: it takes the whole height
            self._draw_helmet(surface, pygame.Rect(body.x, body.y, body.width, rect.bottom - body.y))
        else:
            self._draw_walk(surface, body)

    def _draw_card(self, surface, rect):
        app, theme, cb = self.app, self.app.theme, self.app.codebook
        card = self.cards[self.index]
        draw_panel(surface, rect, theme)
        inner = rect.inflate(-48, -32)
        if card.signal_id == HEADCOUNT:
            name = app.t(cb.headcount.name)
        else:
            name = app.t(cb.signal(card.signal_id).name)
        title = f"{name} · {self.text('learn.knocks', n=card.knocks)}"
        draw_text(surface, title, inner.topleft, theme.font(40, bold=True), theme.accent)
        draw_text(surface, self.text("learn.card_of", i=self.index + 1, n=len(self.cards)),
                  (inner.right - 200, inner.y + 8), theme.font(18), theme.muted, width_px=200, align="right")
        interval = cb.timing.knock_interval_s
        times = group_times(card.knocks, interval)
        span = max(5 * interval, times[-1] + interval)
        lit, since = self._lit()
        beats = pygame.Rect(inner.x, inner.y + 70, inner.width - (130 if app.visual_beats else 0), 70)
        draw_beats(surface, beats, theme, times, span_s=span, colour=theme.accent, lit=lit, start_s=-interval / 2)
        self.flash_rect = pygame.Rect(inner.right - 110, inner.y + 55, 100, 100) if app.visual_beats else None
        if self.flash_rect is not None:
            draw_flash(surface, self.flash_rect, theme, since_s=since)
        y = inner.y + 170
        draw_text(surface, self.text("learn.timing", interval=interval, gap=cb.timing.group_gap_s),
                  (inner.x, y), theme.font(18), theme.muted)
        y += 36
        if card.signal_id == HEADCOUNT:
            decision = next((d for d in cb.decisions if d.id == "headcount-sequence"), None)
            lines = [app.t(cb.headcount.meaning.format(n=card.knocks)),
                     self.text("learn.headcount_example", n=card.knocks)]
            if decision is not None:
                lines.append(app.t(decision.text))
            font = fit_font(theme, lines, width_px=inner.width, height_px=inner.bottom - y, gap_px=10)
            for line in lines:
                y = draw_text(surface, line, (inner.x, y), font, theme.text, width_px=inner.width).bottom + 10
            return
        signal = cb.signal(card.signal_id)
        box_h = min(inner.bottom - y, 170)
        boxes = row(pygame.Rect(inner.x, y, inner.width, box_h), len(signal.senders), gap_px=20)
        y += box_h + 14
        for line in (app.t(cb.precondition), *(app.t(r) for r in cb.rules[1:])):
            if y + 24 > inner.bottom:
                break
            y = draw_text(surface, "· " + line, (inner.x, y), theme.font(18), theme.muted, width_px=inner.width).bottom + 4
        for box, rule in zip(boxes, signal.senders):
            colour = theme.role_colour(app.role_index(rule.role))
            draw_panel(surface, box, theme, edge=colour, width_px=3)
            x, yy, w = box.x + 16, box.y + 12, box.width - 32
            sent_by, replies = self.text("learn.sent_by", role=app.role_name(rule.role)), self._replies(rule.replies)
            room = box.bottom - 8 - yy - text_height(sent_by, theme.font(22, bold=True), w) - 16
            meaning_font = fit_font(theme, [app.t(rule.meaning)], width_px=w, sizes=(26, 22, 20, 18),
                                    height_px=room - text_height(replies, theme.font(20), w))
            replies_font = fit_font(theme, [replies], width_px=w, sizes=(20, 18, 16, 14),
                                    height_px=room - text_height(app.t(rule.meaning), meaning_font, w))
            yy = draw_text(surface, sent_by, (x, yy), theme.font(22, bold=True), colour, width_px=w).bottom + 6
            yy = draw_text(surface, app.t(rule.meaning), (x, yy), meaning_font, theme.text, width_px=w).bottom + 10
            draw_text(surface, replies, (x, yy), replies_font, theme.muted, width_px=w)

    def _replies(self, replies) -> str:
        cb, app = self.app.codebook, self.app
        if not replies:
            return self.text("learn.no_reply")
        parts = []
        for reply in replies:
            if reply == HEADCOUNT:
                parts.append(app.t(cb.headcount.meaning.format(n="N")))
            else:
                s = cb.signal(reply)
                parts.append(f"{app.t(s.name)}（{self.text('learn.knocks', n=s.knocks)}）" if app.lang == "zh"
                             else f"{app.t(s.name)} ({self.text('learn.knocks', n=s.knocks)})")
        return self.text("learn.reply", reply=self.text("learn.then").join(parts))

    def _draw_helmet(self, surface, rect):
        width = min(rect.width, 900)
        card = pygame.Rect(rect.centerx - width // 2, rect.y, width, rect.height)
        draw_panel(surface, card, self.app.theme, fill=(246, 240, 222), edge=self.app.theme.accent, width_px=4)
        note_y = card.bottom - 30
        scale = next((s for s in HELMET_SCALES if self._helmet_text(None, card, s) <= note_y), HELMET_SCALES[-1])
        self._helmet_text(surface, card, scale)
        draw_text(surface, self.text("learn.helmet_note"), (card.x + 28, note_y), self.app.theme.font(15),
                  (110, 100, 80), width_px=card.width - 56)

    def _helmet_text(self, surface, card, scale: float) -> int:
        """The helmet card's text with its sizes times ``scale``, drawn (or, with no surface, only measured);
        returns the y below it."""
        app, theme, cb = self.app, self.app.theme, self.app.codebook
        ink, x, w = (30, 30, 30), card.x + 28, card.width - 56

        def put(text, pos, size_px, colour, width_px, bold=False):
            font = theme.font(round(size_px * scale), bold=bold)
            if surface is None:
                return pygame.Rect(pos, (width_px, text_height(text, font, width_px)))
            return draw_text(surface, text, pos, font, colour, width_px=width_px)

        y = put(app.t(cb.short_name) or app.t(cb.title), (x, card.y + 14), 30, (150, 20, 20), w, bold=True).bottom + 2
        y = put(app.t(cb.precondition), (x, y), 17, ink, w).bottom + 10
        step = round(30 * scale)
        for signal in cb.signals:
            if surface is not None:
                for i in range(signal.knocks):
                    pygame.draw.circle(surface, ink, (x + 14 + i * step, y + step // 2 + 2), round(11 * scale))
            meanings = " / ".join(f"{app.role_name(r.role)}: {app.t(r.meaning)}" for r in signal.senders)
            text = f"{app.t(signal.name)} — {meanings}"
            dots_w = 6 * step + 10
            h = put(text, (x + dots_w, y + 4), 20, ink, w - dots_w).height
            y += max(step + 10, h + 10)
        hc = f"{app.t(cb.headcount.name)} — {app.t(cb.headcount.meaning.format(n='N'))}"
        y = put(hc, (x, y + 4), 20, ink, w).bottom + 8
        for rule in cb.rules:
            y = put("· " + app.t(rule), (x, y), 17, ink, w).bottom + 2
        return y

    def _draw_walk(self, surface, rect):
        app, theme, cb = self.app, self.app.theme, self.app.codebook
        draw_text(surface, self.text("learn.walk_step", i=self.step + 1, n=len(self.steps)) + " · "
                  + self.text("learn.walk_hint"), rect.topleft, theme.font(18), theme.muted, width_px=rect.width)
        lanes = pygame.Rect(rect.x, rect.y + 34, rect.width, rect.height - 150)
        half = lanes.width // 2
        for i, role in enumerate(r.id for r in cb.roles):
            colour = theme.role_colour(i)
            lane_x = lanes.x + (0 if role == cb.rescuer else half)
            draw_text(surface, app.role_name(role), (lane_x + 8, lanes.y), theme.font(22, bold=True), colour)
        row_h = max(30, min(48, (lanes.height - 36) // max(1, len(self.steps))))
        # the latest steps that fit, the current one last (its label may take two lines)
        shown = max(1, (lanes.height - 36 - 2 * theme.font(19).get_linesize()) // row_h + 1)
        first = max(0, self.step + 1 - shown)
        interval = cb.timing.knock_interval_s
        lit, since = self._lit()
        for i, reading in enumerate(self.steps[first: self.step + 1], start=first):
            lane_x = lanes.x + (0 if reading.sender == cb.rescuer else half)
            y = lanes.y + 36 + (i - first) * row_h
            colour = theme.role_colour(app.role_index(reading.sender))
            current = i == self.step
            beats = pygame.Rect(lane_x + 8, y, min(half - 20, 24 * max(5, reading.count)), row_h - 6)
            draw_beats(surface, beats, theme, group_times(reading.count, interval),
                       span_s=max(5, reading.count) * interval, start_s=-interval / 2,
                       colour=colour if current else theme.ideal, lit=lit if current else None, labels=False,
                       radius_px=max(5, row_h // 4))
            label = f"{reading.count} · {app.t(reading.meaning)}"
            draw_text(surface, label, (beats.right + 10, y + 2), theme.font(18 if not current else 19, bold=current),
                      theme.text if current else theme.muted, width_px=max(80, lane_x + half - beats.right - 24))
        reading = self.steps[self.step]
        box = pygame.Rect(rect.x, rect.bottom - 104, rect.width - (120 if app.visual_beats else 0), 100)
        draw_panel(surface, box, theme, edge=theme.role_colour(app.role_index(reading.sender)))
        who = app.role_name(reading.sender)
        text = f"{who}: {reading.count} — {app.t(reading.meaning)}"
        if reading.expects:
            want = reading.expects[0]
            name = (app.t(cb.headcount.name) if want.reply == HEADCOUNT else app.t(cb.signal(want.reply).name))
            if want.knocks:
                name += f" ({want.knocks})"
            follow = self.text("learn.expects", role=app.role_name(want.role), reply=name)
        else:
            follow = self.text("learn.done")
        w = box.width - 32
        font = fit_font(theme, [text], width_px=w, height_px=box.height - 24 - text_height(follow, theme.font(20), w),
                        sizes=(24, 22, 20, 18), bold=True)
        y = draw_text(surface, text, (box.x + 16, box.y + 10), font, theme.text, width_px=w).bottom + 4
        draw_text(surface, follow, (box.x + 16, y), theme.font(20), theme.muted, width_px=w)
        if app.visual_beats:
            draw_flash(surface, pygame.Rect(rect.right - 100, rect.bottom - 100, 96, 96), theme, since_s=since,
                       colour=theme.role_colour(app.role_index(reading.sender)))
