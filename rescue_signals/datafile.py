"""Reading YAML data files so that every value remembers the line it came from.

Codebooks and drill scenarios are written by people. When one is wrong, the error must name ``file:line``, say
what is allowed, and suggest the closest valid name. PyYAML's node graph carries the marks; this module turns it
into plain dicts, lists and scalars wrapped in :class:`Node`, which validators then read through :class:`Reader`.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from rescue_signals.errors import DataFileError
from rescue_signals.filesystem import not_a_regular_file


@dataclass(frozen=True)
class Node:
    """A YAML value with the 1-based line where it starts."""

    value: Any  # dict[str, Node] | list[Node] | str | int | float | bool | None
    line: int


MAX_FILE_BYTES = 512 * 1024
"""The largest codebook or scenario file read (512 KiB; the shipped ones are under 8 KiB). Checked before parsing."""

MAX_DEPTH = 64
"""How deeply mappings and lists may nest (the shipped files nest 5 deep)."""

MAX_VALUES = 100_000
"""How many values a file may hold, counting every use of an alias as a copy of what it names (so an alias bomb,
a few kilobytes that expand to billions of values, is refused as it is read)."""

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when present: 16 times faster


def load_yaml(path: str | Path) -> tuple[Node, str]:
    """Parse a YAML data file safely into :class:`Node` values.

    Only plain YAML is read: tags (``!!python/...``, ``!foo``) are refused, aliases may be used but what they
    expand to counts against :data:`MAX_VALUES`, nesting is bounded by :data:`MAX_DEPTH`, the file by
    :data:`MAX_FILE_BYTES`, and every number must be finite.

    Returns
    -------
    root : Node
    path : str
        The path as given, for error messages.

    Raises
    ------
    DataFileError
        The file is missing, unreadable, too large, not YAML, uses a tag, nests too deeply, expands too far, holds
        a number that is not finite, or has duplicate keys.
    """
    path_s = str(path)
    text = _read_text(Path(path), path_s)
    try:
        root = _compose(yaml.parse(text, Loader=_Loader), path_s)
    except yaml.MarkedYAMLError as exc:
        raise DataFileError(path_s, _error_line(exc), f"invalid YAML: {_problem(exc)}") from None
    except yaml.YAMLError as exc:
        raise DataFileError(path_s, None, f"invalid YAML: {exc}") from None
    if root is None:
        raise DataFileError(path_s, 1, "the file is empty")
    return root, path_s


def _read_text(p: Path, path_s: str) -> str:
    try:
        info = p.stat()
    except FileNotFoundError:
        raise DataFileError(path_s, None, "file not found") from None
    except OSError as exc:
        raise DataFileError(path_s, None, f"cannot read the file: {exc.strerror or exc}") from None
    problem = not_a_regular_file(p)
    if problem:
        raise DataFileError(path_s, None, f"{problem}; give a YAML file")
    if info.st_size > MAX_FILE_BYTES:
        raise DataFileError(path_s, None, f"the file is {info.st_size / 1024:.0f} KiB; codebooks and scenarios may "
                                          f"be at most {MAX_FILE_BYTES // 1024} KiB (split a long drill into several "
                                          "scenarios, or use 'repeat' and 'draw' steps)")
    try:
        with open(p, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)  # the file may have grown since stat()
        if len(raw) > MAX_FILE_BYTES:
            raise DataFileError(path_s, None, f"the file is larger than {MAX_FILE_BYTES // 1024} KiB")
        return raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(path_s, None, f"cannot read the file: {exc}") from None


def _error_line(exc: yaml.MarkedYAMLError) -> int | None:
    # A scanner error is noticed where the broken token should have ended (often the next line, or the end of the
    # file); its context mark is where that token starts, which is the line to fix.
    scanner = isinstance(exc, yaml.scanner.ScannerError) or (exc.context or "").startswith("while scanning")
    mark = (exc.context_mark if scanner and exc.context_mark else None) or exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark else None


def _problem(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or exc.context or "invalid YAML"
    if "expected ',' or '}'" in problem or "expected ',' or ']'" in problem:
        problem += " (text with ':', '?' or ',' inside { } or [ ] must be in quotes)"
    if "end of stream" in problem and "quoted" in (exc.context or ""):
        problem = "a quoted text is never closed (its closing quote is missing)"
    if "could not find expected ':'" in problem:
        problem += " (a 'name: value' line without its ':'?)"
    return problem


class _Open:
    """A mapping or list being read: its line, its items so far, and its anchor."""

    __slots__ = ("line", "items", "anchor", "size", "key")

    def __init__(self, line: int, items, anchor: str | None):
        self.line, self.items, self.anchor, self.size, self.key = line, items, anchor, 1, None


def _compose(events, path: str) -> Node | None:
    """Build :class:`Node` values from parser events, without recursion (any depth is refused cleanly, never a
    stack overflow) and without expanding aliases (an alias shares the value it names)."""
    anchors: dict[str, tuple[Node, int]] = {}
    stack: list[_Open] = []
    root: Node | None = None
    total = 0

    def add(node: Node, size: int, line: int) -> None:
        nonlocal root, total
        total += size
        if total > MAX_VALUES:
            raise DataFileError(path, line, f"the file holds more than {MAX_VALUES:,} values (counting what every "
                                            "alias (*name) repeats); data files are small: is this an alias bomb?")
        if not stack:
            root = node
            return
        parent = stack[-1]
        parent.size += size
        if isinstance(parent.items, list):
            parent.items.append(node)
        elif parent.key is None:
            key = node.value
            if not isinstance(key, (str, int)):
                raise DataFileError(path, line, "keys must be plain names")
            parent.key = (str(key), line)
        else:
            key, key_line = parent.key
            if key in parent.items:
                raise DataFileError(path, key_line, f"duplicate key '{key}' (first at line {parent.items[key].line})")
            parent.items[key] = node
            parent.key = None

    for event in events:
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise DataFileError(path, line, f"alias '*{event.anchor}' names no anchor '&{event.anchor}' above it")
            node, size = anchors[event.anchor]
            add(node, size, line)
            continue
        if isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)) and event.tag:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            raise DataFileError(path, line, f"the tag '{tag}' is not allowed: data files hold plain text, "
                                            "numbers, true/false, lists and mappings (remove the '!' part)")
        if isinstance(event, yaml.ScalarEvent):
            node = Node(_scalar(event, path, line), line)
            add(node, 1, line)
            if event.anchor:
                anchors[event.anchor] = (node, 1)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(stack) >= MAX_DEPTH:
                raise DataFileError(path, line, f"lists and mappings nest more than {MAX_DEPTH} deep here; data "
                                                "files need a few levels")
            items = {} if isinstance(event, yaml.MappingStartEvent) else []
            stack.append(_Open(line, items, event.anchor))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            done = stack.pop()
            node = Node(done.items, done.line)
            total -= done.size - 1  # its values were counted as they came; add() counts the whole again
            add(node, done.size, done.line)
            if done.anchor:
                anchors[done.anchor] = (node, done.size)
        elif isinstance(event, yaml.DocumentStartEvent) and root is not None:
            raise DataFileError(path, line, "the file holds more than one YAML document ('---'); keep one")
    return root


def _scalar(event: yaml.ScalarEvent, path: str, line: int) -> Any:
    """A scalar's value, resolved (int, float, bool, null, str) exactly as ``yaml.safe_load`` would; a number must
    be finite."""
    if event.implicit[0]:  # a plain scalar: its type comes from how it looks
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False))
    else:  # quoted: text
        tag = "tag:yaml.org,2002:str"
    try:
        value = _CONSTRUCTOR.construct_object(yaml.ScalarNode(tag, event.value), deep=True)
    except (ValueError, yaml.YAMLError) as exc:
        raise DataFileError(path, line, f"cannot read '{event.value[:24]}{'…' if len(event.value) > 24 else ''}': "
                                        f"{str(exc).split(';')[0]}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise DataFileError(path, line, f"'{event.value}' is not a finite number; give a number such as 15 or 0.5")
    return value


# Resolves and constructs scalars (int, float, bool, null, str, timestamps) exactly as yaml.safe_load would.
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.SafeLoader("")


def closest(name: str, choices: Iterable[str]) -> str | None:
    """The valid name most like ``name``, if any is close enough to be a likely typo."""
    match = difflib.get_close_matches(str(name), list(choices), n=1, cutoff=0.5)
    return match[0] if match else None


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` or an empty string."""
    best = closest(name, choices)
    return f" (did you mean '{best}'?)" if best else ""


class Reader:
    """Validating access to one mapping of a data file.

    Parameters
    ----------
    node : Node
        Must hold a mapping; anything else is reported at its line.
    path : str
        File name for messages.
    what : str
        How to name this mapping in messages, e.g. ``"signal 'call'"``.
    """

    def __init__(self, node: Node, path: str, what: str):
        if not isinstance(node.value, dict):
            raise DataFileError(path, node.line, f"{what} must be a mapping of 'name: value' lines")
        self.node = node
        self.path = path
        self.what = what
        self.map: dict[str, Node] = node.value

    @property
    def line(self) -> int:
        return self.node.line

    def error(self, line: int | None, message: str) -> DataFileError:
        return DataFileError(self.path, line, message)

    def check_keys(self, allowed: Iterable[str], required: Iterable[str] = ()) -> None:
        """Reject unknown keys (suggesting the closest allowed one) and report missing required keys."""
        allowed = list(allowed)
        for key, value in self.map.items():
            if key not in allowed:
                raise self.error(value.line, f"unknown key '{key}' in {self.what}{did_you_mean(key, allowed)}; "
                                             f"allowed: {', '.join(allowed)}")
        for key in required:
            if key not in self.map:
                raise self.error(self.line, f"{self.what} is missing '{key}'")

    def has(self, key: str) -> bool:
        return key in self.map

    def node_of(self, key: str) -> Node:
        return self.map[key]

    def line_of(self, key: str) -> int:
        return self.map[key].line if key in self.map else self.line

    def sub(self, key: str, what: str | None = None) -> "Reader":
        if key not in self.map:
            raise self.error(self.line, f"{self.what} is missing '{key}'")
        return Reader(self.map[key], self.path, what or f"'{key}' of {self.what}")

    def str(self, key: str, default: Any = ..., choices: Iterable[str] | None = None) -> str:
        value = self._get(key, default)
        if key not in self.map:
            return value
        if not isinstance(value, str) or not value.strip():
            raise self.error(self.line_of(key), f"'{key}' of {self.what} must be non-empty text")
        if choices is not None:
            choices = list(choices)
            if value not in choices:
                raise self.error(self.line_of(key), f"'{key}' of {self.what} is '{value}'"
                                 f"{did_you_mean(value, choices)}; allowed: {', '.join(choices)}")
        return value

    def number(self, key: str, default: Any = ..., *, low: float | None = None, high: float | None = None,
               integer: bool = False) -> Any:
        value = self._get(key, default)
        if key not in self.map:
            return value
        kind = "a whole number" if integer else "a number"
        ok = isinstance(value, int) if integer else isinstance(value, (int, float))
        if not ok or isinstance(value, bool):
            raise self.error(self.line_of(key), f"'{key}' of {self.what} must be {kind}, not {value!r}")
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"from {low}" if high is None else f"from {low} to {high}" if low is not None else f"up to {high}"
            raise self.error(self.line_of(key), f"'{key}' of {self.what} is {value}; allowed {bounds}")
        return value

    def bool(self, key: str, default: Any = ...) -> bool:
        value = self._get(key, default)
        if key in self.map and not isinstance(value, bool):
            raise self.error(self.line_of(key), f"'{key}' of {self.what} must be true or false, not {value!r}")
        return value

    def list(self, key: str, default: Any = ...) -> list[Node]:
        if key not in self.map:
            if default is ...:
                raise self.error(self.line, f"{self.what} is missing '{key}'")
            return default
        value = self.map[key].value
        if not isinstance(value, list):
            raise self.error(self.line_of(key), f"'{key}' of {self.what} must be a list")
        return value

    def items(self) -> Iterator[tuple[str, Node]]:
        return iter(self.map.items())

    def _get(self, key: str, default: Any) -> Any:
        if key in self.map:
            return self.map[key].value
        if default is ...:
            raise self.error(self.line, f"{self.what} is missing '{key}'")
        return default
