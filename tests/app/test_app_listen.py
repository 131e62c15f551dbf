"""Listen: drills from the scenarios, reaction times from the moment the last knock was heard, every answer
saved as it is given, false starts, headcounts, and a drill interrupted by closing the window."""
import sqlite3

import pygame
import pytest

from rescue_signals.app.answers import answer_key
from rescue_signals.codebook import HEADCOUNT


def start(pilot, drill_file, **options):
    p = pilot(trainee="Ma", scene="listen", lang="en", **options)
    p.app.scenario_paths = (drill_file,)
    p.press(pygame.K_ESCAPE)
    p.press(pygame.K_2)  # Listen, now offering the test drill first
    p.press(pygame.K_1)
    return p


def answer(p, delay_s):
    """Wait until the last knock was heard, then ``delay_s`` more, and give the right answer.

    Returns the attempt, and the stepped clock's time at which the final key of the answer arrived.
    """
    p.wait_for("answer")
    exp = p.scene.trial.expected
    p.run(seconds=delay_s)
    pressed_s = p.answer(exp.label, exp.count, frames=1)
    return p.scene.attempt, pressed_s


def saved_rows(records):
    with sqlite3.connect(records.path) as conn:  # a separate reader: only committed answers are seen
        return conn.execute("SELECT trial_index, given, correct, false_start, reaction_s FROM trials "
                            "ORDER BY trial_index").fetchall()


def test_a_drill_saves_each_answer_at_once_with_its_reaction_time(pilot, records, drill_file):
    p = start(pilot, drill_file)
    delays = [0.5, 1.2, 0.8]
    for i, delay in enumerate(delays):
        attempt, pressed_s = answer(p, delay)
        assert attempt.correct and not attempt.false_start
        cue = p.scene.cue
        heard_s = cue.start_s + cue.offsets_s[-1]  # the last knock, as shown (visual-only mode)
        rows = saved_rows(records)
        assert len(rows) == i + 1
        assert rows[-1][4] == pytest.approx(pressed_s - heard_s, abs=1e-6)
        assert rows[-1][4] == pytest.approx(delay, abs=0.07)  # plus the frames the headcount's keys take
        p.press(pygame.K_RETURN)
    p.wait_for("summary")
    assert p.scene.score.accepted == 3
    session = records.sessions()[-1]
    assert session.ended_at is not None and session.passed


def test_an_answer_before_the_group_ends_is_a_false_start(pilot, records, drill_file):
    p = start(pilot, drill_file)
    p.wait_for("play")
    while not p.scene.cue.heard_times_s():
        p.run(frames=1)
    p.press(answer_key(p.app.codebook, p.scene.trial.expected.label), frames=1)
    assert p.scene.phase == "feedback"
    assert p.scene.attempt.false_start and p.scene.attempt.reaction_s < 0
    assert saved_rows(records)[0][3] == 1
    assert p.app.speaker.current is None  # the rest of the group is not played on


def test_closing_the_window_mid_drill_loses_nothing_and_the_drill_resumes(pilot, records, drill_file):
    p = start(pilot, drill_file)
    answer(p, 0.4)
    p.press(pygame.K_RETURN)
    answer(p, 0.6)
    p.close()
    assert p.closed
    assert len(saved_rows(records)) == 2

    again = start(pilot, drill_file)
    assert again.scene.trial.index == 2  # the third trial: the first two are kept
    answer(again, 0.3)
    again.press(pygame.K_RETURN)
    again.wait_for("summary")
    assert [r[0] for r in saved_rows(records)] == [0, 1, 2]
    assert len(records.sessions()) == 1


def test_a_headcount_is_answered_by_typing_the_number(pilot, drill_file):
    p = start(pilot, drill_file)
    answer(p, 0.3)
    p.press(pygame.K_RETURN)
    attempt, _ = answer(p, 0.3)
    assert attempt.trial.expected.label == HEADCOUNT
    assert attempt.correct and attempt.given_count == attempt.trial.expected.count


def test_a_knocked_trial_takes_the_space_bar_and_grades_the_spacing(pilot, records):
    p = pilot(trainee="Ma", scene="listen", lang="en")
    first = p.scene.scenarios[0]
    p.press(pygame.K_1)
    assert p.scene.scenario is first
    while not p.scene.trial.knocked:  # the first lesson ends with knocking a signal
        answer(p, 0.4)
        p.press(pygame.K_RETURN)
    p.wait_for("knock")
    want = p.scene.trial.expected.count
    for _ in range(want):
        p.press(pygame.K_SPACE, frames=1)
        p.run(seconds=1.1 - 1 / 60)
    p.wait_for("feedback", seconds=5)
    attempt = p.scene.attempt
    assert attempt.correct and attempt.given_count == want
    assert attempt.interval_error_s == pytest.approx(0.1, abs=0.02)
    assert saved_rows(records)[-1][1] == attempt.given


def test_no_answer_within_the_time_limit_is_saved_as_a_timeout(pilot, records, drill_file):
    p = start(pilot, drill_file)
    p.wait_for("answer")
    p.run(seconds=p.scene.trial.time_limit_s + 0.2)
    assert p.scene.phase == "feedback"
    attempt = p.scene.attempt
    assert attempt.timed_out and attempt.given == "none" and not attempt.correct
    assert saved_rows(records)[0][1] == "none"


def test_the_trainee_can_pick_medium_noise_and_distance_and_the_record_says_so(pilot, records, drill_file):
    p = pilot(trainee="Ma", scene="listen", lang="en")
    p.app.scenario_paths = (drill_file,)
    p.press(pygame.K_ESCAPE)
    p.press(pygame.K_2)
    p.press(pygame.K_m)
    p.press(pygame.K_m)  # rail
    p.press(pygame.K_n)
    p.press(pygame.K_n)  # fan
    for _ in range(4):
        p.press(pygame.K_d)  # 300 m
    labels = [c.element.text for c in p.scene._controls]
    assert any("rail" in t for t in labels) and any("fan" in t for t in labels) and any("300 m" in t for t in labels)
    p.press(pygame.K_1)
    played = p.scene.trial.conditions
    assert (played.medium, played.noises, played.distance_m) == ("rail", ("fan",), 300.0)
    answer(p, 0.5)
    stored = records.history()[-1].attempt.trial.conditions
    assert (stored.medium, stored.noises, stored.distance_m) == ("rail", ("fan",), 300.0)
