"""Fixtures for the trainer app's tests: a pilot that runs the app on SDL's dummy drivers."""
import pytest


@pytest.fixture
def records(tmp_path):
    from rescue_signals.records import Records

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
