"""Keeping the text catalog: ``python -m rescue_signals.catalog missing|absorb …``.

``missing [LANG …]`` lists, per language, the phrases it lacks (said in English instead) and the ids it has that
English does not; it exits 1 if any language lacks a phrase.

``absorb MODULE TABLE [--prefix P] [--languages zh,en]`` moves a table of phrases still written in code (a dict of
id -> one text per language, such as ``rescue_signals.app.phrases._PHRASES``) into the catalog files, then
empties the table in the module's source (``--keep`` leaves it). MODULE is a module name or a ``.py`` file (such
as another branch's version of a module, saved with ``git show``). A phrase already in the catalog takes the
code's wording. New ids go after the last id with the same first part (``desk.…`` after ``desk.…``).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import sys
from pathlib import Path

from rescue_signals.catalog import FALLBACK_LANGUAGE, catalog_dir, load_catalog
from rescue_signals.catalog.po import format_po, read_po


def _messages(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    return {e.msgid: e.msgstr for e in read_po(path) if e.msgid and not e.fuzzy and e.msgstr}


def merge(messages: dict[str, str], new: dict[str, str]) -> dict[str, str]:
    """``messages`` with ``new`` put in: replaced where the id exists, else after the last id of its group."""
    order = list(messages)
    for key in new:
        if key in messages:
            continue
        group = key.split(".")[0]
        at = max((i for i, k in enumerate(order) if k.split(".")[0] == group), default=len(order) - 1)
        order.insert(at + 1, key)
    return {k: new.get(k, messages.get(k)) for k in order}


def write_catalog(folder: Path, tables: dict[str, dict[str, str]]) -> None:
    """Write each language's messages to ``folder/LANG.po``, English ones as the translators' reference."""
    reference = tables.get(FALLBACK_LANGUAGE) or _messages(folder / f"{FALLBACK_LANGUAGE}.po")
    for lang, messages in tables.items():
        text = format_po(lang, messages, reference=None if lang == FALLBACK_LANGUAGE else reference)
        (folder / f"{lang}.po").write_text(text, encoding="utf-8")


def empty_table(source: Path, name: str) -> bool:
    """Rewrite the module-level assignment of ``name`` in ``source`` as an empty dict; False if there is none."""
    text = source.read_text(encoding="utf-8")
    tree = ast.parse(text)
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
        if isinstance(target, ast.Name) and target.id == name:
            lines = text.splitlines(keepends=True)
            annotation = (": " + ast.get_source_segment(text, node.annotation)) if isinstance(
                node, ast.AnnAssign) else ""
            lines[node.lineno - 1:node.end_lineno] = [f"{name}{annotation} = {{}}\n"]
            source.write_text("".join(lines), encoding="utf-8")
            return True
    return False


def absorb(module_name: str, table_name: str, *, prefix: str = "", languages=("zh", "en"), keep: bool = False,
           folder: Path | None = None) -> int:
    """Move the table ``module_name.table_name`` into the catalog; returns how many phrases moved."""
    folder = folder or catalog_dir()
    if module_name.endswith(".py"):
        spec = importlib.util.spec_from_file_location(Path(module_name).stem, module_name)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    else:
        module = importlib.import_module(module_name)
    table = getattr(module, table_name)
    tables = {lang: _messages(folder / f"{lang}.po") for lang in languages}
    for key, texts in table.items():
        if len(texts) != len(languages):
            raise SystemExit(f"error: {key!r} has {len(texts)} texts, not one per language of {','.join(languages)}")
        empty = [lang for lang, t in zip(languages, texts) if not t]
        if empty:  # an empty msgstr means "not translated" in a .po file
            raise SystemExit(f"error: {key!r} is empty in {','.join(empty)}; a catalog phrase says something: "
                             "write the whole phrase with its {fields} instead (e.g. \"{knocks} ({name})\")")
    for i, lang in enumerate(languages):
        tables[lang] = merge(tables[lang], {prefix + key: texts[i] for key, texts in table.items()})
    write_catalog(folder, tables)
    if table and not keep:
        empty_table(Path(module.__file__), table_name)
    return len(table)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rescue_signals.catalog", description=(
        "Keep the text catalog: list what a language lacks, move phrases from code into it."))
    parser.add_argument("--folder", type=Path, default=None, help="catalog folder (default: the one in use)")
    sub = parser.add_subparsers(dest="command", required=True)
    miss = sub.add_parser("missing", help="list the phrases each language lacks")
    miss.add_argument("languages", nargs="*", help="languages to check (default: all but English)")
    ab = sub.add_parser("absorb", help="move a table of phrases from code into the catalog")
    ab.add_argument("module", help="e.g. rescue_signals.app.phrases, or a .py file")
    ab.add_argument("table", help="e.g. _PHRASES")
    ab.add_argument("--prefix", default="", help="put before every id (e.g. report.)")
    ab.add_argument("--languages", default="zh,en", help="the languages of the table's texts, in order")
    ab.add_argument("--keep", action="store_true", help="leave the table in the code")
    args = parser.parse_args(argv)
    folder = args.folder or catalog_dir()
    if args.command == "absorb":
        n = absorb(args.module, args.table, prefix=args.prefix, languages=tuple(args.languages.split(",")),
                   keep=args.keep, folder=folder)
        print(f"{n} phrases moved into {folder}")
        return 0
    cat = load_catalog(folder)
    wanted = args.languages or [lang for lang in cat.languages if lang != FALLBACK_LANGUAGE]
    lacking = False
    for lang in wanted:
        missing, extra = cat.missing(lang), cat.extra(lang)
        lacking |= bool(missing)
        print(f"{lang}: {len(missing)} missing" + (f", {len(extra)} not in {FALLBACK_LANGUAGE}" if extra else ""))
        for key in missing:
            print(f"  missing  {key}  ({cat.lookup(key, FALLBACK_LANGUAGE)!r})")
        for key in extra:
            print(f"  extra    {key}")
    return 1 if lacking else 0


if __name__ == "__main__":
    sys.exit(main())
