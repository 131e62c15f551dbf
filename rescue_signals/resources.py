"""Where things live: the shipped data (inside the installed package, or at the top of a source checkout) and the
user's own folder (records, preferences, the site key)."""

from __future__ import annotations

import os
from pathlib import Path

HOME_VAR = "RESCUE_SIGNALS_HOME"
"""Environment variable naming the user's data folder (overrides the platform's default)."""

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


def user_data_dir() -> Path:
    """The user's data folder: ``$RESCUE_SIGNALS_HOME``, or the platform's (``~/.local/share/rescue-signals``)."""
    override = os.environ.get(HOME_VAR)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("rescue-signals", appauthor=False))
