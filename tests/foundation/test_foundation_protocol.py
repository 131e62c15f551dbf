"""The exchange protocol: each group read in context, with the expected reply and the deviations."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rescue_signals.codebook import HEADCOUNT, default_codebook, load_codebook
from rescue_signals.errors import UsageError
from rescue_signals.protocol import Exchange, Group, format_sequence, parse_sequence, read_exchange

CB = default_codebook()
ALT = load_codebook(Path(__file__).resolve().parents[1] / "fixtures" / "codebooks" / "alt.yaml")


def read(seq: str, cb=CB):
    return read_exchange(cb, parse_sequence(seq, cb))


def codes(reading):
    return [d.code for d in reading.deviations]


def test_call_is_answered_by_received():
    call, ack = read("T5 R3")
    assert (call.signal, call.sender) == ("call", "trapped")
    assert call.meaning.get("en") == "distress call: we are here"
    assert [(e.role, e.reply) for e in call.expects] == [("rescuer", "received")]
    assert ack.signal == "received" and ack.in_reply_to == 0 and ack.expects == ()
    assert codes(call) == codes(ack) == []


def test_canonical_headcount_exchange():
    ask, ack, count, ack2 = read("R4 T3 T7 R3")
    assert ask.signal == "ask_count"
    assert [(e.role, e.reply) for e in ask.expects] == [("trapped", "received"), ("trapped", HEADCOUNT)]
    assert ack.signal == "received" and ack.in_reply_to == 0
    assert count.kind == "headcount" and count.headcount == 7
    assert count.meaning.get("en") == "7 people trapped" and count.meaning.get("zh") == "被困人数：7 人"
    assert [(e.role, e.reply) for e in count.expects] == [("rescuer", "received")]
    assert ack2.signal == "received" and ack2.in_reply_to == 2
    assert all(codes(r) == [] for r in (ask, ack, count, ack2))


def test_headcount_that_looks_like_a_code_word_says_it_depends_on_context():
    *_, count, _ = read("R4 T3 T2 R3")
    assert count.kind == "headcount" and count.headcount == 2
    assert count.context_dependent and count.alternatives == ("stop",)


def test_bare_headcount_after_the_question_is_accepted_and_flagged():
    _, count, ack = read("R4 T9 R3")
    assert count.kind == "headcount" and count.headcount == 9
    assert codes(count) == ["headcount-without-ack"]
    assert ack.signal == "received" and codes(ack) == []


def test_stop_is_answered_and_stop_from_rescuers_is_a_deviation():
    stop, ack = read("T2 R3")
    assert stop.signal == "stop" and codes(stop) == [] and ack.in_reply_to == 0
    (wrong,) = read("R2")
    assert wrong.signal == "stop" and codes(wrong) == ["wrong-sender"]


def test_repeating_an_unanswered_signal_is_allowed():
    first, again, ack = read("R5 R5 T3")
    assert again.repeat_of == 0 and codes(again) == []
    assert ack.in_reply_to == 1 and codes(ack) == []  # the reply answers the latest repeat


def test_both_sides_calling_is_a_deviation():
    _, second = read("R5 T5")
    assert "both-calling" in codes(second)


def test_groups_that_overlap_in_time_are_both_sides_knocking_at_once():
    ex = Exchange(CB)
    ex.observe(Group(5, "rescuer", 0.0, 4.0))
    second = ex.observe(Group(5, "trapped", 3.0, 7.0))
    assert "overlap" in codes(second)


def test_no_reply_within_the_listening_window():
    ex = Exchange(CB)
    ex.observe(Group(5, "rescuer", 0.0, 4.0))
    assert ex.expire(now_s=20.0) is None
    assert ex.expire(now_s=40.0).code == "no-reply"
    late = ex.observe(Group(3, "trapped", 40.0, 42.0))
    assert late.signal == "received" and codes(late) == ["late-reply"]


def test_a_new_signal_while_a_reply_is_awaited_reports_the_missing_reply():
    _, stop = read("R4 T2")  # 2 after 4 is read as a bare headcount of 2 ...
    assert stop.kind == "headcount"
    _, _, call = read("T2 T2 R5")  # ... but rescuers calling after an unanswered stop is a missed reply
    assert "no-reply" in codes(call)


def test_unknown_counts_are_reported_as_heard():
    (r,) = read("T13")
    assert r.kind == "unknown" and r.count == 13 and "unknown-count" in codes(r) and "long-group" in codes(r)


def test_sender_is_inferred_from_the_codebook_and_the_exchange():
    ask, ack, count, ack2 = read("4 3 7 3")
    assert [r.sender for r in (ask, ack, count, ack2)] == ["rescuer", "trapped", "trapped", "rescuer"]
    assert all(r.sender_inferred for r in (ask, ack, count, ack2))
    assert count.headcount == 7


def test_the_same_code_reads_a_codebook_with_other_counts():
    ask, ack, count, ack2 = read("S7 B2 B5 S2", ALT)
    assert (ask.signal, ack.signal, count.kind, ack2.signal) == ("query", "ack", "headcount", "ack")
    assert count.meaning.get("en") == "5 below"
    (halt,) = read("B3", ALT)
    assert halt.signal == "halt"
    (wrong,) = read("S3", ALT)
    assert codes(wrong) == ["wrong-sender"]


def test_parse_sequence_round_trips_and_rejects_bad_tokens():
    groups = parse_sequence("R5 T3 r4 t3 T12 R3", CB)
    assert format_sequence(groups, CB) == "R5 T3 R4 T3 T12 R3"
    assert [g.count for g in parse_sequence("5 4 3", CB)] == [5, 4, 3]
    for bad, words in (("", "empty"), ("X5", "unknown side 'X'"), ("R0", "1 to"), ("five", "not a group")):
        with pytest.raises(UsageError, match=words):
            parse_sequence(bad, CB)


groups_strategy = st.lists(
    st.builds(Group, count=st.integers(1, 40), sender=st.sampled_from([None, "rescuer", "trapped"])),
    max_size=25)


@settings(max_examples=300, deadline=None)
@given(groups_strategy, st.sampled_from([CB, ALT]))
def test_random_exchanges_never_crash_and_each_group_gets_one_reading(groups, cb):
    if cb is ALT:
        groups = [Group(g.count, {"rescuer": "surface", "trapped": "below"}.get(g.sender)) for g in groups]
    readings = read_exchange(cb, groups)
    assert len(readings) == len(groups)
    for i, (g, r) in enumerate(zip(groups, readings)):
        assert r.index == i and r.count == g.count
        assert r.kind in ("signal", "headcount", "unknown")
        assert r.meaning.get("en") and r.meaning.get("zh")
        if g.sender is not None:
            assert r.sender == g.sender
        if r.in_reply_to is not None:
            assert 0 <= r.in_reply_to < i


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["call", "ask", "stop"]), min_size=1, max_size=8), st.integers(1, 30))
def test_canonical_exchanges_in_any_order_are_read_without_deviations(steps, n):
    seq = {"call": ["R5", "T3"], "ask": ["R4", "T3", f"T{n}", "R3"], "stop": ["T2", "R3"]}
    tokens = [t for s in steps for t in seq[s]]
    readings = read(" ".join(tokens))
    assert [d for r in readings for d in codes(r) if d != "long-group"] == []
    expected_kinds = [("headcount" if t == f"T{n}" and tokens[i - 2:i] == ["R4", "T3"] else "signal")
                      for i, t in enumerate(tokens)]
    assert [r.kind for r in readings] == expected_kinds
