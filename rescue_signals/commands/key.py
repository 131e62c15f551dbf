"""`rescue-signals key`: the training site's signing key: show it, name the site, export the public half."""

from __future__ import annotations

import sys
from pathlib import Path

from rescue_signals.errors import UsageError
from rescue_signals.filesystem import write_whole
from rescue_signals.paper.sitekey import key_path, site_key


def add_arguments(parser):
    parser.add_argument("--export", action="store_true",
                        help="print the site's public key (to give to an inspector), or write it with -o")
    parser.add_argument("-o", "--out", metavar="FILE", help="with --export: write the public key to FILE")
    parser.add_argument("--site", metavar="NAME",
                        help="the training site's name, signed into every report (set once; the key is kept)")


def run(args) -> int:
    if args.out and not args.export:
        raise UsageError("-o FILE goes with --export")
    key, created = site_key(site=args.site)
    public = key.public
    if created:
        announce_new_key(key)
    if args.export:
        if args.out:
            try:
                write_whole(Path(args.out), public.export_text().encode("utf-8"))
            except OSError as exc:
                raise UsageError(f"{args.out}: cannot write the public key: {exc.strerror}") from None
            print(args.out)
        else:
            sys.stdout.write(public.export_text())
        return 0
    print(f"site: {key.site}")
    print(f"fingerprint: {public.fingerprint}")
    print(f"key file: {key.path} (private: keep it, back it up; never hand it over)")
    print(f"created: {key.created_at}")
    return 0


def announce_new_key(key) -> None:
    """Tell the user (on stderr) that the site key was made now, and what to do with it."""
    print(f"note: created the signing key of training site '{key.site}' in {key.path}\n"
          f"      fingerprint {key.public.fingerprint}\n"
          "      give it to inspectors: rescue-signals key --export -o site-key.txt; rename the site: "
          "rescue-signals key --site NAME", file=sys.stderr)


__all__ = ["add_arguments", "run", "announce_new_key", "key_path"]
