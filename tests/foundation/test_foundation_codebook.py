"""The codebook file: the official signals load, and every mistake in a codebook names file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from rescue_signals.codebook import HEADCOUNT, default_codebook, load_codebook
from rescue_signals.errors import DataFileError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "codebooks"
OFFICIAL = Path(default_codebook().path)


def test_official_codebook_has_the_four_signals_with_their_senders_and_replies():
    cb = default_codebook()
    by_knocks = {s.knocks: s for s in cb.signals}
    assert sorted(by_knocks) == [2, 3, 4, 5]
    assert set(by_knocks[5].roles) == {"trapped", "rescuer"}
    assert by_knocks[4].roles == ("rescuer",)
    assert by_knocks[2].roles == ("trapped",)
    assert by_knocks[4].rule("rescuer").replies == ("received", HEADCOUNT)
    assert by_knocks[5].rule("trapped").meaning.get("zh") == "呼救：我们在这里"
    assert by_knocks[5].rule("rescuer").meaning.get("en") == "seeking contact"
    assert cb.timing.knock_interval_s == 1.0 and cb.timing.group_gap_s == 30.0
    assert cb.headcount.answered_by == "trapped" and cb.headcount.max_knocks >= 30


def test_project_decisions_are_marked_as_such():
    ids = {d.id for d in default_codebook().decisions if d.project_decision}
    assert {"headcount-sequence", "context-readings", "large-headcounts", "spacing", "listening-window",
            "helmet-label"} <= ids


def test_loaded_codebook_is_frozen():
    cb = default_codebook()
    with pytest.raises(AttributeError):
        cb.signals[0].knocks = 9  # type: ignore[misc]


def test_a_second_codebook_with_other_counts_loads_through_the_same_code():
    cb = load_codebook(FIXTURES / "alt.yaml")
    assert {s.id: s.knocks for s in cb.signals} == {"hail": 6, "query": 7, "ack": 2, "halt": 3}
    assert cb.rescuer == "surface" and cb.trapped == "below"


def _broken(tmp_path, old: str, new: str) -> Path:
    text = OFFICIAL.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


@pytest.mark.parametrize("old,new,needle,words", [
    ("    knocks: 2\n", "    knocks: 0\n", "knocks: 0", "'knocks' of signal 'stop' is 0"),
    ("  - id: stop\n    knocks: 2\n", "  - id: stop\n    knocks: 3\n    nockz: 1\n", "nockz", "did you mean 'knocks'"),
    ("  - id: stop\n    knocks: 2\n", "  - id: stop\n    knocks: 5\n", "meaning: {zh: 停止",
     "are both 5 knocks sent by trapped"),
    ("    name: {zh: 停止, en: stop}", "    name: {zh: 停止}", "name: {zh: 停止}", "no 'en' translation"),
    ("        replies: [received]\n  - id: ask_count", "        replies: [recieved]\n  - id: ask_count", None,
     "did you mean 'received'"),
    ("      trapped:\n        meaning: {zh: 停止", "      trappd:\n        meaning: {zh: 停止", "trappd:",
     "did you mean 'trapped'"),
    ("timing:\n", "timing:\n  knock_interval_s: [1\n", "knock_interval_s: [1", "invalid YAML"),
])
def test_mistakes_name_file_line_and_the_closest_valid_name(tmp_path, old, new, needle, words):
    path = _broken(tmp_path, old, new)
    with pytest.raises(DataFileError) as info:
        load_codebook(path)
    message = str(info.value)
    assert message.startswith(f"{path}:"), message
    assert words in message, message
    if needle is not None:
        line = _line_of(path, needle)
        assert info.value.line in (line, line + 1), (message, line)


def test_duplicate_key_is_reported_with_both_lines(tmp_path):
    path = _broken(tmp_path, "  group_gap_s: 30.0", "  group_gap_s: 30.0\n  group_gap_s: 20.0")
    with pytest.raises(DataFileError, match=r"duplicate key 'group_gap_s' \(first at line \d+\)"):
        load_codebook(path)


def test_empty_and_missing_files_are_clear_errors(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(DataFileError, match="empty"):
        load_codebook(empty)
    with pytest.raises(DataFileError, match="not found"):
        load_codebook(tmp_path / "nope.yaml")
