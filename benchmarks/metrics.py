"""Scores of a decoding against the ground truth: knocks matched within 50 ms, knocks counted exactly once, and
groups counted exactly."""

from __future__ import annotations

import numpy as np

from rescue_signals.decode.evaluation import matched_onsets

ONCE_WINDOW_S = (-0.05, 0.3)
"""Detections from this before to this after a true onset are counted against that knock (rebounds, echoes and
ringing all fall inside)."""


def knock_scores(truth_s, found_s) -> dict:
    """True and false positives and misses at +-50 ms (one-to-one), and how many true knocks drew exactly one
    detection in their window."""
    truth = np.sort(np.asarray(truth_s, dtype=float))
    f = np.sort(np.asarray(found_s, dtype=float))
    tp = matched_onsets(truth, f)
    once = 0
    for t in truth:
        inside = np.count_nonzero((f >= t + ONCE_WINDOW_S[0]) & (f < t + ONCE_WINDOW_S[1])) if f.size else 0
        once += inside == 1
    return {"tp": tp, "fp": len(f) - tp, "fn": len(truth) - tp, "once": once, "knocks": len(truth)}


def group_accuracy(truth, decoded, *, slack_s: float = 0.3) -> tuple[int, int]:
    """(groups counted right, groups in all): a true group is right when exactly one decoded group overlaps it and
    has its count; decoded groups that overlap no true group are added to the total as wrong.

    Parameters
    ----------
    truth, decoded : list of (count, start_s, end_s)
    """
    right = 0
    used = set()
    for count, start, end in truth:
        overlapping = [i for i, (_, s, e) in enumerate(decoded) if s <= end + slack_s and e >= start - slack_s]
        used.update(overlapping)
        if len(overlapping) == 1 and decoded[overlapping[0]][0] == count:
            right += 1
    spurious = len(decoded) - len(used)
    return right, len(truth) + spurious
