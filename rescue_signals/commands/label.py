"""`rescue-signals label`: the helmet label (PDF and print PNG), an A4 sheet of labels, and the pocket card."""

from __future__ import annotations

from rescue_signals.codebook import default_codebook, load_codebook
from rescue_signals.errors import UsageError
from rescue_signals.paper.printed import LABEL_SIZE_MM, PRINT_DPI, write_printed


def add_arguments(parser):
    from rescue_signals.catalog import languages

    parser.add_argument("--lang", choices=languages(), default="zh", help="language (default zh)")
    parser.add_argument("-o", "--out", metavar="DIR", default=".", help="folder to write into (default: here)")
    parser.add_argument("--dpi", type=int, default=PRINT_DPI, metavar="N",
                        help=f"resolution of the PNG files (default {PRINT_DPI})")
    parser.add_argument("--file", metavar="YAML", help="another codebook file instead of the official one")


def run(args) -> int:
    cb = load_codebook(args.file) if args.file else default_codebook()
    if not 72 <= args.dpi <= 2400:
        raise UsageError(f"--dpi {args.dpi}: use 72 to 2400")
    for path in write_printed(args.out, cb, lang=args.lang, dpi=args.dpi):
        print(path)
    w, h = LABEL_SIZE_MM
    print(f"helmet label {w:g} × {h:g} mm; print at 100 % (no page scaling). The layout is the project's own; "
          "the content is the official code.")
    return 0
