"""The words of the trainer's own interface, said from the text catalog (:mod:`rescue_signals.catalog`).

Signal names, meanings and rules are not here: they come from the codebook, so a codebook with other signals is
taught through the same screens. ``{name}`` fields are filled in by :func:`say`.
"""

from __future__ import annotations

from rescue_signals import catalog

LANGUAGES = catalog.languages()
"""The languages offered: one per catalog file."""

# Phrases written here (id -> (zh, en)) are said until they are moved into the catalog with
# `python -m rescue_signals.catalog absorb rescue_signals.app.phrases _PHRASES`.
_PHRASES: dict[str, tuple[str, str]] = {}


def say(key: str, lang: str, **values) -> str:
    """The phrase ``key`` in ``lang``, with ``{fields}`` filled in."""
    if key in _PHRASES:
        zh, en = _PHRASES[key]
        text = zh if lang == "zh" else en
        return text.format(**values) if values else text
    return catalog.say(key, lang, **values)


def keys() -> tuple[str, ...]:
    """Every phrase id the interface can say."""
    return tuple(dict.fromkeys(catalog.keys() + tuple(_PHRASES)))
