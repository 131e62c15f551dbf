"""Every scene is reachable and usable from the keyboard; the window can be resized; a screenshot of each."""
import pygame
import pytest

from rescue_signals.app.scenes.exchange import ExchangeScene
from rescue_signals.app.scenes.home import ACTIVITIES, HomeScene
from rescue_signals.app.scenes.knock import KnockScene
from rescue_signals.app.scenes.learn import LearnScene
from rescue_signals.app.scenes.listen import ListenScene
from rescue_signals.app.scenes.progress import ProgressScene
from rescue_signals.app.scenes.recording import RecordingScene

EXPECTED = [LearnScene, ListenScene, KnockScene, ExchangeScene, RecordingScene, ProgressScene]


def test_number_keys_open_each_activity_and_esc_comes_back(pilot):
    assert len(ACTIVITIES) == len(EXPECTED)
    p = pilot(trainee="Sun", scene="home", lang="en")
    for i, cls in enumerate(EXPECTED):
        p.press(pygame.K_1 + i)
        assert isinstance(p.scene, cls)
        p.press(pygame.K_ESCAPE)
        assert isinstance(p.scene, HomeScene)


def test_tab_moves_the_highlight_and_enter_presses_it(pilot):
    p = pilot(trainee="Sun", scene="home")
    assert p.scene.focused.text.endswith(p.app.say("home.learn"))
    p.press(pygame.K_TAB)
    p.press(pygame.K_TAB)
    p.press(pygame.K_RETURN)
    assert isinstance(p.scene, KnockScene)


def test_the_sound_and_beat_switches_stick(pilot, tmp_path):
    p = pilot(trainee="Sun", scene="home", settings_path=tmp_path / "s.json")
    assert not p.app.settings.visual_beats
    p.press(pygame.K_v)
    assert p.app.settings.visual_beats
    assert p.app.say("status.beats_on") in p.app.status_line()
    assert '"visual_beats": true' in (tmp_path / "s.json").read_text()


@pytest.mark.parametrize("size", [(1024, 640), (1920, 1080)])
def test_a_resized_window_keeps_every_button_inside_and_the_state(pilot, size):
    p = pilot(trainee="Sun", scene="learn")
    p.press(pygame.K_RIGHT)
    p.resize(size)
    assert p.surface.get_size() == size
    assert p.scene.index == 1
    window = pygame.Rect((0, 0), size)
    for control in p.scene._controls:
        assert window.contains(control.element.rect), control.element.text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_screenshot_of_every_scene(pilot, artifacts_dir, lang):
    """Saves test-artifacts/app-<scene>-<lang>.png (looked at by a person) and checks each is drawn."""
    p = pilot(lang=lang)
    shots = [p.screenshot(artifacts_dir / f"app-start-{lang}.png")]
    p.type("李明" if lang == "zh" else "Li Ming")
    p.press(pygame.K_RETURN)
    shots.append(p.screenshot(artifacts_dir / f"app-home-{lang}.png"))
    for i, name in enumerate(ACTIVITIES):
        p.press(pygame.K_1 + i)
        p.run(seconds=0.5)
        shots.append(p.screenshot(artifacts_dir / f"app-{name}-{lang}.png"))
        p.press(pygame.K_ESCAPE)
    for shot in shots:
        image = pygame.image.load(str(shot))
        colours = {image.get_at((x, y))[:3] for x in range(0, image.get_width(), 37)
                   for y in range(0, image.get_height(), 23)}
        assert len(colours) > 4, f"{shot.name} looks blank"
