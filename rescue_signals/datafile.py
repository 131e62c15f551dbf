"""Reading YAML data files so that every value remembers the line it came from.

Codebooks and drill scenarios are written by people. When one is wrong, the error must name ``file:line``, say
what is allowed, and suggest the closest valid name. PyYAML's node graph carries the marks; this module turns it
into plain dicts, lists and scalars wrapped in :class:`Node`, which validators then read through :class:`Reader`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import yaml

from rescue_signals.errors import DataFileError


@dataclass(frozen=True)
class Node:
    """A YAML value with the 1-based line where it starts."""

    value: Any  # dict[str, Node] | list[Node] | str | int | float | bool | None
    line: int


def load_yaml(path: str | Path) -> tuple[Node, str]:
    """Parse a YAML file safely into :class:`Node` values.

    Returns
    -------
    root : Node
    path : str
        The path as given, for error messages.

    Raises
    ------
    DataFileError
        The file is missing, unreadable, not YAML, or has duplicate keys.
    """
    path_s = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(path_s, None, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(path_s, None, f"cannot read the file: {exc}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        if "expected ',' or '}'" in problem or "expected ',' or ']'" in problem:
            problem += " (text with ':', '?' or ',' inside { } or [ ] must be in quotes)"
        raise DataFileError(path_s, line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise DataFileError(path_s, None, f"invalid YAML: {exc}") from None
    if root is None:
        raise DataFileError(path_s, 1, "the file is empty")
    return _convert(root, path_s), path_s


def _convert(node: yaml.Node, path: str) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            if not isinstance(key, (str, int)):
                raise DataFileError(path, key_node.start_mark.line + 1, "keys must be plain names")
            key = str(key)
            if key in out:
                raise DataFileError(path, key_node.start_mark.line + 1,
                                    f"duplicate key '{key}' (first at line {out[key].line})")
            out[key] = _convert(value_node, path)
        return Node(out, line)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(item, path) for item in node.value], line)
    return Node(_scalar(node), line)


def _scalar(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return node  # a mapping or list used as a key; caller rejects it
    return _CONSTRUCTOR.construct_object(node, deep=True)


# Resolves scalar tags (int, float, bool, null, str) exactly as yaml.safe_load would.
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
