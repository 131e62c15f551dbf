"""Noise beds have their own character, are seeded, and are mixed at the requested SNR within 0.5 dB."""

import numpy as np
import pytest

from rescue_signals.codebook import default_codebook
from rescue_signals.protocol import parse_sequence
from rescue_signals.synth import KNOCK_WINDOW_S, NOISES, Conditions, render_sequence
from rescue_signals.synth.noise import noise_bed

CB = default_codebook()
SR = 48000


def independent_snr_db(rendering, times_s):
    """The SNR by the README's definition, recomputed from the mix and the knocks alone."""
    sr = rendering.sample_rate
    knock = rendering.clean.astype(np.float64)
    noise = rendering.samples.astype(np.float64) - knock
    mask = np.zeros(knock.size, bool)
    for t in times_s:
        mask[int(round(t * sr)):int(round((t + KNOCK_WINDOW_S) * sr))] = True
    return 10 * np.log10(np.mean(knock[mask] ** 2) / np.mean(noise ** 2))


@pytest.mark.parametrize("noise", NOISES)
@pytest.mark.parametrize("snr_db", [-5.0, 25.0])
def test_render_hits_the_requested_snr(noise, snr_db):
    c = Conditions(medium="rail", noises=(noise,), snr_db=snr_db, group_gap_s=2.5)
    r = render_sequence(parse_sequence("R3 T2", CB), CB, c, seed=2)
    measured = independent_snr_db(r, [k.time_s for k in r.knocks])
    assert abs(measured - snr_db) < 0.5
    assert abs(r.snr_db_measured - snr_db) < 0.5
    assert r.sidecar()["snr_db_measured"] == pytest.approx(r.snr_db_measured, abs=1e-3)


def test_loud_noise_is_scaled_down_with_the_knocks_so_the_file_never_clips():
    c = Conditions(medium="pipe", distance_m=1.0, noises=("rock_drill", "fan"), snr_db=-20.0, group_gap_s=3.0)
    r = render_sequence(parse_sequence("R3", CB), CB, c, seed=1)
    assert np.max(np.abs(r.samples)) <= 1.0
    assert abs(independent_snr_db(r, [k.time_s for k in r.knocks]) + 20.0) < 0.5


def test_with_a_far_side_the_snr_is_that_of_the_far_knocks():
    c = Conditions(medium="pipe", noises=("fan",), snr_db=6.0, distance_m=200.0, far_side="trapped",
                   group_gap_s=3.0)
    r = render_sequence(parse_sequence("R5 T3", CB), CB, c, seed=3)
    far = [k.time_s for k in r.knocks if r.groups[k.group].role == "trapped"]
    near = [k.time_s for k in r.knocks if r.groups[k.group].role == "rescuer"]
    assert abs(independent_snr_db(r, far) - 6.0) < 0.5
    # The rescuers' own knocks, close by, stand far above the noise.
    assert independent_snr_db(r, near) > 6.0 + 15.0
    assert r.sidecar()["sources"]["snr_reference"] == "far side"


def test_noise_without_an_snr_is_mixed_at_20_db():
    r = render_sequence(parse_sequence("R3", CB), CB, Conditions(noises=("hum",)), seed=1)
    assert abs(independent_snr_db(r, [k.time_s for k in r.knocks]) - 20.0) < 0.5


def spectrum(x, sr=SR):
    spec = np.abs(np.fft.rfft(x)) ** 2
    return np.fft.rfftfreq(x.size, 1 / sr), spec


def band_share(x, low, high, sr=SR):
    f, s = spectrum(x, sr)
    return s[(f >= low) & (f < high)].sum() / s.sum()


def bed(name, seed=5, seconds=4.0):
    return noise_bed(name, n=int(seconds * SR), sample_rate=SR, rng=np.random.default_rng(seed))


@pytest.mark.parametrize("name", NOISES)
def test_each_bed_is_unit_rms_and_reproducible_from_its_seed(name):
    a, b, c = bed(name, 1), bed(name, 1), bed(name, 2)
    assert np.sqrt(np.mean(a ** 2)) == pytest.approx(1.0, rel=1e-6)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)


def test_rock_drill_energy_peaks_in_the_low_hundreds_of_hertz():
    f, s = spectrum(bed("rock_drill"))
    # Smooth to 1/3-octave-ish resolution, then find the strongest region.
    bands = [(lo, lo * 1.26) for lo in 50 * 1.26 ** np.arange(22)]
    levels = [s[(f >= lo) & (f < hi)].mean() for lo, hi in bands]
    peak_low, _ = bands[int(np.argmax(levels))]
    assert 100 <= peak_low <= 500


def test_mains_hum_is_50_hz_and_its_harmonics():
    f, s = spectrum(bed("hum"))
    near_harmonic = np.zeros_like(f, dtype=bool)
    for k in range(1, 12):
        near_harmonic |= np.abs(f - 50 * k) < 2
    assert s[near_harmonic].sum() / s.sum() > 0.95
    assert abs(f[np.argmax(s)] - 50) < 2 or abs(f[np.argmax(s)] - 150) < 2


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_fan_has_blade_pass_tones_over_a_broadband_floor(seed):
    f, s = spectrum(bed("fan", seed))
    band = (f > 40) & (f < 1000)
    assert s[band].max() > 100 * np.median(s[band])  # a tone stands out ...
    assert band_share(bed("fan", seed), 1000, 6000) > 0.05  # ... over broadband noise
    # The blade-pass tone of a mine fan (1000-2950 rpm, 8-14 blades) is in the low hundreds of hertz, with its
    # second harmonic standing out too.
    tone = f[band][np.argmax(s[band])]
    assert 120 <= tone <= 700
    second = np.abs(f - 2 * tone) < 3
    assert s[second].max() > 100 * np.median(s[(f > 2 * tone - 200) & (f < 2 * tone + 200)])


def test_a_rock_drill_pounds_at_its_blow_rate():
    from scipy import signal as sps

    x = bed("rock_drill", seconds=4.0)
    envelope = sps.sosfiltfilt(sps.butter(2, 100, fs=SR, output="sos"), np.abs(x))[::48]  # 1 kHz
    f, s = spectrum(envelope - envelope.mean(), sr=1000)
    beat = f[(f > 5) & (f < 100)][np.argmax(s[(f > 5) & (f < 100)])]
    assert 30 <= beat <= 45  # the piston strikes the steel 30-45 times a second
    assert s[np.abs(f - beat) < 1].max() > 30 * np.median(s[(f > 5) & (f < 100)])


def test_dripping_water_is_sparse_and_running_water_is_continuous():
    drip, water = bed("drip", seconds=8), bed("water", seconds=8)

    def loud_frames(x):
        frames = x[: x.size // 480 * 480].reshape(-1, 480)
        level = np.sqrt(np.mean(frames ** 2, axis=1))
        return np.mean(level > 0.5 * np.sqrt(np.mean(x ** 2)))

    assert loud_frames(drip) < 0.1
    assert loud_frames(water) > 0.6


def test_voices_sit_in_the_speech_band():
    assert band_share(bed("voices"), 100, 2500) > 0.9


def test_adding_a_noise_does_not_change_the_others_or_the_knocks():
    base = Conditions(medium="pipe", noises=("fan",), snr_db=10.0, group_gap_s=3.0)
    both = Conditions(medium="pipe", noises=("fan", "hum"), snr_db=10.0, group_gap_s=3.0)
    a = render_sequence(parse_sequence("R3", CB), CB, base, seed=9)
    b = render_sequence(parse_sequence("R3", CB), CB, both, seed=9)
    assert [k.time_s for k in a.knocks] == [k.time_s for k in b.knocks]
    assert np.array_equal(a.clean, b.clean)
