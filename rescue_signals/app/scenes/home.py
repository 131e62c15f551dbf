"""Home: the six activities, and the switches for sound, visual beats and language."""

from __future__ import annotations

import pygame

from rescue_signals.app.drawing import draw_text
from rescue_signals.app.phrases import language_name, next_language
from rescue_signals.app.scene import Scene, row

ACTIVITIES = ("learn", "listen", "knock", "exchange", "decode", "progress")


class HomeScene(Scene):
    title_key = "home.title"

    def build(self, rect: pygame.Rect) -> None:
        cols = 2 if rect.width < 1200 else 3
        rows = (len(ACTIVITIES) + cols - 1) // cols
        tile_h = min(190, (rect.height - 90) // rows - 16)
        width = (rect.width - 16 * (cols - 1)) // cols
        self.tiles = []
        for i, name in enumerate(ACTIVITIES):
            r = pygame.Rect(rect.x + (i % cols) * (width + 16), rect.y + (i // cols) * (tile_h + 16), width, 60)
            self.button(r, self.text(f"home.{name}"), lambda n=name: self.open(n), key=pygame.K_1 + i,
                        object_id="#big")
            self.tiles.append((name, pygame.Rect(r.x, r.y, width, tile_h)))
        bar = pygame.Rect(rect.x, rect.bottom - 52, rect.width, 52)
        switches = [("home.course", self.course, pygame.K_c),
                    ("home.sound", self.toggle_sound, pygame.K_s),
                    ("home.beats", self.toggle_beats, pygame.K_v),
                    ("home.language", self.toggle_language, pygame.K_l),
                    ("home.switch", self.switch_trainee, pygame.K_t),
                    ("home.desk", self.desk, pygame.K_d),
                    ("home.practice", self.practice_sound, pygame.K_p),
                    ("home.quit", self.quit, pygame.K_q)]
        for r, (key, action, shortcut) in zip(row(bar, len(switches)), switches):
            on = {"home.sound": self.app.speaker.audible, "home.beats": self.app.settings.visual_beats}.get(key)
            label = language_name(next_language(self.app.lang)) if key == "home.language" else self.text(key)
            self.button(r, label, action, key=shortcut, object_id="#toggle_on" if on else None)

    def open(self, name: str):
        from rescue_signals.app.scenes import by_name

        self.app.settings.last_scene = name
        self.app.save_settings()
        return by_name(self.app, name)

    def course(self):
        from rescue_signals.app.scenes.course import CourseScene

        return CourseScene(self.app)

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
        from rescue_signals.app.scenes.start import StartScene

        return StartScene(self.app)

    def desk(self):
        from rescue_signals.app.scenes import by_name

        return by_name(self.app, "desk", came_from="home")

    def practice_sound(self):
        from rescue_signals.app.scenes import by_name

        return by_name(self.app, "practice")

    def quit(self):
        pygame.event.post(pygame.event.Event(pygame.QUIT))

    def back(self):
        return None

    def draw_content(self, surface, rect):
        theme = self.app.theme
        for name, tile in self.tiles:
            pygame.draw.rect(surface, theme.panel, tile, border_radius=10)
            about = self.text(f"home.{name}.about")
            draw_text(surface, about, (tile.x + 14, tile.y + 70), theme.font(19), theme.muted,
                      width_px=tile.width - 28)
