"""How the app is put together: scenes never import one another (the router opens them by name), and the Listen
screen moves between its phases only as its table allows."""
import ast
from pathlib import Path

import pytest

import rescue_signals.app as app_package

APP = Path(app_package.__file__).parent


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_no_scene_imports_another_scene():
    offenders = {}
    for path in [*sorted((APP / "scenes").glob("*.py")), APP / "scene.py"]:
        found = sorted(n for n in _imports(path) if n.startswith("rescue_signals.app.scenes"))
        if found:
            offenders[path.name] = found
    assert not offenders, offenders


def test_every_screen_the_router_names_exists_and_every_scene_module_is_named():
    import importlib

    from rescue_signals.app.router import SCENES

    for name, (module, cls) in SCENES.items():
        assert hasattr(importlib.import_module(f"rescue_signals.app.scenes.{module}"), cls), name
    modules = {p.stem for p in (APP / "scenes").glob("*.py")} - {"__init__"}
    assert modules == {m for m, _ in SCENES.values()}


def test_an_unknown_screen_is_a_clear_error(pilot):
    p = pilot(trainee="Li", scene="home", lang="en")
    with pytest.raises(ValueError, match="no screen called 'hoem'"):
        p.scene.go("hoem")


@pytest.mark.parametrize("name, module, cls", [("listen", "listen", "ListenScene"), ("knock", "knock", "KnockScene"),
                                               ("exchange", "exchange", "ExchangeScene")])
def test_a_screen_refuses_a_move_its_phase_table_does_not_have(pilot, name, module, cls):
    import importlib

    scenes = importlib.import_module(f"rescue_signals.app.scenes.{module}")
    Phase, table = scenes.Phase, scenes.TRANSITIONS
    assert set(table) == set(Phase)
    assert getattr(scenes, cls).phase.moves is table  # the scene's phase is checked against this table
    p = pilot(trainee="Li", scene=name, lang="en")
    assert p.scene.phase is Phase.CHOOSE
    wrong = next(ph for ph in Phase if ph not in table[Phase.CHOOSE] and ph is not Phase.CHOOSE)
    with pytest.raises(RuntimeError, match=f"cannot go from choose to {wrong}"):
        p.scene.phase = wrong
    assert p.scene.phase is Phase.CHOOSE
