"""`rescue-signals records --verify`: walk the records' hash chain and name the first broken entry."""

from __future__ import annotations

from pathlib import Path

from rescue_signals.errors import RecordsError, UsageError
from rescue_signals.paper.records import Records, default_path

SHOWN_PROBLEMS = 5
"""How many problems are listed after the first broken entry."""


def add_arguments(parser):
    parser.add_argument("--verify", action="store_true",
                        help="check every entry of the hash chain and every stored row against it")
    parser.add_argument("--db", metavar="FILE", help="the records file (default: $RESCUE_SIGNALS_DB or the "
                                                     "user's data folder)")


def run(args) -> int:
    if not args.verify:
        raise UsageError("say what to do with the records: --verify")
    db = Path(args.db) if args.db else default_path()
    with Records(db, read_only=True) as records:
        check = records.verify_chain()
    if check.head is None:
        raise RecordsError(f"{db}: the records have no chain yet (made by an older version): open them once with "
                           "write access, e.g. run a drill, to start it")
    print(f"{db}: {check.entries} entries, head {check.head.position} {check.head.hash}")
    if check.ok:
        print("  intact: every entry follows the one before it, and every stored row is as its entry says")
        return 0
    for problem in check.problems[:SHOWN_PROBLEMS]:
        print(f"  BROKEN: {problem.message}")
    if len(check.problems) > SHOWN_PROBLEMS:
        print(f"  … and {len(check.problems) - SHOWN_PROBLEMS} more")
    where = f"entry {check.first.position}" if check.first.position else "a row outside the chain"
    raise RecordsError(f"{db}: the records were changed after they were written; the first broken one is {where}")
