"""The rhythm model alone: knocks and groups chosen jointly from candidates and their P(knock)."""
import numpy as np
import pytest

from rescue_signals.decode.rhythm import (RhythmSettings, RhythmTracker, count_posterior, evidence_score,
                                          interval_score, track)


def exchange(counts=(5, 3, 4, 3, 7, 3), *, spacing_s=1.0, gap_s=8.0, p=0.9, seed=0):
    """Candidate times and probabilities of groups knocked at ``spacing_s`` with a little jitter."""
    rng = np.random.default_rng(seed)
    times, probs, truth = [], [], []
    t = 3.0
    for count in counts:
        group = t + np.concatenate(([0.0], np.cumsum(spacing_s * np.exp(rng.normal(0, 0.04, count - 1)))))
        times += list(group)
        probs += [p] * count
        truth.append(count)
        t = group[-1] + gap_s
    return np.array(times), np.array(probs), truth


def decode(times, probs, settings=RhythmSettings()):
    order = np.argsort(times)
    return track(np.asarray(times)[order], np.asarray(probs)[order], settings)


def test_clear_knocks_give_the_groups_with_their_counts_most_likely():
    times, probs, truth = exchange()
    groups = decode(times, probs)
    assert [g.count for g in groups] == truth
    for g in groups:
        assert g.counts[0] == g.count
        assert abs(sum(g.posterior) - 1.0) < 0.01
        assert g.probability(g.count) > 0.5


def test_rebounds_and_noise_off_the_beat_are_not_counted():
    times, probs, truth = exchange()
    rng = np.random.default_rng(1)
    rebounds = times + 0.12  # a rebound after every knock, heard as a fairly likely knock
    noise = rng.uniform(0, times[-1] + 5, 60)  # unlikely sounds anywhere
    all_t = np.concatenate((times, rebounds, noise))
    all_p = np.concatenate((probs, np.full(times.size, 0.4), rng.uniform(0.02, 0.3, noise.size)))
    assert [g.count for g in decode(all_t, all_p)] == truth


def test_a_weak_knock_on_the_beat_is_counted_but_a_weak_sound_off_it_is_not():
    times, probs, _ = exchange((6,))
    probs = probs.copy()
    probs[3] = 0.2  # a faint blow, exactly on the beat
    off = np.array([times[2] + 0.5])  # as faint, between two beats
    (group,) = decode(np.concatenate((times, off)), np.concatenate((probs, [0.2])))
    assert group.count == 6
    assert group.probability(6) < decode(times, np.full(times.size, 0.9))[0].probability(6)


def test_a_lone_unlikely_sound_is_no_group_but_a_clear_one_is_a_group_of_one():
    assert decode([10.0], [0.2]) == []
    (group,) = decode([10.0], [0.97])
    assert group.count == 1


def test_groups_follow_the_senders_tempo_and_short_gaps_still_separate_them():
    for spacing in (0.45, 1.0, 1.9):
        times, probs, truth = exchange((5, 3, 12), spacing_s=spacing, gap_s=max(4.0, 2.2 * spacing))
        assert [g.count for g in decode(times, probs)] == truth, spacing


def test_streaming_gives_the_same_groups_as_the_whole_sequence_and_settles_with_bounded_lag():
    times, probs, truth = exchange(seed=4)
    tracker = RhythmTracker()
    out, lags = [], []
    for n, (t, q) in enumerate(zip(times, probs)):
        for now in np.arange(tracker._now if np.isfinite(tracker._now) else 0.0, t, 0.25):
            for g in tracker.advance(float(now)):
                out.append(g)
                lags.append(now - g.times_s[-1])
        tracker.add(n, float(t), float(q))
    out += tracker.flush()
    assert [g.count for g in out] == [g.count for g in decode(times, probs)] == truth
    # A group is final once no knock can still join it (its closing gap) and a little after.
    assert max(lags) <= RhythmSettings().max_interval_s + 0.5


def test_the_transition_model_prefers_a_steady_hand():
    s = RhythmSettings()
    assert interval_score(1.0, 1.0, s) > interval_score(1.3, 1.0, s) > interval_score(2.0, 1.0, s)
    assert interval_score(1.0, 1.0, s) == pytest.approx(0.0, abs=0.05)
    assert evidence_score(0.5, s) == pytest.approx(s.evidence_bias)


def test_count_posterior_includes_the_chance_that_there_is_no_group():
    s = RhythmSettings()
    times = np.array([1.0, 2.0, 3.0])
    counts, post, paths = count_posterior(times, evidence_score(np.full(3, 0.95), s), s)
    assert counts[0] == 3 and post[0] > 0.5
    assert paths[3] == [0, 1, 2] and paths[2] in ([0, 1], [1, 2])
    counts, post, _ = count_posterior(times, evidence_score(np.full(3, 0.03), s), s)
    assert counts[0] == 0


def test_the_count_reported_is_the_most_likely_over_every_path():
    # Six knocks and, on the beat after them, a sound as likely a knock as not: the single best path may take it,
    # but summed over every path the group more likely has six.
    s = RhythmSettings()
    times = np.arange(6.0)
    probs = np.full(6, 0.95)
    (group,) = decode(np.append(times, 6.0), np.append(probs, 0.3), s)
    assert group.count == group.counts[0]
    assert group.probability(group.count) == max(group.posterior)


def test_a_dense_rattle_of_likely_sounds_is_never_one_endless_group():
    """A drill or a rattle gives sounds many times a second for a long time: the groups it may read stay within
    the most knocks a group can hold, and the groups after it are read as usual."""
    rng = np.random.default_rng(3)
    rattle = np.sort(rng.uniform(2.0, 42.0, 400))  # ten sounds a second for 40 s, each likely a knock
    after, _, truth = exchange((5, 3), seed=1)
    times = np.concatenate([rattle, after + 50.0])
    probs = np.full(len(times), 0.9)
    settings = RhythmSettings()
    groups = decode(times, probs, settings)
    assert all(g.count <= settings.max_knocks for g in groups)
    assert max(g.count for g in groups) == settings.max_knocks  # the rattle does fill groups...
    assert [g.count for g in groups[-2:]] == truth  # ...and what is knocked after it is read right
