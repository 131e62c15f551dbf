"""Opening the trainer window and running it: the main loop and the wiring of the shared state."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pygame
import pygame_gui

from rescue_signals.app.clock import FrameClock
from rescue_signals.app.context import App
from rescue_signals.app.scene import Scene
from rescue_signals.app.settings import Settings
from rescue_signals.app.sound import Speaker
from rescue_signals.app.theme import load_theme, theme_path
from rescue_signals.codebook import Codebook, default_codebook

WINDOW_PX = (1366, 768)
MIN_WINDOW_PX = (960, 600)
IDLE_FRAME_S = 0.4
"""With nothing moving, a frame at least this often (s): notices expire, timers run, and a text cursor blinks at
pygame_gui's own 0.4 s."""


class Stage:
    """The scene showing in a window, advanced one frame at a time."""

    def __init__(self, app: App, scene: Scene, surface: pygame.Surface):
        self.app, self.scene, self.surface = app, scene, surface
        scene.enter()

    def frame(self, dt_s: float, events) -> bool:
        """Handle ``events``, advance ``dt_s`` seconds and draw; False once the window is closed."""
        app = self.app
        for event in events:
            if event.type in (pygame.KEYDOWN, pygame.MOUSEBUTTONDOWN):
                app.input_s = event.time_s  # a button pressed by this input acts at the input's time
            if event.type == pygame.QUIT:
                self.scene.leave()
                return False
            if event.type == pygame.VIDEORESIZE:
                self.surface = _resized(app, event.size)
                self.scene.rebuild()
            app.ui.process_events(event)
            self._switch(self.scene.handle_event(event))
        self._switch(self.scene.update(dt_s))
        app.poll_devices()
        app.ui.update(dt_s)
        self.scene.draw(self.surface)
        app.ui.draw_ui(self.surface)
        if app.records_alert is not None:
            self.scene.draw_alert(self.surface, app.records_alert)
        pygame.display.flip()
        return True

    @property
    def busy(self) -> bool:
        """Something moves by itself (a sound or its flashes, a drill's timing): frames at the full rate."""
        cue = self.app.speaker.current
        return (cue is not None and not cue.done) or self.scene.animating()

    def _switch(self, nxt: Scene | None) -> None:
        if nxt is not None and nxt is not self.scene:
            self.scene.leave()
            self.scene = nxt
            nxt.enter()
            self.app.log("scene", name=type(nxt).__name__)


def mainloop(app: App, scene: Scene, surface: pygame.Surface, clock) -> None:
    """Run scenes until the window closes; ``clock.tick()`` paces the frames and collects the events, and sleeps
    between events while nothing moves."""
    stage = Stage(app, scene, surface)
    frames_s: list[float] = []  # frame intervals while a sound plays: the loop must not stall on audio
    while True:
        dt_s, events = clock.tick(idle_s=None if stage.busy else IDLE_FRAME_S)
        if app.speaker.current is not None and not app.speaker.current.done:
            frames_s.append(dt_s)
        if not stage.frame(dt_s, events):
            break
    if frames_s:
        ms = np.asarray(frames_s) * 1000
        app.log("frames", while_playing=len(ms), mean_fps=round(1000 / float(ms.mean()), 1),
                p95_ms=round(float(np.percentile(ms, 95)), 1), max_ms=round(float(ms.max()), 1))


def _resized(app: App, size: tuple[int, int]) -> pygame.Surface:
    size = (max(size[0], MIN_WINDOW_PX[0]), max(size[1], MIN_WINDOW_PX[1]))
    surface = pygame.display.get_surface()
    if surface.get_size() != size:
        surface = pygame.display.set_mode(size, pygame.RESIZABLE)
    app.size = size
    app.ui.set_window_resolution(size)
    return surface


def window_size() -> tuple[int, int]:
    """The preferred size, shrunk to leave room for a title bar and task bar on a small screen."""
    try:
        desk_w, desk_h = pygame.display.get_desktop_sizes()[0]
    except (pygame.error, IndexError):
        return WINDOW_PX
    return min(WINDOW_PX[0], desk_w), min(WINDOW_PX[1], max(MIN_WINDOW_PX[1], desk_h - 80))


def data_dir() -> Path:
    """Where the trainer keeps its preferences (``$RESCUE_SIGNALS_HOME`` overrides it)."""
    from rescue_signals.resources import user_data_dir

    return user_data_dir()


def make_app(size: tuple[int, int], *, codebook: Codebook | None = None, settings: Settings | None = None,
             settings_path: Path | None = None, sound: bool | None = None, now_s=None, seed: int | None = None,
             records=None, records_problem: str | None = None, event_log: Path | None = None,
             player_factory=None) -> App:
    """The shared state for a window of ``size`` pixels (pygame's display must be initialised)."""
    settings = settings or Settings()
    if sound is not None:
        settings.sound = sound
    clock_now = now_s or FrameClock().now_s
    ui = pygame_gui.UIManager(size, str(theme_path()), enable_live_theme_updates=False)
    speaker = Speaker(sound=settings.sound, now_s=clock_now, player_factory=player_factory)
    app = App(codebook=codebook or default_codebook(), settings=settings, settings_path=settings_path, ui=ui,
              theme=load_theme(), speaker=speaker, now_s=clock_now, rng=np.random.default_rng(seed),
              records=records, records_problem=records_problem, event_log=event_log, size=size)
    if settings.sound and not speaker.audible:
        app.notify(app.say("notice.no_device"))
    if records_problem:
        app.records_failed(records_problem)
    return app


def open_records(path: Path | None):
    """The records store at ``path`` (the default file if None); (store, None) or (None, why it cannot open)."""
    from rescue_signals.errors import RescueSignalsError
    from rescue_signals.paper.records import Records

    try:
        return Records(path), None
    except (RescueSignalsError, OSError) as exc:
        return None, str(exc)


def _require_display() -> None:
    """Refuse to open an invisible window: with no screen to draw on, say so (the drill works in a terminal)."""
    if sys.platform.startswith(("linux", "freebsd", "openbsd")) and not os.environ.get("SDL_VIDEODRIVER") \
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        raise _no_display()


def _no_display():
    from rescue_signals.errors import RescueSignalsError

    return RescueSignalsError("no screen to open the trainer's window on (neither DISPLAY nor WAYLAND_DISPLAY is "
                              "set: a remote shell without X forwarding, or a server?). Run it on the laptop's "
                              "desktop, use ssh -X, or drill in this terminal: rescue-signals drill --list")


def first_scene(app: App, *, trainee: str | None = None, scene: str | None = None,
                recording: str | None = None) -> Scene:
    """The Start scene, or straight to the course (or a named scene) when the trainee is given."""
    from rescue_signals.app.scenes import by_name
    from rescue_signals.app.scenes.recording import RecordingScene
    from rescue_signals.app.scenes.start import StartScene, choose_trainee

    if trainee:
        choose_trainee(app, trainee)
    if recording:
        return RecordingScene(app, recording)
    if trainee:
        return by_name(app, scene or "course")
    return StartScene(app)


def run_app(lang: str | None = None, *, trainee: str | None = None, scene: str | None = None,
            scenario_paths=(), recording: str | None = None, records_path: str | Path | None = None,
            sound: bool | None = None, seed: int | None = None, event_log: str | Path | None = None,
            codebook: Codebook | None = None) -> int:
    """Open the trainer window and run it until it is closed. Returns the exit code.

    Raises
    ------
    RescueSignalsError
        A scenario or recording given on the command line cannot be used (checked before the window opens).
    """
    from rescue_signals.drill import load_scenario

    codebook = codebook or default_codebook()
    scenarios = tuple(Path(p) for p in scenario_paths)
    for path in scenarios:
        load_scenario(path, codebook)  # a bad file is reported as file:line before any window opens
    if recording and not Path(recording).is_file():
        from rescue_signals.errors import AudioFileError

        raise AudioFileError(f"{recording}: no such file")
    home = data_dir()
    settings_path = home / "settings.json"
    settings = Settings.load(settings_path)
    if lang:
        settings.lang = lang
    _require_display()
    pygame.display.init()
    if pygame.display.get_driver() in ("offscreen", "dummy") and os.environ.get("SDL_VIDEODRIVER") is None:
        pygame.display.quit()
        raise _no_display()
    pygame.font.init()
    pygame.key.set_repeat(0)
    size = window_size()
    surface = pygame.display.set_mode(size, pygame.RESIZABLE)
    pygame.display.set_caption("rescue-signals: 5432 trainer")
    records, problem = open_records(Path(records_path) if records_path else None)
    clock = FrameClock(fps=60)
    app = make_app(size, codebook=codebook, settings=settings, settings_path=settings_path, sound=sound,
                   now_s=clock.now_s, seed=seed, records=records, records_problem=problem,
                   event_log=Path(event_log) if event_log else None)
    app.scenario_paths = scenarios
    app.log("started", size=list(size), audible=app.speaker.audible)
    try:
        mainloop(app, first_scene(app, trainee=trainee, scene=scene, recording=recording), surface, clock)
    finally:
        app.shutdown()
        app.save_settings()
        if records is not None:
            records.close()
        pygame.quit()
    return 0
