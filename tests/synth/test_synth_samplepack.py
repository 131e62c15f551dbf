"""Sample packs: the user's own recordings replace the synthesized knocks or add real noise. Shown with real tap
recordings (tests/fixtures/real-knocks, Apache-2.0, see its README)."""

from pathlib import Path

import numpy as np
import pytest

from rescue_signals.audiofile import read_audio, write_audio
from rescue_signals.codebook import default_codebook
from rescue_signals.errors import AudioFileError, UsageError
from rescue_signals.protocol import parse_sequence
from rescue_signals.synth import Conditions, load_knock_pack, load_noise_pack, render_sequence
from rescue_signals.synth.samplepack import cut_knocks

CB = default_codebook()
REAL = Path(__file__).resolve().parent.parent / "fixtures" / "real-knocks"
LABEL_PREROLL_S = 0.012  # the labels start 10-15 ms before the audible onset (see the fixture's README)


def labels(name):
    return [float(line.split()[0]) for line in (REAL / f"{name}.labels.txt").read_text().splitlines() if line]


@pytest.mark.parametrize("name", ["knuckle-clip", "nail-tap-clip"])
def test_every_real_tap_is_cut_out_once_at_its_labelled_onset(name):
    data, sr = read_audio(REAL / f"{name}.flac")
    cuts = cut_knocks(data[:, 0], sample_rate=sr)
    truth = labels(name)
    assert len(cuts) == len(truth)
    for (onset, clip), label_s in zip(cuts, truth):
        assert abs(onset / sr - (label_s + LABEL_PREROLL_S)) < 0.01
        assert np.max(np.abs(clip)) == pytest.approx(1.0)
        assert 0.1 < clip.size / sr <= 0.5


def test_a_render_with_a_knock_pack_carries_the_real_taps_at_the_sidecar_times():
    pack = load_knock_pack(REAL)
    assert len(pack.clips) == 10 and pack.origins[0].startswith("knuckle-clip.flac@")
    c = Conditions(medium="rock_crib", distance_m=1.0, reverb=0.0, compress_gaps=10)
    r = render_sequence(parse_sequence("R5 T3", CB), CB, c, seed=3, knock_pack=pack)
    assert r.sidecar()["sources"]["knocks"] == str(REAL)
    sr = r.sample_rate
    for k in r.knocks:
        start = int(round(k.time_s * sr))
        heard = r.clean[start:start + int(0.05 * sr)].astype(np.float64)
        # The knock at that time is one of the real taps (after the short propagation to the listener).
        best = max(np.dot(heard, clip[:heard.size]) / np.linalg.norm(heard) / np.linalg.norm(clip[:heard.size])
                   for clip in pack.clips)
        assert best > 0.8
        assert np.max(np.abs(r.clean[start - int(0.01 * sr):start])) < 0.05 * np.max(np.abs(heard))


def test_a_noise_pack_is_mixed_at_the_requested_snr(tmp_path):
    rng = np.random.default_rng(0)
    tone = 0.3 * np.sin(2 * np.pi * 220 * np.arange(48000) / 48000) + 0.01 * rng.standard_normal(48000)
    write_audio(tmp_path / "compressor.wav", tone, 48000)
    pack = load_noise_pack(tmp_path)
    c = Conditions(snr_db=5.0, compress_gaps=10)
    r = render_sequence(parse_sequence("R3", CB), CB, c, seed=1, noise_pack=pack)
    noise = r.samples.astype(np.float64) - r.clean
    spec = np.abs(np.fft.rfft(noise)) ** 2
    f = np.fft.rfftfreq(noise.size, 1 / r.sample_rate)
    assert abs(f[np.argmax(spec)] - 220) < 2
    assert abs(r.snr_db_measured - 5.0) < 0.5
    assert r.sidecar()["sources"]["noise"] == str(tmp_path)


def test_a_pack_at_another_rate_is_resampled(tmp_path):
    data, sr = read_audio(REAL / "knuckle-clip.flac")
    write_audio(tmp_path / "k.wav", data[: 3 * sr], sr)
    pack = load_knock_pack(tmp_path, sample_rate=16000)
    r = render_sequence(parse_sequence("R2", CB), CB, Conditions(sample_rate=16000, compress_gaps=10), seed=1,
                        knock_pack=pack)
    assert r.sample_rate == 16000 and len(r.knocks) == 2


def test_pack_errors_name_what_is_wrong(tmp_path):
    with pytest.raises(UsageError, match="is not a folder"):
        load_knock_pack(tmp_path / "nowhere")
    (tmp_path / "notes.txt").write_text("not audio")
    with pytest.raises(UsageError, match=r"has no recordings; put \.wav, \.flac"):
        load_knock_pack(tmp_path)
    write_audio(tmp_path / "silence.wav", np.zeros(48000), 48000)
    with pytest.raises(UsageError, match="no knocks found"):
        load_knock_pack(tmp_path)
    with pytest.raises(UsageError, match="silent or shorter than 0.5 s"):
        load_noise_pack(tmp_path)
    (tmp_path / "broken.flac").write_bytes(b"fLaC not really")
    with pytest.raises(AudioFileError, match="broken.flac"):
        load_noise_pack(tmp_path)
