"""Knocking back, the pure part: the level meter's zones, the microphone check's verdict, the echo's grade."""
import json

import numpy as np
import pytest

from rescue_signals.app.calibration import Calibration, CalibrationRules, Verdict, calibrate, describe
from rescue_signals.app.inputlevel import LevelMeter, LevelSettings, LevelZone, dbfs
from rescue_signals.app.knockback import EchoRules, Fault, describe as describe_echo, expected_group, grade_echo
from rescue_signals.app.settings import Settings
from rescue_signals.codebook import HEADCOUNT, default_codebook

SR = 48000
BLOCK = 1024


def feed(meter, blocks, start_s=0.0):
    t = start_s
    for block in blocks:
        meter.feed(block, time_s=t, sample_rate=SR)
        t += block.size / SR
    return t


def noise(amplitude, seconds, seed=0):
    rng = np.random.default_rng(seed)
    n = int(seconds * SR) // BLOCK
    return [np.clip(rng.normal(0, amplitude / 3, BLOCK), -amplitude, amplitude).astype(np.float32) for _ in range(n)]


def knock(peak):
    t = np.arange(BLOCK) / SR
    return (peak * np.exp(-t / 0.004) * np.sin(2 * np.pi * 900 * t)).astype(np.float32)


# -- the level meter ----------------------------------------------------------------------------------------------
def test_a_knock_well_above_the_noise_is_heard_well():
    meter = LevelMeter()
    t = feed(meter, noise(0.003, 3.5))
    assert meter.noise_dbfs == pytest.approx(dbfs(0.003), abs=4)
    assert meter.zone() == LevelZone.NONE  # nothing but the room yet
    t = feed(meter, [knock(0.3)] + noise(0.003, 0.2, seed=1), t)
    assert meter.zone() == LevelZone.GOOD
    assert meter.last_sound[1] == pytest.approx(dbfs(0.3), abs=1)
    assert meter.peak_near(3.5 - 0.001) == pytest.approx(dbfs(0.3), abs=1)


def test_a_faint_knock_is_too_quiet_and_a_loud_one_in_a_noisy_room_too():
    meter = LevelMeter()
    t = feed(meter, noise(0.0005, 3.5))
    feed(meter, [knock(0.008)] + noise(0.0005, 0.2, seed=1), t)  # -42 dBFS: under the quiet mark
    assert meter.zone() == LevelZone.QUIET
    noisy = LevelMeter()
    t = feed(noisy, noise(0.05, 3.5))  # noise peaking at -26 dBFS
    feed(noisy, [knock(0.12)] + noise(0.05, 0.2, seed=1), t)  # -18 dBFS: loud, but only 8 dB over the noise
    assert noisy.quiet_below_dbfs == pytest.approx(dbfs(0.05) + 12, abs=4)
    assert noisy.zone() == LevelZone.QUIET


def test_the_ring_of_a_loud_knock_is_not_a_quiet_knock_of_its_own():
    meter = LevelMeter()
    t = feed(meter, noise(0.0005, 3.5))
    start = t
    t = feed(meter, [knock(0.5)] + noise(0.0005, 0.1, seed=1), t)
    t = feed(meter, [knock(0.01), knock(0.006)] + noise(0.0005, 0.1, seed=2), t)  # its ring, flaring up twice
    t = feed(meter, noise(0.0005, 1.0, seed=3), t)
    assert meter.zone_between(start, t) == LevelZone.GOOD and len(meter.sounds) == 1
    t = feed(meter, [knock(0.01)] + noise(0.0005, 0.2, seed=4), t)  # a faint knock a second later is judged
    assert meter.zone_between(start, t) == LevelZone.QUIET and len(meter.sounds) == 2


def test_samples_at_full_scale_are_clipping_and_the_zone_is_held_then_released():
    meter = LevelMeter(LevelSettings(hold_s=1.0))
    t = feed(meter, noise(0.003, 3.5))
    clipped = np.clip(knock(3.0), -1, 1)
    t = feed(meter, [clipped], t)
    assert meter.clipped_samples > 0 and meter.zone() == LevelZone.CLIPPING
    assert meter.clipped_between(3.4, t)
    feed(meter, noise(0.003, 1.5, seed=2), t)
    assert meter.zone() == LevelZone.NONE  # a second and a half of quiet later
    assert meter.zone_of(-0.1) == LevelZone.CLIPPING and meter.zone_of(-20) == LevelZone.GOOD


def test_the_clipped_count_given_by_the_decoder_is_the_one_used():
    meter = LevelMeter()
    meter.feed(np.full(BLOCK, 0.5, np.float32), time_s=0.0, sample_rate=SR, clipped=3)
    assert meter.clipped_samples == 3 and meter.zone() == LevelZone.CLIPPING


def test_the_noise_of_a_calibration_is_used_until_the_meter_has_heard_enough():
    meter = LevelMeter(noise_dbfs=-30.0)
    t = feed(meter, noise(0.0005, 1.0))
    assert meter.noise_dbfs == -30.0
    feed(meter, noise(0.0005, 3.0, seed=3), t)
    assert meter.noise_dbfs < -50


def test_the_shown_level_falls_back_after_a_peak():
    meter = LevelMeter()
    t = feed(meter, [knock(0.5)])
    top = meter.level_dbfs
    feed(meter, noise(0.0005, 0.5), t)
    assert top - meter.level_dbfs == pytest.approx(LevelSettings().fall_db_per_s * 0.5, abs=2)


def test_what_went_wrong_during_a_group_is_kept_after_the_meter_has_moved_on():
    meter = LevelMeter(LevelSettings(hold_s=1.0))
    t = feed(meter, noise(0.0005, 3.5))
    start = t
    t = feed(meter, [knock(0.3)] + noise(0.0005, 1.0, seed=1), t)  # heard well
    t = feed(meter, [knock(0.008)] + noise(0.0005, 1.0, seed=2), t)  # too quiet
    t = feed(meter, noise(0.0005, 3.0, seed=3), t)
    assert meter.zone() == LevelZone.NONE  # long over on the bar...
    assert meter.quiet_sounds_between(start, t) == 1  # ...but not forgotten
    assert meter.zone_between(start, t) == LevelZone.QUIET
    assert meter.zone_between(start, start + 0.9) == LevelZone.GOOD
    assert meter.zone_between(t - 1.0, t) == LevelZone.NONE
    t2 = feed(meter, [np.clip(knock(3.0), -1, 1)] + noise(0.0005, 2.0, seed=4), t)
    assert meter.zone_between(start, t2) == LevelZone.CLIPPING
    assert meter.zone_between(start, t - 0.01) == LevelZone.QUIET


# -- the microphone check ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("peaks, noise_dbfs, clipped, verdict", [
    ((-12, -10, -11), -60, False, Verdict.OK),
    ((-12, -10), -60, False, Verdict.COUNT),
    ((-12, -10, -11, -13), -60, False, Verdict.COUNT),
    ((-45, -44, -46), -70, False, Verdict.QUIET),
    ((-30, -31, -29), -38, False, Verdict.QUIET),  # loud enough, but only 8 dB over the noise
    ((-1, -0.1, -0.5), -60, True, Verdict.CLIPPING),
    ((-5, -6, -4), -25, False, Verdict.NOISY),
])
def test_the_check_says_what_was_wrong(peaks, noise_dbfs, clipped, verdict):
    assert calibrate(peaks, noise_dbfs=noise_dbfs, clipped=clipped).verdict == verdict


def test_a_check_short_of_knocks_with_quiet_sounds_heard_is_too_quiet():
    assert calibrate((-12, -10), noise_dbfs=-60, clipped=False, quiet_sounds=1).verdict == Verdict.QUIET
    assert calibrate((-12, -10, -11, -9), noise_dbfs=-60, clipped=False, quiet_sounds=1).verdict == Verdict.COUNT


def test_the_check_says_how_many_knocks_and_their_level_against_the_noise():
    check = calibrate((-12, -10, -11), noise_dbfs=-60, clipped=False)
    assert check.knocks == 3 and check.level_dbfs == -11 and check.rise_db == 49
    lines = describe(check, "en")
    assert lines[0] == "Heard 3 knock(s) (asked for 3)"
    assert "-11 dBFS" in lines[1] and "-60 dBFS" in lines[1] and "49 dB above the noise" in lines[1]
    assert lines[2].startswith("Good")
    assert describe(calibrate((-45, -44, -46), noise_dbfs=-70, clipped=False), "en")[2].startswith("Too quiet")
    assert "削波" in describe(calibrate((-1, -1, -1), noise_dbfs=-60, clipped=True), "zh")[2]


def test_a_good_check_sets_the_meter_up_for_a_quiet_microphone():
    quiet_mic = calibrate((-33, -32, -34), noise_dbfs=-80, clipped=False)
    assert quiet_mic.verdict == Verdict.OK
    settings = quiet_mic.level_settings()
    assert settings.quiet_dbfs == pytest.approx(-33 - CalibrationRules().margin_db)
    meter = LevelMeter(settings, noise_dbfs=quiet_mic.noise_dbfs)
    assert meter.zone_of(-40) == LevelZone.GOOD and LevelMeter().zone_of(-40) == LevelZone.QUIET
    assert calibrate((-45, -44, -46), noise_dbfs=-70, clipped=False).level_settings() == LevelSettings()


def test_a_check_is_kept_per_trainee_in_the_preferences(tmp_path):
    path = tmp_path / "settings.json"
    settings = Settings()
    assert settings.mic_check("Li") is None
    check = calibrate((-12.04, -10, -11), noise_dbfs=-60, clipped=False)
    settings.set_mic_check("Li", check)
    settings.set_mic_check("Wu", Calibration.skipped())
    settings.save(path)
    loaded = Settings.load(path)
    assert loaded.mic_check("Li") == calibrate((-12.0, -10, -11), noise_dbfs=-60, clipped=False)
    assert loaded.mic_check("Wu").verdict == Verdict.SKIPPED and not loaded.mic_check("Wu").usable
    assert loaded.mic_check("Zhao") is None
    data = json.loads(path.read_text(encoding="utf-8"))
    data["mic_checks"] = {"Li": {"verdict": "splendid"}, "Wu": "x", "Zhao": {"verdict": "ok", "knocks": 3}}
    path.write_text(json.dumps(data), encoding="utf-8")
    damaged = Settings.load(path)
    assert damaged.mic_check("Li") is None and damaged.mic_check("Wu") is None
    assert damaged.mic_check("Zhao").verdict == Verdict.OK


# -- the echo -----------------------------------------------------------------------------------------------------
def test_a_steady_echo_of_the_right_count_is_right():
    grade = grade_echo([10.0, 11.02, 11.98, 13.0], expected=4, interval_s=1.0)
    assert grade.right and grade.count_ok and grade.faults == ()
    assert grade.mean_spacing_s == pytest.approx(1.0) and grade.spread_s < 0.03
    assert [ok for _, ok in describe_echo(grade, "en")] == [True, True, True]


def test_a_wrong_count_is_wrong_whatever_the_rhythm():
    grade = grade_echo([0, 1, 2, 3, 4], expected=4, interval_s=1.0)
    assert not grade.right and grade.faults == (Fault.COUNT,)
    assert describe_echo(grade, "en")[0] == ("Count off: 5 knock(s), should be 4", False)
    assert grade_echo([], expected=3, interval_s=1.0).faults == (Fault.COUNT,)


@pytest.mark.parametrize("times, fault, words", [
    ([0, 0.6, 1.2, 1.8], Fault.TOO_FAST, "Too fast: a knock every 0.60 s on average, should be every 1 s"),
    ([0, 1.5, 3.0, 4.5], Fault.TOO_SLOW, "Too slow: a knock every 1.50 s on average, should be every 1 s"),
    ([0, 0.6, 2.0, 3.0], Fault.UNEVEN, "Uneven"),
])
def test_what_was_off_in_the_rhythm_is_said(times, fault, words):
    grade = grade_echo(times, expected=4, interval_s=1.0)
    assert grade.faults == (fault,) and grade.count_ok
    bad = [text for text, ok in describe_echo(grade, "en") if not ok]
    assert len(bad) == 1 and bad[0].startswith(words)


def test_the_tolerances_are_fractions_of_the_spacing():
    slow_code = grade_echo([0, 2.2, 4.4], expected=3, interval_s=2.0)
    assert slow_code.right  # 10 % slow on a 2 s code
    assert grade_echo([0, 1.1, 2.2], expected=3, interval_s=1.0, rules=EchoRules(tempo_tolerance=0.05)).faults \
        == (Fault.TOO_SLOW,)


def test_the_group_asked_for_is_the_trapped_sides_signal_or_a_headcount():
    cb = default_codebook()
    five = next(s for s in cb.signals if s.knocks == 5)
    role, meaning = expected_group(cb, five.id, 5)
    assert role == cb.trapped and meaning.get("en")
    role, meaning = expected_group(cb, HEADCOUNT, 7)
    assert role == cb.trapped and "7" in meaning.get("en")


def test_the_grading_the_check_and_the_meter_need_neither_pygame_nor_a_sound_card():
    import subprocess
    import sys

    code = ("import sys, rescue_signals.app.knockback, rescue_signals.app.calibration, rescue_signals.app.inputlevel; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygame', 'pygame_gui', 'sounddevice')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
