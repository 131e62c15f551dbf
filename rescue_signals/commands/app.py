"""`rescue-signals app`: open the trainer app."""

import argparse


def add_arguments(parser):
    from rescue_signals.app.router import SCENES
    from rescue_signals.catalog import languages

    parser.add_argument("--lang", choices=languages(), default=None,
                        help="interface language (default: the last one used, zh the first time)")
    parser.add_argument("--trainee", metavar="NAME", help="start as this trainee (added if new), skipping the start screen")
    parser.add_argument("--scene", choices=[s for s in SCENES if s != "start"],
                        help="open this screen first (with --trainee)")
    parser.add_argument("--scenario", metavar="FILE", action="append", default=[],
                        help="a drill scenario file to offer first in Listen (may be repeated)")
    parser.add_argument("--recording", metavar="FILE", help="open this recording in Decode")
    parser.add_argument("--records", metavar="FILE",
                        help="the records database (default: $RESCUE_SIGNALS_DB or the user data folder)")
    parser.add_argument("--no-sound", action="store_true",
                        help="visual-only mode: every knock is shown as a flash instead of played")
    parser.add_argument("--seed", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--event-log", metavar="FILE", default=None, help=argparse.SUPPRESS)  # for outside tests


def run(args) -> int:
    from rescue_signals.app.main import run_app  # pygame is imported only when the app opens

    return run_app(lang=args.lang, trainee=args.trainee, scene=args.scene, scenario_paths=args.scenario,
                   recording=args.recording, records_path=args.records,
                   sound=False if args.no_sound else None, seed=args.seed, event_log=args.event_log)
