"""Home: the six activities, and the switches for sound, visual beats and language."""

from __future__ import annotations

import pygame
from pygame_gui.core import ObjectID

from rescue_signals.app.drawing import draw_panel, draw_text, fit_font
from rescue_signals.app.phrases import language_name, next_language
from rescue_signals.app.scene import Scene, row

ACTIVITIES = ("learn", "listen", "knock", "exchange", "decode", "progress")


class HomeScene(Scene):
    title_key = "home.title"

    def build(self, rect: pygame.Rect) -> None:
        switches = [("home.course", self.course, pygame.K_c),
                    ("home.sound", self.toggle_sound, pygame.K_s),
                    ("home.beats", self.toggle_beats, pygame.K_v),
                    ("home.language", self.toggle_language, pygame.K_l),
                    ("home.switch", self.switch_trainee, pygame.K_t),
                    ("home.desk", self.desk, pygame.K_d),
                    ("home.practice", self.practice_sound, pygame.K_p),
                    ("home.quit", self.quit, pygame.K_q)]
        # one row of switches when their labels fit, else two; the tiles take what is left
        font = self.app.theme.font(20)
        widest = max(font.size(f"[{pygame.key.name(k).upper()}] {self._label(name)}")[0] for name, _, k in switches)
        bar_rows = 1 if (widest + 28) * len(switches) + 12 * (len(switches) - 1) <= rect.width else 2
        bar_h = 52 * bar_rows + 8 * (bar_rows - 1)
        cols = 3 if rect.width >= 900 else 2
        rows = (len(ACTIVITIES) + cols - 1) // cols
        tile_h = min(190, (rect.height - bar_h - 38) // rows - 16)
        width = (rect.width - 16 * (cols - 1)) // cols
        self.tiles = []
        big = self.app.theme.font(28, bold=True)  # the tiles' labels share one size: the largest all fit in
        all_fit = all(big.size(f"[{i + 1}] {self.text(f'home.{name}')}")[0] + 28 <= width
                      for i, name in enumerate(ACTIVITIES))
        tile_id = "#big" if all_fit else ObjectID(class_id="@medium_text")
        for i, name in enumerate(ACTIVITIES):
            r = pygame.Rect(rect.x + (i % cols) * (width + 16), rect.y + (i // cols) * (tile_h + 16), width, 60)
            self.button(r, self.text(f"home.{name}"), lambda n=name: self.open(n), key=pygame.K_1 + i,
                        object_id=tile_id)
            self.tiles.append((name, pygame.Rect(r.x, r.y, width, tile_h)))
        per_row = (len(switches) + bar_rows - 1) // bar_rows
        for line in range(bar_rows):
            bar = pygame.Rect(rect.x, rect.bottom - bar_h + line * 60, rect.width, 52)
            for r, (key, action, shortcut) in zip(row(bar, per_row), switches[line * per_row:(line + 1) * per_row]):
                on = {"home.sound": self.app.speaker.audible, "home.beats": self.app.settings.visual_beats}.get(key)
                self.button(r, self._label(key), action, key=shortcut, object_id="#toggle_on" if on else None)

    def _label(self, key: str) -> str:
        # the language switch is labelled with the name of the language it turns to, in that language
        return language_name(next_language(self.app.lang)) if key == "home.language" else self.text(key)

    def open(self, name: str):
        self.app.settings.last_scene = name
        self.app.save_settings()
        return self.go(name)

    def course(self):
        return self.go("course")

    def toggle_sound(self):
        self.app.set_sound(not self.app.settings.sound)
        self.rebuild()

    def toggle_beats(self):
        self.app.settings.visual_beats = not self.app.settings.visual_beats
        self.app.save_settings()
        self.rebuild()

    def toggle_language(self):
        self.app.set_language(next_language(self.app.lang))
        self.rebuild()

    def switch_trainee(self):
        return self.go("start")

    def desk(self):
        return self.go("desk", came_from="home")

    def practice_sound(self):
        return self.go("practice")

    def quit(self):
        pygame.event.post(pygame.event.Event(pygame.QUIT))

    def back(self):
        return None

    def draw_content(self, surface, rect):
        theme = self.app.theme
        for name, tile in self.tiles:
            draw_panel(surface, tile, theme, edge=theme.panel)
            about = self.text(f"home.{name}.about")
            font = fit_font(theme, [about], width_px=tile.width - 28, height_px=tile.height - 76, sizes=(19, 17, 16, 15))
            draw_text(surface, about, (tile.x + 14, tile.y + 70), font, theme.muted, width_px=tile.width - 28)
