"""The trainer's desk: crews and their trainees, who has passed which step of the course, a timed drill for one
trainee or the whole crew in turn, the crew's results, and the printed crew report.

A drill started here is the Listen scene's timed drill of the chosen scenario, run for the chosen trainee (the one
drill session engine saves every answer); Esc or Menu at its end comes back here, and in a round the next trainee
is named. The results table is the summary of the crew report, made from the same data; the report printed is the
one ``rescue-signals report --crew NAME -o FILE.pdf`` writes.
"""

from __future__ import annotations

from datetime import datetime

import pygame
import pygame_gui
from pygame_gui.core import ObjectID

from rescue_signals.app.drawing import draw_panel, draw_text, fit_font
from rescue_signals.app.roster import (CrewView, crew_report, crew_view, default_report_path, print_report,
                                       report_path)
from rescue_signals.app.scene import Scene
from rescue_signals.codebook import HEADCOUNT
from rescue_signals.drill.course import build_course
from rescue_signals.errors import RescueSignalsError

LEFT_PX = 250  # the crews column
NAME_PX = 160  # the trainee's button, first column of the table
COURSE_PX = 290  # a mark per step of the course, then how many are passed
MARK_PX = 15
RESULT_MIN_PX = 80
RESULT_PRIORITY = (2, 3, 5, 0, 6, 1, 4)  # of roster.SUMMARY_COLUMNS: accuracy, reaction, best, sessions, ...
ROW_PX, ROW_GAP_PX = 32, 4
ADD_TOP_PX = 208  # the trainee's name entry, this far above the bottom; under it two lines of messages
MAX_KEYED = 9  # trainees 1-9 have a number key
PASSED, NEXT, OPEN = "✓", "→", "·"


class DeskScene(Scene):
    title_key = "desk.title"

    def __init__(self, app, *, came_from: str = "home"):
        super().__init__(app)
        from rescue_signals.drill import load_scenario, shipped_scenarios

        self.came_from = came_from
        self.before = app.trainee  # the trainee using the app when the desk opened, theirs again when it closes
        extra = [load_scenario(p, app.codebook) for p in app.scenario_paths]
        self.scenarios = extra + [s for s in shipped_scenarios() if s.codebook_id == app.codebook.id]
        self.steps = build_course(self.scenarios)
        ids = [s.id for s in self.scenarios]
        self.drill_index = ids.index(app.settings.last_scenario) if app.settings.last_scenario in ids and not extra \
            else 0
        self.crews: list[str] = []
        self.crew: str | None = app.trainee.crew if getattr(app.trainee, "crew", None) else None
        self.view: CrewView | None = None
        self.round: list = []  # trainees still to drill in this round, in turn
        self.round_size = 0
        self.crew_text = self.trainee_text = self.path_text = ""
        self.shown_default = ""  # the report path last offered (replaced when the crew changes)
        self.message: str | None = None
        self.message_colour = "muted"
        self.printing = None  # the report being written (a Future)
        self.printed = None  # the last report written (roster.Printed)
        self._just_drilled = False
        self._focus_member = 0  # the trainee highlighted in the table (index into the crew)
        self.first_row = 0  # the crew's first trainee shown (a long crew is shown a page at a time)
        self._keep_entry = False
        self._refocus = True  # the focus is chosen afresh at the next build (the buttons have changed)

    # -- state --------------------------------------------------------------------------------------------------
    @property
    def records(self):
        return self.app.records

    @property
    def scenario(self):
        return self.scenarios[self.drill_index]

    @property
    def members(self):
        return self.view.members if self.view is not None else ()

    def refresh(self) -> None:
        """Read the crews, and the chosen crew's members with their course and results, from the records."""
        if self.records is None:
            return
        app = self.app
        cards = tuple(s.id for s in app.codebook.signals) + (HEADCOUNT,)
        try:
            self.crews = [c.name for c in self.records.crews()]
            if self.crew not in self.crews:
                self.crew = self.crews[0] if self.crews else None
            self.view = None if self.crew is None else crew_view(
                self.records, self.crew, self.steps, heard=app.settings.heard, signals=cards, lang=app.lang)
        except RescueSignalsError as exc:
            self._problem(exc)
        if self.crew is not None and self.path_text in ("", self.shown_default):
            self.shown_default = str(self.default_path())
            self._set_text("path", self.shown_default)

    def default_path(self):
        from rescue_signals.resources import user_data_dir

        return default_report_path(user_data_dir() / "reports", self.crew or "", datetime.now())

    def _say(self, text: str, colour: str = "muted") -> None:
        self.message, self.message_colour = text, colour

    def _problem(self, exc: Exception) -> None:
        self._say(self.text("desk.problem", problem=str(exc)), "bad")
        self.app.log("desk-problem", message=str(exc))

    # -- lifecycle ----------------------------------------------------------------------------------------------
    def enter(self) -> None:
        self._refocus = True
        self.refresh()
        if self._just_drilled:  # back from a trainee's drill: the desk is the trainer's again
            self._just_drilled = False
            self.app.trainee = self.before
            if self.round_size and not self.round:
                self.round_size = 0
                self._say(self.text("desk.round_done"), "good")
            elif self.round:
                self._say(self.text("desk.turn", i=self.round_size - len(self.round) + 1, n=self.round_size,
                                    name=self.round[0].name), "accent")
        super().enter()

    def rebuild(self) -> None:
        self._sync()
        super().rebuild()

    def _set_text(self, name: str, text: str) -> None:
        """Put ``text`` in the entry ``name`` (crew, trainee or path), shown now and kept across rebuilds."""
        setattr(self, f"{name}_text", text)
        widget = getattr(self, f"{name}_entry", None)
        if widget is not None and widget.alive():
            widget.set_text(text)

    def _sync(self) -> None:
        """Keep what is typed in the entries when the widgets are rebuilt."""
        if self.container is None:
            return
        for name in ("crew", "trainee", "path"):
            widget = getattr(self, f"{name}_entry", None)
            if widget is not None and widget.alive():
                setattr(self, f"{name}_text", widget.get_text())

    # -- widgets ------------------------------------------------------------------------------------------------
    def build(self, rect: pygame.Rect) -> None:
        self.crew_entry = self.trainee_entry = self.path_entry = None
        self.crews_hidden = 0
        self.member_buttons: list = []
        self.next_button = None
        if self.records is None:
            return
        left, right = self._columns(rect)
        per_crew = 40 + 8
        room = max(1, (rect.bottom - 164 - (left.y + 34)) // per_crew)  # 164: a line of "more", the new crew
        at = self.crews.index(self.crew) if self.crew in self.crews else 0
        first = at // room * room  # the page of crews with the one shown
        self.crews_hidden = len(self.crews) - min(room, len(self.crews) - first)
        self.crew_buttons = []
        for i, name in enumerate(self.crews[first:first + room]):
            r = pygame.Rect(left.x, left.y + 34 + i * per_crew, left.width, 40)
            button = self.button(r, name, lambda n=name: self.pick_crew(n),
                                 object_id="#toggle_on" if name == self.crew else None)
            self.crew_buttons.append(button)
        self.crews_hint_y = left.y + 34 + len(self.crew_buttons) * per_crew
        self.crew_entry = self.entry(pygame.Rect(left.x, rect.bottom - 104, left.width, 44), self.crew_text,
                                     self.create_crew)
        self.button(pygame.Rect(left.x, rect.bottom - 52, left.width, 52), self.text("desk.create"),
                    self.create_crew)
        if self.crew is None:
            self.focus_on(self.crew_entry)
            return
        self.page_rows = self._rows_shown(right)
        self.first_row = min(self.first_row, max(0, len(self.members) - 1)) // self.page_rows * self.page_rows
        for i, member in enumerate(self.shown_members()):
            r = pygame.Rect(right.x, self._rows_top(right) + i * (ROW_PX + ROW_GAP_PX), NAME_PX, ROW_PX)
            fits = self.app.theme.font(20).size(member.name)[0] + 28 <= NAME_PX
            self.member_buttons.append(self.button(
                r, member.name, lambda k=self.first_row + i: self.drill_member(k),
                key=pygame.K_1 + i if i < MAX_KEYED else None,
                object_id=ObjectID(object_id=None, class_id=None if fits else "@small_text")))
        add = pygame.Rect(right.x, rect.bottom - ADD_TOP_PX, right.width, 44)
        self.trainee_entry = self.entry(pygame.Rect(add.x, add.y, min(420, add.width - 260), 44), self.trainee_text,
                                        self.add_trainee)
        self.button(pygame.Rect(self.trainee_entry.relative_rect.right + 12, add.y, 240, 44),
                    self.text("desk.add_trainee"), self.add_trainee)
        label_w = 220
        self.path_entry = self.entry(pygame.Rect(right.x + label_w, rect.bottom - 104, right.width - label_w, 44),
                                     self.path_text, self.print_report)
        self._bar(pygame.Rect(right.x, rect.bottom - 52, right.width, 52))
        if not self._refocus:  # the same buttons as before (another drill chosen, a report written): focus stays
            return
        self._refocus = False
        if self._keep_entry:  # a trainee was just added: the entry stays ready for the next name
            self._keep_entry = False
            self.focus_on(self.trainee_entry)
        elif self.next_button is not None:
            self.focus_on(self.next_button)
        elif self.member_buttons:
            row = min(max(0, self._focus_member - self.first_row), len(self.member_buttons) - 1)
            self.focus_on(self.member_buttons[row])
        else:
            self.focus_on(self.trainee_entry)

    def _bar(self, bar: pygame.Rect) -> None:
        title = self.app.t(self.scenario.title)
        buttons = [(self.text("desk.drill", title=title), self.cycle_drill, pygame.K_d, 0.4)]
        if self.round:
            buttons += [(self.text("desk.next_turn", name=self.round[0].name), self.next_in_turn, pygame.K_n, 0.2),
                        (self.text("desk.end_round"), self.end_round, pygame.K_x, 0.2)]
        else:
            buttons.append((self.text("desk.whole_crew"), self.whole_crew, pygame.K_w, 0.3))
        buttons.append((self.text("desk.print"), self.print_report, pygame.K_p, 0.3 if not self.round else 0.2))
        x, gap = bar.x, 10
        free = bar.width - gap * (len(buttons) - 1)
        for i, (label, action, key, share) in enumerate(buttons):
            width = bar.right - x if i == len(buttons) - 1 else int(free * share)
            shown = f"[{pygame.key.name(key).upper()}] {label}"
            fits = self.app.theme.font(20).size(shown)[0] + 28 <= width
            element = self.button(pygame.Rect(x, bar.y, width, bar.height), label, action, key=key,
                                  object_id=ObjectID(object_id=None, class_id=None if fits else "@small_text"))
            if action == self.next_in_turn:
                self.next_button = element
            x += width + gap

    @staticmethod
    def _columns(rect: pygame.Rect) -> tuple[pygame.Rect, pygame.Rect]:
        left = pygame.Rect(rect.x, rect.y, LEFT_PX, rect.height)
        right = pygame.Rect(left.right + 24, rect.y, rect.right - left.right - 24, rect.height)
        return left, right

    @staticmethod
    def _rows_top(right: pygame.Rect) -> int:
        return right.y + 84

    def _rows_shown(self, right: pygame.Rect) -> int:
        theme = self.app.theme
        label_top = right.bottom - ADD_TOP_PX - 26  # the new trainee's label
        # under the rows: the page line and the chosen trainee's line (its font shrinks to keep it on one line)
        below = 6 + theme.font(16).get_linesize() + 4 + theme.font(18).get_linesize() + 6
        room = label_top - below - self._rows_top(right)
        return max(1, room // (ROW_PX + ROW_GAP_PX))

    def shown_members(self):
        """The page of the crew in the table now."""
        return self.members[self.first_row:self.first_row + getattr(self, "page_rows", MAX_KEYED)]

    def on_key(self, event):
        if event.key in (pygame.K_PAGEDOWN, pygame.K_PAGEUP) and self.members:
            step = self.page_rows if event.key == pygame.K_PAGEDOWN else -self.page_rows
            first = self.first_row + step
            if 0 <= first < len(self.members):
                self.first_row = self._focus_member = first
                self._refocus = True
                self.rebuild()
            return True, None
        return False, None

    def _show_focus(self) -> None:
        super()._show_focus()
        buttons = getattr(self, "member_buttons", [])
        if self.focused in buttons:
            self._focus_member = self.first_row + buttons.index(self.focused)

    def handle_event(self, event):
        if event.type == pygame.KEYDOWN:  # an entry clicked with the mouse is where the keys go
            for i, c in enumerate(self._controls):
                if isinstance(c.element, pygame_gui.elements.UITextEntryLine) and c.element.is_focused:
                    self._focus = i
        return super().handle_event(event)

    # -- actions ------------------------------------------------------------------------------------------------
    def pick_crew(self, name: str):
        self.crew, self.round, self.round_size = name, [], 0
        self._refocus = True
        self._focus_member = self.first_row = 0
        self.message = None
        self.refresh()
        self.rebuild()

    def create_crew(self):
        self._sync()
        name = self.crew_text.strip()
        if not name:
            self._say(self.text("desk.empty_name"), "bad")
            return None
        try:
            crew = self.records.add_crew(name)
        except RescueSignalsError as exc:
            self._problem(exc)
            return None
        self.app.log("desk-crew", name=crew.name)
        self._set_text("crew", "")
        self._keep_entry = True
        self.pick_crew(crew.name)
        return None

    def add_trainee(self):
        self._sync()
        name = self.trainee_text.strip()
        if not name or self.crew is None:
            self._say(self.text("desk.empty_name" if self.crew else "desk.pick_crew"), "bad")
            return None
        try:
            known = self.records.trainee(name)
            trainee = self.records.ensure_trainee(name, crew=self.crew)
        except RescueSignalsError as exc:
            self._problem(exc)
            return None
        if known is None:
            self._say(self.text("desk.added", name=trainee.name, crew=self.crew), "good")
        elif known.crew and known.crew != trainee.crew:
            self._say(self.text("desk.moved", name=trainee.name, old=known.crew, crew=self.crew), "good")
        elif known.crew == trainee.crew:
            self._say(self.text("desk.already", name=trainee.name, crew=self.crew))
        else:
            self._say(self.text("desk.added", name=trainee.name, crew=self.crew), "good")
        self.app.log("desk-trainee", name=trainee.name, crew=self.crew)
        self._set_text("trainee", "")
        self.refresh()
        self._keep_entry = self._refocus = True
        self.rebuild()
        return None

    def cycle_drill(self):
        self.drill_index = (self.drill_index + 1) % len(self.scenarios)
        self.rebuild()

    def drill(self, trainee):
        """The timed drill of the chosen scenario for ``trainee``; it comes back here."""
        self._sync()
        self.app.trainee = trainee
        self.app.log("desk-drill", trainee=trainee.name, scenario=self.scenario.id)
        self._just_drilled = True
        self.message = None
        return self.go("listen", scenario=self.scenario, return_to=self)

    def drill_member(self, index: int):
        self.round, self.round_size = [], 0
        self._focus_member = index
        return self.drill(self.members[index].trainee)

    def whole_crew(self):
        if not self.members:
            self._say(self.text("desk.no_members"), "bad")
            return None
        self.round = [m.trainee for m in self.members]
        self.round_size = len(self.round)
        return self.next_in_turn()

    def next_in_turn(self):
        if not self.round:
            return None
        return self.drill(self.round.pop(0))

    def end_round(self):
        self.round, self.round_size = [], 0
        self._refocus = True
        self.message = None
        self.rebuild()

    def print_report(self):
        """Write the crew report as a signed PDF to the path shown (the same report as ``report --crew``)."""
        self._sync()
        if self.crew is None or self.printing is not None:
            return None
        path = report_path(self.path_text, self.default_path())
        self._set_text("path", str(path))
        try:
            report, key, made = crew_report(self.records, self.crew)
        except RescueSignalsError as exc:
            self._problem(exc)
            return None
        if made:
            self.app.notify(self.text("desk.key_made", fingerprint=key.public.fingerprint))
        self._say(self.text("desk.printing"))
        self.app.log("report-writing", crew=self.crew, path=str(path))
        self.printing = self.app.background(print_report, report, key, made, path, lang=self.app.lang)
        self.rebuild()
        return None

    def back(self):
        self.app.trainee = self.before
        return self.go(self.came_from)

    # -- time ---------------------------------------------------------------------------------------------------
    def update(self, dt_s):
        if self.printing is not None and self.printing.done():
            future, self.printing = self.printing, None
            try:
                self.printed = future.result()
            except RescueSignalsError as exc:
                self._problem(exc)
                return None
            p = self.printed
            self._say(self.text("desk.printed", path=str(p.path), site=p.site, fingerprint=p.fingerprint), "good")
            self.app.log("report", crew=self.crew, path=str(p.path))
        return None

    # -- drawing ------------------------------------------------------------------------------------------------
    def draw_content(self, surface, rect):
        theme = self.app.theme
        if self.records is None:
            draw_text(surface, self.text("desk.no_records", problem=self.app.records_problem or ""), rect.topleft,
                      theme.font(24, bold=True), theme.bad, width_px=rect.width)
            return
        left, right = self._columns(rect)
        draw_text(surface, self.text("desk.crews"), left.topleft, theme.font(22, bold=True), theme.text)
        if not self.crews:
            draw_text(surface, self.text("desk.no_crews"), (left.x, left.y + 40), theme.font(19), theme.muted,
                      width_px=left.width)
        elif self.crews_hidden:
            draw_text(surface, self.text("desk.more_crews", n=self.crews_hidden), (left.x, self.crews_hint_y),
                      theme.font(16), theme.muted, width_px=left.width)
        draw_text(surface, self.text("desk.new_crew"), (left.x, rect.bottom - 134), theme.font(19), theme.muted)
        if self.message:
            draw_text(surface, self.message, (right.x, rect.bottom - ADD_TOP_PX + 50), theme.font(17),
                      getattr(theme, self.message_colour), width_px=right.width)
        if self.crew is None:
            draw_text(surface, self.text("desk.pick_crew"), right.topleft, theme.font(24, bold=True), theme.accent)
            return
        draw_text(surface, self.text("desk.crew", crew=self.crew, n=len(self.members)), right.topleft,
                  theme.font(24, bold=True), theme.accent, width_px=right.width)
        self._draw_table(surface, right)
        draw_text(surface, self.text("desk.new_trainee"), (right.x, rect.bottom - ADD_TOP_PX - 26), theme.font(19),
                  theme.muted,
                  width_px=right.width)
        draw_text(surface, self.text("desk.report_file"), (right.x, rect.bottom - 94), theme.font(19), theme.muted)

    def _columns_x(self, right: pygame.Rect) -> tuple[list[tuple[int, int]], list[int]]:
        """(x, width) of the course column and of each results column shown, and which results columns those are
        (a narrow window shows the most telling ones)."""
        x = right.x + NAME_PX + 12
        out = [(x, COURSE_PX)]
        x += COURSE_PX + 8
        fit = max(1, (right.right - x) // RESULT_MIN_PX)
        chosen = sorted(RESULT_PRIORITY[:fit])
        width = (right.right - x) // len(chosen)
        out += [(x + i * width, width - 6) for i in range(len(chosen))]
        return out, chosen

    def _draw_table(self, surface, right):
        theme = self.app.theme
        top = right.y + 36
        cols, chosen = self._columns_x(right)
        head_font, cell_font, mark_font = theme.font(15), theme.font(17), theme.font(14)
        steps = len(self.steps)
        draw_text(surface, self.text("desk.name"), (right.x, top), head_font, theme.muted)
        draw_text(surface, self.text("desk.course"), (cols[0][0], top), head_font, theme.muted)
        for (x, w), title in zip(cols[1:], [self.view.head[i] for i in chosen]):
            font = next((f for f in (theme.font(size) for size in (15, 14, 13, 12, 11))
                         if all(f.size(word)[0] <= w for word in title.split())), theme.font(11))
            draw_text(surface, title, (x, top), font, theme.muted, width_px=w)
        if not self.members:
            draw_text(surface, self.text("desk.no_members"), (right.x, self._rows_top(right)), theme.font(20),
                      theme.muted, width_px=right.width)
            return
        shown = self.shown_members()
        y0 = self._rows_top(right)
        for i, m in enumerate(shown):
            y = y0 + i * (ROW_PX + ROW_GAP_PX)
            if self.first_row + i == self._focus_member:
                draw_panel(surface, pygame.Rect(right.x + NAME_PX + 4, y - 2, right.width - NAME_PX - 4, ROW_PX + 4),
                           theme)
            cy = y + (ROW_PX - cell_font.get_linesize()) // 2
            x0 = cols[0][0]
            upcoming = m.upcoming
            for k, st in enumerate(m.course):
                mark, colour = ((PASSED, theme.good) if st.passed else (NEXT, theme.accent) if st is upcoming
                                else (OPEN, theme.muted))
                draw_text(surface, mark, (x0 + k * MARK_PX, cy + 1), mark_font, colour)
            draw_text(surface, self.text("desk.course_cell", k=len(m.passed), n=steps),
                      (x0 + len(m.course) * MARK_PX + 8, cy), cell_font, theme.text)
            for (cx, w), cell in zip(cols[1:], [m.results[i] for i in chosen]):
                draw_text(surface, cell, (cx, cy), cell_font, theme.text)
        focus = self.members[min(self._focus_member, len(self.members) - 1)]
        y = y0 + len(shown) * (ROW_PX + ROW_GAP_PX) + 6
        if len(shown) < len(self.members):
            y = draw_text(surface, self.text("desk.rows", a=self.first_row + 1, b=self.first_row + len(shown),
                                             n=len(self.members)), (right.x, y), theme.font(16), theme.muted,
                          width_px=right.width).bottom + 4
        line = self.member_line(focus)
        font = fit_font(theme, [line], width_px=right.width, height_px=theme.font(18).get_linesize(),
                        sizes=(18, 17, 16, 15, 14))
        draw_text(surface, line, (right.x, y), font, theme.text, width_px=right.width)

    def footer_hint(self) -> str:
        return self.text("desk.keys") if self.members else ""

    def member_line(self, member) -> str:
        """Which steps of the course the trainee has passed, and the next one."""
        upcoming = member.upcoming
        if upcoming is None:
            return self.text("desk.member_done", name=member.name)
        titles = [self.app.t(s.step.title) for s in member.passed]
        passed = ", ".join(titles[:4]) + (f" +{len(titles) - 4}" if len(titles) > 4 else "") if titles \
            else self.text("desk.none_passed")
        return self.text("desk.member", name=member.name, passed=passed, next=self.app.t(upcoming.step.title))
