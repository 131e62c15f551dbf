"""A scene's phases and the moves between them, in one table.

A scene that runs in steps (choose a drill, hear it, answer, see the result...) names its steps in an enum and
lists, in one place, which step may follow which. :class:`Phases`, as the scene's ``phase`` attribute, holds the
current step and refuses a move the table does not have: a mistake in the scene shows at once, where it is made.
"""

from __future__ import annotations

from enum import Enum


class Phases:
    """The ``phase`` of a scene: starts at the table's first phase; assigning another checks the move.

    Parameters
    ----------
    moves : dict
        phase -> the phases that may follow it (the first key is where the scene starts).
    """

    def __init__(self, moves: dict[Enum, frozenset]):
        missing = set(type(next(iter(moves)))) - set(moves)
        if missing:
            raise ValueError(f"no moves given from {', '.join(sorted(str(m) for m in missing))}")
        self.moves = moves
        self.start = next(iter(moves))

    def __set_name__(self, owner, name: str) -> None:
        self.name, self.slot = name, f"_{name}"

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        return getattr(obj, self.slot, self.start)

    def __set__(self, obj, to) -> None:
        now = self.__get__(obj)
        to = type(now)(to)
        if to not in self.moves[now]:
            raise RuntimeError(f"{type(obj).__name__} cannot go from {now} to {to}")
        setattr(obj, self.slot, to)
