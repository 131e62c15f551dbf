"""`rescue-signals app`: open the trainer app."""


def add_arguments(parser):
    parser.add_argument("--lang", choices=("zh", "en"), default=None, help="interface language (default zh)")


def run(args) -> int:
    from rescue_signals.app.main import run_app  # pygame is imported only when the app opens

    return run_app(lang=args.lang)
