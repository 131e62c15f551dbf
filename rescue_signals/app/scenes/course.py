"""The course: the first screen after choosing a trainee. What to do next and why, every step of the ladder with
its pass mark and the distance to it, and the signals due for review. Nothing is locked: any step opens with Enter.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pygame

from rescue_signals.app.answers import label_text
from rescue_signals.app.drawing import draw_panel, draw_text, fit_font, text_height
from rescue_signals.app.scene import Scene
from rescue_signals.codebook import HEADCOUNT
from rescue_signals.drill.course import StepStatus, build_course, course_status, next_step
from rescue_signals.errors import RecordsError

PASSED, NEXT, OPEN = "✓", "→", "·"


class CourseScene(Scene):
    title_key = "course.title"

    def __init__(self, app):
        super().__init__(app)
        from rescue_signals.drill import load_scenario, shipped_scenarios

        extra = [load_scenario(p, app.codebook) for p in app.scenario_paths]
        scenarios = extra + [s for s in shipped_scenarios() if s.codebook_id == app.codebook.id]
        self.steps = build_course(scenarios)
        self.refresh()
        upcoming = next_step(self.statuses)
        self.selected = self.statuses.index(upcoming) if upcoming is not None else 0

    # -- state --------------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read where the trainee stands from the records (and the cards heard in Learn)."""
        app = self.app
        sessions = []
        if app.records is not None and app.trainee is not None:
            try:
                sessions = app.records.sessions(trainee_id=app.trainee.id)
            except RecordsError as exc:  # shown until acknowledged; the course still opens
                app.records_failed(str(exc))
        cards = tuple(s.id for s in app.codebook.signals) + (HEADCOUNT,)
        self.statuses: list[StepStatus] = course_status(self.steps, sessions, heard=app.settings.heard(
            app.trainee_name), signals=cards)
        self.due = self._due()

    def _due(self) -> list[str]:
        """Signals the spaced-repetition schedule says are due now (only once the trainee has practised)."""
        from rescue_signals.drill import refreshers

        app = self.app
        if app.records is None or app.trainee is None:
            return []
        try:
            practice = app.records.practice(app.trainee.id)
        except RecordsError:  # shown by refresh() already
            return []
        if not practice:
            return []
        return [r.label for r in refreshers(practice, now=datetime.now(timezone.utc)) if r.overdue]

    @property
    def status(self) -> StepStatus:
        return self.statuses[self.selected]

    # -- widgets ------------------------------------------------------------------------------------------------
    def build(self, rect: pygame.Rect) -> None:
        upcoming = next_step(self.statuses)
        per_column = (len(self.statuses) + 1) // 2
        area = self._list_rect(rect)
        gap = 8
        height = max(30, min(44, (area.height - gap * (per_column - 1)) // per_column))
        width = (area.width - 12) // 2
        self.step_buttons = []
        for i, st in enumerate(self.statuses):
            mark = PASSED if st.passed else NEXT if st is upcoming else OPEN
            col, line = divmod(i, per_column)
            r = pygame.Rect(area.x + col * (width + 12), area.y + line * (height + gap), width, height)
            label = f"{mark} {self.app.t(st.step.title)}"
            element = self.button(r, label, lambda k=i: self.open_step(k),
                                  object_id="#toggle_on" if st.passed else None)
            self.step_buttons.append(element)
        self.focus_on(self.step_buttons[self.selected])
        bar = pygame.Rect(rect.x, rect.bottom - 52, min(rect.width, 760), 52)
        left, right = pygame.Rect(bar.x, bar.y, bar.width // 2 - 6, 52), pygame.Rect(bar.centerx + 6, bar.y,
                                                                                       bar.width // 2 - 6, 52)
        self.button(left, self.text("course.start"), lambda: self.open_step(self.selected), key=pygame.K_s)
        self.button(right, self.text("course.menu"), self.back, key=pygame.K_m)
        sound = pygame.Rect(bar.right + 12, bar.y, max(0, min(300, rect.right - bar.right - 12)), 52)
        small = self.app.theme.font(20).size(f"[P] {self.text('home.practice')}")[0] + 28 > sound.width
        self.button(sound, self.text("home.practice"), self.practice_sound, key=pygame.K_p,
                    object_id=ObjectID(class_id="@small_text") if small else None)

    @staticmethod
    def _list_rect(rect: pygame.Rect) -> pygame.Rect:
        share = 0.58 if rect.width >= 1200 else 0.62  # narrow windows: the step names need the room
        return pygame.Rect(rect.x, rect.y + 44, int(rect.width * share), rect.height - 44 - 64)

    def _show_focus(self) -> None:
        super()._show_focus()
        buttons = getattr(self, "step_buttons", [])
        if self.focused in buttons:
            self.selected = buttons.index(self.focused)

    # -- actions ------------------------------------------------------------------------------------------------
    def open_step(self, index: int):
        from rescue_signals.app.scenes import by_name
        from rescue_signals.app.scenes.listen import ListenScene

        self.selected = index
        step = self.statuses[index].step
        self.app.settings.last_scene = step.scene
        self.app.save_settings()
        self.app.log("course", step=step.id)
        scene = (ListenScene(self.app, scenario=step.scenario) if step.scenario is not None
                 else by_name(self.app, step.scene))
        scene.return_to = "course"
        return scene

    def practice_sound(self):
        from rescue_signals.app.scenes import by_name

        scene = by_name(self.app, "practice")
        scene.return_to = "course"
        return scene

    def back(self):
        from rescue_signals.app.scenes.home import HomeScene

        return HomeScene(self.app)

    # -- drawing ------------------------------------------------------------------------------------------------
    def headline(self) -> str:
        """What the screen says to do next."""
        upcoming = next_step(self.statuses)
        if upcoming is None:
            return self.text("course.all_passed")
        return self.text("course.next", step=self.app.t(upcoming.step.title))

    def details(self) -> list[str]:
        """The lines about the highlighted step: what it trains, its pass mark, where the trainee stands."""
        app, st = self.app, self.status
        lines = [app.t(st.step.why)]
        if st.step.scenario is not None:
            lines.append(self.text("course.level", level=st.step.scenario.level, n=st.step.scenario.trial_count))
        lines.append(self.text("course.mark", mark=app.t(st.mark)))
        where = app.t(st.distance)
        if st.tries:
            where += " · " + self.text("course.tries", n=st.tries)
        lines.append(self.text("course.where", where=where))
        return lines

    def review_line(self) -> str:
        if not self.due:
            return self.text("course.review_none")
        return self.text("course.review", names=", ".join(label_text(self.app, label) for label in self.due))

    def draw_content(self, surface, rect):
        theme = self.app.theme
        draw_text(surface, self.headline(), rect.topleft, theme.font(24, bold=True), theme.accent,
                  width_px=rect.width)
        area = self._list_rect(rect)
        box = pygame.Rect(area.right + 24, area.y, rect.right - area.right - 24, area.height)
        draw_panel(surface, box, theme)
        x, w = box.x + 18, box.width - 36
        st = self.status
        y = draw_text(surface, self.app.t(st.step.title), (x, box.y + 14), theme.font(24, bold=True),
                      theme.good if st.passed else theme.accent, width_px=w).bottom + 8
        # the review and the note sit at the bottom of the panel; the details take the room above them
        review, free = self.review_line(), self.text("course.free")
        bottom_y = (box.bottom - 14 - text_height(free, theme.font(16), w) - 6
                    - text_height(review, theme.font(19, bold=True), w))
        details = self.details()
        font = fit_font(theme, details, width_px=w, height_px=bottom_y - 8 - y, sizes=(19, 18, 17, 16, 15),
                        gap_px=8)
        for i, line in enumerate(details):
            y = draw_text(surface, line, (x, y), font, theme.text if i else theme.muted, width_px=w).bottom + 8
        y = draw_text(surface, review, (x, bottom_y), theme.font(19, bold=True),
                      theme.warn if self.due else theme.muted, width_px=w).bottom + 6
        draw_text(surface, free, (x, y), theme.font(16), theme.muted, width_px=w)
