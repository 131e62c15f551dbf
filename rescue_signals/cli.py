"""The ``rescue-signals`` command. Each subcommand lives in ``rescue_signals/commands/<name>.py`` and is one call
into the library; this module only builds the parser and turns user errors into ``error: …`` and exit code 1."""

from __future__ import annotations

import argparse
import importlib
import sys

from rescue_signals import __version__
from rescue_signals.errors import RescueSignalsError

# (name, one-line help); the module rescue_signals.commands.<name> provides add_arguments(parser) and run(args).
COMMANDS = (
    ("app", "open the trainer app (the default when no command is given)"),
    ("codebook", "print the official signals and their rules"),
    ("render", "render a knock sequence to an audio file, with a ground-truth sidecar"),
    ("play", "play a knock sequence on the default output"),
    ("decode", "decode knocks in recorded audio files into groups and meanings"),
    ("listen", "decode knocks from the microphone, live"),
    ("drill", "run a drill scenario in the terminal"),
    ("report", "export a trainee's or a crew's records, or verify a report"),
    ("records", "check that the records are as they were written (their hash chain)"),
    ("key", "show or export the training site's signing key"),
    ("label", "render the helmet label and the pocket card"),
    ("devices", "list audio inputs and outputs"),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rescue-signals",
        description="Trainer, simulator and decoder for the 5432 mine rescue knock signals.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in COMMANDS:
        module = importlib.import_module(f"rescue_signals.commands.{name.replace('-', '_')}")
        p = sub.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    # No command, or only options (`rescue-signals --lang en`), opens the app with those options.
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")):
        argv = ["app", *argv]
    args = parser.parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except RescueSignalsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `rescue-signals codebook | head`
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
