"""Hostile or broken codebooks and scenarios: each run of the real command ends at once with ``error: file:line``.

Each case once ended in a traceback, a silent wrong reading, or a run that grew by 50 MB/s until stopped."""
import time

import pytest

from rescue_signals.datafile import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES, load_yaml
from rescue_signals.errors import DataFileError

SCENARIO = "title: hostile\ntrainee: rescuer\n"
BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]\n" for p, c in zip("abcdefghi", "bcdefghij"))


def scenario(tmp_path, text: str, name: str = "hostile"):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text,line,words", [
    (SCENARIO + "steps:\n  - recognise: !!python/object/apply:os.system ['echo owned']\n", 4,
     "the tag '!!python/object/apply:os.system' is not allowed"),
    (SCENARIO + "summary: !!python/name:os.system\nsteps:\n  - recognise: T5\n", 3, "is not allowed"),
    (SCENARIO + "steps: !!python/tuple\n  - recognise: T5\n", 3, "the tag '!!python/tuple' is not allowed"),
    (SCENARIO + "steps:\n  - !foo {recognise: T5}\n", 4, "the tag '!foo' is not allowed"),
], ids=["scalar-tag", "name-tag", "sequence-tag", "local-tag"])
def test_tags_are_refused_at_their_line(tmp_path, bounded, text, line, words):
    path = scenario(tmp_path, text)
    run = bounded("drill", path, "--trainee", "x", "--silent")
    run.assert_clean_error(f"{path}:{line}: ", words)
    assert "owned" not in run.out


def test_an_alias_bomb_in_a_scenario_title_is_refused_fast(tmp_path, bounded):
    path = scenario(tmp_path, BOMB + "trainee: rescuer\ntitle: *j\nsteps:\n  - recognise: T5\n")
    run = bounded("drill", path, "--trainee", "x", "--silent", timeout_s=30, memory_mb=512)
    run.assert_clean_error(f"{path}:", "alias bomb")
    assert run.elapsed_s < 10


def test_an_alias_bomb_in_a_codebook_is_refused_fast(tmp_path, bounded):
    path = tmp_path / "bomb-codebook.yaml"
    path.write_text(BOMB + "id: bomb\nlanguages: *j\n", encoding="utf-8")
    run = bounded("codebook", "--file", path, timeout_s=30, memory_mb=512)
    run.assert_clean_error(f"{path}:", "alias bomb")


def test_the_loader_itself_refuses_a_bomb_in_milliseconds(tmp_path):
    path = scenario(tmp_path, BOMB)
    start = time.perf_counter()
    with pytest.raises(DataFileError, match="more than 100,000 values"):
        load_yaml(path)
    assert time.perf_counter() - start < 0.5
    # aliases within reason still work, and share what they name
    path.write_text("a: &x [1, 2]\nb: *x\n", encoding="utf-8")
    root, _ = load_yaml(path)
    assert [n.value for n in root.value["b"].value] == [1, 2]


def test_deep_nesting_is_refused_without_a_traceback(tmp_path, bounded):
    path = scenario(tmp_path, SCENARIO + "steps: " + "[" * 100_000 + "]" * 100_000 + "\n")
    bounded("drill", path, "--trainee", "x", "--silent").assert_clean_error(f"{path}:3: ", "nest")
    shallow = scenario(tmp_path, SCENARIO + "x: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n", "deep2")
    with pytest.raises(DataFileError, match=f"nest more than {MAX_DEPTH} deep"):
        load_yaml(shallow)


def test_an_oversized_scenario_is_refused_before_it_is_read(tmp_path, bounded):
    path = scenario(tmp_path, SCENARIO + "steps:\n" + '  - recognise: "T5"\n' * 2_400_000)  # 48 MB
    run = bounded("drill", path, "--trainee", "x", "--silent", timeout_s=30, memory_mb=512)
    run.assert_clean_error(f"{path}: ", f"at most {MAX_FILE_BYTES // 1024} KiB")
    assert run.elapsed_s < 10


def test_too_many_values_under_the_size_limit_are_refused(tmp_path):
    path = scenario(tmp_path, "x: [" + ", ".join(["1"] * (MAX_VALUES + 1)) + "]\n")
    assert path.stat().st_size < MAX_FILE_BYTES
    with pytest.raises(DataFileError, match="more than 100,000 values"):
        load_yaml(path)


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1.0e+999"])
def test_numbers_must_be_finite(tmp_path, bounded, value):
    path = scenario(tmp_path, SCENARIO + f"time_limit_s: {value}\nsteps:\n  - recognise: T5\n")
    bounded("drill", path, "--trainee", "x", "--silent").assert_clean_error(f"{path}:3: ", "not a finite number")


def test_a_nan_inside_conditions_is_refused_too(tmp_path, bounded):
    path = scenario(tmp_path, SCENARIO + "steps:\n  - recognise: T5\n    conditions: {distance_m: .nan}\n")
    bounded("drill", path, "--trainee", "x", "--silent").assert_clean_error(f"{path}:5: ", "not a finite number")


def test_a_number_too_long_to_read_is_a_clear_error(tmp_path, bounded):
    path = scenario(tmp_path, SCENARIO + "level: " + "9" * 5000 + "\nsteps:\n  - recognise: T5\n")
    bounded("drill", path, "--trainee", "x", "--silent").assert_clean_error(f"{path}:3: ", "cannot read '999")


@pytest.mark.parametrize("text,line", [
    (SCENARIO + "level 5\nsteps:\n  - recognise: T5\n", 3),
    (SCENARIO + 'steps:\n  - recognise: "T5\n  - send: call\n', 4),
], ids=["missing-colon", "unclosed-quote"])
def test_a_syntax_error_names_the_broken_line(tmp_path, bounded, text, line):
    path = scenario(tmp_path, text)
    bounded("drill", path, "--trainee", "x", "--silent").assert_clean_error(f"{path}:{line}: ", "invalid YAML")


def test_a_pipe_or_a_folder_is_not_read_as_a_scenario(tmp_path, bounded):
    import os
    import subprocess

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", f"echo 'title: x' > {fifo}"], stderr=subprocess.DEVNULL)
    bounded("drill", fifo, "--trainee", "x", "--silent").assert_clean_error("is a pipe (FIFO)")
    writer.wait(timeout=10)  # the writer was let go (its text taken, or a broken pipe), not left waiting
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    bounded("drill", folder, "--trainee", "x", "--silent").assert_clean_error("is a folder")
