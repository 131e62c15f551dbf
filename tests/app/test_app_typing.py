"""Typing into a text field never fires a shortcut: a name with every letter and digit in it goes into the field."""
import string

import pygame

from rescue_signals.app.scenes.course import CourseScene
from rescue_signals.app.scenes.start import StartScene

NAME = "The quick brown fox jumps over the lazy dog " + string.digits


def type_like_a_keyboard(p, text, scene=StartScene):
    """What a real keyboard sends for each character: the key press, then the text it makes."""
    for ch in text:
        key = pygame.K_SPACE if ch == " " else ord(ch.lower())
        mod = pygame.KMOD_SHIFT if ch.isupper() else 0
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=mod, unicode=ch, scancode=0))
        pygame.event.post(pygame.event.Event(pygame.TEXTINPUT, text=ch))
        pygame.event.post(pygame.event.Event(pygame.KEYUP, key=key, mod=mod, unicode=ch, scancode=0))
        p.run(frames=1)
        assert not p.closed and isinstance(p.scene, scene), f"typing {ch!r} left the screen"


def test_a_name_with_every_letter_and_digit_is_typed_without_firing_a_shortcut(pilot, records):
    for name in ("Bai", "Chen"):  # number keys pick these when the field is not being typed in
        records.add_trainee(name)
    p = pilot(lang="en")
    lang = p.app.lang
    type_like_a_keyboard(p, NAME)
    type_like_a_keyboard(p, NAME.upper())
    assert p.app.lang == lang
    assert p.scene.entry_widget.get_text() == NAME + NAME.upper()
    p.press(pygame.K_RETURN)
    assert isinstance(p.scene, CourseScene)  # the course says what to do next
    assert p.app.trainee.name == NAME + NAME.upper()


def test_a_file_name_typed_in_the_decode_dialog_fires_no_shortcut(pilot, tmp_path, monkeypatch):
    """Space plays, G plays a group, O opens, Esc goes back: none of them while a file name is typed."""
    from rescue_signals.app.scenes.recording import RecordingScene
    from rescue_signals.codebook import default_codebook
    from rescue_signals.protocol import parse_sequence
    from rescue_signals.synth import Conditions, render_sequence, write_rendering

    cb = default_codebook()
    rendering = render_sequence(parse_sequence("R5 T3", cb), cb, Conditions(compress_gaps=6), seed=2)
    name = "go play OGG song 5 4 3 2.wav"
    write_rendering(rendering, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    p = pilot(trainee="Qin", scene="decode", lang="en")
    p.press(pygame.K_o)
    dialog = p.scene.dialog
    type_like_a_keyboard(p, name, scene=RecordingScene)
    assert p.scene.dialog is dialog and dialog.alive() and p.scene.cue is None
    p.press(pygame.K_RETURN)
    for _ in range(600):
        if p.scene.result is not None or p.scene.problem:
            break
        p.run(frames=1)
    assert p.scene.problem is None and [g.count for g in p.scene.result.groups] == [5, 3]


def test_names_typed_on_the_trainers_desk_fire_no_shortcut(pilot, records):
    """D drills, W runs the crew, P prints, digits pick a trainee: none of them while a crew's or a trainee's name, or
    the report's file name, is typed."""
    from rescue_signals.app.scenes.desk import DeskScene

    records.add_trainee("Bai", crew="A")
    p = pilot(trainee="Li", scene="home", lang="en")
    p.press(pygame.K_d)
    desk = p.scene
    assert isinstance(desk, DeskScene)
    for field in ("crew_entry", "trainee_entry", "path_entry"):
        entry = getattr(p.scene, field)
        p.click(entry.rect.center)
        entry = getattr(p.scene, field)
        entry.set_text("")
        type_like_a_keyboard(p, NAME, scene=DeskScene)
        assert p.scene is desk and getattr(p.scene, field).get_text() == NAME, field
    assert p.app.trainee.name == "Li"
