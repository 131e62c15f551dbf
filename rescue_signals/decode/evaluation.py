"""Scoring decoded knocks against known onsets (rendered sidecars, labelled recordings)."""

from __future__ import annotations

import numpy as np

TOLERANCE_S = 0.05
"""A decoded knock within this of a true onset matches it."""


def matched_onsets(truth_s, found_s, *, tolerance_s: float = TOLERANCE_S) -> int:
    """How many true onsets have a decoded knock within ``tolerance_s`` (s), each knock matching one onset at most
    (the nearest unmatched one)."""
    unused = sorted(float(f) for f in np.asarray(found_s, dtype=float).ravel())
    hits = 0
    for t in np.sort(np.asarray(truth_s, dtype=float).ravel()):
        near = [f for f in unused if abs(f - t) <= tolerance_s]
        if near:
            unused.remove(min(near, key=lambda f: abs(f - t)))
            hits += 1
    return hits


def onset_f1(truth_s, found_s, *, tolerance_s: float = TOLERANCE_S) -> float:
    """F1 of decoded knocks against true onsets (1.0 when both are empty)."""
    n_truth, n_found = np.asarray(truth_s).size, np.asarray(found_s).size
    if n_truth + n_found == 0:
        return 1.0
    return 2 * matched_onsets(truth_s, found_s, tolerance_s=tolerance_s) / (n_truth + n_found)
