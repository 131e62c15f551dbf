"""The microphone's level drawn as a bar over its zones (too quiet, heard well, clipping), with the verdict in words.

What is measured and judged is in :mod:`rescue_signals.app.inputlevel`; this module only draws it.
"""

from __future__ import annotations

import pygame

from rescue_signals.app.drawing import draw_text
from rescue_signals.app.inputlevel import LevelMeter, LevelZone
from rescue_signals.app.theme import Colour, Theme

ZONE_WORDS = {LevelZone.NONE: "level.none", LevelZone.QUIET: "level.quiet", LevelZone.GOOD: "level.good",
              LevelZone.CLIPPING: "level.clipping"}
"""The phrase that says each zone in words."""

BAR_PX = 22


def zone_colour(theme: Theme, zone: LevelZone) -> Colour:
    return {LevelZone.QUIET: theme.warn, LevelZone.GOOD: theme.good, LevelZone.CLIPPING: theme.bad}.get(zone,
                                                                                                       theme.muted)


def _dim(colour: Colour, theme: Theme) -> Colour:
    return tuple((2 * b + c) // 3 for c, b in zip(colour[:3], theme.panel[:3]))


def draw_level_meter(surface: pygame.Surface, rect: pygame.Rect, theme: Theme, meter: LevelMeter, say) -> int:
    """Draw the meter inside ``rect`` (a title, the bar, the zones' names, the verdict); ``say(key)`` gives a phrase
    in the trainee's language. Returns the bottom of what was drawn, px."""
    s = meter.settings
    top = 0.0

    def x_of(level_dbfs: float) -> int:
        frac = (min(top, max(s.bottom_dbfs, level_dbfs)) - s.bottom_dbfs) / (top - s.bottom_dbfs)
        return bar.x + int(round(frac * bar.width))

    title = draw_text(surface, say("level.title"), rect.topleft, theme.font(17), theme.muted)
    bar = pygame.Rect(rect.x, title.bottom + 4, rect.width, BAR_PX)
    quiet_x, clip_x = x_of(meter.quiet_below_dbfs), x_of(s.clip_dbfs)
    zones = [(bar.x, quiet_x, LevelZone.QUIET, "level.quiet_zone"),
             (quiet_x, clip_x, LevelZone.GOOD, "level.good_zone"),
             (clip_x, bar.right, LevelZone.CLIPPING, "level.clip_zone")]
    small = theme.font(14)
    for left, right, zone, words in zones:
        colour = zone_colour(theme, zone)
        pygame.draw.rect(surface, _dim(colour, theme), (left, bar.y, max(1, right - left), bar.height))
        img = small.render(say(words), True, colour)
        label_x = min(max(left, (left + right - img.get_width()) // 2), bar.right - img.get_width())
        surface.blit(img, (label_x, bar.bottom + 3))
    zone_now = meter.zone_of(meter.level_dbfs)
    level_x = x_of(meter.level_dbfs)
    if level_x > bar.x:
        pygame.draw.rect(surface, zone_colour(theme, zone_now), (bar.x, bar.y + 5, level_x - bar.x, bar.height - 10))
    if meter.noise_dbfs > s.bottom_dbfs:
        noise_x = x_of(meter.noise_dbfs)
        pygame.draw.line(surface, theme.text, (noise_x, bar.y - 3), (noise_x, bar.bottom + 2), 2)
    if meter.last_sound is not None:
        peak_x = x_of(meter.last_sound[1])
        pygame.draw.line(surface, theme.text, (peak_x, bar.y), (peak_x, bar.bottom - 1), 3)
    pygame.draw.rect(surface, theme.panel_edge, bar, width=1)
    zone = meter.zone()
    words = draw_text(surface, say(ZONE_WORDS[zone]), (rect.x, bar.bottom + 8 + small.get_linesize()),
                      theme.font(19, bold=zone in (LevelZone.QUIET, LevelZone.CLIPPING)),
                      zone_colour(theme, zone) if zone != LevelZone.NONE else theme.muted, width_px=rect.width)
    return words.bottom


def level_words(surface: pygame.Surface, topleft: tuple[int, int], width_px: int, theme: Theme, mic, since_s: float,
                say) -> int:
    """Under a graded group: what was wrong with the level since ``since_s`` (monotonic s), when the microphone
    (``mic``, or None) heard a sound too quiet to be heard well or clipped, a little under ``topleft``; nothing
    otherwise. Returns the bottom of what was drawn, px (``topleft``'s y when nothing was)."""
    if mic is None or mic.meter.time_s is None:
        return topleft[1]
    zone = mic.meter.zone_between(since_s, mic.meter.time_s)
    if zone not in (LevelZone.QUIET, LevelZone.CLIPPING):
        return topleft[1]
    x, y = topleft
    return draw_text(surface, "⚠ " + say(ZONE_WORDS[zone]), (x, y + 6), theme.font(22, bold=True),
                     zone_colour(theme, zone), width_px=width_px).bottom
