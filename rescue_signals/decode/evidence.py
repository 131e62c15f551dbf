"""Knock evidence: P(knock) for each candidate, from a small model fitted on labelled real and synthetic audio.

The model is an ensemble of gradient-boosted decision trees over the candidate's features
(:data:`rescue_signals.decode.candidates.FEATURES`), kept as plain arrays in ``assets/decoder/model.npz`` and
evaluated here in numpy: the package needs no training library at run time. ``benchmarks/train_model.py`` fits it
(one seeded command) and writes the file; every figure of the real-audio benchmark comes from a model fitted
without the source being scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


@dataclass(frozen=True, eq=False)
class TreeEnsemble:
    """Gradient-boosted trees in flat arrays; every tree's leaves point to themselves.

    Attributes
    ----------
    feature : ndarray, shape (nodes,), int
        Feature tested at each node (0 at leaves).
    threshold : ndarray, shape (nodes,), float
        A sample goes left when its feature is at most this.
    left, right : ndarray, shape (nodes,), int
        Children (the node itself at a leaf).
    value : ndarray, shape (nodes,), float
        Log-odds added by each leaf (0 elsewhere).
    roots : ndarray, shape (trees,), int
    depth : int
        Steps from a root to the deepest leaf.
    baseline : float
        Log-odds before any tree.
    """

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray
    depth: int
    baseline: float

    def log_odds(self, x: np.ndarray) -> np.ndarray:
        """Log-odds of each row of ``x`` (shape (n, features)).

        Every (row, tree) pair walks down its tree until it reaches a leaf; only the pairs still walking are
        stepped, so the cost follows the mean path (about 5 nodes) rather than the deepest tree (about 20).
        """
        x = np.asarray(x, dtype=np.float32)
        if not len(x):
            return np.zeros(0)
        n, width = x.shape
        trees = len(self.roots)
        node = np.tile(self.roots, n)  # pair k = (row k // trees, tree k % trees)
        walking = np.flatnonzero(~self._leaf[node])
        base = (walking // trees) * width
        flat = x.reshape(-1)
        while walking.size:
            at = node[walking]
            go_left = flat[base + self.feature[at]] <= self.threshold[at]
            at = np.where(go_left, self.left[at], self.right[at])
            node[walking] = at
            still = ~self._leaf[at]
            walking, base = walking[still], base[still]
        return self.baseline + self.value[node].reshape(n, trees).sum(axis=1)

    @cached_property
    def _leaf(self) -> np.ndarray:
        """Whether each node is a leaf (it points to itself)."""
        return self.left == np.arange(len(self.left))


@dataclass(frozen=True, eq=False)
class EvidenceModel:
    """P(knock) of candidates.

    Attributes
    ----------
    feature_names : tuple of str
        The features the model was fitted on, in column order; they must be the decoder's.
    trees : TreeEnsemble
    """

    feature_names: tuple[str, ...]
    trees: TreeEnsemble

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(knock) of each row of ``features`` (shape (n, features))."""
        z = self.trees.log_odds(features)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))

    def arrays(self, prefix: str = "evidence_") -> dict:
        """The model as named arrays, for :func:`numpy.savez`."""
        t = self.trees
        return {f"{prefix}feature": t.feature.astype(np.int16), f"{prefix}threshold": t.threshold.astype(np.float64),
                f"{prefix}left": t.left.astype(np.int32), f"{prefix}right": t.right.astype(np.int32),
                f"{prefix}value": t.value.astype(np.float32), f"{prefix}roots": t.roots.astype(np.int32),
                f"{prefix}depth": np.int32(t.depth), f"{prefix}baseline": np.float64(t.baseline),
                f"{prefix}names": np.array(self.feature_names)}

    @classmethod
    def from_arrays(cls, data, prefix: str = "evidence_") -> "EvidenceModel":
        trees = TreeEnsemble(np.asarray(data[f"{prefix}feature"], np.int64),
                             np.asarray(data[f"{prefix}threshold"], np.float64),
                             np.asarray(data[f"{prefix}left"], np.int64), np.asarray(data[f"{prefix}right"], np.int64),
                             np.asarray(data[f"{prefix}value"], np.float64),
                             np.asarray(data[f"{prefix}roots"], np.int64), int(data[f"{prefix}depth"]),
                             float(data[f"{prefix}baseline"]))
        return cls(tuple(str(n) for n in data[f"{prefix}names"]), trees)
