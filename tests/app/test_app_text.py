"""Every word and mark the trainer shows can be drawn: no glyph falls back to an empty box, in any language."""
from pathlib import Path

import pygame.freetype
import pytest

from rescue_signals.catalog import TERMINAL_PREFIX, catalog
from rescue_signals.app.theme import font_path

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fonts():
    pygame.freetype.init()
    return [pygame.freetype.Font(str(font_path(bold=bold)), 20) for bold in (False, True)]


def _missing(fonts, text: str) -> set[str]:
    missing = set()
    for font in fonts:
        metrics = font.get_metrics(text)
        missing |= {ch for ch, m in zip(text, metrics) if m is None and not ch.isspace()}
    return missing


def test_every_phrase_of_the_catalog_has_its_glyphs_in_the_shipped_font(fonts):
    """Every phrase in every language of the catalog: the interface's own words and what the core says (readings,
    notes, warnings), which the screens show too. (What only the terminal commands print is left out: the terminal
    draws it with its own font; the printed pages' fonts are checked in tests/foundation.)"""
    cat = catalog()
    bad = {}
    for lang in cat.languages:
        for key, text in cat.messages[lang].items():
            if key.startswith(TERMINAL_PREFIX):
                continue
            missing = _missing(fonts, text)
            if missing:
                bad[(key, lang)] = "".join(sorted(missing))
    assert len(cat.messages["zh"]) > 240
    assert not bad, f"phrases with characters the font draws as boxes: {bad}"


def test_every_mark_and_word_written_in_the_code_has_its_glyph(fonts):
    """Marks such as the tick and cross of a checked answer are written in the scenes themselves. (The terminal
    commands print with the terminal's own font and are left out.)"""
    bad = {}
    for path in sorted((ROOT / "rescue_signals").rglob("*.py")):
        if "commands" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        odd = "".join(sorted({ch for ch in text if ord(ch) > 127}))
        missing = _missing(fonts, odd) if odd else set()
        if missing:
            bad[path.relative_to(ROOT).as_posix()] = "".join(sorted(missing))
    assert not bad, f"characters the font draws as boxes: {bad}"


def test_the_codebook_texts_have_their_glyphs(fonts):
    text = (ROOT / "assets" / "codebooks" / "mem-2021.yaml").read_text(encoding="utf-8")
    assert not _missing(fonts, "".join(sorted(set(text) - {"\n", "\t"})))
