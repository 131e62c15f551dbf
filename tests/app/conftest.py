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
        p.app.shutdown()


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
