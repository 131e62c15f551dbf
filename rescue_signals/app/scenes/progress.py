"""Progress: accuracy and reaction time per signal over the trainee's sessions, the weakest signals highlighted."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pygame

from rescue_signals.app.answers import label_text
from rescue_signals.app.drawing import draw_panel, draw_text
from rescue_signals.app.logbook import Logbook
from rescue_signals.app.scene import Scene

WEAK_ACCURACY = 0.8
"""A signal answered right less often than this is one to practise."""


@dataclass(frozen=True)
class LabelProgress:
    """One signal (or the headcount) across the sessions."""

    label: str
    trials: int
    accuracy: float
    reaction_s: float | None  # mean, recognitions answered right
    by_session: tuple[tuple[int, float, float | None], ...]  # (session index, accuracy, mean reaction s)


def progress(history) -> tuple[list[int], list[LabelProgress]]:
    """Per-label progress from stored answers (oldest first); returns the session ids in order and the labels."""
    from rescue_signals.drill import RECOGNISE

    sessions = sorted({h.session_id for h in history})
    index = {sid: i for i, sid in enumerate(sessions)}
    labels: dict[str, list] = {}
    for h in history:
        labels.setdefault(h.attempt.expected, []).append(h)
    out = []
    for label, items in labels.items():
        def reactions(rows):
            return [r.attempt.reaction_s for r in rows if r.attempt.trial.task == RECOGNISE and r.attempt.correct
                    and not r.attempt.false_start and r.attempt.reaction_s is not None]
        per = []
        for sid in sessions:
            rows = [r for r in items if r.session_id == sid]
            if rows:
                times = reactions(rows)
                per.append((index[sid], sum(r.attempt.accepted for r in rows) / len(rows),
                            float(np.mean(times)) if times else None))
        times = reactions(items)
        out.append(LabelProgress(label, len(items), sum(r.attempt.accepted for r in items) / len(items),
                                 float(np.mean(times)) if times else None, tuple(per)))
    out.sort(key=lambda p: (p.accuracy, -(p.reaction_s or 0)))
    return sessions, out


def weakest(labels: list[LabelProgress]) -> list[LabelProgress]:
    """The signals to practise most: below the accuracy bar, or else the one with the lowest accuracy."""
    weak = [p for p in labels if p.accuracy < WEAK_ACCURACY]
    return weak or labels[:1]


class ProgressScene(Scene):
    title_key = "progress.title"

    def __init__(self, app):
        super().__init__(app)
        self.sessions, self.labels = progress(Logbook(app).history())
        self.weak = {p.label for p in weakest(self.labels)} if self.labels else set()

    def build(self, rect):
        from rescue_signals.app.scenes.listen import ListenScene

        self.button(pygame.Rect(rect.right - 300, rect.bottom - 52, 300, 52), self.text("home.listen"),
                    lambda: ListenScene(self.app), key=pygame.K_l)

    def draw_content(self, surface, rect):
        app, theme = self.app, self.app.theme
        if not self.labels:
            draw_text(surface, self.text("progress.none"), rect.topleft, theme.font(26), theme.muted,
                      width_px=rect.width)
            return
        names = "、".join(label_text(app, p.label) for p in self.labels if p.label in self.weak)
        draw_text(surface, self.text("progress.weakest", names=names), rect.topleft, theme.font(26, bold=True),
                  theme.warn, width_px=rect.width)
        colours = {p.label: theme.series[i % len(theme.series)] for i, p in enumerate(self.labels)}
        table = pygame.Rect(rect.x, rect.y + 50, 440, rect.height - 120)
        self._draw_table(surface, table, colours)
        charts = pygame.Rect(table.right + 24, rect.y + 50, rect.right - table.right - 24, rect.height - 120)
        half = (charts.height - 16) // 2
        self._draw_chart(surface, pygame.Rect(charts.x, charts.y, charts.width, half), colours,
                         title=self.text("progress.accuracy"), value=lambda s: s[1], top=1.0,
                         fmt=lambda v: f"{v:.0%}")
        reactions = [s[2] for p in self.labels for s in p.by_session if s[2] is not None]
        top = max(reactions, default=1.0) * 1.15
        self._draw_chart(surface, pygame.Rect(charts.x, charts.y + half + 16, charts.width, half), colours,
                         title=self.text("progress.reaction"), value=lambda s: s[2], top=top,
                         fmt=lambda v: f"{v:.1f}")

    def _draw_table(self, surface, rect, colours):
        app, theme = self.app, self.app.theme
        draw_panel(surface, rect, theme)
        y = rect.y + 12
        for p in self.labels:
            weak = p.label in self.weak
            pygame.draw.rect(surface, colours[p.label], (rect.x + 14, y + 8, 16, 16), border_radius=3)
            ms = "—" if p.reaction_s is None else self.text("progress.seconds", s=p.reaction_s)
            text = self.text("progress.per_signal", name=label_text(app, p.label), acc=p.accuracy, ms=ms, n=p.trials)
            y = draw_text(surface, text, (rect.x + 40, y), theme.font(20, bold=weak),
                          theme.bad if weak else theme.text, width_px=rect.width - 54).bottom + 10
            bar = pygame.Rect(rect.x + 40, y - 6, rect.width - 60, 8)
            pygame.draw.rect(surface, theme.grid, bar, border_radius=4)
            pygame.draw.rect(surface, theme.bad if weak else theme.good,
                             (bar.x, bar.y, int(bar.width * p.accuracy), bar.height), border_radius=4)
            y += 14

    def _draw_chart(self, surface, rect, colours, *, title, value, top, fmt):
        """A line per signal across the sessions (x: session order)."""
        theme = self.app.theme
        draw_panel(surface, rect, theme)
        draw_text(surface, f"{title} · {self.text('progress.sessions')}", (rect.x + 14, rect.y + 8), theme.font(18),
                  theme.muted)
        plot = pygame.Rect(rect.x + 64, rect.y + 40, rect.width - 84, rect.height - 60)
        small = theme.font(14)
        for frac in (0.0, 0.5, 1.0):
            y = plot.bottom - int(frac * plot.height)
            pygame.draw.line(surface, theme.grid, (plot.x, y), (plot.right, y), 1)
            img = small.render(fmt(frac * top), True, theme.muted)
            surface.blit(img, (plot.x - img.get_width() - 8, y - img.get_height() // 2))
        n = max(1, len(self.sessions) - 1)
        for p in self.labels:
            points = [(plot.x + int(s[0] / n * plot.width) if len(self.sessions) > 1 else plot.centerx,
                       plot.bottom - int(min(value(s), top) / top * plot.height))
                      for s in p.by_session if value(s) is not None]
            width = 4 if p.label in self.weak else 2
            if len(points) > 1:
                pygame.draw.lines(surface, colours[p.label], False, points, width)
            for pt in points:
                pygame.draw.circle(surface, colours[p.label], pt, width + 2)
