"""The trainer app (pygame-ce + pygame_gui). Nothing outside this package imports pygame."""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # the banner is noise in a terminal command
