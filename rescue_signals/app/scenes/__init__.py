"""The screens of the trainer, one module each."""

from __future__ import annotations

import importlib

# name -> (module, class); the names are what ``--scene`` and the saved "continue where you left off" use.
SCENES = {
    "start": ("start", "StartScene"),
    "home": ("home", "HomeScene"),
    "course": ("course", "CourseScene"),
    "learn": ("learn", "LearnScene"),
    "listen": ("listen", "ListenScene"),
    "knock": ("knock", "KnockScene"),
    "exchange": ("exchange", "ExchangeScene"),
    "decode": ("recording", "RecordingScene"),
    "progress": ("progress", "ProgressScene"),
    "desk": ("desk", "DeskScene"),
    "practice": ("practice", "PracticeScene"),
    "check": ("check", "CheckScene"),
    "echo": ("echo", "EchoScene"),
}


def by_name(app, name: str, **options):
    """A new scene by its name (see :data:`SCENES`); ``options`` go to its constructor."""
    module, cls = SCENES[name]
    return getattr(importlib.import_module(f"rescue_signals.app.scenes.{module}"), cls)(app, **options)
