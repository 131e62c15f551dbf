"""Echo practice and the microphone check on screen: the app knocks, the trainee knocks back, the grade is shown and
saved; the check is offered once, before the first knocking with the microphone, and K does it again."""
import pygame
import pytest

from rescue_signals.app.answers import answer_key
from rescue_signals.app.calibration import Verdict, calibrate
from rescue_signals.app.knockback import Fault
from rescue_signals.app.scenes.check import CheckScene
from rescue_signals.app.scenes.echo import NO_ECHO_S, RING_S, EchoPhase, EchoScene
from rescue_signals.app.scenes.knock import KnockScene
from rescue_signals.codebook import default_codebook

CB = default_codebook()
FOUR = answer_key(CB, next(s.id for s in CB.signals if s.knocks == 4))


def echo(p, spacings_s):
    p.press(pygame.K_SPACE, frames=1)
    for gap in spacings_s:
        p.run(seconds=gap - 1 / 60)
        p.press(pygame.K_SPACE, frames=1)


def test_the_app_knocks_a_group_and_a_steady_echo_of_it_is_right_and_saved(pilot, records, artifacts_dir):
    p = pilot(trainee="Ma", scene="knock", lang="en")
    p.press(pygame.K_e)  # echo practice, from the knock screen
    assert isinstance(p.scene, EchoScene)
    p.press(FOUR)
    assert p.scene.phase == EchoPhase.PLAYING and p.scene.target[1] == 4
    p.press(pygame.K_SPACE)  # too early: the app is still knocking
    assert p.scene.early and p.scene.pad.knocks == []
    p.wait_for(EchoPhase.ECHO)
    assert p.scene.cue.offsets_s == pytest.approx([1.0, 2.0, 3.0, 4.0])  # on the codebook's beat
    p.run(seconds=0.5)
    echo(p, [1.0, 1.0, 1.0])
    p.wait_for(EchoPhase.GRADED)
    p.screenshot(artifacts_dir / "app-echo-right-en.png")
    grade = p.scene.grade
    assert grade.right and grade.count == 4 and grade.mean_spacing_s == pytest.approx(1.0, abs=0.02)
    saved = records.history()
    assert len(saved) == 1 and saved[0].scenario_id == "app-echo"
    attempt = saved[0].attempt
    assert attempt.correct and attempt.given_count == 4 and attempt.trial.task == "send"
    assert attempt.interval_error_s == pytest.approx(0.0, abs=0.02)
    # from the app's last knock to the first echoed one: the turn comes with the end of its ring, then 0.5 s
    assert attempt.reaction_s == pytest.approx(RING_S + 0.5, abs=0.05)


def test_a_wrong_count_and_a_hurried_echo_are_said_and_saved_as_such(pilot, records):
    p = pilot(trainee="Ma", scene="echo", lang="zh")
    p.press(FOUR)
    p.wait_for(EchoPhase.ECHO)
    echo(p, [0.6, 0.6])  # three knocks, hurried
    p.wait_for(EchoPhase.GRADED)
    grade = p.scene.grade
    assert not grade.right and grade.faults == (Fault.COUNT, Fault.TOO_FAST)
    assert records.history()[0].attempt.correct is False
    p.press(pygame.K_a)  # again: the same group knocked again
    assert p.scene.phase == EchoPhase.PLAYING and p.scene.target[1] == 4 and p.scene.pad.knocks == []
    p.wait_for(EchoPhase.ECHO)
    echo(p, [1.0, 1.6, 0.5])  # right count, uneven
    p.wait_for(EchoPhase.GRADED)
    assert p.scene.grade.faults == (Fault.UNEVEN,)
    assert [h.attempt.correct for h in records.history()] == [False, True]  # the count is what the records judge


def test_no_echo_at_all_is_graded_after_a_while(pilot):
    p = pilot(trainee="Ma", scene="echo", lang="en", step_s=0.1)
    p.press(FOUR)
    p.wait_for(EchoPhase.ECHO)
    p.run(seconds=NO_ECHO_S + 0.5)
    assert p.scene.phase == EchoPhase.GRADED and p.scene.grade.count == 0
    assert p.scene.grade.faults == (Fault.COUNT,)


def test_the_first_microphone_use_offers_the_check_once_and_k_redoes_it(pilot, tmp_path):
    p = pilot(trainee="Ma", scene="knock", lang="en", settings_path=tmp_path / "settings.json")
    p.press(answer_key(CB, CB.signals[0].id))
    p.press(pygame.K_m)  # the microphone, for the first time
    assert isinstance(p.scene, CheckScene)
    assert p.scene.pad.mic is not None or p.scene.pad.mic_problem  # it listens at once (if there is an input)
    p.press(pygame.K_ESCAPE)  # go on without the check
    assert isinstance(p.scene, KnockScene) and p.scene.phase == "knock"
    assert p.app.settings.mic_check("Ma").verdict == Verdict.SKIPPED
    p.scene.pad.close()
    p.press(pygame.K_m)  # offered once: now the microphone goes on at once
    assert isinstance(p.scene, KnockScene)
    p.scene.pad.close()
    p.press(pygame.K_ESCAPE)
    p.press(pygame.K_3)  # the knock screen again, from the menu: its choice has the check's key
    assert isinstance(p.scene, KnockScene) and p.scene.phase == "choose"
    p.press(pygame.K_k)
    assert isinstance(p.scene, CheckScene)
    p.press(pygame.K_s)
    assert isinstance(p.scene, KnockScene) and p.app.settings.mic_check("Ma").verdict == Verdict.SKIPPED


def test_a_check_done_sets_the_microphone_up_for_the_trainee(pilot, tmp_path):
    p = pilot(trainee="Ma", scene="knock", lang="en", settings_path=tmp_path / "settings.json")
    quiet_mic = calibrate((-33, -32, -34), noise_dbfs=-80, clipped=False)
    p.app.settings.set_mic_check("Ma", quiet_mic)
    p.press(answer_key(CB, CB.signals[0].id))
    p.press(pygame.K_m)
    assert isinstance(p.scene, KnockScene)
    assert p.scene.pad.level == quiet_mic.level_settings() and p.scene.pad.noise_dbfs == -80
    if p.scene.pad.mic is not None:
        assert p.scene.pad.mic.meter.quiet_below_dbfs == pytest.approx(-45)
    p.scene.pad.close()

