"""Driving the trainer frame by frame without a person: synthetic key presses and clicks on a stepped clock.

Scene tests and the screenshot script use it with SDL's dummy drivers, in the spirit of Textual's ``run_test``
pilots: press keys, let time pass, then assert on what the scenes hold and on the pixels drawn.
"""

from __future__ import annotations

from pathlib import Path

import pygame

from rescue_signals.app.answers import answer_key
from rescue_signals.app.clock import FrameClock, SteppedClock
from rescue_signals.app.main import Stage, make_app
from rescue_signals.app.settings import Settings
from rescue_signals.codebook import HEADCOUNT


class Pilot:
    """A trainer window run on a :class:`SteppedClock` (by default 60 frames per simulated second).

    Parameters
    ----------
    size : (int, int), px
    lang : str
    sound : bool
        False (the default) for visual-only mode, which needs no sound card.
    records : object, optional
        The records store to use.
    scene : str, optional
        Start at this scene (see :data:`rescue_signals.app.router.SCENES`) instead of Start.
    trainee : str, optional
        Choose this trainee first.
    step_s : float, s
        Simulated time per frame; longer steps make long tests faster where timing detail does not matter.
    realtime : bool
        Run on the real clock (for tests with the real sound card, whose times are real).
    """

    def __init__(self, *, size=(1366, 768), lang: str = "zh", sound: bool = False, records=None,
                 scene: str | None = None, trainee: str | None = None, seed: int = 1, settings_path=None,
                 player_factory=None, step_s: float = 1 / 60, realtime: bool = False,
                 records_problem: str | None = None):
        from rescue_signals.app.main import first_scene

        pygame.display.init()
        pygame.font.init()
        self.surface = pygame.display.set_mode(size, pygame.RESIZABLE)
        pygame.event.clear()
        self.clock = FrameClock(fps=round(1 / step_s)) if realtime else SteppedClock(step_s=step_s)
        settings = Settings.load(settings_path) if settings_path else Settings()
        settings.lang = lang
        self.app = make_app(size, settings=settings, settings_path=settings_path, sound=sound,
                            now_s=self.clock.now_s, seed=seed, records=records, player_factory=player_factory,
                            records_problem=records_problem)
        self.app.synchronous = not realtime
        self.stage = Stage(self.app, first_scene(self.app, trainee=trainee, scene=scene), self.surface)
        self.closed = False
        self.run(frames=2)

    @property
    def scene(self):
        return self.stage.scene

    def run(self, *, frames: int | None = None, seconds: float | None = None) -> None:
        """Let ``frames`` frames (or ``seconds`` of simulated time) pass."""
        step_s = getattr(self.clock, "step_s", None) or self.clock.frame_s
        n = frames if frames is not None else max(1, round((seconds or 0) / step_s))
        for _ in range(n):
            if self.closed:
                return
            self.closed = not self.stage.frame(*self.clock.tick())

    def wait_for(self, phase, *, seconds: float = 30.0) -> None:
        """Run frame by frame until the scene is in ``phase``; an AssertionError after ``seconds`` × 60 frames."""
        for _ in range(int(seconds * 60)):
            if self.scene.phase == phase:
                return
            self.run(frames=1)
        raise AssertionError(f"never reached {phase}, stuck in {self.scene.phase}")

    def press(self, key: int, *, mod: int = 0, unicode: str = "", frames: int = 2) -> None:
        """Press and release a key, then run ``frames`` frames."""
        for kind in (pygame.KEYDOWN, pygame.KEYUP):
            pygame.event.post(pygame.event.Event(kind, key=key, mod=mod, unicode=unicode, scancode=0))
        self.run(frames=frames)

    def type(self, text: str) -> None:
        """Type text into the focused entry."""
        for ch in text:
            pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=ch))
        self.run(frames=2)

    def answer(self, label: str, count: int | None = None, *, frames: int = 2) -> float:
        """Answer "what was that?" as a trainee does: the signal's key, or H, the number and Enter for a headcount.

        Returns the time the final key press is stamped with (the stepped clock's next frame).
        """
        if label == HEADCOUNT:
            self.press(pygame.K_h, frames=1)
            for ch in str(count):
                self.press(pygame.K_0 + int(ch), unicode=ch, frames=1)
            final = pygame.K_RETURN
        else:
            final = answer_key(self.app.codebook, label)
        pressed_s = self.clock.now_s() + getattr(self.clock, "step_s", 0.0)
        self.press(final, frames=frames)
        return pressed_s

    def click(self, pos: tuple[int, int], *, button: int = 1, frames: int = 2) -> None:
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=button))
        self.run(frames=1)
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=button))
        self.run(frames=frames)

    def resize(self, size: tuple[int, int]) -> None:
        pygame.event.post(pygame.event.Event(pygame.VIDEORESIZE, size=size, w=size[0], h=size[1]))
        self.run(frames=2)

    def close(self) -> None:
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        self.run(frames=1)

    def screenshot(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(self.surface, str(path))
        return path
