"""Fixtures for the trainer app's tests: a pilot that runs the app on SDL's dummy drivers."""
import pytest


@pytest.fixture
def records(tmp_path):
    from rescue_signals.paper.records import Records

    store = Records(tmp_path / "records.sqlite3")
    yield store
    store.close()


@pytest.fixture
def pilot(records, artifacts_dir):
    """Make a pilot: ``pilot(scene="listen", lang="en", ...)``; closed at the end of the test."""
    from rescue_signals.app.pilot import Pilot

    made = []

    def make(**options):
        options.setdefault("records", records)
        made.append(Pilot(**options))
        return made[-1]

    yield make
    for p in made:
        if not p.closed:
            p.close()  # the window closes as a user closes it: the scene leaves and lets go of the microphone
        p.app.shutdown()


@pytest.fixture
def drawn_by(monkeypatch):
    """``drawn_by(module) -> list``: every text the module's ``draw_text`` draws from then on, in order."""
    def spy_on(module):
        texts: list[str] = []
        real = module.draw_text

        def spy(surface, text, *args, **kwargs):
            texts.append(text)
            return real(surface, text, *args, **kwargs)

        monkeypatch.setattr(module, "draw_text", spy)
        return texts

    return spy_on


THREE_TRIALS = """
title: {zh: 测试, en: Test drill}
summary: {zh: 三题, en: Three trials}
level: 1
trainee: trapped
time_limit_s: 20
conditions: {medium: pipe, distance_m: 5, compress_gaps: 10}
steps:
  - recognise: "R5"
  - recognise: "R4 T3 | T9"
  - recognise: "T2"
"""


@pytest.fixture
def drill_file(tmp_path):
    """A short scenario: recognise a call, a headcount of nine, a stop."""
    path = tmp_path / "three.yaml"
    path.write_text(THREE_TRIALS, encoding="utf-8")
    return path
