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


def draw_text(surface: pygame.Surface, text: str, topleft: tuple[int, int], font: pygame.font.Font,
              colour: Colour, *, width_px: int | None = None, align: str = "left") -> pygame.Rect:
    """Draw (wrapped) text; return the rectangle it covers. ``align`` is left, center or right of the width."""
    x, y = topleft
    lines = wrap(text, font, width_px) if width_px else text.split("\n")
    covered = pygame.Rect(x, y, width_px or 0, 0)
    line_h = font.get_linesize()
    for line in lines:
        img = font.render(line, True, colour)
        if align == "center" and width_px:
            lx = x + (width_px - img.get_width()) // 2
        elif align == "right" and width_px:
            lx = x + width_px - img.get_width()
        else:
            lx = x
        surface.blit(img, (lx, y))
        covered.union_ip(pygame.Rect(lx, y, img.get_width(), line_h))
        y += line_h
    covered.height = max(covered.height, y - topleft[1])
    return covered


def text_height(text: str, font: pygame.font.Font, width_px: int) -> int:
    return len(wrap(text, font, width_px)) * font.get_linesize()


def draw_panel(surface: pygame.Surface, rect: pygame.Rect, theme: Theme, *, edge: Colour | None = None,
               fill: Colour | None = None, width_px: int = 2) -> None:
    pygame.draw.rect(surface, fill or theme.panel, rect, border_radius=10)
    pygame.draw.rect(surface, edge or theme.panel_edge, rect, width=width_px, border_radius=10)
