"""The course is the first screen after choosing a trainee: what to do next and why, every step with its pass mark
and the distance to it; passing a step moves the course on, and any step opens with one key."""
import pygame
import pygame_gui

from rescue_signals.app.scenes.course import CourseScene
from rescue_signals.app.scenes.home import HomeScene
from rescue_signals.app.scenes.learn import LearnScene
from rescue_signals.app.scenes.listen import ListenScene


def step_buttons(scene):
    return [b.text for b in scene.step_buttons]


def test_a_new_trainee_is_told_to_learn_the_signals_and_hearing_each_card_passes_that_step(pilot):
    p = pilot(lang="en")
    p.type("Gao")
    p.press(pygame.K_RETURN)
    assert isinstance(p.scene, CourseScene)
    assert p.scene.headline() == "Next: Learn the signals"
    assert step_buttons(p.scene)[0] == "→ Learn the signals"
    assert all(t.startswith("· ") for t in step_buttons(p.scene)[1:])  # nothing passed yet
    assert "Where you are: 5 to go" in p.scene.details()

    p.press(pygame.K_s)  # start the highlighted step
    assert isinstance(p.scene, LearnScene)
    for _ in p.scene.cards:
        p.press(pygame.K_1)  # hear the card as the other side hears it
        p.run(seconds=0.2)
        p.press(pygame.K_RIGHT)
    p.press(pygame.K_ESCAPE)  # back to the course it was opened from
    assert isinstance(p.scene, CourseScene)
    assert step_buttons(p.scene)[0] == "✓ Learn the signals"
    assert p.scene.headline() == "Next: First lesson: the four signals"


def test_a_passed_drill_is_ticked_and_its_pass_date_shown(pilot, records, drill_file):
    p = pilot(trainee="Ma", lang="en")
    p.app.scenario_paths = (drill_file,)
    p.press(pygame.K_m)  # all activities
    assert isinstance(p.scene, HomeScene)
    p.press(pygame.K_c)  # and the course again, now with the extra drill
    assert isinstance(p.scene, CourseScene)
    index = next(i for i, s in enumerate(p.scene.statuses) if s.step.id == "three")
    button = p.scene.step_buttons[index]
    assert button.text == "· Test drill"
    p.click(button.rect.center)
    assert isinstance(p.scene, ListenScene) and p.scene.scenario.id == "three"

    for _ in range(3):
        p.wait_for("answer")
        expected = p.scene.trial.expected
        p.run(seconds=0.5)
        p.answer(expected.label, expected.count)
        p.press(pygame.K_RETURN)
    p.wait_for("summary")
    assert records.sessions()[-1].passed
    p.press(pygame.K_ESCAPE)
    assert isinstance(p.scene, CourseScene)
    st = p.scene.statuses[index]
    assert st.passed and p.scene.step_buttons[index].text == "✓ Test drill"
    assert st.distance.get("en").startswith("passed on ")


def test_a_failed_try_says_how_far_the_pass_mark_is(pilot, records, drill_file):
    p = pilot(trainee="Ma", lang="en")
    p.app.scenario_paths = (drill_file,)
    p.press(pygame.K_m)
    p.press(pygame.K_c)
    index = next(i for i, s in enumerate(p.scene.statuses) if s.step.id == "three")
    p.click(p.scene.step_buttons[index].rect.center)
    for _ in range(3):
        p.wait_for("answer")
        p.run(seconds=0.5)
        p.press(pygame.K_u)  # "not a signal": wrong every time
        p.press(pygame.K_RETURN)
    p.wait_for("summary")
    p.press(pygame.K_ESCAPE)
    p.scene.selected = index
    assert not p.scene.statuses[index].passed
    where = next(line for line in p.scene.details() if line.startswith("Where you are:"))
    assert where.startswith("Where you are: best: 0 of 3 right: ") and where.endswith(" · tries: 1")


def test_every_step_opens_and_esc_comes_back_to_the_course(pilot):
    p = pilot(trainee="Ma", lang="zh")
    assert isinstance(p.scene, CourseScene)
    for i in range(len(p.scene.statuses)):
        p.scene.focus_on(p.scene.step_buttons[i])
        p.press(pygame.K_RETURN)
        assert not isinstance(p.scene, CourseScene), p.scene.statuses[i].step.id
        p.press(pygame.K_ESCAPE)
        if not isinstance(p.scene, CourseScene):  # a drill under way asks first: Esc again leaves it
            p.press(pygame.K_ESCAPE)
        assert isinstance(p.scene, CourseScene)
