"""Practice sound: the trainee chooses how practice sounds (medium, noise, distance, SNR, tempo, gap compression),
hears a preview, or goes back to the defaults. Kept per trainee in the preferences; Learn and the exchange use it.
"""

from __future__ import annotations

import pygame
import pygame_gui

from rescue_signals.app.drawing import draw_panel, draw_text, text_height
from rescue_signals.app.hearing import render_heard
from rescue_signals.app.practice import PracticeSound, gap_line, value_text
from rescue_signals.app.scene import Scene, row
from rescue_signals.app.timeline import draw_flash

DROP_DOWNS = ("medium", "noises")
"""Settings shown as a drop-down; the others, being numbers, as a slider."""

ROW_PX = 46
VALUE_PX = 300
"""Room beside a slider for its value in words."""


class PracticeScene(Scene):
    title_key = "practice.title"
    arrows_navigate = False  # ↑/↓ pick a setting, ←/→ change it

    def __init__(self, app):
        super().__init__(app)
        self.sound = app.settings.practice(app.trainee_name)
        self.names = tuple(PracticeSound.CHOICES)
        self.selected = 0
        self.future = None
        self.cue = None
        self.seed = 0
        self.widgets: dict[str, pygame_gui.core.UIElement] = {}

    # -- widgets ------------------------------------------------------------------------------------------------
    def build(self, rect):
        cb, lang = self.app.codebook, self.app.lang
        self.widgets = {}
        for i, name in enumerate(self.names):
            r = self._widget_rect(rect, i)
            choices = PracticeSound.CHOICES[name]
            index = self.sound.index(name)
            if name in DROP_DOWNS:
                options = [(value_text(cb, name, v, lang), str(k)) for k, v in enumerate(choices)]
                element = pygame_gui.elements.UIDropDownMenu(options, options[index], r, self.app.ui,
                                                             container=self.container)
            else:
                element = pygame_gui.elements.UIHorizontalSlider(r, index, (0, len(choices) - 1), self.app.ui,
                                                                 container=self.container, click_increment=1)
            self.widgets[name] = element
        bar = pygame.Rect(rect.x, rect.bottom - 52, min(rect.width, 760), 52)
        preview, reset = row(bar, 2)
        self.focus_on(self.button(preview, self.text("practice.preview"), self.preview, key=pygame.K_p))
        self.button(reset, self.text("practice.reset"), self.reset, key=pygame.K_r)

    def _widget_rect(self, rect, i: int) -> pygame.Rect:
        label_w = min(300, rect.width // 4)
        room = rect.width - label_w
        width = min(760, room) if self.names[i] in DROP_DOWNS else min(520, room - VALUE_PX)
        height = min(ROW_PX, (rect.height - self._below_px(rect)) // len(self.names) - 10)  # notes, buttons below
        return pygame.Rect(rect.x + label_w, rect.y + i * (height + 10), width, height)

    def _below_px(self, rect) -> int:
        """The height the notes and the buttons take under the settings, as :meth:`draw_content` sets them."""
        theme = self.app.theme
        gaps, *notes = self.notes()
        h = 14 + text_height(gaps, theme.font(22, bold=True), rect.width) + 8
        h += sum(text_height(note, theme.font(18), rect.width) + 4 for note in notes)
        return h + 12 + 52

    # -- changes ------------------------------------------------------------------------------------------------
    def choose(self, sound: PracticeSound, *, rebuild: bool = True):
        """Take ``sound`` as the trainee's practice sound and keep it."""
        if sound == self.sound:
            return
        self.sound = sound
        self.app.settings.set_practice(self.app.trainee_name, sound)
        self.app.save_settings()
        self.app.log("practice-sound", **sound.as_dict())
        if rebuild:
            self.rebuild()

    def reset(self):
        self.choose(PracticeSound())

    def preview(self):
        cb = self.app.codebook
        groups, listener = self.sound.preview(cb)
        self.seed += 1
        self.app.speaker.stop()
        self.cue = None
        self.future = self.app.background(render_heard, cb, groups, listener=listener, seed=self.seed,
                                          conditions=self.sound.conditions(cb, listener=listener))

    def on_key(self, event):
        if event.key in (pygame.K_UP, pygame.K_DOWN):
            self.selected = (self.selected + (1 if event.key == pygame.K_DOWN else -1)) % len(self.names)
            return True, None
        if event.key in (pygame.K_LEFT, pygame.K_RIGHT):
            self.choose(self.sound.stepped(self.names[self.selected], 1 if event.key == pygame.K_RIGHT else -1))
            return True, None
        return False, None

    def on_other(self, event):
        name = next((n for n, w in self.widgets.items() if w is getattr(event, "ui_element", None)), None)
        if name is None:
            return None
        self.selected = self.names.index(name)
        if event.type == pygame_gui.UI_DROP_DOWN_MENU_CHANGED:
            self.choose(self.sound.chosen(name, int(event.selected_option_id)), rebuild=False)
        elif event.type == pygame_gui.UI_HORIZONTAL_SLIDER_MOVED:
            self.choose(self.sound.chosen(name, round(event.value)), rebuild=False)  # the slider is being held
        return None

    def update(self, dt_s):
        if self.future is not None and self.future.done():
            rendering, self.future = self.future.result(), None
            self.cue = self.app.speaker.play_rendering(rendering)
            self.app.log("play", preview=True, offsets_s=list(self.cue.offsets_s), **rendering.conditions.as_dict())
        return None

    # -- drawing ------------------------------------------------------------------------------------------------
    def footer_hint(self) -> str:
        return self.text("practice.keys")

    def notes(self) -> list[str]:
        """The lines under the settings: the gaps between groups (compressed or not), where the sound is used, what
        the preview plays."""
        return [gap_line(self.sound, self.app.codebook, self.app.lang), self.text("practice.applies"),
                self.text("practice.preview_what")]

    def draw_content(self, surface, rect):
        theme, cb, lang = self.app.theme, self.app.codebook, self.app.lang
        for i, name in enumerate(self.names):
            r = self._widget_rect(rect, i)
            line = pygame.Rect(rect.x, r.y - 4, rect.width, r.height + 8)
            if i == self.selected:
                draw_panel(surface, line, theme, edge=theme.accent)
            font = theme.font(21, bold=i == self.selected)
            middle = r.centery - font.get_linesize() // 2
            draw_text(surface, self.text(f"practice.{name}"), (rect.x + 14, middle), font, theme.text,
                      width_px=r.x - rect.x - 20)
            if name not in DROP_DOWNS:
                shown = value_text(cb, name, getattr(self.sound, name), lang)
                if name == "snr_db" and self.sound.noises == ():
                    shown += " " + self.text("practice.snr_unused")
                draw_text(surface, shown, (r.right + 16, middle), theme.font(21), theme.text)
        y = self._widget_rect(rect, len(self.names) - 1).bottom + 14
        compressed = self.sound.gaps_compressed
        gaps, *notes = self.notes()
        y = draw_text(surface, gaps, (rect.x, y), theme.font(22, bold=compressed),
                      theme.warn if compressed else theme.text, width_px=rect.width).bottom + 8
        for note in notes:
            y = draw_text(surface, note, (rect.x, y), theme.font(18), theme.muted, width_px=rect.width).bottom + 4
        if self.cue is not None:
            heard = self.cue.heard_times_s()
            bar_y = rect.bottom - 52
            bar_right = rect.x + min(rect.width, 760)
            draw_text(surface, self.text("practice.heard", n=len(heard), total=len(self.cue.offsets_s)),
                      (bar_right + 16, bar_y + 12), theme.font(20), theme.accent)
            if self.app.visual_beats:
                since = self.app.now_s() - heard[-1] if heard else None
                draw_flash(surface, pygame.Rect(rect.right - 60, bar_y, 52, 52), theme, since_s=since)
