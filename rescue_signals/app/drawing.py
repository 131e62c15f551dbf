"""Drawing text and panels on a pygame surface: wrapped text that breaks Chinese between characters and English
between words, and the rounded panels every scene sits its content on."""

from __future__ import annotations

import re

import pygame

from rescue_signals.app.theme import Colour, Theme

# A Latin word (or number) stays whole; every other character (Chinese, punctuation) may start a new line.
_TOKEN = re.compile(r"[A-Za-z0-9'’\-\.,:;!?%()/\"]+|\s+|.", re.S)


def wrap(text: str, font: pygame.font.Font, width_px: int) -> list[str]:
    """Lines of ``text`` no wider than ``width_px`` in ``font``; explicit newlines are kept."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _TOKEN.findall(paragraph):
            candidate = line + token
            if line and font.size(candidate.rstrip())[0] > width_px:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line = candidate
        lines.append(line.rstrip())
    return lines


def text_lines(text: str, topleft: tuple[int, int], font: pygame.font.Font, *, width_px: int | None = None,
               align: str = "left") -> list[tuple[str, pygame.Rect]]:
    """Where :func:`draw_text` puts each line of ``text``: (line, the rectangle its letters cover)."""
    x, y = topleft
    out = []
    line_h = font.get_linesize()
    for line in wrap(text, font, width_px) if width_px else text.split("\n"):
        line_w = font.size(line)[0]
        if align == "center" and width_px:
            lx = x + (width_px - line_w) // 2
        elif align == "right" and width_px:
            lx = x + width_px - line_w
        else:
            lx = x
        out.append((line, pygame.Rect(lx, y, line_w, line_h)))
        y += line_h
    return out


def draw_text(surface: pygame.Surface, text: str, topleft: tuple[int, int], font: pygame.font.Font,
              colour: Colour, *, width_px: int | None = None, align: str = "left") -> pygame.Rect:
    """Draw (wrapped) text; return the rectangle it covers. ``align`` is left, center or right of the width."""
    x, y = topleft
    covered = pygame.Rect(x, y, width_px or 0, 0)
    lines = text_lines(text, topleft, font, width_px=width_px, align=align)
    for line, rect in lines:
        surface.blit(font.render(line, True, colour), rect.topleft)
        covered.union_ip(rect)
    covered.height = max(covered.height, len(lines) * font.get_linesize())
    return covered


def text_height(text: str, font: pygame.font.Font, width_px: int) -> int:
    return len(wrap(text, font, width_px)) * font.get_linesize()


def fit_font(theme: Theme, texts, *, width_px: int, height_px: int, sizes=(22, 20, 18, 16), bold: bool = False,
             gap_px: int = 0) -> pygame.font.Font:
    """The largest font of ``sizes`` (px, largest first) in which ``texts``, each wrapped to ``width_px`` and
    stacked ``gap_px`` apart, take at most ``height_px``; the smallest if none is small enough."""
    texts = list(texts)
    for size in sizes:
        font = theme.font(size, bold=bold)
        if sum(text_height(t, font, width_px) for t in texts) + gap_px * (len(texts) - 1) <= height_px:
            break
    return font


def draw_panel(surface: pygame.Surface, rect: pygame.Rect, theme: Theme, *, edge: Colour | None = None,
               fill: Colour | None = None, width_px: int = 2) -> None:
    pygame.draw.rect(surface, fill or theme.panel, rect, border_radius=10)
    pygame.draw.rect(surface, edge or theme.panel_edge, rect, width=width_px, border_radius=10)
