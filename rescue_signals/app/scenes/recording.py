"""Decode a recording: open an audio file, see the decoded groups on a timeline, play it with the knocks lit.

The file is opened with pygame_gui's file dialog (its path line takes a typed path and Enter, so it works from the
keyboard too), decoded by the project's decoder off the main loop, and played through the same speaker as every
other sound, each knock lighting up as it reaches the output.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pygame
import pygame_gui
from pygame_gui.core import ObjectID

from rescue_signals.app.drawing import draw_panel, draw_text, text_height
from rescue_signals.app.scene import Scene, row
from rescue_signals.errors import RescueSignalsError

ENVELOPE_POINTS = 1200


def load_recording(path: str, codebook):
    """Decode ``path`` and read its audio for display and playback (runs in the worker thread).

    Returns
    -------
    result : DecodeResult
    samples : ndarray, shape (n,), float32, at :data:`rescue_signals.audio.SAMPLE_RATE`
    envelope : ndarray, shape (ENVELOPE_POINTS,)
        Peak level per slice of the file, 0..1, for the waveform.
    """
    from scipy.signal import resample_poly

    from rescue_signals.audio import SAMPLE_RATE
    from rescue_signals.audiofile import read_audio
    from rescue_signals.decode import decode_file

    result = decode_file(path, codebook=codebook)
    data, rate = read_audio(path)
    mono = data.mean(axis=1).astype(np.float32)
    if rate != SAMPLE_RATE:
        g = np.gcd(int(rate), SAMPLE_RATE)
        mono = resample_poly(mono, SAMPLE_RATE // g, int(rate) // g).astype(np.float32)
    peak = float(np.max(np.abs(mono))) if mono.size else 0.0
    playable = mono / peak * 0.9 if peak > 0 else mono
    slices = np.array_split(np.abs(playable), ENVELOPE_POINTS) if playable.size >= ENVELOPE_POINTS else [playable]
    envelope = np.array([float(s.max()) if s.size else 0.0 for s in slices])
    return result, playable, envelope


class RecordingScene(Scene):
    title_key = "decode.title"

    def __init__(self, app, path: str | None = None):
        super().__init__(app)
        self.path: str | None = None
        self.result = None
        self.samples = None
        self.envelope = None
        self.problem: str | None = None
        self.future = None
        self.dialog = None
        self.selected = 0
        self.cue = None
        self.play_from_s = 0.0
        if path:
            self.open_path(path)

    # -- opening ------------------------------------------------------------------------------------------------
    def browse(self):
        from rescue_signals.decode import AUDIO_SUFFIXES

        if self.dialog is not None and self.dialog.alive():
            return
        w, h = self.app.size
        start = self.path or self.app.settings.last_recording or os.getcwd()
        self.dialog = pygame_gui.windows.UIFileDialog(
            pygame.Rect(w // 2 - 420, 80, 840, h - 160), self.app.ui, window_title=self.text("decode.dialog"),
            initial_file_path=str(Path(start).parent if Path(start).is_file() else start),
            allow_existing_files_only=True, allowed_suffixes=set(AUDIO_SUFFIXES))
        line = self.dialog.file_path_text_line
        folder = self.dialog.current_directory_path
        line.set_text(folder.rstrip(os.sep) + os.sep)  # type a file name after the folder, then Enter
        line.edit_position = len(line.get_text())
        self.app.ui.set_focus_set(line)

    def open_path(self, path: str):
        self.app.speaker.stop()
        self.cue = None
        self.path = path
        self.app.settings.opened_recording(str(Path(path).absolute()))
        self.app.save_settings()
        self.result = None
        self.problem = None
        self.selected = 0
        self.future = self.app.background(load_recording, path, self.app.codebook)
        self.app.log("decode", path=path)
        self.rebuild()

    def handle_event(self, event):
        if self.dialog is not None and self.dialog.alive():
            if event.type == pygame_gui.UI_FILE_DIALOG_PATH_PICKED:
                self.dialog = None
                self.open_path(event.text)
                return None
            if event.type == pygame_gui.UI_TEXT_ENTRY_FINISHED and event.ui_element is self.dialog.file_path_text_line:
                picked = self.dialog.current_file_path
                if picked is not None and Path(picked).is_file():  # Enter on a typed file name opens it
                    self.dialog.kill()
                    self.dialog = None
                    self.open_path(str(picked))
                return None
            if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
                self.dialog.kill()
                self.dialog = None
            return None  # the dialog has the keyboard while it is open
        return super().handle_event(event)

    # -- playing ------------------------------------------------------------------------------------------------
    def toggle_play(self):
        if self.cue is not None and not self.cue.done:
            self.app.speaker.stop()
            self.cue = None
        elif self.samples is not None:
            self.play(self.play_from_s)
        self.rebuild()

    def play(self, from_s: float):
        from rescue_signals.audio import SAMPLE_RATE

        start = max(0, int(from_s * SAMPLE_RATE))
        knocks = [t - from_s for g in self.result.groups for t in g.knock_times_s if t >= from_s]
        self.cue = self.app.speaker.play(self.samples[start:], sample_rate=SAMPLE_RATE, knock_offsets_s=knocks)
        self.cue_from_s = from_s

    def play_group(self):
        if self.result is not None and self.result.groups:
            group = self.result.groups[self.selected]
            self.play(max(0.0, group.start_s - 0.5))
            self.rebuild()

    # -- widgets ------------------------------------------------------------------------------------------------
    def build(self, rect):
        bar = pygame.Rect(rect.x, rect.bottom - 56, rect.width, 56)
        buttons = [(self.text("decode.open"), self.browse, pygame.K_o)]
        if self.result is not None:
            playing = self.cue is not None and not self.cue.done
            buttons.append((self.text("decode.stop" if playing else "decode.play"), self.toggle_play, pygame.K_p))
            if self.result.groups:
                buttons.append((self.text("decode.play_group"), self.play_group, pygame.K_g))
        for r, (label, action, key) in zip(row(bar, len(buttons)), buttons):
            self.button(r, label, action, key=key)
        if self.path is None:
            top = rect.y + 90
            for i, path in enumerate(self.recent()):
                r = pygame.Rect(rect.x, top + i * 50, min(rect.width, 900), 42)
                shown = f"{Path(path).name}  ·  {Path(path).parent}"
                self.button(r, shown, lambda p=path: self.open_path(p), key=pygame.K_1 + i,
                            object_id=ObjectID(class_id="@small_text"))

    def recent(self) -> list[str]:
        """The recent recordings that are still there."""
        return [p for p in self.app.settings.recent_recordings if Path(p).is_file()]

    def on_key(self, event):
        if self.result is not None and self.result.groups and event.key in (pygame.K_UP, pygame.K_DOWN):
            step = -1 if event.key == pygame.K_UP else 1
            self.selected = (self.selected + step) % len(self.result.groups)
            return True, None
        if event.key == pygame.K_SPACE and self.result is not None:
            self.toggle_play()
            return True, None
        return False, None

    def update(self, dt_s):
        if self.future is not None and self.future.done():
            future, self.future = self.future, None
            try:
                self.result, self.samples, self.envelope = future.result()
                self.app.log("decoded", groups=[g.count for g in self.result.groups])
            except (RescueSignalsError, OSError, ValueError) as exc:
                self.problem = str(exc)
            self.rebuild()
        if self.cue is not None and self.cue.done:
            self.cue = None
            self.rebuild()
        return None

    def leave(self):
        if self.dialog is not None and self.dialog.alive():
            self.dialog.kill()
        super().leave()

    # -- drawing ------------------------------------------------------------------------------------------------
    def footer_hint(self) -> str:
        return " · " + self.text("decode.keys") if self.result is not None else ""

    def draw_content(self, surface, rect):
        app, theme = self.app, self.app.theme
        body = pygame.Rect(rect.x, rect.y, rect.width, rect.height - 70)
        if self.problem:
            draw_text(surface, self.problem, body.topleft, theme.font(22), theme.bad, width_px=body.width)
            return
        if self.path is None:
            draw_text(surface, self.text("decode.none"), body.topleft, theme.font(24), theme.muted,
                      width_px=body.width)
            if self.recent():
                draw_text(surface, self.text("decode.recent"), (body.x, body.y + 56), theme.font(20, bold=True),
                          theme.text, width_px=body.width)
            return
        if self.result is None:
            draw_text(surface, self.text("decode.working") + f"  {Path(self.path).name}", body.topleft,
                      theme.font(24), theme.muted, width_px=body.width)
            return
        r = self.result
        duration = r.duration_s
        head = self.text("decode.file", name=Path(self.path).name, duration=duration)
        if r.warnings:
            head += " · " + "; ".join(app.t(w) for w in r.warnings)
        below = draw_text(surface, head, body.topleft, theme.font(20), theme.warn if r.warnings else theme.muted,
                          width_px=body.width).bottom
        wave = pygame.Rect(body.x, below + 6, body.width, min(170, (body.bottom - below) // 2))
        self._draw_wave(surface, wave, duration)
        listing = pygame.Rect(body.x, wave.bottom + 16, body.width, body.bottom - wave.bottom - 16)
        self._draw_groups(surface, listing)

    def _draw_wave(self, surface, rect, duration_s):
        theme = self.app.theme
        draw_panel(surface, rect, theme)
        inner = rect.inflate(-20, -20)
        mid = inner.centery
        n = len(self.envelope)
        for i, level in enumerate(self.envelope):
            x = inner.x + int(i / max(1, n - 1) * inner.width)
            h = int(level * inner.height / 2)
            pygame.draw.line(surface, theme.ideal, (x, mid - h), (x, mid + h))

        def x_of(t):
            return inner.x + int(t / max(duration_s, 1e-6) * inner.width)

        heard = len(self.cue.heard_times_s()) if self.cue is not None else 0
        knock_index = 0
        played_from = getattr(self, "cue_from_s", 0.0)
        for gi, group in enumerate(self.result.groups):
            colour = theme.accent if gi == self.selected else theme.series[gi % len(theme.series)]
            span = pygame.Rect(x_of(group.start_s) - 6, inner.y, x_of(group.end_s) - x_of(group.start_s) + 12,
                               inner.height)
            pygame.draw.rect(surface, colour, span, width=2, border_radius=6)
            label = theme.font(16, bold=True).render(str(group.count), True, colour)
            surface.blit(label, (span.x + 4, inner.y + 2))
            for t in group.knock_times_s:
                lit = self.cue is not None and t >= played_from and knock_index < heard
                if t >= played_from:
                    knock_index += 1
                pygame.draw.circle(surface, theme.accent if lit else colour, (x_of(t), mid), 7 if lit else 4)
        if self.cue is not None and not self.cue.done:
            pygame.draw.line(surface, theme.text, (x_of(played_from + self.cue.progress_s()), inner.y),
                             (x_of(played_from + self.cue.progress_s()), inner.bottom), 2)

    def _draw_groups(self, surface, rect):
        app, theme = self.app, self.app.theme
        groups = self.result.groups
        if not groups:
            draw_text(surface, self.text("decode.no_groups"), rect.topleft, theme.font(22), theme.muted)
            return
        texts = []
        for group in groups:
            meaning = app.t(group.meaning)
            if group.sender:
                meaning = f"{app.role_name(group.sender)}: {meaning}"
            text = self.text("decode.group", start=group.start_s, end=group.end_s, n=group.count, meaning=meaning,
                             conf=group.confidence)
            notes = [app.t(n) for n in group.notes]
            if notes:
                text += " · " + "; ".join(notes)
            texts.append(text)
        fonts = [theme.font(19, bold=gi == self.selected) for gi in range(len(groups))]
        heights = [text_height(t, f, rect.width) + 4 for t, f in zip(texts, fonts)]
        first = 0  # scrolled so that the selected group is in view
        while first < self.selected and sum(heights[first:self.selected + 1]) > rect.height:
            first += 1
        y = rect.y
        for gi in range(first, len(groups)):
            if y + heights[gi] > rect.bottom:
                break
            selected = gi == self.selected
            if selected:
                pygame.draw.rect(surface, theme.panel, (rect.x - 6, y - 2, rect.width + 12, heights[gi]),
                                 border_radius=6)
            draw_text(surface, texts[gi], (rect.x, y), fonts[gi], theme.accent if selected else theme.text,
                      width_px=rect.width)
            y += heights[gi]
