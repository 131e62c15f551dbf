"""Shared fixtures. Tests marked ``devices`` use the real (virtual) screen and sound card that ./test.sh starts."""
import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """`test-artifacts/` in the repository root (CI keeps it): screenshots, recordings, reports."""
    path = REPO_ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def real_devices() -> dict:
    """The display and sound server to use. Fails (never skips) when they are not set up."""
    missing = [name for name in ("DISPLAY", "PULSE_SERVER") if not os.environ.get(name)]
    if missing:
        pytest.fail(
            f"{' and '.join(missing)} not set: this test needs a screen and a sound card. "
            "Run it with ./test.sh, which starts a virtual display and sound card (scripts/virtual-devices.sh).",
            pytrace=False,
        )
    return {"DISPLAY": os.environ["DISPLAY"], "PULSE_SERVER": os.environ["PULSE_SERVER"]}


@pytest.fixture(autouse=True)
def _own_data_folder(tmp_path_factory, monkeypatch):
    """Every test has its own user data folder: its records, preferences and site key never touch the user's."""
    monkeypatch.setenv("RESCUE_SIGNALS_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.delenv("RESCUE_SIGNALS_DB", raising=False)
    monkeypatch.delenv("RESCUE_SIGNALS_KEY", raising=False)


@pytest.fixture(autouse=True)
def _device_environment(request, monkeypatch):
    """`devices` tests get the real devices (or fail); every other test gets SDL's dummy drivers."""
    if request.node.get_closest_marker("devices"):
        request.getfixturevalue("real_devices")
    else:
        monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
        monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
