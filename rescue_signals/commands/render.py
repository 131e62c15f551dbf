"""`rescue-signals render`: not available in this version yet."""

from rescue_signals.errors import RescueSignalsError


def add_arguments(parser):
    parser.add_argument("rest", nargs="*", help="(not available yet)")


def run(args) -> int:
    raise RescueSignalsError("'render' is not available in this version yet")
