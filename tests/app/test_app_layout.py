"""Every screen fits the window, in both languages, from a small laptop to a full-HD screen.

The walk visits every scene (and the states a trainee meets in it) at each window size and records where every
piece of text goes: the labels of the buttons, and the text the scenes draw themselves. It fails when a text leaves
its button, its panel or the window, when drawn text runs under a button or into other text, or when a control
lies outside the window or on another control.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
from dataclasses import dataclass

import pygame
import pygame_gui
import pytest

from rescue_signals.app import drawing

SIZES = [(1024, 600), (1366, 768), (1920, 1080)]
LANGS = ["zh", "en"]
SHOTS = [(1024, 600), (1366, 768)]  # sizes whose states are saved as screenshots
TOLERANCE_PX = 2  # anti-aliased edges and rounding


@dataclass
class Drawn:
    """What one frame drew: each line of text with where it went, and the panels."""

    lines: list  # (text, rect, allowed width in px or None)
    panels: list
    lines_before: list  # for each panel, how many lines were drawn before it

    def clear(self):
        self.lines.clear()
        self.panels.clear()
        self.lines_before.clear()


@pytest.fixture
def drawn(monkeypatch):
    """Records every draw_text and draw_panel of the app's modules (they import the functions by name)."""
    record = Drawn([], [], [])
    draw_text, draw_panel = drawing.draw_text, drawing.draw_panel

    def text(surface, text, topleft, font, colour, *, width_px=None, align="left"):
        for line, rect in drawing.text_lines(text, topleft, font, width_px=width_px, align=align):
            if line.strip():
                box = pygame.Rect(topleft[0], rect.y, width_px, rect.height) if width_px else None
                record.lines.append((line, rect, box))
        return draw_text(surface, text, topleft, font, colour, width_px=width_px, align=align)

    def panel(surface, rect, theme, **options):
        record.panels.append(pygame.Rect(rect))
        record.lines_before.append(len(record.lines))
        return draw_panel(surface, rect, theme, **options)

    import rescue_signals.app

    for info in pkgutil.walk_packages(rescue_signals.app.__path__, "rescue_signals.app."):
        importlib.import_module(info.name)  # a scene imported later would draw unrecorded
    for name, module in list(sys.modules.items()):
        if name.startswith("rescue_signals.app"):
            if getattr(module, "draw_text", None) is draw_text:
                monkeypatch.setattr(module, "draw_text", text)
            if getattr(module, "draw_panel", None) is draw_panel:
                monkeypatch.setattr(module, "draw_panel", panel)
    return record


def _inside(outer: pygame.Rect, inner: pygame.Rect) -> bool:
    return outer.inflate(2 * TOLERANCE_PX, 2 * TOLERANCE_PX).contains(inner)


def _overlap(a: pygame.Rect, b: pygame.Rect) -> bool:
    return a.inflate(-2 * TOLERANCE_PX, -2 * TOLERANCE_PX).colliderect(b.inflate(-2 * TOLERANCE_PX,
                                                                                  -2 * TOLERANCE_PX))


def _button_label_box(button) -> pygame.Rect:
    """Where the button's label goes, centred, with the theme's padding on both sides."""
    width, height = button.font.size(button.text)
    pad = button.text_horiz_alignment_padding
    box = pygame.Rect(0, 0, width + 2 * pad, height)
    box.center = button.rect.center
    return box


def problems(p, drawn: Drawn) -> list[str]:
    """Everything that does not fit in the frame just drawn."""
    window = pygame.Rect((0, 0), p.surface.get_size())
    found = []
    controls = [c.element for c in p.scene._controls if c.element.visible]
    dialog = getattr(p.scene, "dialog", None)
    if dialog is not None and dialog.alive() and not _inside(window, dialog.rect):
        found.append(f"window off screen: {tuple(dialog.rect)}")
    for i, element in enumerate(controls):
        name = getattr(element, "text", type(element).__name__)
        if not _inside(window, element.rect):
            found.append(f"control off screen: {name!r} at {tuple(element.rect)}")
        if isinstance(element, pygame_gui.elements.UIButton):
            label = _button_label_box(element)
            if label.width > element.rect.width + TOLERANCE_PX or label.height > element.rect.height + TOLERANCE_PX:
                found.append(f"button label clipped: {name!r} needs {label.size}, has {element.rect.size}")
        for other in controls[i + 1:]:
            if _overlap(element.rect, other.rect):
                found.append(f"controls overlap: {name!r} and {getattr(other, 'text', '')!r}")
    lines, panels = drawn.lines, drawn.panels
    if p.app.records_alert is not None:  # the alert covers the screen: only what it says counts
        lines, panels, controls = lines[drawn.lines_before[-1]:], panels[-1:], []
    for i, (line, rect, box) in enumerate(lines):
        if not _inside(window, rect):
            found.append(f"text off screen: {line!r} at {tuple(rect)}")
        if box is not None and rect.width > box.width + TOLERANCE_PX:
            found.append(f"text wider than its box: {line!r} ({rect.width} > {box.width} px)")
        for element in controls:
            if _overlap(rect, element.rect):
                found.append(f"text under a control: {line!r} under {getattr(element, 'text', '')!r}")
        for panel in panels:
            if rect.colliderect(panel) and not _inside(panel, rect):
                found.append(f"text leaves its panel: {line!r} at {tuple(rect)}, panel {tuple(panel)}")
        for other, other_rect, _ in lines[i + 1:]:
            if _overlap(rect, other_rect):
                found.append(f"texts overlap: {line!r} and {other!r}")
    return found


# -- the walk: each view brings the pilot into some states and yields a name for each --------------------------

@dataclass
class Context:
    """What a view may need besides the pilot."""

    records: object
    tmp_path: object
    drill_file: object


def _start(p, ctx):
    yield "start"
    p.press(pygame.K_RETURN)  # an empty name: says what is missing
    yield "start empty name"


def _start_known(p, ctx):
    for name in ("李明", "Wang Fang", "Zhao Lei-Alexander", "陈", "Sun", "周晓梅"):
        ctx.records.ensure_trainee(name)
    p.app.settings.last_trainee = "Zhao Lei-Alexander"
    p.scene.names = p.scene._known_names()
    p.scene.rebuild()
    p.run(frames=2)
    yield "start with trainees"


def _scene(name):
    def view(p, ctx):
        yield name
    return view


def _learn(p, ctx):
    for i in range(len(p.scene.cards)):
        p.press(pygame.K_1)  # play it as the first listener hears it: the knocks light up
        p.run(seconds=2.5 if i == 0 else 1.0)
        yield f"learn card {i + 1}"
        p.press(pygame.K_PAGEDOWN)
    p.press(pygame.K_h)
    yield "learn helmet"
    p.press(pygame.K_w)
    for i in range(len(p.scene.steps)):
        yield f"learn walk {i + 1}"
        p.press(pygame.K_PAGEDOWN)


def _listen(p, ctx):
    p.app.settings.visual_beats = True
    for i in range(len(p.scene._controls)):  # every drill in the list, whichever is highlighted first
        p.press(pygame.K_DOWN)
        yield f"listen choose {i + 2}"
    p.press(pygame.K_ESCAPE)
    p.press(pygame.K_2)
    p.press(pygame.K_1)  # the first drill
    scene = p.scene
    for i in range(3):
        for _ in range(600):
            if scene.phase in ("answer", "knock", "summary"):
                break
            p.run(frames=5)
        yield f"listen trial {i + 1} {scene.phase}"
        if scene.phase == "summary":
            return
        if scene.phase == "answer":
            p.answer(scene.trial.expected.label, scene.trial.expected.count)
        else:
            p.run(seconds=scene.trial.time_limit_s + 1)
        yield f"listen trial {i + 1} feedback"
        p.press(pygame.K_RETURN)


def _course(p, ctx):
    for i in range(len(p.scene.statuses)):
        yield f"course step {i + 1}"
        p.press(pygame.K_DOWN)


def _alert(p, ctx):
    yield "records alert"


def _decode(p, ctx):
    from rescue_signals.codebook import default_codebook
    from rescue_signals.protocol import parse_sequence
    from rescue_signals.synth import Conditions, render_sequence, write_rendering

    yield "decode nothing open"
    cb = default_codebook()
    rendering = render_sequence(parse_sequence("R5 T3 R4 T3 T7 R3 T2 R3", cb), cb,
                                Conditions(noises=("fan",), snr_db=10, compress_gaps=6, distance_m=30), seed=4)
    path = ctx.tmp_path / "a-recording-from-the-borehole-of-the-lower-roadway.wav"
    write_rendering(rendering, path)
    p.scene.open_path(str(path))
    for _ in range(600):
        if p.scene.result is not None or p.scene.problem:
            break
        p.run(frames=1)
    assert p.scene.result is not None, p.scene.problem
    yield "decode result"
    for i in range(len(p.scene.result.groups)):
        p.press(pygame.K_DOWN)
        yield f"decode group {i + 2}"
    p.press(pygame.K_o)
    yield "decode file dialog"
    p.press(pygame.K_ESCAPE)
    p.scene.path, p.scene.result = None, None
    p.scene.rebuild()
    yield "decode recent recordings"


def _drill_then_progress(p, ctx):
    """A short drill with one wrong answer, its summary, then Progress with it."""
    p.app.scenario_paths = (ctx.drill_file,)
    p.press(pygame.K_ESCAPE)
    p.press(pygame.K_2)
    p.press(pygame.K_1)
    scene, cb = p.scene, p.app.codebook
    for _ in range(3000):
        if scene.phase == "summary":
            break
        if scene.phase == "answer":
            exp = scene.trial.expected
            p.run(seconds=0.5)
            wrong = exp.label == cb.signals[0].id
            p.answer(cb.signals[1].id if wrong else exp.label, exp.count)
            p.press(pygame.K_RETURN)
        p.run(frames=2)
    assert scene.phase == "summary"
    yield "listen summary"
    p.press(pygame.K_ESCAPE)
    p.press(pygame.K_6)
    assert p.scene.labels, "the drill's answers are not in Progress"
    yield "progress filled"


def _knock(p, ctx):
    yield "knock choose"
    p.press(pygame.K_5)
    yield "knock pad"
    for _ in range(5):
        p.press(pygame.K_SPACE)
        p.run(seconds=1.0)
    yield "knock gap"
    p.run(seconds=10)
    yield "knock graded"
    p.press(pygame.K_o)
    p.press(pygame.K_h)
    yield "knock headcount"


def _exchange(p, ctx):
    yield "exchange choose"
    p.press(pygame.K_1)  # as the rescuers: knock the call, then hear and name the answer
    yield "exchange your turn"
    for _ in range(5):
        p.press(pygame.K_SPACE)
        p.run(seconds=1.0)
    for i in range(4):
        p.run(seconds=3)
        yield f"exchange running {i + 1}"


def _desk(p, ctx):
    p.press(pygame.K_d)
    yield "desk empty"
    p.press(pygame.K_ESCAPE)
    for name in ("Wang Fang", "Zhao Lei-Alexander", "陈", "Sun", "周晓梅"):
        ctx.records.ensure_trainee(name, crew="一班 Night shift")
    p.press(pygame.K_d)
    yield "desk crew"


VIEWS = {
    "start": (None, _start),
    "start-known": (None, _start_known),
    "home": ("home", _scene("home")),
    "course": ("course", _course),
    "learn": ("learn", _learn),
    "listen": ("listen", _listen),
    "knock": ("knock", _knock),
    "exchange": ("exchange", _exchange),
    "decode": ("decode", _decode),
    "progress": ("progress", _scene("progress")),
    "progress-filled": ("home", _drill_then_progress),
    "alert": ("home", _alert),
    "practice": ("practice", _scene("practice")),
    "desk": ("home", _desk),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("view", list(VIEWS))
def test_every_text_and_control_fits_the_window(pilot, records, drawn, tmp_path, drill_file, artifacts_dir, view,
                                                lang, size):
    """Saves each state as test-artifacts/layout/<lang>-<size>/<state>.png (at 1024x600 and 1366x768)."""
    scene, walk = VIEWS[view]
    problem = "disk I/O error: /home/trainer/.local/share/rescue-signals/records.sqlite3" if view == "alert" else None
    p = pilot(size=size, lang=lang, trainee=None if scene is None else "李明", scene=scene, records_problem=problem)
    found = {}
    for state in walk(p, Context(records, tmp_path, drill_file)):
        drawn.clear()
        p.run(frames=1)
        assert drawn.lines, f"[{state}] no text recorded: the walk would check nothing"
        for problem in problems(p, drawn):
            found.setdefault(problem, state)
        if size in SHOTS:
            p.screenshot(artifacts_dir / "layout" / f"{lang}-{size[0]}x{size[1]}" / f"{state.replace(' ', '-')}.png")
    assert not found, f"{len(found)} problem(s):\n" + "\n".join(f"  [{s}] {m}" for m, s in found.items())
