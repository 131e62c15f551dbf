"""Start: choose or create a trainee, pick the language, or continue where the last session stopped."""

from __future__ import annotations

import pygame

from rescue_signals.app.drawing import draw_text
from rescue_signals.app.phrases import language_name, next_language
from rescue_signals.app.scene import Scene, row
from rescue_signals.errors import RescueSignalsError

MAX_LISTED = 9  # one number key each


def choose_trainee(app, name: str):
    """Make ``name`` the current trainee, adding them to the records if new."""
    name = name.strip()
    trainee = name
    if app.records is not None:
        try:
            trainee = app.records.ensure_trainee(name)
        except RescueSignalsError as exc:
            app.records_failed(str(exc))
    app.trainee = trainee
    app.settings.last_trainee = name
    app.save_settings()
    app.log("trainee", name=name)
    return trainee


class StartScene(Scene):
    title_key = "start.title"

    def __init__(self, app):
        super().__init__(app)
        self.name = ""
        self.problem: str | None = None
        self.names = self._known_names()

    def _known_names(self) -> list[str]:
        if self.app.records is None:
            return []
        return [t.name for t in self.app.records.trainees()]

    def build(self, rect: pygame.Rect) -> None:
        self.intro_rect = pygame.Rect(rect.x, rect.y, rect.width, 70)
        form = pygame.Rect(rect.x, rect.y + 110, min(rect.width, 900), 56)
        entry_rect, add_rect = row(form, 2)
        entry_rect.width, add_rect.x, add_rect.width = form.width - 260, form.right - 248, 248
        self.entry_widget = self.entry(entry_rect, self.name, self.add)
        self.button(add_rect, self.text("start.add"), self.add)
        y = form.bottom + 24
        last = self.app.settings.last_trainee
        if last and last in self.names:
            self.button(pygame.Rect(rect.x, y, 520, 56), self.text("start.continue", name=last),
                        lambda: self.start(last, resume=True), key=pygame.K_F2, object_id="#big")
            y += 80
        self.list_top = y
        shown = self.names[:MAX_LISTED]
        cols = 3
        width = (min(rect.width, 1100) - 24) // cols
        for i, name in enumerate(shown):
            r = pygame.Rect(rect.x + (i % cols) * (width + 12), y + 36 + (i // cols) * 64, width, 52)
            self.button(r, name, lambda n=name: self.start(n), key=pygame.K_1 + i)
        lang_rect = pygame.Rect(rect.right - 200, rect.y, 200, 48)
        self.button(lang_rect, language_name(next_language(self.app.lang)), self.toggle_language, key=pygame.K_F3)
        self.button(pygame.Rect(rect.right - 260, rect.y + 56, 260, 44), self.text("home.desk"), self.desk,
                    key=pygame.K_F4)
        self.focus_on(self.entry_widget)

    def _sync(self) -> None:
        if self.container is not None:
            self.name = self.entry_widget.get_text()

    def add(self):
        self._sync()
        if not self.name.strip():
            self.problem = self.text("start.empty_name")
            return None
        return self.start(self.name)

    def start(self, name: str, *, resume: bool = False):
        from rescue_signals.app.router import SCENES

        choose_trainee(self.app, name)
        last = self.app.settings.last_scene
        if resume and last in SCENES and last not in ("start",):
            return self.go(last)
        return self.go("course")  # what to do next comes first

    def desk(self):
        self._sync()
        return self.go("desk", came_from="start")

    def toggle_language(self):
        self._sync()
        self.app.set_language(next_language(self.app.lang))
        self.rebuild()
        return None

    def back(self):
        return None  # nowhere to go back to from the first screen

    def draw_content(self, surface, rect):
        theme = self.app.theme
        draw_text(surface, self.text("start.intro", title=self.app.t(self.app.codebook.title)),
                  rect.topleft, theme.font(22), theme.muted, width_px=rect.width - 230)
        new = draw_text(surface, self.text("start.new"), (rect.x, rect.y + 76), theme.font(22, bold=True), theme.text)
        if self.problem:  # beside the heading of the form it is about
            x = new.x + theme.font(22, bold=True).size(self.text("start.new"))[0] + 24
            draw_text(surface, self.problem, (x, new.y + 2), theme.font(20), theme.bad, width_px=rect.right - x)
        label = self.text("start.pick") if self.names else self.text("start.none")
        draw_text(surface, label, (rect.x, self.list_top), theme.font(22, bold=True), theme.text)
