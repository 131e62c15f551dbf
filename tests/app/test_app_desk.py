"""The trainer's desk, in a real window on the virtual screen with a real records file: a trainer makes a crew,
adds trainees, runs a timed drill for each in turn, sees their results and their course, and prints the crew
report."""
import subprocess

import pygame
import pytest

from rescue_signals.app.phrases import say
from rescue_signals.app.scenes.desk import DeskScene
from rescue_signals.app.scenes.home import HomeScene
from rescue_signals.app.scenes.listen import ListenScene
from rescue_signals.app.scenes.start import StartScene

pytestmark = pytest.mark.devices


@pytest.fixture(autouse=True)
def _real_window():
    """Open the window on the virtual screen: a display left initialised on SDL's dummy driver by an earlier test
    would stay dummy."""
    pygame.display.quit()
    yield
    pygame.display.quit()


def drill_through(p, wrong: int = 0):
    """Answer the three trials of the drill as the trainee at the laptop does (the first ``wrong`` of them wrong),
    then leave its summary with Esc."""
    assert isinstance(p.scene, ListenScene) and p.scene.scenario.id == "three"
    for i in range(3):
        p.wait_for("answer")
        expected = p.scene.trial.expected
        p.run(seconds=0.4)
        if i < wrong:
            p.press(pygame.K_u)  # "not a signal"
        else:
            p.answer(expected.label, expected.count)
        p.press(pygame.K_RETURN)
    p.wait_for("summary")
    p.press(pygame.K_ESCAPE)


def type_into(p, entry, text):
    p.click(entry.rect.center)
    p.type(text)
    p.press(pygame.K_RETURN)


def test_a_trainer_makes_a_crew_drills_each_trainee_in_turn_and_prints_the_crew_report(pilot, records, drill_file,
                                                                                      tmp_path, artifacts_dir):
    p = pilot(lang="en")
    assert pygame.display.get_driver() == "x11"  # a real window on the virtual screen
    p.app.scenario_paths = (drill_file,)
    assert isinstance(p.scene, StartScene)
    p.press(pygame.K_F4)  # the desk, straight from the first screen
    desk = p.scene
    assert isinstance(desk, DeskScene) and desk.crew is None

    type_into(p, desk.crew_entry, "Night shift")
    assert [c.name for c in records.crews()] == ["Night shift"]
    assert desk.crew == "Night shift"
    p.type("Bai")  # the trainee's name entry has the keys now
    p.press(pygame.K_RETURN)
    p.type("Chen")
    p.press(pygame.K_RETURN)
    assert [(t.name, t.crew) for t in records.trainees()] == [("Bai", "Night shift"), ("Chen", "Night shift")]
    assert [b.text for b in desk.member_buttons] == ["[1] Bai", "[2] Chen"]
    assert desk.message == say("desk.added", "en", name="Chen", crew="Night shift")
    assert desk.scenario.id == "three"

    p.press(pygame.K_TAB)  # out of the name entry: letters are shortcuts again
    p.press(pygame.K_w)  # the whole crew in turn: Bai first
    assert p.app.trainee.name == "Bai"
    drill_through(p)
    assert p.scene is desk and p.app.trainee is None
    assert desk.message == say("desk.turn", "en", i=2, n=2, name="Chen")
    assert desk.focused is desk.next_button
    p.press(pygame.K_RETURN)  # the laptop is handed over
    assert p.app.trainee.name == "Chen"
    drill_through(p, wrong=1)
    assert p.scene is desk and desk.message == say("desk.round_done", "en")

    sessions = {s.trainee: s for s in records.sessions()}
    assert set(sessions) == {"Bai", "Chen"} and all(s.ended_at is not None for s in sessions.values())
    assert sessions["Bai"].passed and not sessions["Chen"].passed
    rows = {m.name: m for m in desk.members}
    head = list(desk.view.head)
    assert head[:3] == ["Sessions", "Trials", "Accuracy"]
    assert rows["Bai"].results[:3] == ("1", "3", "100%")
    assert rows["Chen"].results[:3] == ("1", "3", "67%")
    three = next(i for i, s in enumerate(desk.steps) if s.id == "three")
    assert rows["Bai"].course[three].passed and not rows["Chen"].course[three].passed
    assert "Test drill" in desk.member_line(rows["Bai"])
    screenshot = p.screenshot(artifacts_dir / "desk.png")
    assert pygame.image.load(str(screenshot)).get_at((desk.member_buttons[0].rect.centerx, 10)) != (0, 0, 0, 255)

    assert desk.path_entry.get_text().endswith(".pdf")  # where it goes unless told otherwise
    out = tmp_path / "reports" / "night"
    desk.path_entry.set_text("")
    type_into(p, desk.path_entry, str(out))  # Enter in the file's entry prints, as P does
    for _ in range(600):
        if desk.printed is not None:
            break
        p.run(frames=1)
    pdf = out.with_name("night.pdf")
    assert desk.printed is not None and desk.printed.path == pdf.resolve()
    assert desk.message.splitlines()[0] == f"Report written: {pdf}"  # the trainer is told where it is
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Crew training record" in text and "Night shift" in text
    assert "Bai" in text and "Chen" in text

    p.press(pygame.K_ESCAPE)  # back where the desk was opened from, with nobody chosen
    assert isinstance(p.scene, StartScene) and p.app.trainee is None


def test_the_desk_opens_from_home_in_chinese_and_esc_goes_back(pilot, records):
    records.add_trainee("王芳", crew="一班")
    p = pilot(trainee="李伟", lang="zh")
    p.press(pygame.K_m)
    assert isinstance(p.scene, HomeScene)
    p.press(pygame.K_d)
    desk = p.scene
    assert isinstance(desk, DeskScene) and desk.crew == "一班"
    assert [b.text for b in desk.crew_buttons] == ["一班"]
    assert [b.text for b in desk.member_buttons] == ["[1] 王芳"]
    assert desk.member_line(desk.members[0]).startswith("王芳：已通过 无；下一步：")
    p.press(pygame.K_1)  # a drill for one trainee
    assert isinstance(p.scene, ListenScene) and p.app.trainee.name == "王芳"
    p.press(pygame.K_ESCAPE)
    assert p.scene is desk and p.app.trainee.name == "李伟"  # the drill was 王芳's, the app is 李伟's again
    p.press(pygame.K_ESCAPE)
    assert isinstance(p.scene, HomeScene) and p.app.trainee.name == "李伟"


def test_a_long_crew_is_paged_and_a_trainee_from_another_crew_is_moved_in(pilot, records):
    names = [f"T{i:02d}" for i in range(1, 12)]
    for name in names:
        records.add_trainee(name, crew="A")
    records.add_trainee("Wu", crew="B")
    p = pilot(lang="en")
    p.press(pygame.K_F4)
    desk = p.scene
    assert desk.crew == "A" and len(desk.members) == 11
    page = len(desk.member_buttons)
    assert page < 11 and [b.text for b in desk.member_buttons][0] == "[1] T01"
    p.press(pygame.K_PAGEDOWN)
    assert desk.member_buttons[0].text == f"[1] {names[page]}"
    p.press(pygame.K_2)  # the number keys count on the page shown
    assert isinstance(p.scene, ListenScene) and p.app.trainee.name == names[page + 1]
    p.press(pygame.K_ESCAPE)
    assert p.scene is desk and desk.member_buttons[0].text == f"[1] {names[page]}"

    type_into(p, desk.trainee_entry, "Wu")
    assert records.trainee("Wu").crew == "A"
    assert desk.message == say("desk.moved", "en", name="Wu", old="B", crew="A")
    assert len(desk.members) == 12
    assert desk.path_entry.get_text().endswith(".pdf") and "/A-" in desk.path_entry.get_text()
    p.click(next(b for b in desk.crew_buttons if b.text == "B").rect.center)
    assert desk.crew == "B" and "/B-" in desk.path_entry.get_text()  # the report offered is the crew's shown


def test_choosing_the_drill_with_enter_keeps_the_focus_on_that_button(pilot, records):
    records.add_trainee("Bai", crew="A")
    p = pilot(lang="en")
    p.press(pygame.K_F4)
    desk = p.scene
    choose = next(c.element for c in desk._controls if c.action == desk.cycle_drill)
    first = desk.scenario.id
    p.click(choose.rect.center)
    p.press(pygame.K_RETURN)  # pressed again from the keyboard: the next drill, not a drill started
    assert p.scene is desk and desk.drill_index == 2 and desk.scenario.id != first
    assert desk.focused.text.startswith("[D] ")


def test_a_crew_not_listed_is_opened_by_typing_its_name(pilot, records):
    crews = [f"Crew {i:02d}" for i in range(1, 21)]
    for crew in crews:
        records.add_crew(crew)
    p = pilot(lang="en")
    p.press(pygame.K_F4)
    desk = p.scene
    listed = [b.text for b in desk.crew_buttons]
    assert listed == crews[:len(listed)] and desk.crews_hidden == 20 - len(listed) > 0
    type_into(p, desk.crew_entry, "Crew 20")
    assert desk.crew == "Crew 20" and "Crew 20" in [b.text for b in desk.crew_buttons]
    assert len(records.crews()) == 20  # opened, not made twice
