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


def next_language(lang: str) -> str:
    """The language the language switch turns to from ``lang``: the next catalog language, round to the first."""
    return LANGUAGES[(LANGUAGES.index(lang) + 1) % len(LANGUAGES)] if lang in LANGUAGES else LANGUAGES[0]


def language_name(lang: str) -> str:
    """The language's own name for itself (on the switch that turns to it)."""
    return catalog.say("language.name", lang)


def keys() -> tuple[str, ...]:
    """Every phrase id the interface can say (the catalog's, but those only the terminal commands print)."""
    shown = tuple(k for k in catalog.keys() if not k.startswith(catalog.TERMINAL_PREFIX))
    return tuple(dict.fromkeys(shown + tuple(_PHRASES)))
