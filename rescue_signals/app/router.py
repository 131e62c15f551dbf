"""Navigation: the one place that knows the trainer's screens.

A scene never imports another scene. It says where to go by name (:meth:`~rescue_signals.app.scene.Scene.go`,
which comes here), and the main loop switches to the scene it returns. The names are also what ``--scene`` and
the saved "continue where you left off" use.
"""

from __future__ import annotations

import importlib

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
"""name -> (module in :mod:`rescue_signals.app.scenes`, class)."""


def open_scene(app, name: str, *, return_to=None, **options):
    """A new scene by its name (see :data:`SCENES`); ``options`` go to its constructor. ``return_to`` (a scene
    name, or a scene to go back to as it is) is where its Esc leads; without it, the scene's own default."""
    try:
        module, cls = SCENES[name]
    except KeyError:
        raise ValueError(f"no screen called {name!r}; the screens are {', '.join(SCENES)}") from None
    scene = getattr(importlib.import_module(f"rescue_signals.app.scenes.{module}"), cls)(app, **options)
    if return_to is not None:
        scene.return_to = return_to
    return scene
