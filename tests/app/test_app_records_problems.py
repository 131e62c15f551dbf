"""The app never lets a trainee think an answer was saved when it was not: a records problem stays on screen until
acknowledged, and answers after it are marked "not recorded"."""
import sqlite3

import numpy as np
import pygame

from rescue_signals.app.main import open_records
from tests.app.test_app_listen import start


def damaged_records(tmp_path):
    path = tmp_path / "damaged.sqlite3"
    path.write_bytes(b"these records were overwritten " * 200)
    store, problem = open_records(path)
    assert store is None and problem
    return path, problem


def red_share(pixels: np.ndarray) -> float:
    r, g, b = pixels[..., 0].astype(int), pixels[..., 1].astype(int), pixels[..., 2].astype(int)
    return float(((r > 150) & (g < 110) & (b < 110)).mean())


def test_a_damaged_records_file_is_shown_until_acknowledged_and_answers_are_marked(pilot, tmp_path, drill_file,
                                                                                     artifacts_dir):
    path, problem = damaged_records(tmp_path)
    p = pilot(trainee="Ma", scene="listen", lang="en", records=None, records_problem=problem)
    p.run(seconds=30)  # a passing notice was gone after 6 s; this stays
    assert p.app.records_alert is not None and "NOT recorded" in p.app.records_alert
    shot = pygame.surfarray.array3d(p.surface).swapaxes(0, 1)
    h, w = shot.shape[:2]
    assert red_share(shot[h // 4: 3 * h // 4, w // 8: 7 * w // 8]) > 0.003  # its red frame, mid-screen
    p.screenshot(artifacts_dir / "app-records-alert.png")
    scene = p.scene
    p.press(pygame.K_2)  # nothing goes on behind it
    assert p.scene is scene and p.app.records_alert is not None
    p.press(pygame.K_RETURN)
    assert p.app.records_alert is None
    assert "answers NOT recorded" in p.app.status_line()
    p.app.scenario_paths = (drill_file,)
    p.press(pygame.K_ESCAPE)
    p.press(pygame.K_2)
    p.press(pygame.K_1)
    p.wait_for("answer")
    exp = p.scene.trial.expected
    p.answer(exp.label, exp.count)
    assert p.scene.attempt.correct and p.scene.recorded is False  # "Correct!" and, under it, "NOT recorded"
    p.screenshot(artifacts_dir / "app-answer-not-recorded.png")
    assert path.read_bytes().startswith(b"these records were overwritten")  # the damaged file is left as it was


def test_a_save_that_fails_mid_drill_raises_the_alert_and_marks_that_answer(pilot, records, drill_file):
    p = start(pilot, drill_file)
    p.wait_for("answer")
    exp = p.scene.trial.expected
    p.answer(exp.label, exp.count)
    assert p.scene.recorded and p.app.records_alert is None
    pages = records._conn.execute("PRAGMA page_count").fetchone()[0]
    records._conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full from now on
    p.press(pygame.K_RETURN)
    p.wait_for("answer")
    exp = p.scene.trial.expected
    p.answer(exp.label, exp.count)
    assert p.scene.recorded is False and "disk is full" in p.app.records_alert
    with sqlite3.connect(records.path) as conn:
        assert conn.execute("SELECT count(*) FROM trials").fetchone()[0] == 1
