"""Every phrase the program shows or prints, one ``.po`` file per language.

The languages offered are the files present in the catalog folder (``assets/catalog``, or the folder named by
``$RESCUE_SIGNALS_CATALOG``): adding ``fr.po`` adds French. A phrase missing from a language is said in English
(``python -m rescue_signals.catalog missing fr`` lists them). Messages are keyed by stable ids such as
``app.title``; ``{name}`` fields are filled with :meth:`str.format` rules.

The pure core says things through :func:`text`, a :class:`~rescue_signals.codebook.Text` in every language, so
the caller picks the language; the interfaces use :func:`say`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rescue_signals.codebook import FALLBACK_LANGUAGE, Text
from rescue_signals.errors import DataFileError
from rescue_signals.catalog.po import read_po
from rescue_signals.resources import assets_dir

CATALOG_VAR = "RESCUE_SIGNALS_CATALOG"
"""Environment variable naming a catalog folder to use instead of the shipped one."""

DEFAULT_LANGUAGE = "zh"
"""The language spoken when none is chosen, listed first."""

# FALLBACK_LANGUAGE (from the codebook, whose texts fall back the same way): the language a phrase missing from
# another is said in; every phrase must be in it.

TERMINAL_PREFIX = "cli."
"""Ids of the phrases only the terminal commands print (in the terminal's own font, not the app's)."""


@dataclass(frozen=True)
class Catalog:
    """The phrases of every language: ``messages[lang][id]``; ``languages`` in the order offered."""

    folder: Path
    languages: tuple[str, ...]
    messages: dict[str, dict[str, str]]

    def keys(self) -> tuple[str, ...]:
        """Every message id, in the order of the fallback language's file."""
        return tuple(self.messages[FALLBACK_LANGUAGE])

    def lookup(self, key: str, lang: str) -> str:
        """The phrase ``key`` in ``lang``, or in the fallback language when ``lang`` lacks it.

        Raises
        ------
        KeyError
            No language has the phrase (a bug: the code asks for an id the catalog does not hold).
        """
        found = self.messages.get(lang, {}).get(key)
        if found is None:
            found = self.messages[FALLBACK_LANGUAGE].get(key)
        if found is None:
            raise KeyError(f"{key!r} is not in the catalog {self.folder}")
        return found

    def missing(self, lang: str) -> tuple[str, ...]:
        """The ids the fallback language has and ``lang`` lacks."""
        have = self.messages.get(lang, {})
        return tuple(k for k in self.messages[FALLBACK_LANGUAGE] if k not in have)

    def extra(self, lang: str) -> tuple[str, ...]:
        """The ids ``lang`` has that the fallback language does not (stale or misspelt)."""
        base = self.messages[FALLBACK_LANGUAGE]
        return tuple(k for k in self.messages.get(lang, {}) if k not in base)


def catalog_dir() -> Path:
    """The catalog folder in use: ``$RESCUE_SIGNALS_CATALOG``, or the shipped ``assets/catalog``."""
    override = os.environ.get(CATALOG_VAR)
    return Path(override).expanduser() if override else _shipped_dir()


@lru_cache(maxsize=1)
def _shipped_dir() -> Path:
    return assets_dir() / "catalog"


def _order(lang: str) -> tuple[int, str]:
    return ({DEFAULT_LANGUAGE: 0, FALLBACK_LANGUAGE: 1}.get(lang, 2), lang)


def load_catalog(folder: Path | str) -> Catalog:
    """Read every ``*.po`` of ``folder``; the file stem is the language code.

    Raises
    ------
    DataFileError
        A file is malformed, holds an id twice, or the fallback language's file is missing.
    """
    folder = Path(folder).expanduser()
    messages: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.po")):
        table: dict[str, str] = {}
        lines: dict[str, int] = {}
        for entry in read_po(path):
            if entry.msgid == "" or entry.fuzzy or entry.msgstr == "":
                continue  # the header, drafts and untranslated phrases
            if entry.context is not None:
                raise DataFileError(str(path), entry.line, "msgctxt is not used: the msgid is the message's id")
            if entry.msgid in table:
                raise DataFileError(str(path), entry.line,
                                    f"{entry.msgid!r} twice (first at line {lines[entry.msgid]})")
            table[entry.msgid] = entry.msgstr
            lines[entry.msgid] = entry.line
        messages[path.stem] = table
    if FALLBACK_LANGUAGE not in messages:
        raise DataFileError(str(folder / f"{FALLBACK_LANGUAGE}.po"), None,
                            f"the catalog needs {FALLBACK_LANGUAGE}.po: it says what another language lacks")
    languages = tuple(sorted(messages, key=_order))
    return Catalog(folder, languages, {lang: messages[lang] for lang in languages})


@lru_cache(maxsize=4)
def _cached(folder: str) -> Catalog:
    return load_catalog(folder)


def catalog() -> Catalog:
    """The catalog in use (read once per folder)."""
    # Screens say their phrases every frame: only the environment is looked at again, not the disk.
    return _cached(os.environ.get(CATALOG_VAR) or str(_shipped_dir()))


def languages() -> tuple[str, ...]:
    """The languages offered: one per catalog file, the default language first."""
    return catalog().languages


def keys() -> tuple[str, ...]:
    """Every message id of the catalog."""
    return catalog().keys()


def say(key: str, lang: str, **fields) -> str:
    """The phrase ``key`` in ``lang``, with ``{fields}`` filled in (a :class:`Text` field in ``lang``)."""
    template = catalog().lookup(key, lang)
    if not fields:
        return template
    return template.format(**{k: v.get(lang) if isinstance(v, Text) else v for k, v in fields.items()})


def text(key: str, **fields) -> Text:
    """The phrase ``key`` in every language of the catalog, fields filled in per language."""
    return Text(tuple((lang, say(key, lang, **fields)) for lang in languages()))


def plural(key: str, count: int, **fields) -> Text:
    """``key.one`` for a count of 1, else ``key.other``, with ``{n}`` = ``count``."""
    return text(f"{key}.{'one' if count == 1 else 'other'}", n=count, **fields)


def joined(items, separator_key: str) -> Text:
    """``items`` (each a :class:`Text` or a string) joined in every language by the phrase ``separator_key``."""
    items = list(items)
    return Text(tuple((lang, say(separator_key, lang).join(i.get(lang) if isinstance(i, Text) else str(i)
                                                           for i in items)) for lang in languages()))
