"""What every scene shares: the codebook, language, sound, records, the trainee, the clock, and passing notices."""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pygame
import pygame_gui

from rescue_signals.app.phrases import say
from rescue_signals.app.settings import Settings
from rescue_signals.app.sound import Speaker
from rescue_signals.app.theme import Theme
from rescue_signals.codebook import Codebook, Text

NOTICE_S = 6.0
"""How long a passing notice stays on screen."""


@dataclass
class App:
    """The state shared by the scenes of one run of the trainer."""

    codebook: Codebook
    settings: Settings
    settings_path: Path | None
    ui: pygame_gui.UIManager
    theme: Theme
    speaker: Speaker
    now_s: Callable[[], float]
    rng: np.random.Generator
    records: Any = None  # rescue_signals.paper.records.Records, or None when it cannot be opened
    records_problem: str | None = None
    records_alert: str | None = None  # a records problem shown until the trainee acknowledges it
    recording_lost: bool = False  # an answer could not be saved (or the records never opened): mark what follows
    trainee: Any = None  # the records store's trainee, once chosen
    event_log: Path | None = None
    size: tuple[int, int] = (1366, 768)
    input_s: float = 0.0  # monotonic time of the latest key press or click (an answer's time)
    scenario_paths: tuple[Path, ...] = ()
    synchronous: bool = False  # background work runs at once (for the stepped clock of tests)  # scenario files given on the command line, offered first
    _notices: list[tuple[str, float]] = field(default_factory=list)
    _worker: ThreadPoolExecutor | None = None

    # -- language -----------------------------------------------------------------------------------------------
    @property
    def lang(self) -> str:
        return self.settings.lang

    def t(self, text: Text) -> str:
        """A codebook text in the current language."""
        return text.get(self.lang)

    def say(self, key: str, **values) -> str:
        return say(key, self.lang, **values)

    def role_name(self, role_id: str) -> str:
        return self.codebook.role(role_id).name.get(self.lang)

    def role_index(self, role_id: str) -> int:
        return [r.id for r in self.codebook.roles].index(role_id)

    # -- preferences --------------------------------------------------------------------------------------------
    def save_settings(self) -> None:
        if self.settings_path is not None:
            self.settings.save(self.settings_path)

    def set_language(self, lang: str) -> None:
        self.settings.lang = lang
        self.save_settings()

    def set_sound(self, on: bool) -> None:
        self.settings.sound = on
        self.speaker.set_sound(on)
        self.save_settings()
        if on and not self.speaker.audible:
            self.notify(self.say("notice.no_device"))

    # -- the records --------------------------------------------------------------------------------------------
    def records_failed(self, problem: str) -> None:
        """Answers cannot be saved: say so until acknowledged, and mark everything after as not recorded."""
        self.records_alert = self.say("alert.records", problem=problem)
        self.recording_lost = True
        self.log("records-problem", message=problem)

    def acknowledge_records_alert(self) -> None:
        self.log("records-alert-acknowledged")
        self.records_alert = None

    @property
    def recording(self) -> bool:
        """Answers given now are saved (records open, and no save has failed)."""
        return self.records is not None and not self.recording_lost

    # -- notices ------------------------------------------------------------------------------------------------
    def notify(self, text: str) -> None:
        self._notices.append((text, self.now_s() + NOTICE_S))

    def notice(self) -> str | None:
        now = self.now_s()
        self._notices = [(t, until) for t, until in self._notices if until > now]
        return self._notices[-1][0] if self._notices else None

    def status_line(self) -> str:
        parts = []
        if self.trainee is not None:
            parts.append(self.say("status.trainee", name=self.trainee_name))
        parts.append(self.say("status.sound_on" if self.speaker.audible else "status.visual_only"))
        parts.append(self.say("status.beats_on" if self.settings.visual_beats else "status.beats_off"))
        if not self.recording:
            parts.append(self.say("status.not_recorded"))
        return " · ".join(parts)

    @property
    def trainee_name(self) -> str | None:
        if self.trainee is None:
            return None
        return getattr(self.trainee, "name", str(self.trainee))

    @property
    def visual_beats(self) -> bool:
        """Flashes for knocks: on when the trainee wants them, and always when nothing can be heard."""
        return self.settings.visual_beats or not self.speaker.audible

    def poll_devices(self) -> None:
        """Call once a frame: tells the trainee when the sound device went away."""
        if self.speaker.poll() is not None:
            self.notify(self.say("notice.device_lost"))
            self.log("device-lost")

    # -- work off the main loop ----------------------------------------------------------------------------------
    def background(self, fn, *args, **kwargs) -> Future:
        """Run ``fn`` in a worker thread (rendering audio takes longer than a frame); poll the future.

        With :attr:`synchronous` set (stepped test clocks) it runs at once, so frames stay deterministic.
        """
        if self.synchronous:
            done: Future = Future()
            try:
                done.set_result(fn(*args, **kwargs))
            except Exception as exc:  # handed to whoever polls the future, as the worker would
                done.set_exception(exc)
            return done
        if self._worker is None:
            self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rescue-signals-render")
        return self._worker.submit(fn, *args, **kwargs)

    def shutdown(self) -> None:
        self.speaker.stop()
        self.speaker.close()
        if self._worker is not None:
            self._worker.shutdown(wait=False, cancel_futures=True)

    # -- test hook ----------------------------------------------------------------------------------------------
    def log(self, event: str, **values) -> None:
        """Append one JSON line to the event log, if one was asked for (``--event-log``): what the app did and
        when (monotonic seconds), so an outside test can time its key presses against the sound."""
        if self.event_log is None:
            return
        record = {"event": event, "time_s": self.now_s(), **values}
        with open(self.event_log, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")

    def surface_size(self, surface: pygame.Surface) -> None:
        self.size = surface.get_size()
