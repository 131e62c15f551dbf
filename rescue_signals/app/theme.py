"""How the trainer looks: the pygame_gui theme file, the colours it draws itself, and a font that covers Chinese.

pygame's built-in font has no Chinese glyphs; pygame_gui ships Noto Sans SC (OFL), which covers GB2312 and Latin,
so every piece of text, in either language, is drawn with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pygame

from rescue_signals.resources import assets_dir

Colour = tuple[int, int, int]


def theme_path() -> Path:
    """The pygame_gui theme (widget colours, fonts, shapes)."""
    return assets_dir() / "theme" / "theme.json"


def font_path(*, bold: bool = False) -> Path:
    """Noto Sans SC as shipped inside pygame_gui."""
    name = "NotoSansSC-Bold.otf" if bold else "NotoSansSC-Regular.otf"
    return Path(str(resources.files("pygame_gui.data").joinpath(name)))


def _rgb(text: str) -> Colour:
    text = text.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)


@dataclass
class Theme:
    """Colours from ``assets/theme/palette.json`` and fonts by pixel size, cached."""

    colours: dict[str, Colour]
    roles: tuple[Colour, ...]
    series: tuple[Colour, ...]
    _fonts: dict[tuple[int, bool], pygame.font.Font] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Colour:
        try:
            return self.__dict__["colours"][name]
        except KeyError:
            raise AttributeError(name) from None

    def font(self, size_px: int, *, bold: bool = False) -> pygame.font.Font:
        key = (int(size_px), bold)
        if key not in self._fonts:
            self._fonts[key] = pygame.font.Font(str(font_path(bold=bold)), key[0])
        return self._fonts[key]

    def role_colour(self, role_index: int) -> Colour:
        return self.roles[role_index % len(self.roles)]


def load_theme() -> Theme:
    data = json.loads((assets_dir() / "theme" / "palette.json").read_text(encoding="utf-8"))
    colours = {k: _rgb(v) for k, v in data.items() if isinstance(v, str) and v.startswith("#")}
    return Theme(colours, tuple(_rgb(c) for c in data["roles"]), tuple(_rgb(c) for c in data["series"]))
