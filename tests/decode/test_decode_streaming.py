"""One streaming decoder: any block size gives the same knocks and groups, and events come out promptly."""
import numpy as np
import pytest

from rescue_signals.decode import GroupEvent, KnockDecoder, KnockEvent


def summary(events):
    # The knocks shown (in one block, a whole file's knocks come out together; in small blocks, one by one) and
    # the groups, in order.
    knocks = sorted(round(e.time_s, 6) for e in events if isinstance(e, KnockEvent))
    groups = [(e.group.count, e.group.knock_times_s, e.group.signal, e.group.sender, e.group.confidence,
               tuple(n.get("en") for n in e.group.notes)) for e in events if isinstance(e, GroupEvent)]
    return knocks, groups


@pytest.fixture(scope="module")
def noisy_exchange(render):
    return render(medium="rail", noises=("fan", "drip"), snr_db=8.0, double_strike_prob=0.3, reverb=0.6, seed=7)


@pytest.mark.parametrize("block", [64, 512, 4096])
def test_block_sizes_give_the_same_knocks_and_groups_as_the_whole_file(noisy_exchange, decode_samples, block):
    whole = summary(decode_samples(noisy_exchange.samples, noisy_exchange.sample_rate))
    assert whole[1], "the rendering decodes to some groups"
    assert summary(decode_samples(noisy_exchange.samples, noisy_exchange.sample_rate, block=block)) == whole


def test_odd_block_sizes_and_reset_change_nothing(noisy_exchange, codebook):
    decoder = KnockDecoder(noisy_exchange.sample_rate, codebook)
    x = noisy_exchange.samples
    first = decoder.feed(x) + decoder.flush()
    decoder.reset()
    again, pos = [], 0
    for size in [1, 777, 33, 48000, 5, 100000] * 1000:
        if pos >= x.size:
            break
        again += decoder.feed(x[pos:pos + size])
        pos += size
    again += decoder.flush()
    assert summary(again) == summary(first)


def test_each_knock_is_reported_within_100_ms_of_audio_and_each_group_soon_after_its_gap(render, codebook):
    r = render("R5 T3", medium="pipe", noises=("fan",), snr_db=20.0, seed=3)
    decoder = KnockDecoder(r.sample_rate, codebook)
    block = 512  # what the live path reads at a time
    knock_delay, group_delay = [], []
    for start in range(0, r.samples.size, block):
        fed_s = min(r.samples.size, start + block) / r.sample_rate
        for e in decoder.feed(r.samples[start:start + block]):
            if isinstance(e, KnockEvent):
                knock_delay.append(fed_s - e.time_s)
            elif isinstance(e, GroupEvent):
                group_delay.append(fed_s - e.group.end_s - decoder.closing_gap_s)
    assert len(knock_delay) == 8 and len(group_delay) == 2
    # Stream time (audio fed), not wall-clock time: the decoder's own lookahead.
    assert max(knock_delay) <= 0.1
    assert max(group_delay) <= 0.5


def test_stereo_blocks_are_mixed_and_a_too_low_sample_rate_is_refused(codebook, render):
    from rescue_signals.errors import UsageError

    r = render("R5", medium="rock_hammer", noises=("hum",), snr_db=20.0)
    stereo = np.stack([r.samples, r.samples], axis=1)
    decoder = KnockDecoder(r.sample_rate, codebook)
    events = decoder.feed(stereo) + decoder.flush()
    assert [e.group.count for e in events if isinstance(e, GroupEvent)] == [5]
    with pytest.raises(UsageError, match="too low"):
        KnockDecoder(1000, codebook)
