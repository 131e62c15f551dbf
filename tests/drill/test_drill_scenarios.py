"""Scenario files: every shipped one loads and teaches what it says; mistakes in a file name file:line and the
closest valid name."""

import textwrap

import numpy as np
import pytest

from rescue_signals.codebook import HEADCOUNT, default_codebook
from rescue_signals.drill import (UNKNOWN, DrawStep, Drill, ExchangeStep, RecogniseStep, Response, SendStep,
                                  find_scenario, load_scenario, shipped_scenarios)
from rescue_signals.errors import DataFileError, UsageError
from rescue_signals.resources import scenarios_dir

CB = default_codebook()


def write(tmp_path, text, name="mine.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def trials_of(scenario, seed=0):
    drill = Drill(scenario, CB, rng=np.random.default_rng(seed))
    out = []
    while (t := drill.next_trial()) is not None:
        out.append(t)
        drill.answer(t, Response(t.expected.label, heard_s=0.0, answered_s=1.0))
    return out


def test_every_shipped_scenario_loads_and_runs():
    shipped = shipped_scenarios()
    files = sorted(scenarios_dir().glob("*.yaml"))
    assert len(shipped) == len(files) >= 10
    assert len({s.id for s in shipped}) == len(shipped)
    assert [s.level for s in shipped] == sorted({s.level for s in shipped}), "a ladder: one scenario per level"
    for s in shipped:
        assert s.title.get("zh") and s.title.get("en") and s.title.get("zh") != s.title.get("en")
        trials = trials_of(s)
        assert len(trials) == s.trial_count > 0


def test_the_ladder_starts_quiet_and_ends_hard():
    shipped = shipped_scenarios()
    first, last = shipped[0], shipped[-1]
    assert all(not step.setting.conditions.noises for step in first.steps)
    assert last.pass_criteria.accuracy >= 0.9 and last.pass_criteria.false_starts == 0
    assert any(step.setting.conditions.noises for step in last.steps)


def test_real_rescues_are_re_enacted():
    hushan = find_scenario("hushan-misread")
    expected = [t.expected for t in trials_of(hushan)]
    # the ad-hoc 2 and 22 from above are not signals: answering them is the misreading
    assert [e.label for e in expected if e.count in (2, 22)] == [UNKNOWN, UNKNOWN, UNKNOWN]
    assert any(e.label == CB.acknowledgement for e in expected)

    shanmushu = [t.expected for t in trials_of(find_scenario("shanmushu-thirteen"))]
    assert any(e.label == HEADCOUNT and e.count == 13 for e in shanmushu)
    assert shanmushu[0].label == UNKNOWN and shanmushu[0].count == 13  # a bare 13 nobody asked for

    quecreek = [t.expected for t in trials_of(find_scenario("quecreek-nine"))]
    assert any(e.label == HEADCOUNT and e.count == 9 for e in quecreek)


def test_long_headcounts_low_snr_and_uneven_senders_are_shipped():
    long_counts = [t.expected.count for t in trials_of(find_scenario("long-headcounts"))
                   if t.expected.label == HEADCOUNT]
    assert max(long_counts) >= 20
    staircase = find_scenario("low-snr-staircase")
    assert staircase.adaptive.snr is not None and staircase.adaptive.snr.target == 0.8
    uneven = find_scenario("uneven-senders")
    hands = [s.setting.conditions for s in uneven.steps]
    assert any(c.tempo > 1.5 for c in hands) and any(c.tempo < 0.8 for c in hands)
    assert any(c.fatigue > 0.5 for c in hands) and any(c.double_strike_prob > 0 for c in hands)


def test_all_step_kinds_load(tmp_path):
    path = write(tmp_path, """\
        title: {zh: 测试, en: Test}
        trainee: trapped
        conditions: {medium: rail, noises: [fan], snr_db: 10, compress_gaps: 10}
        steps:
          - recognise: "R4 T3 | T9"
          - send: headcount
            count: 7
          - exchange: "R5 T3"
          - draw: [call, stop]
            trials: 3
        """)
    s = load_scenario(path)
    assert [type(x) for x in s.steps] == [RecogniseStep, SendStep, ExchangeStep, DrawStep]
    assert s.steps[0].context and s.steps[0].played[0].count == 9
    assert s.steps[1].group.count == 7
    assert s.trial_count == 1 + 1 + 1 + 3
    assert s.steps[0].setting.conditions.medium == "rail"


@pytest.mark.parametrize("body, line, needle", [
    ("title: T\ntrainee: trapped\nstepz: []\n", 3, "did you mean 'steps'"),
    ("title: T\ntrainee: trapper\nsteps:\n  - recognise: T5\n", 2, "did you mean 'trapped'"),
    ("title: T\ntrainee: trapped\nsteps:\n  - recognize: T5\n", 4, "did you mean 'recognise'"),
    ("title: T\ntrainee: trapped\nsteps:\n  - send: recieved\n", 4, "did you mean 'received'"),
    ("title: T\ntrainee: trapped\nsteps:\n  - draw: [call, stpo]\n    trials: 2\n", 4, "did you mean 'stop'"),
    ("title: T\ntrainee: trapped\nsteps:\n  - recognise: T5\n    conditions:\n      medium: pipee\n", 6,
     "did you mean 'pipe'"),
    ("title: T\ntrainee: trapped\nsteps:\n  - recognise: T5\n    conditions: {medum: pipe}\n", 5,
     "did you mean 'medium'"),
    ("title: T\ntrainee: trapped\nsteps:\n  - recognise: X5\n", 4, "unknown side 'X'"),
    ("title: T\ntrainee: trapped\nsteps:\n  - recognise: T5\n    expect: cal\n", 5, "did you mean 'call'"),
])
def test_typos_name_file_line_and_closest_name(tmp_path, body, line, needle):
    path = write(tmp_path, body)
    with pytest.raises(DataFileError) as err:
        load_scenario(path)
    assert err.value.line == line
    assert str(err.value).startswith(f"{path}:{line}:")
    assert needle in str(err.value)


@pytest.mark.parametrize("conditions, needle", [
    ("{snr_db: 10}", "needs noise"),
    ("{noises: [fan], snr_db: 500}", "snr_db is 500"),
    ("{compress_gaps: 100}", "run together"),
    ("{tempo: 0.25, compress_gaps: 10}", "run together"),
    ("{distance_m: -3}", "distance_m"),
    ("{far_side: miners}", "not a side"),
])
def test_impossible_conditions_are_refused(tmp_path, conditions, needle):
    path = write(tmp_path, f"title: T\ntrainee: trapped\nsteps:\n  - recognise: T5\n    conditions: {conditions}\n")
    with pytest.raises(DataFileError) as err:
        load_scenario(path)
    assert err.value.line == 5 and needle in str(err.value)


def test_an_exchange_that_breaks_the_code_is_refused(tmp_path):
    path = write(tmp_path, "title: T\ntrainee: trapped\nsteps:\n  - exchange: \"R5 T5\"\n")
    with pytest.raises(DataFileError) as err:
        load_scenario(path)
    assert err.value.line == 4 and "does not follow the code" in str(err.value)


def test_a_staircase_without_noise_is_refused(tmp_path):
    path = write(tmp_path, "title: T\ntrainee: trapped\nadaptive: {snr: {start_db: 10}}\nsteps:\n"
                           "  - draw: [call]\n    trials: 3\n")
    with pytest.raises(DataFileError, match="needs noise"):
        load_scenario(path)


def test_a_headcount_sent_by_rescuers_and_an_id_unlike_the_file_are_refused(tmp_path):
    path = write(tmp_path, "title: T\ntrainee: rescuer\nsteps:\n  - send: headcount\n    count: 3\n")
    with pytest.raises(DataFileError, match="only trapped send a headcount"):
        load_scenario(path)
    path = write(tmp_path, "id: other\ntitle: T\ntrainee: rescuer\nsteps:\n  - recognise: T5\n")
    with pytest.raises(DataFileError, match="differs from the file name"):
        load_scenario(path)


def test_unknown_shipped_scenario_suggests_the_closest():
    with pytest.raises(UsageError, match="did you mean 'first-lesson'"):
        find_scenario("first-lessen")
