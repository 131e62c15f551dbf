"""Reading and writing the gettext ``.po`` files of the text catalog.

The subset read is the one written here and the one translators' tools (Poedit, Weblate, Lokalize) keep: entries
separated by blank lines, ``#`` comment lines, ``msgctxt``, ``msgid`` and ``msgstr`` each followed by any number of
continuation strings, the escapes ``\\\\ \\" \\n \\t``. Plural forms (``msgid_plural``, ``msgstr[n]``) are refused
with the line they are on. An entry flagged ``#, fuzzy`` is a draft and is skipped, as gettext itself does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rescue_signals.errors import DataFileError

_ESCAPES = {"\\": "\\", '"': '"', "n": "\n", "t": "\t"}
_KEYWORDS = ("msgctxt", "msgid", "msgstr")


@dataclass(frozen=True)
class PoEntry:
    """One message: its id, its text in the file's language, and where it stands (1-based line of ``msgid``)."""

    msgid: str
    msgstr: str
    line: int
    context: str | None = None
    fuzzy: bool = False


def _unquote(path: Path, line_no: int, token: str) -> str:
    token = token.strip()
    if len(token) < 2 or not (token.startswith('"') and token.endswith('"')):
        raise DataFileError(str(path), line_no, f"expected a quoted string, found {token!r}")
    body, out, k = token[1:-1], [], 0
    while k < len(body):
        ch = body[k]
        if ch == "\\":
            if k + 1 >= len(body) or body[k + 1] not in _ESCAPES:
                raise DataFileError(str(path), line_no, "unknown escape in a string; allowed: \\\\ \\\" \\n \\t")
            out.append(_ESCAPES[body[k + 1]])
            k += 2
            continue
        if ch == '"':
            raise DataFileError(str(path), line_no, 'a quote inside a string must be written \\"')
        out.append(ch)
        k += 1
    return "".join(out)


def parse_po(text: str, path: Path | str = "<catalog>") -> list[PoEntry]:
    """The entries of a ``.po`` file's text, the header (``msgid ""``) included.

    Raises
    ------
    DataFileError
        A line is not part of the subset, a string is malformed, or an entry lacks ``msgid`` or ``msgstr``; the
        message names ``file:line``.
    """
    path = Path(path)
    entries: list[PoEntry] = []
    fields: dict[str, list[str]] = {}
    starts: dict[str, int] = {}
    current: str | None = None
    fuzzy = False

    def close(line_no: int) -> None:
        nonlocal fields, starts, current, fuzzy
        if fields:
            for needed in ("msgid", "msgstr"):
                if needed not in fields:
                    raise DataFileError(str(path), line_no, f"an entry without {needed}")
            entries.append(PoEntry("".join(fields["msgid"]), "".join(fields["msgstr"]), starts["msgid"],
                                   "".join(fields["msgctxt"]) if "msgctxt" in fields else None, fuzzy))
        fields, starts, current, fuzzy = {}, {}, None, False

    lines = text.splitlines()
    for line_no, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            close(line_no)
            continue
        if line.startswith("#"):
            if "msgstr" in fields:
                close(line_no)  # a comment opens the next entry
            if line.startswith("#,") and "fuzzy" in (flag.strip() for flag in line[2:].split(",")):
                fuzzy = True
            continue
        if line.startswith('"'):
            if current is None:
                raise DataFileError(str(path), line_no, "a continuation string outside an entry")
            fields[current].append(_unquote(path, line_no, line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword not in _KEYWORDS:
            hint = " (plural forms are not used: write one message per form)" if keyword.startswith(
                ("msgid_plural", "msgstr[")) else ""
            raise DataFileError(str(path), line_no, f"unexpected {keyword!r}; allowed: {', '.join(_KEYWORDS)}, "
                                                    f"quoted strings and # comments{hint}")
        if keyword == "msgstr":
            if "msgid" not in fields or "msgstr" in fields:
                raise DataFileError(str(path), line_no, "msgstr must follow one msgid")
        elif "msgstr" in fields or keyword in fields:
            close(line_no)  # msgctxt or msgid after a complete entry opens the next one
        fields[keyword] = [_unquote(path, line_no, rest)]
        starts[keyword] = line_no
        current = keyword
    close(len(lines) + 1)
    return entries


def read_po(path: Path | str) -> list[PoEntry]:
    """The entries of the ``.po`` file at ``path`` (see :func:`parse_po`)."""
    path = Path(path)
    return parse_po(path.read_text(encoding="utf-8"), path)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n") + '"'


def _field(keyword: str, text: str) -> list[str]:
    if "\n" not in text.rstrip("\n"):
        return [f"{keyword} {_quote(text)}"]
    parts = text.split("\n")
    pieces = [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
    return [f'{keyword} ""'] + [_quote(p) for p in pieces]


def format_po(language: str, messages: dict[str, str], *, reference: dict[str, str] | None = None) -> str:
    """A ``.po`` file holding ``messages`` (id -> text) in ``language``, ids in the order given.

    ``reference`` (the English texts) is written as a ``#.`` comment above each message, for translators.
    """
    out = ['msgid ""', 'msgstr ""', _quote(f"Language: {language}\n"),
           _quote("MIME-Version: 1.0\n"), _quote("Content-Type: text/plain; charset=UTF-8\n"),
           _quote("Content-Transfer-Encoding: 8bit\n"), ""]
    for msgid, msgstr in messages.items():
        if reference is not None and msgid in reference:
            out += ["#. " + line for line in reference[msgid].split("\n")]
        out += _field("msgid", msgid) + _field("msgstr", msgstr) + [""]
    return "\n".join(out)
