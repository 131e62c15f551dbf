"""The built wheel carries the codebooks and scenarios, and the installed package finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    (path,) = out.glob("rescue_signals-*.whl")
    return path


def test_wheel_contains_assets_and_scenarios(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "rescue_signals/assets/codebooks/mem-2021.yaml" in names
    catalog = sorted(p.name for p in (REPO / "assets" / "catalog").glob("*.po"))
    assert {"zh.po", "en.po"} <= set(catalog)
    for name in catalog:
        assert f"rescue_signals/assets/catalog/{name}" in names
    shipped = sorted(p.name for p in (REPO / "scenarios").glob("*.yaml"))
    assert shipped, "the repository ships drill scenarios"
    for name in shipped:
        assert f"rescue_signals/scenarios/{name}" in names


def test_installed_package_loads_its_codebook_from_inside_itself(wheel, tmp_path):
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    probe = ("import rescue_signals, rescue_signals.resources as r, rescue_signals.catalog as c; "
             "print(rescue_signals.__file__); print(r.codebook_path()); print(c.catalog().folder); "
             "print(c.say('app.title', 'en').replace(' ', '_'))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert out.returncode == 0, out.stderr
    module, codebook, phrases, title = out.stdout.split()
    assert module.startswith(str(target)) and codebook.startswith(str(target)) and phrases.startswith(str(target))
    assert title == "Rescue_knock-signal_trainer"
    table = subprocess.run([sys.executable, "-m", "rescue_signals", "codebook", "--lang", "en"], capture_output=True,
                           text=True, cwd=tmp_path, env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
                           timeout=60)
    assert table.returncode == 0, table.stderr
    assert "distress call: we are here" in table.stdout
