"""Knock: the trainee sends a signal with the space bar, the mouse, or a real object on the table (microphone).

Graded like a rhythm game's hit statistics: the count, each spacing against the codebook's (mean error and
steadiness), and the silence kept after the group (the gap before the next group, shortened for practice and
said so). The knocks are shown on a timeline over the ideal beat.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

import pygame

from rescue_signals.app.answers import answer_key
from rescue_signals.app.drawing import draw_panel, draw_text
from rescue_signals.app.knockpad import KnockPad
from rescue_signals.app.levelbar import draw_level_meter, level_words
from rescue_signals.app.micswitch import check_line, switch_mic
from rescue_signals.app.logbook import Logbook
from rescue_signals.app.phases import Phases
from rescue_signals.app.practice import gap_line
from rescue_signals.app.scene import Scene, row
from rescue_signals.codebook import HEADCOUNT

SCENARIO_ID = "app-knock"
"""Scenario id under which knocking practice is stored in the records."""

GOOD_MS = 100.0
FAIR_MS = 250.0


def grade(*, count_ok: bool, mean_error_s: float | None, spread_s: float | None, gap_ok: bool) -> str:
    """A (excellent), B (good) or C (needs practice) for one knocked group."""
    if not count_ok:
        return "C"
    worst_ms = max(abs(mean_error_s or 0.0), spread_s or 0.0) * 1000
    if worst_ms <= GOOD_MS and gap_ok:
        return "A"
    return "B" if worst_ms <= FAIR_MS else "C"


class Phase(StrEnum):
    """Where knock practice is."""

    CHOOSE = "choose"  # which signal to knock
    KNOCK = "knock"  # the trainee knocks
    GAP = "gap"  # the group is over: the silence after it is kept
    GRADED = "graded"  # count, spacing and gap graded


TRANSITIONS = {
    Phase.CHOOSE: frozenset({Phase.KNOCK}),
    Phase.KNOCK: frozenset({Phase.GAP, Phase.KNOCK, Phase.CHOOSE}),
    Phase.GAP: frozenset({Phase.GRADED, Phase.KNOCK, Phase.CHOOSE}),
    Phase.GRADED: frozenset({Phase.KNOCK, Phase.CHOOSE}),  # again, or another signal
}
"""Every move between the knock screen's phases."""


class KnockScene(Scene):
    title_key = "knock.title"
    phase = Phases(TRANSITIONS)

    def __init__(self, app):
        super().__init__(app)
        cb = app.codebook
        self.targets = [(s.id, s.knocks) for s in cb.signals]
        self.target = None
        self.pad = KnockPad(app)
        self.sound = app.settings.practice(app.trainee_name)  # its gap compression is the gap kept after a group
        self.gap_s = self.sound.group_gap_s(cb)
        self.intruder_s: float | None = None  # a knock inside the gap after the group
        self.logbook = Logbook(app)

    # -- flow ---------------------------------------------------------------------------------------------------
    def choose(self, target):
        self.target = target
        label, count = target
        if label == HEADCOUNT:
            count = int(self.app.rng.integers(6, 14))
            self.target = (label, count)
        self.pad.reset(expected=count)
        self.intruder_s = None
        self.phase = Phase.KNOCK
        self.shown_s = self.app.now_s()
        self.app.log("knock-task", label=label, count=count)
        self.rebuild()

    def again(self):
        self.choose(self.target)

    def other(self):
        self.phase = Phase.CHOOSE
        self.pad.reset()
        self.rebuild()

    @property
    def gap_left_s(self) -> float:
        if not self.pad.knocks:
            return self.gap_s
        return max(0.0, self.gap_s - (self.app.now_s() - self.pad.knocks[-1]))

    # -- widgets ------------------------------------------------------------------------------------------------
    def build(self, rect):
        app, cb = self.app, self.app.codebook
        bottom = pygame.Rect(rect.x, rect.bottom - 56, rect.width, 56)
        if self.phase == Phase.CHOOSE:
            options = [(app.t(cb.signal(label).name) + " · " + self.text("learn.knocks", n=n), (label, n))
                       for label, n in self.targets]
            options.append((app.t(cb.headcount.name), (HEADCOUNT, 0)))
            for i, (label, target) in enumerate(options):
                r = pygame.Rect(rect.x, rect.y + 44 + i * 64, min(520, rect.width), 54)
                # the same keys as the answers in Listen: a signal's number of knocks, H for the headcount
                self.button(r, label, lambda t=target: self.choose(t), key=answer_key(cb, target[0]),
                            object_id="#big")
            more = pygame.Rect(rect.x + 560, rect.y + 280, rect.width - 560, 54)
            for r, (key, name, shortcut) in zip(row(more, 2), [("knock.check", "check", pygame.K_k),
                                                               ("knock.echo", "echo", pygame.K_e)]):
                self.button(r, self.text(key), lambda n=name: self._open(n), key=shortcut)
            return
        self.button(pygame.Rect(rect.right - 260, rect.y, 260, 48), self.text("knock.mic"), self._toggle_mic,
                    key=pygame.K_m, object_id="#toggle_on" if self.pad.mic is not None else None)
        if self.phase == Phase.GRADED:
            buttons = [(self.text("knock.again"), self.again, pygame.K_a),
                       (self.text("knock.other"), self.other, pygame.K_o)]
            for r, (label, action, key) in zip(row(bottom, 2), buttons):
                first = self.button(r, label, action, key=key)
                self.focus_on(first) if action == self.again else None

    def _open(self, name: str):
        return self.go(name, return_to=self)

    def _toggle_mic(self):
        """The microphone on or off; the first time, the microphone check comes first (once per trainee)."""
        return switch_mic(self, self.pad)

    # -- events and time ----------------------------------------------------------------------------------------
    def on_key(self, event):
        if self.phase in (Phase.KNOCK, Phase.GAP) and event.key == pygame.K_SPACE:
            self._knock(event)
            return True, None
        if self.phase == Phase.GRADED and event.key == pygame.K_SPACE:
            self.again()
            return True, None
        return False, None

    def on_other(self, event):
        if event.type == pygame.MOUSEBUTTONDOWN and self.phase in (Phase.KNOCK, Phase.GAP):
            if self.pad.rect.collidepoint(event.pos):
                self._knock(event)
        return None

    def _knock(self, event):
        if self.phase == Phase.GAP:
            self.intruder_s = self.intruder_s or event.time_s
        else:
            self.pad.handle_event(event)

    def update(self, dt_s):
        if self.phase == Phase.KNOCK and self.pad.update():
            self.phase = Phase.GAP
        elif self.phase == Phase.GAP:
            self.pad.update()
            if self.intruder_s is not None or self.gap_left_s <= 0:
                self._grade()
        return None

    def _grade(self):
        _, count = self.target
        spacing = self.pad.spacing()
        self.result = {
            "count": len(self.pad.knocks), "count_ok": len(self.pad.knocks) == count,
            "mean_error_s": spacing.mean_error_s if spacing else None,
            "spread_s": spacing.spread_s if spacing else None,
            "gap_s": (self.intruder_s - self.pad.knocks[-1]) if self.intruder_s is not None else None,
        }
        self.result["grade"] = grade(count_ok=self.result["count_ok"], mean_error_s=self.result["mean_error_s"],
                                     spread_s=self.result["spread_s"], gap_ok=self.intruder_s is None)
        self.phase = Phase.GRADED
        self.app.log("knock-graded", **self.result)
        self._save()
        self.rebuild()

    def _save(self):
        """Store the group with the drill rules' judgement (count, spacing), like a drill's "send" trial."""
        from rescue_signals.drill import SEND, Expected, Response
        from rescue_signals.synth import Conditions

        cb = self.app.codebook
        label, count = self.target
        if label == HEADCOUNT:
            role, meaning = cb.trapped, cb.headcount.meaning.format(n=count)
        else:
            signal = cb.signal(label)
            rule = signal.rule(cb.trapped) or signal.senders[0]
            role, meaning = rule.role, rule.meaning
        if self.logbook.session_id is None and not self.logbook.attempts:
            seed = int(self.app.rng.integers(0, 2**31 - 1))
            self.logbook.open_session(scenario_id=SCENARIO_ID, title=self.text("knock.title"), seed=seed,
                                      session_uuid=str(uuid.uuid4()))  # an identity: unique per session
        self.attempt = self.logbook.judge(task=SEND, expected=Expected(label, count, role, meaning), trainee_role=role,
                                          conditions=Conditions(), response=Response(None, self.shown_s, None,
                                                                                     tuple(self.pad.knocks),
                                                                                     visual_beats=self.app.visual_beats))

    def animating(self) -> bool:
        return self.phase in (Phase.KNOCK, Phase.GAP)  # the pad flashes, the silence after the group is counted down

    def leave(self):
        self.pad.close()
        super().leave()

    # -- drawing ------------------------------------------------------------------------------------------------
    def draw_content(self, surface, rect):
        app, theme, cb = self.app, self.app.theme, self.app.codebook
        if self.phase == Phase.CHOOSE:
            draw_text(surface, self.text("knock.choose"), rect.topleft, theme.font(24, bold=True), theme.text)
            box = pygame.Rect(rect.x + 560, rect.y + 44, rect.width - 560, 220)
            draw_panel(surface, box, theme)
            rules = [self.text("learn.timing", interval=cb.timing.knock_interval_s, gap=cb.timing.group_gap_s),
                     gap_line(self.sound, cb, app.lang),
                     self.text("knock.ideal", interval=cb.timing.knock_interval_s), check_line(self)]
            y = box.y + 16
            for line in rules:
                y = draw_text(surface, line, (box.x + 20, y), theme.font(20), theme.muted,
                              width_px=box.width - 40).bottom + 10
            return
        label, count = self.target
        name = app.t(cb.headcount.name) if label == HEADCOUNT else app.t(cb.signal(label).name)
        draw_text(surface, self.text("knock.task", name=name, n=count), rect.topleft, theme.font(30, bold=True),
                  theme.accent, width_px=rect.width - 280)
        draw_text(surface, gap_line(self.sound, cb, app.lang), (rect.x, rect.y + 46), theme.font(18), theme.muted)
        stage = pygame.Rect(rect.x, rect.y + 84, rect.width, rect.height - 84 - (70 if self.phase == Phase.GRADED else 0))
        if self.phase in (Phase.KNOCK, Phase.GAP):
            self.pad.draw(surface, pygame.Rect(stage.x, stage.y, stage.width, min(stage.height, 330)))
            if self.pad.mic is not None:
                draw_level_meter(surface, pygame.Rect(stage.x, stage.y + 340, min(stage.width, 720), 100), theme,
                                 self.pad.mic.meter, self.text)
            if self.phase == Phase.GAP:
                draw_text(surface, self.text("knock.hold_gap", s=self.gap_left_s), (stage.x, stage.bottom - 40),
                          theme.font(24, bold=True), theme.warn)
            return
        self._draw_grade(surface, stage)

    def _draw_grade(self, surface, rect):
        theme, r = self.app.theme, self.result
        _, want = self.target
        colour = {"A": theme.good, "B": theme.accent, "C": theme.bad}[r["grade"]]
        y = draw_text(surface, self.text("knock.grade", grade=self.text(f"grade.{r['grade']}")), rect.topleft,
                      theme.font(34, bold=True), colour).bottom + 8
        lines = [(self.text("knock.count_ok", n=r["count"]) if r["count_ok"]
                  else self.text("knock.count_bad", got=r["count"], want=want), r["count_ok"])]
        if r["mean_error_s"] is not None:
            ok = abs(r["mean_error_s"]) * 1000 <= FAIR_MS and r["spread_s"] * 1000 <= FAIR_MS
            lines.append((self.text("knock.spacing", mean=r["mean_error_s"] * 1000, std=r["spread_s"] * 1000), ok))
        lines.append((self.text("knock.gap_ok") if r["gap_s"] is None else self.text("knock.gap_bad", s=r["gap_s"]),
                      r["gap_s"] is None))
        for text, ok in lines:
            mark = "✓ " if ok else "× "
            y = draw_text(surface, mark + text, (rect.x, y + 4), theme.font(24), theme.text if ok else theme.bad,
                          width_px=rect.width).bottom
        y = level_words(surface, (rect.x, y), rect.width, self.app.theme, self.pad.mic, self.shown_s, self.text)
        self.pad.draw_timeline(surface, pygame.Rect(rect.x + 30, y + 24, rect.width - 60, 80))
        draw_text(surface, self.text("knock.ideal", interval=self.app.codebook.timing.knock_interval_s),
                  (rect.x, y + 130), theme.font(18), theme.muted)
