"""Each striking medium sounds like itself: steel rings with sharp partials and a long decay, rock is a short
broadband thud; far knocks are fainter and duller; no two knocks are identical."""

import numpy as np
import pytest
from scipy.ndimage import median_filter

from rescue_signals.codebook import default_codebook
from rescue_signals.protocol import Group
from rescue_signals.synth import MEDIA, STEEL_MEDIA, Conditions, render_sequence

CB = default_codebook()
ROCK_MEDIA = tuple(m for m in MEDIA if m not in STEEL_MEDIA)


def one_knock(medium, distance_m=2.0, seed=4):
    """The first knock alone (no reverb, no noise), from its onset on."""
    r = render_sequence([Group(2)], CB, Conditions(medium=medium, distance_m=distance_m, reverb=0.0), seed=seed)
    sr = r.sample_rate
    a, b = (int(k.time_s * sr) for k in r.knocks)
    return r.clean[a:b].astype(np.float64), sr


def decay_s(x, sr, drop_db=30.0):
    """Time from the loudest 5 ms frame until the level has fallen ``drop_db`` below it."""
    hop = int(0.005 * sr)
    level = 10 * np.log10(np.mean(x[: x.size // hop * hop].reshape(-1, hop) ** 2, axis=1) + 1e-30)
    peak = int(np.argmax(level))
    below = np.flatnonzero(level[peak:] < level[peak] - drop_db)
    return (below[0] if below.size else level.size - peak) * hop / sr


def tonal_fraction(x, sr):
    """Share of the energy (80 Hz - 8 kHz) in narrow spectral peaks: near 1 for partials, near 0 for a thud."""
    seg = np.zeros(int(0.5 * sr))
    seg[: min(seg.size, x.size)] = x[: seg.size]
    spec = np.abs(np.fft.rfft(seg)) ** 2
    f = np.fft.rfftfreq(seg.size, 1 / sr)
    s = spec[(f > 80) & (f < 8000)]
    return float(s[s > 10 * median_filter(s, size=101)].sum() / s.sum())


def centroid_hz(x, sr):
    spec = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(x.size, 1 / sr)
    return float(np.sum(f * spec) / np.sum(spec))


@pytest.mark.parametrize("medium", STEEL_MEDIA)
def test_steel_rings_with_sharp_partials_and_a_long_decay(medium):
    x, sr = one_knock(medium)
    assert decay_s(x, sr) > 0.3
    assert tonal_fraction(x, sr) > 0.8


@pytest.mark.parametrize("medium", ROCK_MEDIA)
def test_rock_is_a_short_broadband_thud(medium):
    x, sr = one_knock(medium)
    assert decay_s(x, sr) < 0.08
    assert tonal_fraction(x, sr) < 0.1


def test_the_media_are_told_apart_by_their_spectra():
    sr = 48000
    pipe, rail, rod, hammer, crib = (one_knock(m)[0] for m in ("pipe", "rail", "drill_rod", "rock_hammer",
                                                               "rock_crib"))
    # A drill rod is the brightest steel; a wooden crib block on rock is duller than a hammer.
    assert centroid_hz(rod, sr) > 1.5 * centroid_hz(pipe, sr)
    assert centroid_hz(rod, sr) > 1.5 * centroid_hz(rail, sr)
    assert centroid_hz(hammer, sr) > 1.3 * centroid_hz(crib, sr)
    # A rail rings longer than a pipe.
    assert decay_s(rail, sr) > decay_s(pipe, sr)


@pytest.mark.parametrize("medium", MEDIA)
def test_a_far_knock_is_fainter_and_duller(medium):
    near, sr = one_knock(medium, distance_m=2.0)
    far, _ = one_knock(medium, distance_m=300.0)
    assert np.max(np.abs(far)) < 0.25 * np.max(np.abs(near))
    assert centroid_hz(far, sr) < 0.9 * centroid_hz(near, sr)


def test_steel_carries_a_knock_hundreds_of_metres_and_rock_does_not():
    def loss_db(medium, far_m):
        near, _ = one_knock(medium, distance_m=10.0)
        far, _ = one_knock(medium, distance_m=far_m)
        return 20 * np.log10(np.max(np.abs(near)) / np.max(np.abs(far)))

    # Knocks on a drill string or a pipe were heard over 500 m away; rescuers listen on the drill string.
    assert loss_db("drill_rod", 600) < 30 and loss_db("pipe", 600) < 35
    assert loss_db("drill_rod", 600) < loss_db("pipe", 600)
    # Through rock, a knock from 300 m away is all but gone.
    assert loss_db("rock_hammer", 300) > 35 and loss_db("rock_crib", 300) > 35


def test_rock_loses_its_highs_faster_with_distance_than_steel():
    def high_share(x, sr):
        spec = np.abs(np.fft.rfft(x)) ** 2
        f = np.fft.rfftfreq(x.size, 1 / sr)
        return spec[f > 1000].sum() / spec.sum()

    def loss(medium):
        near, sr = one_knock(medium, distance_m=2.0)
        far, _ = one_knock(medium, distance_m=100.0)
        return high_share(far, sr) / high_share(near, sr)

    assert loss("rock_hammer") < 0.2 * loss("pipe")


def test_a_far_drill_rod_knock_arrives_as_a_falling_chirp():
    x, sr = one_knock("drill_rod", distance_m=400.0)

    def arrival_s(low, high):
        spec = np.fft.rfft(x)
        f = np.fft.rfftfreq(x.size, 1 / sr)
        band = np.fft.irfft(np.where((f >= low) & (f < high), spec, 0), x.size)
        env = np.abs(band)
        return np.flatnonzero(env > 0.5 * env.max())[0] / sr

    assert arrival_s(3000, 6000) + 0.01 < arrival_s(900, 1500)


def test_no_two_knocks_are_identical():
    r = render_sequence([Group(5)], CB, Conditions(medium="pipe", reverb=0.0), seed=11)
    sr = r.sample_rate
    starts = [int(k.time_s * sr) for k in r.knocks]
    clips = [r.clean[s:s + int(0.3 * sr)].astype(np.float64) for s in starts]
    peaks = [np.max(np.abs(c)) for c in clips]
    assert len({round(p, 4) for p in peaks}) == len(peaks)
    for a in range(len(clips)):
        for b in range(a + 1, len(clips)):
            corr = np.dot(clips[a], clips[b]) / np.linalg.norm(clips[a]) / np.linalg.norm(clips[b])
            assert corr < 0.995
