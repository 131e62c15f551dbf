"""Start and Home: a trainee gets going without a manual, in Chinese or English, by keyboard alone."""
import pygame
import pygame_gui
import pytest

from rescue_signals.app.phrases import keys, say
from rescue_signals.app.scenes.course import CourseScene
from rescue_signals.app.scenes.listen import ListenScene
from rescue_signals.app.scenes.start import StartScene
from rescue_signals.app.theme import font_path
from rescue_signals.codebook import default_codebook


def button_texts(scene):
    return [c.element.text for c in scene._controls if isinstance(c.element, pygame_gui.elements.UIButton)]


def test_a_new_trainee_types_a_name_and_is_in(pilot, records):
    p = pilot()
    assert isinstance(p.scene, StartScene)
    p.type("王芳")
    p.press(pygame.K_RETURN)
    assert isinstance(p.scene, CourseScene)  # the course says what to do next
    assert [t.name for t in records.trainees()] == ["王芳"]
    assert "王芳" in p.app.status_line()


def test_an_empty_name_is_refused_with_a_message(pilot, records):
    p = pilot(lang="en")
    p.press(pygame.K_TAB)  # to the Add button
    p.press(pygame.K_RETURN)
    assert isinstance(p.scene, StartScene)
    assert p.scene.problem == say("start.empty_name", "en")
    assert records.trainees() == []


def test_known_trainees_are_picked_with_number_keys(pilot, records):
    for name in ("Bai", "Chen"):
        records.add_trainee(name)
    p = pilot(lang="en")
    p.press(pygame.K_TAB)
    p.press(pygame.K_TAB)  # leave the name entry: number keys now pick a trainee
    p.press(pygame.K_2)
    assert isinstance(p.scene, CourseScene)  # the course says what to do next
    assert p.app.trainee.name == "Chen"


def test_the_language_switch_relabels_everything(pilot):
    p = pilot(lang="zh")
    assert say("start.add", "zh") in button_texts(p.scene)
    p.press(pygame.K_F3)
    assert p.app.lang == "en"
    assert say("start.add", "en") in button_texts(p.scene)
    p.type("Li")
    p.press(pygame.K_RETURN)
    assert any(say("home.learn", "en") in t for t in button_texts(p.scene))


def test_continue_where_you_left_off(pilot, tmp_path, records):
    settings = tmp_path / "settings.json"
    first = pilot(lang="en", settings_path=settings)
    first.type("Zhao")
    first.press(pygame.K_RETURN)
    first.press(pygame.K_m)  # from the course to all activities
    first.press(pygame.K_2)  # Listen
    assert isinstance(first.scene, ListenScene)
    first.close()

    again = pilot(lang="en", settings_path=settings)
    assert any("Zhao" in t for t in button_texts(again.scene))  # "Continue: Zhao"
    again.press(pygame.K_F2)
    assert isinstance(again.scene, ListenScene)
    assert again.app.trainee.name == "Zhao"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_text_has_real_glyphs_in_the_bundled_font(lang):
    """No "tofu" boxes: each character of the interface and the codebook renders as itself."""
    pygame.font.init()
    font = pygame.font.Font(str(font_path()), 24)

    def image(ch):
        return pygame.image.tobytes(font.render(ch, True, (255, 255, 255), (0, 0, 0)), "RGB")

    missing = image("\ue000")  # a private-use code point: drawn as the "missing glyph" box
    cb = default_codebook()
    texts = [say(k, lang) for k in keys() if "{" not in say(k, lang)]
    texts += [t.get(lang) for t in (cb.title, cb.precondition, cb.short_name, cb.headcount.name, *cb.rules)]
    texts += [s.name.get(lang) for s in cb.signals] + [r.meaning.get(lang) for s in cb.signals for r in s.senders]
    chars = {ch for text in texts for ch in text if not ch.isspace()}
    assert len(chars) > (300 if lang == "zh" else 50)
    bad = sorted(ch for ch in chars if image(ch) == missing)
    assert bad == []
