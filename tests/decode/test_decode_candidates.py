"""Candidates and the fitted model: every blow-like sound with its features, the same whatever the blocks, and the
model file that turns them into P(knock)."""
import numpy as np
import pytest

from rescue_signals.decode.candidates import FEATURES, find_candidates
from rescue_signals.decode.model import DecoderModel, default_model
from rescue_signals.errors import RescueSignalsError


@pytest.fixture(scope="module")
def exchange(render):
    return render("R5 T3 R4", medium="rail", noises=("fan", "drip"), snr_db=6.0, reverb=0.6, seed=11)


def test_every_knock_is_a_candidate_with_finite_features(exchange):
    found = find_candidates(exchange.samples, exchange.sample_rate)
    times = np.array([c.time_s for c in found])
    assert all(np.abs(times - k.time_s).min() <= 0.05 for k in exchange.knocks)
    features = np.stack([c.features for c in found])
    assert features.shape == (len(found), len(FEATURES)) and np.isfinite(features).all()
    # High recall means more candidates than knocks: drops, echoes and the ring are candidates too.
    assert len(found) > len(exchange.knocks)


@pytest.mark.parametrize("block", [64, 4096])
def test_candidates_do_not_depend_on_the_blocks(exchange, block):
    whole = find_candidates(exchange.samples, exchange.sample_rate)
    cut = find_candidates(exchange.samples, exchange.sample_rate, block=block)
    assert [c.time_s for c in cut] == [c.time_s for c in whole]
    assert max(np.abs(a.features - b.features).max() for a, b in zip(whole, cut)) < 1e-4


def test_a_voice_has_a_cepstral_peak_and_a_blow_has_none():
    rate = 48000
    t = np.arange(int(0.6 * rate)) / rate
    voiced = sum(np.sin(2 * np.pi * 140 * h * t) / h for h in range(1, 25)) * np.exp(-((t - 0.3) / 0.12) ** 2)
    rng = np.random.default_rng(0)
    blow = rng.standard_normal(t.size) * np.exp(-t / 0.01)
    quiet = 1e-4 * rng.standard_normal(rate)
    voice_at = [FEATURES.index(n) for n in FEATURES if n.startswith("voice")]
    levels = {}
    for name, sound in (("voice", voiced), ("blow", blow)):
        x = np.concatenate((quiet, 0.3 * sound / np.abs(sound).max(), quiet)).astype(np.float32)
        (c,) = [c for c in find_candidates(x, rate) if abs(c.time_s - 1.0) < 0.3][:1]
        levels[name] = float(c.features[voice_at].max())
    assert levels["voice"] > 1.0 > levels["blow"]


def test_the_shipped_model_says_knocks_are_likely_and_drops_are_not(render):
    r = render("R5 T3", medium="rock_hammer", noises=("drip",), snr_db=10.0, seed=2)
    found = find_candidates(r.samples, r.sample_rate)
    p = default_model().evidence.probability(np.stack([c.features for c in found]))
    truth = np.array([k.time_s for k in r.knocks])
    on_knock = np.array([np.abs(truth - c.time_s).min() <= 0.05 for c in found])
    assert np.median(p[on_knock]) > 0.5 > np.median(p[~on_knock])
    assert default_model().about["fold"] == "all"


def test_a_file_that_is_not_a_model_is_a_clear_error(tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(RescueSignalsError, match="not a decoder model"):
        DecoderModel.load(path)
    np.savez(path, evidence_names=np.array(["novelty_log"]))
    with pytest.raises(RescueSignalsError, match="not a decoder model"):
        DecoderModel.load(path)


def test_a_model_fitted_on_other_features_is_refused(tmp_path):
    model = default_model()
    path = tmp_path / "other.npz"
    from dataclasses import replace

    replace(model, evidence=replace(model.evidence, feature_names=model.evidence.feature_names[:-1])).save(path)
    with pytest.raises(RescueSignalsError, match="other candidate features"):
        DecoderModel.load(path)


def test_a_group_under_the_models_floor_is_not_reported_and_its_knocks_are_taken_back(render, codebook, tmp_path):
    from dataclasses import replace

    from rescue_signals.decode import GroupEvent, KnockDecoder, Reason
    from rescue_signals.decode.decoder import standing_knocks

    r = render("R5 T3", medium="pipe", noises=("fan",), snr_db=20.0, seed=4)
    model = default_model()
    unsure = replace(model, calibration=replace(model.calibration, floor=0.9999))
    path = tmp_path / "unsure.npz"
    unsure.save(path)  # the floor is kept in the model file
    assert DecoderModel.load(path).calibration.floor == pytest.approx(0.9999)

    def decode(m):
        decoder = KnockDecoder(r.sample_rate, codebook, model=m)
        return decoder.feed(r.samples) + decoder.flush()

    sure = decode(model)
    assert [e.group.count for e in sure if isinstance(e, GroupEvent)] == [5, 3]
    doubted = decode(DecoderModel.load(path))
    assert not [e for e in doubted if isinstance(e, GroupEvent)]
    assert not standing_knocks(doubted)
    assert sum(getattr(e, "reason", None) == Reason.DOUBTFUL for e in doubted) == 8
    assert "uncertain" in Reason.DOUBTFUL.message.get("en")


def test_the_same_posterior_is_stated_less_sure_in_deep_noise(tmp_path):
    """The shipped calibration weighs a group's SNR (fitted: in deep noise a knock more is missed or a stray sound
    more counted); a model file keeps that weight, and one written without it does not weigh the SNR."""
    import numpy as np

    from rescue_signals.decode.confidence import Calibration

    calibration = default_model().calibration
    assert calibration.confidence(0.9, 3.0) < calibration.confidence(0.9, 30.0)
    assert calibration.confidence(0.9, 60.0) == calibration.confidence(0.9, 40.0)  # beyond its range, no surer
    path = tmp_path / "model.npz"
    default_model().save(path)
    assert DecoderModel.load(path).calibration.snr_slope == pytest.approx(calibration.snr_slope)
    old = {k: v for k, v in calibration.arrays().items() if k != "calibration_snr_slope"}
    assert Calibration.from_arrays(old).confidence(0.9, 3.0) == Calibration.from_arrays(old).confidence(0.9, 30.0)
    assert np.isfinite(calibration.confidence(np.array([0.0, 1.0]), np.array([np.nan, 20.0]))).all()
