"""The text catalog: every phrase in every language, with the same fields; a new language is one new file; the
.po files read back exactly what was written; the tools move phrases written in code into the catalog."""

from __future__ import annotations

import os
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest

from rescue_signals import catalog
from rescue_signals.catalog import CATALOG_VAR, FALLBACK_LANGUAGE, load_catalog
from rescue_signals.catalog.__main__ import absorb
from rescue_signals.catalog.po import format_po, parse_po
from rescue_signals.codebook import Text
from rescue_signals.errors import DataFileError

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "assets" / "catalog"


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """A copy of the shipped catalog, in use."""
    copy = tmp_path / "catalog"
    shutil.copytree(SHIPPED, copy)
    monkeypatch.setenv(CATALOG_VAR, str(copy))
    return copy


def test_the_shipped_catalog_has_chinese_and_english():
    cat = load_catalog(SHIPPED)
    assert cat.languages == ("zh", "en")
    assert len(cat.keys()) > 240
    assert catalog.say("app.title", "zh") == "矿山救援敲击信号训练"
    assert catalog.say("app.title", "en") == "Rescue knock-signal trainer"


def test_every_phrase_is_in_every_shipped_language():
    cat = load_catalog(SHIPPED)
    missing = {lang: cat.missing(lang) for lang in cat.languages if cat.missing(lang)}
    extra = {lang: cat.extra(lang) for lang in cat.languages if cat.extra(lang)}
    assert not missing, f"phrases missing (python -m rescue_signals.catalog missing): {missing}"
    assert not extra, f"phrases English does not have: {extra}"


def test_every_language_says_a_phrase_with_the_fields_english_fills_in():
    cat = load_catalog(SHIPPED)
    bad = []
    for lang in cat.languages:
        for key, text in cat.messages[lang].items():
            if not text.strip():
                bad.append((lang, key, "empty"))
            elif _fields(text) != _fields(cat.lookup(key, FALLBACK_LANGUAGE)):
                bad.append((lang, key, sorted(_fields(text))))
    assert not bad


TABLES = [("rescue_signals.app.phrases", "_PHRASES", ""), ("rescue_signals.paper.pages", "_P", "report."),
          ("rescue_signals.paper.printed", "_WORDS", "label.")]
"""Tables of phrases (id -> one text per language) that code may still hold, each emptied into the catalog with
``python -m rescue_signals.catalog absorb MODULE TABLE --prefix PREFIX``."""


@pytest.mark.parametrize("module, table, prefix", TABLES)
def test_no_phrase_is_left_in_code(module, table, prefix):
    import importlib

    left = getattr(importlib.import_module(module), table, {})
    command = f".venv/bin/python -m rescue_signals.catalog absorb {module} {table}" + (
        f" --prefix {prefix}" if prefix else "")
    assert not left, f"phrases still written in {module}.{table}: {sorted(left)}; move them into the catalog " \
                     f"with: {command}"


def test_a_third_language_file_with_one_phrase_is_offered_and_english_fills_the_rest(folder):
    (folder / "fr.po").write_text('msgid ""\nmsgstr "Language: fr\\n"\n\n'
                                  'msgid "app.title"\nmsgstr "Entraîneur des signaux de secours"\n', encoding="utf-8")
    assert catalog.languages() == ("zh", "en", "fr")
    assert catalog.say("app.title", "fr") == "Entraîneur des signaux de secours"
    assert catalog.say("status.trainee", "fr", name="Li") == "Trainee: Li"
    assert catalog.text("app.home").get("fr") == "Menu"
    from rescue_signals.codebook import default_codebook

    call = default_codebook().signals[0].name  # the codebook has no French either: its English is shown
    assert call.get("fr") == call.get("en") != call.get("zh")
    # The interface offers it without a change: a new process reads the folder named in the environment.
    probe = ("from rescue_signals.app.phrases import LANGUAGES, say; "
             "print(','.join(LANGUAGES)); print(say('app.title', 'fr'))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                         env={**os.environ, CATALOG_VAR: str(folder)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["zh,en,fr", "Entraîneur des signaux de secours"]
    listed = subprocess.run([sys.executable, "-m", "rescue_signals.catalog", "missing", "fr"], capture_output=True,
                            text=True, timeout=60, env={**os.environ, CATALOG_VAR: str(folder)})
    assert listed.returncode == 1
    assert f"fr: {len(catalog.keys()) - 1} missing" in listed.stdout
    assert "missing  app.home  ('Menu')" in listed.stdout
    assert "app.title" not in listed.stdout


def test_the_shipped_languages_lack_nothing_by_the_listing_command():
    out = subprocess.run([sys.executable, "-m", "rescue_signals.catalog", "--folder", str(SHIPPED), "missing"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout
    assert out.stdout == "zh: 0 missing\n"


def test_text_holds_every_language_and_fills_text_fields_per_language(folder):
    name = Text((("zh", "张三"), ("en", "Zhang San")))
    said = catalog.text("status.trainee", name=name)
    assert said.get("zh") == "学员：张三" and said.get("en") == "Trainee: Zhang San"
    assert [lang for lang, _ in said.translations] == ["zh", "en"]


def test_po_text_reads_back_what_was_written_escapes_and_lines_included():
    messages = {"a.one": 'say "hi"\\now', "a.two": "line one\nline two\n", "a.three": "tab\there", "a.four": "末"}
    entries = parse_po(format_po("xx", messages, reference={"a.one": "ref\nmore"}))
    assert entries[0].msgid == "" and "Language: xx" in entries[0].msgstr
    assert {e.msgid: e.msgstr for e in entries[1:]} == messages


def test_po_continuation_lines_fuzzy_drafts_and_untranslated_phrases(tmp_path):
    (tmp_path / "en.po").write_text('msgid "a"\nmsgstr "A"\n\nmsgid "b"\nmsgstr "B"\n\nmsgid "c"\nmsgstr "C"\n',
                                    encoding="utf-8")
    (tmp_path / "de.po").write_text('# translator: someone\nmsgid "a"\nmsgstr ""\n"Erst"\n"es"\n\n'
                                    '#, fuzzy\nmsgid "b"\nmsgstr "Entwurf"\n\nmsgid "c"\nmsgstr ""\n',
                                    encoding="utf-8")
    cat = load_catalog(tmp_path)
    assert cat.lookup("a", "de") == "Erstes"
    assert cat.lookup("b", "de") == "B" and cat.lookup("c", "de") == "C"
    assert cat.missing("de") == ("b", "c")


@pytest.mark.parametrize("text, line, says", [
    ('msgid "a"\nmsgstr "A"\n\nmsgid "a"\nmsgstr "again"\n', 4, "twice (first at line 1)"),
    ('msgid "a"\nmsgstr "bad \\q escape"\n', 2, "unknown escape"),
    ('msgid "a"\nmsgid_plural "as"\nmsgstr[0] "A"\n', 2, "plural forms are not used"),
    ('msgid "a"\nmsgstr "A" x\n', 2, "a quoted string"),
    ('msgstr "A"\n', 1, "msgstr must follow one msgid"),
    ('msgid "a"\n\nmsgid "b"\nmsgstr "B"\n', 2, "an entry without msgstr"),
])
def test_a_malformed_catalog_file_is_refused_with_its_line(tmp_path, text, line, says):
    (tmp_path / "en.po").write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        load_catalog(tmp_path)
    assert f"en.po:{line}:" in str(err.value) and says in str(err.value)


def test_a_catalog_without_english_is_refused(tmp_path):
    (tmp_path / "zh.po").write_text('msgid "a"\nmsgstr "甲"\n', encoding="utf-8")
    with pytest.raises(DataFileError, match="needs en.po"):
        load_catalog(tmp_path)


def test_absorb_moves_a_table_written_in_code_into_the_catalog(folder, tmp_path, monkeypatch):
    module = tmp_path / "somewords.py"
    module.write_text('"""Words."""\n\nX = 1\n_P = {\n    "desk.fresh": ("新的", "Fresh"),  # a comment\n'
                      '    "app.title": ("新标题", "A new title"),\n}\n\n\ndef f():\n    return _P\n',
                      encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert absorb("somewords", "_P", folder=folder) == 2
    cat = load_catalog(folder)
    assert cat.lookup("desk.fresh", "zh") == "新的" and cat.lookup("desk.fresh", "en") == "Fresh"
    assert cat.lookup("app.title", "en") == "A new title"  # the code's wording wins
    keys = cat.keys()
    assert keys.index("desk.fresh") == max(i for i, k in enumerate(keys) if k.startswith("desk."))
    assert module.read_text(encoding="utf-8") == '"""Words."""\n\nX = 1\n_P = {}\n\n\ndef f():\n    return _P\n'
    assert "#. Fresh\nmsgid \"desk.fresh\"" in (folder / "zh.po").read_text(encoding="utf-8")
    assert absorb("somewords", "_P", prefix="report.", folder=folder, keep=True) == 2  # still loaded: moved again
    assert load_catalog(folder).lookup("report.desk.fresh", "zh") == "新的"


def test_absorb_takes_a_table_from_a_file_such_as_another_branchs_version_of_a_module(folder, tmp_path):
    source = tmp_path / "their_phrases.py"
    source.write_text('_PHRASES = {\n    "app.title": ("矿山救援敲击信号训练", "Rescue knock-signal trainer"),\n'
                      '    "echo.title": ("回声练习", "Echo practice"),\n}\n', encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "rescue_signals.catalog", "absorb", str(source), "_PHRASES", "--keep"],
                         capture_output=True, text=True, timeout=60, env={**os.environ, CATALOG_VAR: str(folder)})
    assert out.returncode == 0, out.stderr
    cat = load_catalog(folder)
    assert cat.lookup("echo.title", "zh") == "回声练习" and cat.missing("zh") == ()
    assert "echo.title" in source.read_text(encoding="utf-8")  # --keep


def test_every_phrase_of_every_language_has_its_glyphs_in_the_fonts_of_the_printed_pages():
    """The printed pages draw with the CJK font matplotlib is given, falling back to its DejaVu Sans."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    from rescue_signals.paper.printed import cjk_font_path

    dejavu = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"), fallback_to_default=False)
    fonts = [FT2Font(str(cjk_font_path())), FT2Font(dejavu)]
    cat = load_catalog(SHIPPED)
    bad = {}
    for lang in cat.languages:
        for key, text in cat.messages[lang].items():
            missing = {c for c in text if not c.isspace() and all(f.get_char_index(ord(c)) == 0 for f in fonts)}
            if missing:
                bad[(key, lang)] = "".join(sorted(missing))
    assert not bad, f"phrases with characters no font of the printed pages has: {bad}"


def test_the_language_switch_turns_through_every_catalog_language(monkeypatch):
    from rescue_signals.app import phrases

    monkeypatch.setattr(phrases, "LANGUAGES", ("zh", "en", "fr"))
    assert [phrases.next_language(lang) for lang in ("zh", "en", "fr", "xx")] == ["en", "fr", "zh", "zh"]
    assert phrases.language_name("zh") == "中文" and phrases.language_name("en") == "English"


def test_absorb_refuses_an_empty_phrase_which_a_po_file_reads_as_untranslated(folder, tmp_path):
    source = tmp_path / "words.py"
    source.write_text('W = {"label.knock_unit": ("声", "")}\n', encoding="utf-8")
    with pytest.raises(SystemExit, match="'label.knock_unit' is empty in en"):
        absorb(str(source), "W", folder=folder)
    assert "label.knock_unit" not in (folder / "zh.po").read_text(encoding="utf-8")


def test_a_report_is_offered_in_a_third_language_too(folder, tmp_path):
    """A French catalog file is enough for a French report (the codebook's own words in English, as on screen); a
    helmet label, which carries the codebook's text, says that the codebook has no French."""
    (folder / "fr.po").write_text('msgid ""\nmsgstr "Language: fr\\n"\n\n'
                                  'msgid "report.title.trainee"\nmsgstr "Relevé de formation"\n', encoding="utf-8")
    env = {**os.environ, CATALOG_VAR: str(folder), "RESCUE_SIGNALS_HOME": str(tmp_path / "home")}
    from rescue_signals.paper.records import Records

    records = Records(tmp_path / "records.sqlite3")
    records.add_trainee("Dupont")
    records.close()
    report = tmp_path / "dupont.html"
    out = subprocess.run([sys.executable, "-m", "rescue_signals", "report", "--trainee", "Dupont", "--lang", "fr",
                          "--db", str(tmp_path / "records.sqlite3"), "-o", str(report)],
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert "Relevé de formation: Dupont" in report.read_text(encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "rescue_signals", "label", "--lang", "fr", "-o", str(tmp_path)],
                         capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 1 and "error: language 'fr' is not in the codebook" in out.stderr
