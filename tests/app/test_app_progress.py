"""Progress: accuracy and reaction time per signal across sessions; the weakest signal highlighted."""
import re

import pygame

from rescue_signals.app.scenes.progress import ProgressScene
from rescue_signals.codebook import HEADCOUNT


def run_drill(p, drill_file, *, wrong: str | None):
    p.app.scenario_paths = (drill_file,)
    p.press(pygame.K_ESCAPE)
    p.press(pygame.K_2)
    p.press(pygame.K_1)
    cb = p.app.codebook
    while p.scene.phase != "summary":
        if p.scene.phase == "answer":
            exp = p.scene.trial.expected
            p.run(seconds=0.5)
            given = next(s.id for s in cb.signals if s.id != wrong) if exp.label == wrong else exp.label
            p.answer(given, exp.count)
            p.press(pygame.K_RETURN)
        p.run(frames=2)


def test_progress_shows_each_signal_and_highlights_the_weakest(pilot, drill_file, artifacts_dir):
    p = pilot(trainee="Xu", scene="listen", lang="en")
    cb = p.app.codebook
    weak = cb.signals[0].id
    run_drill(p, drill_file, wrong=weak)
    run_drill(p, drill_file, wrong=None)
    p.press(pygame.K_ESCAPE)
    p.press(pygame.K_6)
    scene = p.scene
    assert isinstance(scene, ProgressScene)
    assert len(scene.sessions) == 2
    by_label = {lp.label: lp for lp in scene.labels}
    assert by_label[weak].accuracy == 0.5 and by_label[weak].trials == 2
    assert by_label[weak].by_session[0][1] == 0.0 and by_label[weak].by_session[1][1] == 1.0
    assert by_label[HEADCOUNT].accuracy == 1.0
    assert scene.weak == {weak}
    assert all(lp.reaction_s is not None and 0.45 < lp.reaction_s < 0.7 for lp in scene.labels if lp.label != weak)
    p.screenshot(artifacts_dir / "app-progress-filled-en.png")


def test_progress_gives_reaction_times_in_seconds(pilot, drill_file, drawn_by):
    """People read reaction times in seconds: the table and the chart's title and axis say seconds."""
    import rescue_signals.app.scenes.progress as progress

    drawn = drawn_by(progress)
    p = pilot(trainee="Xu", scene="listen", lang="en")
    run_drill(p, drill_file, wrong=None)
    p.press(pygame.K_ESCAPE)
    p.press(pygame.K_6)
    assert isinstance(p.scene, ProgressScene)
    p.run(frames=2)
    table = [t for t in drawn if "trials" in t]
    assert table and all(re.search(r", \d+\.\d s,", t) for t in table), table
    assert any("Mean reaction time (s)" in t for t in drawn)
    assert not any(re.search(r"\d ms\b|\(ms\)", t) for t in drawn), drawn


def test_progress_with_no_records_says_what_to_do(pilot):
    p = pilot(trainee="New", scene="progress", lang="zh")
    assert p.scene.labels == []
    p.press(pygame.K_l)
    assert type(p.scene).__name__ == "ListenScene"
