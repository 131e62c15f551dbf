"""`rescue-signals report`: a trainee's or a crew's records as CSV, HTML or PDF, or a check of a report."""

from __future__ import annotations

from pathlib import Path

from rescue_signals.commands.codebook import _pad, _width
from rescue_signals.errors import RescueSignalsError, UsageError
from rescue_signals.records import Records, default_path
from rescue_signals.reports import FORMATS, build_report, verify_report, write_report


def add_arguments(parser):
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--trainee", metavar="NAME", help="report of one trainee")
    who.add_argument("--crew", metavar="NAME", help="report of a crew (every member)")
    who.add_argument("--verify", metavar="FILE", help="check that a report is unchanged (and matches the records)")
    parser.add_argument("--format", choices=FORMATS, help="csv, html or pdf (default: from the -o extension)")
    parser.add_argument("-o", "--out", metavar="OUT", help="file to write; without it a summary is printed")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language (default zh)")
    parser.add_argument("--db", metavar="FILE", help="the records file (default: $RESCUE_SIGNALS_DB or the "
                                                     "user's data folder)")


def run(args) -> int:
    if args.verify:
        return _verify(args)
    if not (args.trainee or args.crew):
        raise UsageError("say whose report: --trainee NAME or --crew NAME (or --verify FILE)")
    with Records(args.db or default_path(), read_only=True) as records:
        report = build_report(records, trainee=args.trainee, crew=args.crew)
    if not args.out:
        if args.format:
            raise UsageError(f"--format {args.format} needs -o FILE")
        _print_summary(report, args.lang)
        return 0
    out = Path(args.out)
    fmt = args.format or out.suffix.lstrip(".").lower()
    if not out.suffix and args.format:
        out = out.with_suffix(f".{args.format}")
    path = write_report(report, out, fmt=fmt, lang=args.lang)
    print(path)
    print(f"content sha256 {report.content_sha256}")
    return 0


def _print_summary(report, lang: str) -> None:
    from rescue_signals.reportpages import member_rows, session_rows

    for title, (head, rows) in ((None, member_rows(report.data, lang)), ("", session_rows(report.data, lang))):
        if title is not None:
            print()
        widths = [max(_width(str(c)) for c in col) for col in zip(head, *rows)]
        for row in [head, *rows]:
            print("  ".join(_pad(str(c), w) for c, w in zip(row, widths)).rstrip())


def _verify(args) -> int:
    db = Path(args.db) if args.db else default_path()
    records = None
    if db.is_file():
        try:
            records = Records(db, read_only=True)
        except RescueSignalsError as exc:
            print(f"records not checked: {exc}")
    try:
        result = verify_report(args.verify, records)
    finally:
        if records is not None:
            records.close()
    print(f"{result.path}: {result.kind or '?'} report of {result.subject or '?'}, records until {result.until}")
    print(f"  content sha256 {result.content_sha256}")
    print(f"  seal: {'intact: the file is unchanged' if result.sealed else 'BROKEN: the file was changed'}")
    print(f"  records: {result.records_note}")
    if not result.sealed:
        raise RescueSignalsError(f"{result.path} has been changed since it was made")
    if result.records_match is False:
        raise RescueSignalsError(f"{result.path} does not match the records")
    return 0
