"""The records' append-only hash chain: every change to the records is an entry whose hash covers its full
canonical content and the hash of the entry before it.

An entry holds a whole row of the records as it stood right after it was written (a trainee registered, a session
started or ended, an answer saved). Replaying the chain gives every row the records must hold, so a value edited
in the file afterwards differs from its entry, and an entry edited to match breaks the hashes from there on. What
the chain cannot show alone is a file rewritten from scratch with every hash recomputed: a report carries the
position and hash of the head it was made from, which such a rewrite cannot reproduce.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

GENESIS = "0" * 64
"""The "previous hash" of the first entry."""

TABLES = ("crews", "trainees", "sessions", "trials")
"""The tables whose every row is in the chain."""

KIND_NAMES = {
    "chain-start": "the start of the chain", "adopted": "a row kept from before the chain",
    "crew": "a crew added", "trainee": "a trainee registered", "trainee-crew": "a trainee moved to a crew",
    "session-start": "a session started", "session-end": "a session ended", "answer": "an answer saved",
}


def canonical(content: dict) -> str:
    """Content as hashed: JSON with sorted keys, no spaces, UTF-8 text kept as it is."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def entry_hash(prev_hash: str, content_json: str) -> str:
    """SHA-256 (hex) over the previous entry's hash and this entry's canonical content."""
    return hashlib.sha256(f"{prev_hash}\n{content_json}".encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Head:
    """Where the chain ends: the last entry's position (1 = first) and hash."""

    position: int
    hash: str


@dataclass(frozen=True)
class Problem:
    """One way the records differ from their chain.

    Attributes
    ----------
    position : int or None
        The chain entry concerned (None for a row that no entry holds).
    message : str
        What is wrong, in words a trainer or an inspector can follow.
    """

    position: int | None
    message: str


@dataclass(frozen=True)
class Check:
    """What walking the chain found.

    Attributes
    ----------
    entries : int
    head : Head or None
    problems : tuple of Problem
        In chain order; rows outside the chain last.
    """

    entries: int
    head: Head | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return self.problems[0] if self.problems else None


def describe(position: int, content: dict) -> str:
    """``entry 12 (an answer saved: trial 3 of session 2)`` for messages."""
    kind = content.get("kind", "?")
    row = content.get("row") or {}
    what = KIND_NAMES.get(kind, kind)
    if content.get("table") == "trials" or kind == "answer":
        what += f": trial {int(row.get('trial_index', -1)) + 1} of session {row.get('session_id')}"
    elif content.get("table") == "sessions":
        what += f": session {row.get('id')} ({row.get('scenario_id')}, {row.get('started_at')})"
    elif content.get("table") in ("trainees", "crews"):
        what += f": '{row.get('name')}'" if row.get("name") else f": id {row.get('id')}"
    return f"entry {position} ({what})"


def walk(entries, tables: dict[str, dict[int, dict]]) -> Check:
    """Check a chain and the rows it must account for.

    Parameters
    ----------
    entries : iterable of (position, content_json, prev_hash, hash)
        The stored chain, in position order.
    tables : dict
        For each of :data:`TABLES`, the rows stored now, by id, as ``{column: value}``.
    """
    problems: list[Problem] = []
    expected: dict[str, dict[int, tuple[int, dict]]] = {t: {} for t in TABLES}  # the latest entry of each row
    prev, count, head, broken_at = GENESIS, 0, None, None
    for position, content_json, prev_hash, stored_hash in entries:
        count += 1
        try:
            content = json.loads(content_json)
        except (TypeError, ValueError):
            content = {}
        label = describe(position, content)
        if broken_at is None:
            if position != count:
                problems.append(Problem(position, f"entry {position}: entries before it are missing (expected "
                                                  f"entry {count})"))
                broken_at = position
            elif prev_hash != prev:
                problems.append(Problem(position, f"{label}: it does not follow the entry before it (its "
                                                  "previous hash differs): entries were removed, replaced or "
                                                  "reordered"))
                broken_at = position
            elif entry_hash(prev_hash, content_json) != stored_hash:
                problems.append(Problem(position, f"{label}: its content was changed after it was written (its "
                                                  "hash does not match)"))
                broken_at = position
            elif not content or content.get("position") != position:
                problems.append(Problem(position, f"{label}: its content is not an entry of this chain"))
                broken_at = position
        prev, head = stored_hash, Head(position, stored_hash)
        table, row = content.get("table"), content.get("row")
        if table in expected and isinstance(row, dict) and "id" in row:
            expected[table][row["id"]] = (position, content)
    for table in TABLES:
        stored = tables.get(table, {})
        for row_id, (position, content) in sorted(expected[table].items(), key=lambda x: x[1][0]):
            row, what = content["row"], describe(position, content)
            if row_id not in stored:
                problems.append(Problem(position, f"{what}: its row is gone from the records ({table} id {row_id})"))
                continue
            changed = [c for c in sorted(set(row) | set(stored[row_id])) if row.get(c) != stored[row_id].get(c)]
            if changed:
                shown = ", ".join(f"{c} is {_short(stored[row_id].get(c))} where the chain has {_short(row.get(c))}"
                                  for c in changed[:3])
                problems.append(Problem(position, f"{what}: the stored row was changed afterwards: {shown}"))
        for row_id in sorted(set(stored) - set(expected[table])):
            problems.append(Problem(None, f"{table} id {row_id} is in the records but in no entry of the chain "
                                          "(added behind the program's back)"))
    problems.sort(key=lambda p: (p.position is None, p.position or 0))
    return Check(count, head, tuple(problems))


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."
