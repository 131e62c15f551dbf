"""Knocking back on the real (virtual) sound card: the microphone check hears three knocks, echo practice grades
what the microphone hears, the level meter shows clipping.

The default input is the monitor of the sound card's output: knocks the test plays stand for a trainee knocking on
the table in front of the microphone, and what the app plays comes back on the microphone too.
"""
import numpy as np
import pygame
import pytest

from rescue_signals.app.answers import answer_key
from rescue_signals.app.calibration import Calibration, Verdict
from rescue_signals.app.inputlevel import LevelZone
from rescue_signals.app.pilot import Pilot
from rescue_signals.app.scenes.check import CheckPhase, CheckScene
from rescue_signals.app.scenes.echo import EchoPhase
from rescue_signals.app.scenes.knock import KnockScene
from rescue_signals.codebook import default_codebook
from rescue_signals.protocol import Group
from rescue_signals.synth import Conditions, render_sequence

pytestmark = pytest.mark.devices

CB = default_codebook()
STEADY = Conditions(medium="pipe", distance_m=2, jitter=0, drift=0, reverb=0.1)


def knocks(n, *, seed=7, gain=1.0):
    samples = render_sequence([Group(n, CB.trapped)], CB, STEADY, seed=seed).samples * gain
    return np.clip(samples, -1.0, 1.0).astype(np.float32)


def play_until(p, samples, done, *, seconds=20):
    """Play ``samples`` on the sound card while the app runs, until ``done()`` (or ``seconds``)."""
    from rescue_signals.audio import SAMPLE_RATE, Player

    with Player(sample_rate=SAMPLE_RATE, latency="high") as player:  # no underrun clicks on a busy machine
        playback = player.play(samples)
        for _ in range(int(seconds * 60)):
            p.run(frames=1)
            if done():
                break
        return playback


def wait(p, done, *, seconds=20):
    for _ in range(int(seconds * 60)):
        if done():
            return
        p.run(frames=1)
    raise AssertionError("waited in vain")


def test_the_check_hears_three_knocks_says_so_and_sets_the_microphone_up(artifacts_dir, tmp_path):
    p = Pilot(trainee="Cal", scene="knock", lang="en", realtime=True, settings_path=tmp_path / "settings.json")
    try:
        p.press(answer_key(CB, CB.signals[0].id))
        p.press(pygame.K_m)  # the first time with the microphone: the check comes first
        assert isinstance(p.scene, CheckScene)
        assert p.scene.pad.mic is not None, p.scene.pad.mic_problem
        p.run(frames=30)  # the room's noise, before the knocks
        play_until(p, knocks(3), lambda: p.scene.phase == CheckPhase.HEARD)
        p.run(frames=2)
        p.screenshot(artifacts_dir / "app-mic-check-en.png")
        result = p.scene.result
        assert p.scene.phase == CheckPhase.HEARD, p.scene.pad.knocks
        assert result.knocks == 3 and result.verdict == Verdict.OK, result
        assert -15 < result.level_dbfs < -1 and not result.clipped  # the rendering peaks at about -5 dBFS
        assert result.rise_db > 30  # a quiet virtual room
        meter = p.scene.pad.mic.meter
        assert meter.quiet_sounds_between(p.scene.started_s, meter.time_s) == 0  # the knocks' rings are not knocks
        p.press(pygame.K_c)  # continue: back to the knock, the microphone on
        assert isinstance(p.scene, KnockScene) and p.scene.pad.mic is not None
        assert p.scene.pad.level == result.level_settings()
    finally:
        p.scene.pad.close()
        p.app.shutdown()
    stored = Pilot(trainee="Cal", scene="knock", lang="en", settings_path=tmp_path / "settings.json")
    try:
        assert stored.app.settings.mic_check("Cal") == result  # kept for the next start: not offered again
    finally:
        stored.app.shutdown()


def test_a_check_of_faint_knocks_says_too_quiet_and_what_to_do(tmp_path):
    p = Pilot(trainee="Faint", scene="check", lang="en", realtime=True, settings_path=tmp_path / "settings.json")
    try:
        assert p.scene.pad.mic is not None, p.scene.pad.mic_problem
        p.run(frames=30)
        play_until(p, knocks(3, gain=0.004), lambda: p.scene.phase == CheckPhase.HEARD, seconds=12)
        meter = p.scene.pad.mic.meter
        assert meter.quiet_sounds_between(p.scene.started_s, meter.time_s) >= 3  # about -54 dBFS each
        assert p.scene.phase == CheckPhase.HEARD  # the virtual room is silent: the decoder still hears a group
        assert p.scene.result.verdict == Verdict.QUIET, p.scene.result  # whether it counted all three or not
        assert p.app.settings.mic_check("Faint").verdict == Verdict.QUIET
    finally:
        p.scene.pad.close()
        p.app.shutdown()


@pytest.mark.parametrize("given, right", [(4, True), (3, False)])
def test_echo_mode_grades_what_the_microphone_hears(given, right, artifacts_dir, tmp_path):
    p = Pilot(trainee="Echo", scene="echo", lang="en", sound=True, realtime=True,
              settings_path=tmp_path / "settings.json")
    p.app.settings.set_mic_check("Echo", Calibration.skipped())
    try:
        assert p.app.speaker.audible, p.app.speaker.problem
        p.press(answer_key(CB, next(s.id for s in CB.signals if s.knocks == 4)))
        p.press(pygame.K_m)  # the microphone on while the app knocks: its own knocks must not count
        assert p.scene.pad.mic is not None, p.scene.pad.mic_problem
        wait(p, lambda: p.scene.phase == EchoPhase.ECHO)
        assert p.scene.cue.audible and len(p.scene.cue.heard_times_s()) == 4
        assert p.scene.pad.knocks == []
        play_until(p, knocks(given, seed=11), lambda: p.scene.phase == EchoPhase.GRADED)
        p.screenshot(artifacts_dir / f"app-echo-microphone-{given}-en.png")
        grade = p.scene.grade
        assert p.scene.phase == EchoPhase.GRADED
        assert grade.count == given and grade.right == right, grade
        assert abs(grade.mean_spacing_s - 1.0) < 0.03
        meter = p.scene.pad.mic.meter
        assert meter.zone_between(p.scene.turn_s, meter.time_s) == LevelZone.GOOD  # nothing to say about the level
    finally:
        p.scene.pad.close()
        p.app.shutdown()


def test_the_meter_shows_clipping_for_a_clipped_input(artifacts_dir, tmp_path):
    p = Pilot(trainee="Loud", scene="knock", lang="en", realtime=True, settings_path=tmp_path / "settings.json")
    p.app.settings.set_mic_check("Loud", Calibration.skipped())
    try:
        p.press(answer_key(CB, CB.signals[0].id))
        p.press(pygame.K_m)
        mic = p.scene.pad.mic
        assert mic is not None, p.scene.pad.mic_problem
        play_until(p, knocks(2, gain=6.0), lambda: mic.meter.zone() == LevelZone.CLIPPING and
                   mic.meter.time_s - mic.meter.last_clip_s > 0.3)
        assert mic.meter.zone() == LevelZone.CLIPPING and mic.meter.clipped_samples > 0
        p.run(frames=2)
        shot = p.screenshot(artifacts_dir / "app-knock-meter-clipping-en.png")
    finally:
        p.scene.pad.close()
        p.app.shutdown()
    image = pygame.image.load(str(shot))
    theme = p.app.theme
    stage_y = p.scene.content_rect().y + 84 + 340  # where the knock screen draws the meter
    # the verdict under the bar, left of the zones' names ("clipping" is written in red at the right end)
    words = pygame.Rect(p.scene.content_rect().x, stage_y + 45, 300, 65)
    red = sum(1 for x in range(words.left, words.right, 2) for y in range(words.top, words.bottom, 2)
              if _near(image.get_at((x, y)), theme.bad))
    assert red > 50  # "Clipping: ..." in the warning colour


def _near(pixel, colour, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour[:3]))
