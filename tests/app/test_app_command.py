"""`rescue-signals app`: bad input is reported before any window opens."""
from rescue_signals.cli import main


def test_a_bad_scenario_file_is_reported_with_its_line(tmp_path, capsys):
    bad = tmp_path / "mine.yaml"
    bad.write_text('title: x\ntrainee: trapped\nsteps:\n  - recognize: "R5"\n', encoding="utf-8")
    assert main(["app", "--scenario", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}:4:") and "did you mean 'recognise'" in err


def test_a_missing_recording_is_reported(tmp_path, capsys):
    assert main(["app", "--recording", str(tmp_path / "none.wav")]) == 1
    assert "none.wav" in capsys.readouterr().err


def test_the_help_lists_the_options(capsys):
    import pytest

    with pytest.raises(SystemExit) as done:
        main(["app", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for option in ("--lang", "--trainee", "--scenario", "--records", "--no-sound", "--recording"):
        assert option in out
