"""`rescue-signals report`: a trainee's or a crew's records as signed CSV, HTML or PDF, or xAPI statements; or a
check of a report: who signed it, whether it is unchanged, and whether the records still match it."""

from __future__ import annotations

import sys
from pathlib import Path

from rescue_signals.commands.codebook import _pad, _width
from rescue_signals.commands.key import announce_new_key
from rescue_signals.errors import RecordsError, RescueSignalsError, SignatureError, UsageError
from rescue_signals.paper.records import Records, default_path
from rescue_signals.paper.reports import (FORMATS, Details, build_report, check_against_records,
                                          read_signed_report, write_report)
from rescue_signals.paper.sitekey import load_site_key, site_key, trusted_keys


def add_arguments(parser):
    from rescue_signals.catalog import languages

    who = parser.add_mutually_exclusive_group()
    who.add_argument("--trainee", metavar="NAME", help="report of one trainee")
    who.add_argument("--crew", metavar="NAME", help="report of a crew (every member)")
    who.add_argument("--verify", metavar="FILE", help="check who signed a report, that it is unchanged, and (with "
                                                      "--db, or on the site's own machine) that the records match")
    parser.add_argument("--format", choices=FORMATS,
                        help="csv, html, pdf (signed) or xapi (statements for a learning record store); default: "
                             "from the -o extension")
    parser.add_argument("-o", "--out", metavar="OUT", help="file to write; without it a summary is printed")
    parser.add_argument("--lang", choices=languages(), default="zh", help="language (default zh)")
    parser.add_argument("--db", metavar="FILE", help="the records file (default: $RESCUE_SIGNALS_DB or the "
                                                     "user's data folder)")
    parser.add_argument("--trust", metavar="FINGERPRINT|FILE", action="append", default=[],
                        help="with --verify: a site key you trust (its fingerprint, or a file of exported keys); "
                             "may be repeated")
    parser.add_argument("--site", metavar="NAME", help="the training site's name, when its key is made (first use)")
    parser.add_argument("--unit", metavar="NAME", help="the unit (mine or company) printed on the report; remembered "
                                                       "in the records for the next reports (\"\" clears it)")
    parser.add_argument("--place", metavar="PLACE", help="where the training took place; remembered likewise")
    parser.add_argument("--trainer", metavar="NAME", help="who ran the training; remembered likewise (also the "
                                                          "xAPI instructor unless --instructor is given)")
    parser.add_argument("--instructor", metavar="NAME", help="with --format xapi: who ran the drills")


def run(args) -> int:
    if args.verify:
        return _verify(args)
    if not (args.trainee or args.crew):
        raise UsageError("say whose report: --trainee NAME or --crew NAME (or --verify FILE)")
    db = Path(args.db) if args.db else default_path()
    details = _details(db, args)
    with Records(db, read_only=True) as records:
        report = build_report(records, trainee=args.trainee, crew=args.crew, details=details)
    if not args.out:
        if args.format:
            raise UsageError(f"--format {args.format} needs -o FILE")
        _print_summary(report, args.lang)
        return 0
    out = Path(args.out)
    fmt = args.format or out.suffix.lstrip(".").lower()
    if not out.suffix and args.format:
        out = out.with_suffix(".json" if args.format == "xapi" else f".{args.format}")
    key, created = site_key(site=args.site)
    if created:
        announce_new_key(key)
    path = write_report(report, out, key=key, fmt=fmt, lang=args.lang,
                        instructor=args.instructor or details.trainer)
    print(path)
    print(f"content sha256 {report.content_sha256}")
    if fmt != "xapi":
        print(f"signed by {key.site}, key {key.public.fingerprint}")
    return 0


def _details(db: Path, args) -> Details:
    """The unit, place and trainer: as given now, else as remembered in the records; what is given is remembered."""
    with Records(db, read_only=True) as records:
        remembered = Details.from_records(records)
    details = remembered.updated(unit=args.unit, place=args.place, trainer=args.trainer)
    if details != remembered:
        try:
            with Records(db) as records:
                details.remember(records)
        except RecordsError as exc:
            print(f"note: {exc}; this report carries them all the same", file=sys.stderr)
    return details


def _print_summary(report, lang: str) -> None:
    from rescue_signals.paper.pages import detail_rows, member_rows, session_rows

    for label, value in detail_rows(report, lang):
        print(f"{label}: {value}")
    print()
    for title, (head, rows) in ((None, member_rows(report.data, lang)), ("", session_rows(report.data, lang))):
        if title is not None:
            print()
        widths = [max(_width(str(c)) for c in col) for col in zip(head, *rows)]
        for row in [head, *rows]:
            print("  ".join(_pad(str(c), w) for c, w in zip(row, widths)).rstrip())


def _verify(args) -> int:
    own = load_site_key()
    found = read_signed_report(args.verify, trusted_keys(args.trust, own=own))
    print(f"{found.path}: {found.kind} report of {found.subject}, records until {found.until}")
    print(f"  signed by: {found.signer.site}")
    print(f"  key: {found.signer.fingerprint}" + (f" (trusted: {found.trusted_as})" if found.trusted_as else
                                                 " (NOT a key you trust)"))
    print("  signature: valid: the file is exactly as it was signed")
    print(f"  content sha256 {found.content_sha256}")
    if found.chain is not None:
        print(f"  records chain: entry {found.chain.position}, hash {found.chain.hash}")
    if found.trusted_as is None:
        raise SignatureError(
            f"{found.path}: signed by an unknown key: '{found.signer.site}' with key {found.signer.fingerprint}, "
            "which you have not said you trust. If that is the site's key (compare it with what the site gave you: "
            f"rescue-signals key --export), check again with --trust {found.signer.fingerprint}")
    db = Path(args.db) if args.db else None
    if db is None and own is not None and found.trusted_as == "this site's own key" and default_path().is_file():
        db = default_path()  # on the site's own machine, its own records
    if db is None:
        print("  records: not checked (give the records file with --db FILE to check them too)")
        return 0
    try:
        with Records(db, read_only=True) as records:
            note = check_against_records(found, records)
    except RescueSignalsError as exc:
        print(f"  records: DO NOT MATCH: {exc}")
        raise RescueSignalsError(f"{found.path} does not match the records: {exc}") from None
    print(f"  records: {note}")
    return 0


__all__ = ["add_arguments", "run"]
