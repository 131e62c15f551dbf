"""Knocks drawn as beats on a timeline, and the flash that shows a knock to someone who cannot hear it."""

from __future__ import annotations

import math

import pygame

from rescue_signals.app.theme import Colour, Theme


def draw_beats(surface: pygame.Surface, rect: pygame.Rect, theme: Theme, times_s, *, span_s: float,
               colour: Colour, lit: int | None = None, ideal_times_s=None, start_s: float = 0.0,
               playhead_s: float | None = None, labels: bool = True, radius_px: int | None = None,
               marks: list[Colour] | None = None) -> list[tuple[int, int]]:
    """Draw knocks at ``times_s`` on a horizontal timeline spanning ``start_s`` to ``start_s + span_s``.

    Parameters
    ----------
    times_s : sequence of float, s
        When each knock falls.
    lit : int or None
        How many knocks are "sounding" (filled); the rest are outlines. None fills all.
    ideal_times_s : sequence of float, optional, s
        Where the knocks should fall, drawn as grey ticks under them.
    playhead_s : float, optional, s
        Draws a vertical line at this time.
    marks : list of colours, optional
        A colour per knock that overrides ``colour`` (e.g. good/bad spacing).

    Returns
    -------
    list of (x, y)
        The centre of each knock, in pixels.
    """
    span_s = max(span_s, 1e-3)
    y = rect.centery
    radius = radius_px or max(6, min(rect.height // 3, 22))

    def x_of(t: float) -> int:
        return rect.x + int((t - start_s) / span_s * rect.width)

    pygame.draw.line(surface, theme.grid, (rect.x, y), (rect.right, y), 2)
    small = theme.font(14)
    first = math.ceil(start_s)
    for second in range(first, int(start_s + span_s) + 1):
        x = x_of(second)
        pygame.draw.line(surface, theme.grid, (x, y - 6), (x, y + 6), 1)
        if labels:
            img = small.render(f"{second - first:d} s" if second == first else f"{second - first:d}", True,
                               theme.muted)
            surface.blit(img, (x - img.get_width() // 2, y + radius + 6))
    for t in ideal_times_s or ():
        x = x_of(t)
        pygame.draw.line(surface, theme.ideal, (x, y - radius - 8), (x, y + radius + 8), 3)
    centres = []
    for i, t in enumerate(times_s):
        x = x_of(t)
        c = marks[i] if marks and i < len(marks) else colour
        if lit is None or i < lit:
            pygame.draw.circle(surface, c, (x, y), radius)
        else:
            pygame.draw.circle(surface, c, (x, y), radius, width=3)
        centres.append((x, y))
    if playhead_s is not None and start_s <= playhead_s <= start_s + span_s:
        x = x_of(playhead_s)
        pygame.draw.line(surface, theme.accent, (x, rect.y), (x, rect.bottom), 2)
    return centres


def group_times(count: int, interval_s: float) -> list[float]:
    """Evenly spaced knocks of one group, the first at 0."""
    return [i * interval_s for i in range(count)]


FLASH_S = 0.25
"""How long the visual beat of one knock stays bright."""


def draw_flash(surface: pygame.Surface, rect: pygame.Rect, theme: Theme, *, since_s: float | None,
               colour: Colour | None = None) -> None:
    """The visual beat: a disc that lights up when a knock is heard and fades over :data:`FLASH_S`.

    ``since_s`` is the time since the latest knock (None: nothing heard yet).
    """
    centre = rect.center
    radius = min(rect.width, rect.height) // 2
    pygame.draw.circle(surface, theme.panel_edge, centre, radius, width=3)
    if since_s is None or since_s < 0 or since_s > FLASH_S:
        return
    strength = 1.0 - since_s / FLASH_S
    base = colour or theme.accent
    bg = theme.background
    mixed = tuple(int(bg[i] + (base[i] - bg[i]) * strength) for i in range(3))
    pygame.draw.circle(surface, mixed, centre, int(radius * (0.7 + 0.3 * strength)))
