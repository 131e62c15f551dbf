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


# -- the real-audio benchmark's measures ----------------------------------------------------------------------------
GROUP_SLACK_S = 0.3
"""A decoded group overlaps a true group when their spans, each widened by this, meet (s)."""


def _overlaps(a, b, slack_s: float = GROUP_SLACK_S) -> bool:
    return a[1] <= b[2] + slack_s and a[2] >= b[1] - slack_s


def match_groups(truth, decoded, distractor_spans=()) -> dict:
    """How each true group was read and whether each decoded group is right.

    Parameters
    ----------
    truth : list of (count, start_s, end_s)
    decoded : list of (count, start_s, end_s)
    distractor_spans : list of (start_s, end_s, what)
        Where distractor sounds were placed: a false group on one of them is put down to it.

    Returns
    -------
    dict
        ``true``: per true group ``"right"`` or the cause it was lost to (``"missed"``: no decoded group;
        ``"split"``: read as two or more groups; ``"merged"``: read as one group with another true group;
        ``"knocks missed"`` / ``"extra knocks"``: one group, the count too low / too high);
        ``decoded``: per decoded group True when it overlaps exactly one true group, that group overlaps only it,
        and the counts agree; ``false``: per decoded group overlapping no true group, ``"distractor"`` or
        ``"noise"``; ``false_on``: for each false group on a distractor, what the distractor was (its reel's name,
        all speech as ``"speech"``).
    """
    over_t = [[i for i, d in enumerate(decoded) if _overlaps(d, t)] for t in truth]
    over_d = [[j for j, t in enumerate(truth) if _overlaps(d, t)] for d in decoded]
    status = []
    for t, hits in zip(truth, over_t):
        if not hits:
            status.append("missed")
        elif len(hits) > 1:
            status.append("split")
        elif len(over_d[hits[0]]) > 1:
            status.append("merged")
        elif decoded[hits[0]][0] == t[0]:
            status.append("right")
        else:
            status.append("knocks missed" if decoded[hits[0]][0] < t[0] else "extra knocks")
    right = [len(js) == 1 and len(over_t[js[0]]) == 1 and d[0] == truth[js[0]][0]
             for d, js in zip(decoded, over_d)]
    false, false_on = [], []
    for d, js in zip(decoded, over_d):
        if not js:
            under = [span for span in distractor_spans if d[1] <= span[1] + GROUP_SLACK_S
                     and d[2] >= span[0] - GROUP_SLACK_S]
            false.append("distractor" if under else "noise")
            if under:
                false_on.append(distractor_kind(under[0][2]))
    return {"true": status, "decoded": right, "false": false, "false_on": false_on}


def distractor_kind(what: str) -> str:
    """The kind of a placed distractor (``reel:one-shot`` or a long recording's name): its reel, speech as one."""
    reel = what.split(":", 1)[0]
    return "speech" if reel.startswith("speech_") else reel


def calibration_error(confidences, correct, *, bins: int = 10) -> float | None:
    """Expected calibration error: over ``bins`` equal bins of stated confidence, the share of groups in each bin
    times the distance between its mean confidence and the share of them that were right. None without groups."""
    c = np.asarray(confidences, dtype=float)
    ok = np.asarray(correct, dtype=float)
    if c.size == 0:
        return None
    which = np.minimum((c * bins).astype(int), bins - 1)
    error = 0.0
    for b in range(bins):
        inside = which == b
        if inside.any():
            error += inside.mean() * abs(c[inside].mean() - ok[inside].mean())
    return float(error)


def reliability(confidences, correct, *, bins: int = 10) -> list[dict]:
    """Per equal bin of stated confidence: how many groups, their mean confidence and the share that were right."""
    c = np.asarray(confidences, dtype=float)
    ok = np.asarray(correct, dtype=float)
    which = np.minimum((c * bins).astype(int), bins - 1) if c.size else c.astype(int)
    out = []
    for b in range(bins):
        inside = which == b
        out.append({"low": b / bins, "high": (b + 1) / bins, "groups": int(inside.sum()),
                    "confidence": float(c[inside].mean()) if inside.any() else None,
                    "accuracy": float(ok[inside].mean()) if inside.any() else None})
    return out
