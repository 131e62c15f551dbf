"""Decode a recording: open a file from the keyboard, see its groups, play it with the knocks lit."""
import shutil
from pathlib import Path

import pygame
import pytest

from rescue_signals.app.scenes.recording import RecordingScene
from rescue_signals.app.sound import VISUAL_LEAD_S
from rescue_signals.codebook import default_codebook
from rescue_signals.protocol import parse_sequence
from rescue_signals.synth import Conditions, render_sequence, write_rendering

REAL_CLIP = Path(__file__).resolve().parent.parent / "fixtures" / "real-knocks" / "knuckle-clip.flac"


@pytest.fixture
def recording(tmp_path):
    cb = default_codebook()
    rendering = render_sequence(parse_sequence("R5 T3 R4 T3 T7 R3", cb), cb,
                                Conditions(noises=("fan",), snr_db=20, compress_gaps=6, distance_m=30), seed=4)
    path = tmp_path / "borehole.wav"
    write_rendering(rendering, path)
    return path, rendering


def open_by_keyboard(p, path: Path, monkeypatch):
    monkeypatch.chdir(path.parent)
    p.press(pygame.K_o)
    assert p.scene.dialog is not None
    p.type(path.name)  # after the folder the dialog starts in
    p.press(pygame.K_RETURN)
    for _ in range(600):
        if p.scene.result is not None or p.scene.problem:
            return
        p.run(frames=1)


def test_a_file_opened_by_keyboard_shows_its_groups(pilot, recording, monkeypatch, artifacts_dir):
    path, rendering = recording
    p = pilot(trainee="Qin", scene="decode", lang="en")
    assert isinstance(p.scene, RecordingScene)
    open_by_keyboard(p, path, monkeypatch)
    assert p.scene.problem is None
    assert [g.count for g in p.scene.result.groups] == [g.count for g in rendering.groups]
    p.screenshot(artifacts_dir / "app-decode-result-en.png")


def test_playing_lights_each_knock_as_it_is_heard(pilot, recording, monkeypatch):
    path, rendering = recording
    p = pilot(trainee="Qin", scene="decode", lang="zh")
    open_by_keyboard(p, path, monkeypatch)
    p.press(pygame.K_DOWN)  # the second group
    p.press(pygame.K_g)
    cue = p.scene.cue
    second = p.scene.result.groups[1]
    assert cue is not None and p.scene.cue_from_s == pytest.approx(second.start_s - 0.5)
    p.run(seconds=VISUAL_LEAD_S + 0.5 + second.end_s - second.start_s + 0.1)
    assert len(cue.heard_times_s()) == second.count  # the group's knocks have all lit up
    p.press(pygame.K_SPACE)
    assert p.scene.cue is None  # stopped


def test_an_unreadable_file_is_explained(pilot, tmp_path, monkeypatch):
    bad = tmp_path / "notes.wav"
    bad.write_text("not audio")
    p = pilot(trainee="Qin", scene="decode", lang="en")
    open_by_keyboard(p, bad, monkeypatch)
    assert p.scene.result is None and "notes.wav" in p.scene.problem


def test_a_real_tap_recording_decodes(pilot, tmp_path, monkeypatch):
    shutil.copy(REAL_CLIP, tmp_path / REAL_CLIP.name)
    p = pilot(trainee="Qin", scene="decode", lang="en")
    open_by_keyboard(p, tmp_path / REAL_CLIP.name, monkeypatch)
    assert p.scene.problem is None
    assert p.scene.result.groups and p.scene.result.knocks
    assert p.scene.samples.size > 0 and p.scene.envelope.max() > 0.5  # shown normalised


def test_recent_recordings_are_offered_again_and_open_with_their_number(pilot, recording, monkeypatch, tmp_path):
    path, rendering = recording
    gone = tmp_path / "deleted.wav"
    shutil.copy(path, gone)
    settings = tmp_path / "settings.json"
    p = pilot(trainee="Qin", scene="decode", lang="en", settings_path=settings)
    open_by_keyboard(p, gone, monkeypatch)
    open_by_keyboard(p, path, monkeypatch)
    p.close()
    gone.unlink()  # a recording that has been deleted since is not offered

    again = pilot(trainee="Qin", scene="decode", lang="en", settings_path=settings)
    assert again.scene.path is None
    offered = [c.element.text for c in again.scene._controls if c.key is not None and c.key != pygame.K_o]
    assert offered == [f"[1] {path.name}  ·  {path.parent}"]
    again.press(pygame.K_1)
    for _ in range(600):
        if again.scene.result is not None:
            break
        again.run(frames=1)
    assert again.scene.path == str(path.absolute())
    assert [g.count for g in again.scene.result.groups] == [g.count for g in rendering.groups]
