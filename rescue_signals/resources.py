"""Where the shipped data lives: inside the installed package, or at the top of a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    # An installed wheel carries the folder inside the package; a source checkout has it beside the package.
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    return _PACKAGE / name


def assets_dir() -> Path:
    """The folder of shipped assets (codebooks, sample packs, theme)."""
    return _data_dir("assets")


def scenarios_dir() -> Path:
    """The folder of shipped drill scenarios."""
    return _data_dir("scenarios")


def codebook_path(name: str = "mem-2021") -> Path:
    """Path of a shipped codebook by its name (file stem)."""
    return assets_dir() / "codebooks" / f"{name}.yaml"
