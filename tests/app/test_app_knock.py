"""Knock: count, spacing (mean error and steadiness) and the gap after the group, graded and shown."""
import pygame
import pytest

from rescue_signals.app.answers import answer_key
from rescue_signals.app.scenes.knock import KnockScene, grade
from rescue_signals.codebook import default_codebook

CB = default_codebook()
FIRST, SECOND = (answer_key(CB, s.id) for s in CB.signals[:2])  # a signal's key is its number of knocks


def knock_group(p, spacings_s):
    p.press(pygame.K_SPACE, frames=1)
    for gap in spacings_s:
        p.run(seconds=gap - 1 / 60)
        p.press(pygame.K_SPACE, frames=1)


def wait_graded(p):
    for _ in range(20 * 60):
        if p.scene.phase == "graded":
            return p.scene.result
        p.run(frames=1)
    raise AssertionError("never graded")


def test_a_steady_group_with_a_clean_gap_is_excellent_and_saved(pilot, records):
    p = pilot(trainee="He", scene="knock", lang="en")
    p.press(FIRST)  # the first signal of the codebook
    want = p.scene.target[1]
    p.run(seconds=0.8)
    knock_group(p, [1.0] * (want - 1))
    result = wait_graded(p)
    assert result["count_ok"] and result["count"] == want
    assert abs(result["mean_error_s"]) < 0.02 and result["spread_s"] < 0.02
    assert result["gap_s"] is None and result["grade"] == "A"
    saved = records.history()
    assert len(saved) == 1 and saved[0].scenario_id == "app-knock"
    attempt = saved[0].attempt
    assert attempt.correct and attempt.given_count == want and attempt.trial.task == "send"
    assert attempt.reaction_s == pytest.approx(0.8 + 2 / 60, abs=1e-6)  # task shown (2 frames before) to 1st knock


def test_slow_uneven_knocks_are_measured(pilot):
    p = pilot(trainee="He", scene="knock", lang="en")
    p.press(FIRST)
    want = p.scene.target[1]
    spacings = [1.2, 1.6] * want
    knock_group(p, spacings[: want - 1])
    result = wait_graded(p)
    expected = spacings[: want - 1]
    assert result["mean_error_s"] == pytest.approx(sum(expected) / len(expected) - 1.0, abs=0.02)
    assert result["spread_s"] == pytest.approx(0.2, abs=0.03)
    assert result["grade"] == "C"  # 400 ms slow on average


def test_knocking_again_too_soon_after_the_group_is_caught(pilot):
    p = pilot(trainee="He", scene="knock", lang="en")
    p.press(SECOND)
    want = p.scene.target[1]
    knock_group(p, [1.0] * (want - 1))
    while p.scene.phase != "gap":
        p.run(frames=1)
    p.run(seconds=0.5)
    p.press(pygame.K_SPACE, frames=1)
    result = wait_graded(p)
    assert result["gap_s"] is not None and 2.5 < result["gap_s"] < 4.5
    assert result["count"] == want  # the intruding knock is not part of the group
    assert result["grade"] != "A"


def test_mouse_clicks_on_the_pad_are_knocks(pilot):
    p = pilot(trainee="He", scene="knock", lang="en")
    p.press(FIRST)
    p.run(frames=2)
    centre = p.scene.pad.rect.center
    want = p.scene.target[1]
    for _ in range(want):
        p.click(centre, frames=1)
        p.run(seconds=0.95)
    assert len(p.scene.pad.knocks) == want
    assert wait_graded(p)["count_ok"]


def test_a_wrong_count_is_graded_as_needing_practice(pilot):
    p = pilot(trainee="He", scene="knock", lang="zh")
    p.press(FIRST)
    want = p.scene.target[1]
    knock_group(p, [1.0] * want)  # one knock too many
    result = wait_graded(p)
    assert not result["count_ok"] and result["grade"] == "C"
    p.press(pygame.K_a)  # again
    assert isinstance(p.scene, KnockScene) and p.scene.phase == "knock" and p.scene.pad.knocks == []


def test_grade_bands():
    assert grade(count_ok=True, mean_error_s=0.05, spread_s=0.05, gap_ok=True) == "A"
    assert grade(count_ok=True, mean_error_s=0.05, spread_s=0.05, gap_ok=False) == "B"
    assert grade(count_ok=True, mean_error_s=0.2, spread_s=0.1, gap_ok=True) == "B"
    assert grade(count_ok=True, mean_error_s=0.4, spread_s=0.1, gap_ok=True) == "C"
    assert grade(count_ok=False, mean_error_s=0.0, spread_s=0.0, gap_ok=True) == "C"
