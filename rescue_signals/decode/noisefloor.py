"""The noise floor of each band, tracked over blocks of frames so that it follows slow changes only.

Each block of :data:`BLOCK_FRAMES` frames gives, per band, the median of a level and the spread (interquartile
range) of a rise; a knock fills a few frames of a block and moves neither. The floor for a frame is the lowest
block median of the :data:`HISTORY_BLOCKS` blocks before it ("minimum statistics"), and the spread is their mean
spread. Frames of the very first block, which has no history, wait for that block to finish and use it as their
own history.

Everything is keyed to absolute frame numbers, so the floor does not depend on how the stream was cut.
"""

from __future__ import annotations

import numpy as np

BLOCK_FRAMES = 32
"""Frames per block (about 0.17 s)."""

HISTORY_BLOCKS = 12
"""Blocks that the floor looks back over (about 2 s): long enough to span a knock's ring, short enough to follow
a pump or a fan switching on."""

MIN_SPREAD_DB = 1.0
"""Lower bound of the spread, dB: keeps digital silence or a steady tone from making every ripple significant."""


class NoiseFloor:
    """Per-band floor of a level and spread of a rise (dB), for a stream of frames.

    Frames are given as rows ``[levels | rises]`` of ``2 * bands`` columns: the floor comes from the levels, the
    spread from the rises.

    Parameters
    ----------
    bands : int
    """

    def __init__(self, bands: int):
        self.bands = bands
        self.reset()

    def reset(self) -> None:
        self._frames = 0  # absolute index of the next frame to be given a floor
        self._partial = self._rows(0)  # levels of the current, unfinished block
        self._waiting = self._rows(0)  # first-block frames waiting for the first block to finish
        self._medians = self._rows(0, 1)  # statistics of the last HISTORY_BLOCKS finished blocks
        self._spreads = self._rows(0, 1)
        self._blocks = 0  # finished blocks so far

    def feed(self, levels_db: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Give frames their floor and spread.

        Parameters
        ----------
        levels_db : ndarray, shape (frames, 2 * bands), dB
            Each row is the band levels followed by the band rises.

        Returns
        -------
        rows : ndarray, shape (k, 2 * bands)
            The frames that have a floor now, in order. While the first block fills, k is 0; then the waiting
            frames come out together.
        floor_db, spread_db : ndarray, shape (k, bands)
        """
        old_medians, old_spreads, old_blocks = self._medians, self._spreads, self._blocks
        self._add_to_blocks(levels_db)
        if old_blocks == 0:
            self._waiting = np.concatenate((self._waiting, levels_db))
            if self._blocks == 0:
                return self._rows(0), self._rows(0, 1), self._rows(0, 1)
            levels_db, self._waiting = self._waiting, self._rows(0)
        floor, spread = self._floors(self._frames, len(levels_db), old_medians, old_spreads, old_blocks)
        self._frames += len(levels_db)
        return levels_db, floor, spread

    def flush(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Frames still waiting (a stream shorter than one block), judged against themselves."""
        levels_db, self._waiting = self._waiting, self._rows(0)
        if not len(levels_db):
            return levels_db, self._rows(0, 1), self._rows(0, 1)
        med, spread = _block_stats(levels_db[None])
        self._frames += len(levels_db)
        n = len(levels_db)
        return levels_db, np.repeat(med, n, axis=0), np.maximum(np.repeat(spread, n, axis=0), MIN_SPREAD_DB)

    # -- internals ----------------------------------------------------------------------------------------------
    def _rows(self, n: int, width: int = 2) -> np.ndarray:
        return np.zeros((n, self.bands * width), dtype=np.float32)

    def _add_to_blocks(self, levels_db: np.ndarray) -> None:
        data = np.concatenate((self._partial, levels_db)) if len(self._partial) else levels_db
        whole = len(data) // BLOCK_FRAMES
        if whole:
            med, spread = _block_stats(data[:whole * BLOCK_FRAMES].reshape(whole, BLOCK_FRAMES, 2 * self.bands))
            keep = HISTORY_BLOCKS + whole
            self._medians = np.concatenate((self._medians, med))[-keep:]
            self._spreads = np.concatenate((self._spreads, spread))[-keep:]
            self._blocks += whole
        self._partial = data[whole * BLOCK_FRAMES:].copy()

    def _floors(self, start: int, count: int, old_medians, old_spreads, old_blocks):
        """Floor and spread of frames ``start .. start+count-1``, from the blocks before each frame's block."""
        if count == 0:
            return self._rows(0, 1), self._rows(0, 1)
        # Statistics of blocks first_known .. self._blocks-1, in order (older history first).
        new = self._blocks - old_blocks
        medians = np.concatenate((old_medians, self._medians[len(self._medians) - new:]))
        spreads = np.concatenate((old_spreads, self._spreads[len(self._spreads) - new:]))
        first_known = self._blocks - len(medians)
        b0, b1 = start // BLOCK_FRAMES, (start + count - 1) // BLOCK_FRAMES
        # For block b the window is blocks max(0, b-K) .. b-1 (block 0 uses itself). Pad the front so every
        # window has K rows: +inf never wins a minimum, and spreads are averaged over the real rows only.
        pad = HISTORY_BLOCKS
        med_p = np.concatenate((np.full((pad, self.bands), np.inf, np.float32), medians))
        spr_p = np.concatenate((np.zeros((pad, self.bands), np.float32), spreads))
        real = np.concatenate((np.zeros(pad, np.float32), np.ones(len(spreads), np.float32)))
        blocks = np.arange(b0, b1 + 1)
        hi = np.maximum(blocks, 1) - first_known + pad  # window end (exclusive) in the padded arrays
        idx = hi[:, None] - np.arange(HISTORY_BLOCKS, 0, -1)[None, :]
        floors = med_p[idx].min(axis=1)
        weight = real[idx]
        spread = (spr_p[idx] * weight[..., None]).sum(axis=1) / np.maximum(weight.sum(axis=1), 1)[:, None]
        per_frame = np.arange(start, start + count) // BLOCK_FRAMES - b0
        return floors[per_frame], np.maximum(spread[per_frame], MIN_SPREAD_DB)


def _block_stats(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median of the levels and robust spread (IQR / 1.35, about one standard deviation) of the rises.

    ``blocks`` has shape (blocks, frames, 2 * bands); both results have shape (blocks, bands). One sort serves
    all three order statistics (much faster than three percentile calls).
    """
    bands = blocks.shape[2] // 2
    ordered = np.sort(blocks, axis=1)
    n = ordered.shape[1]
    mid, q1, q3 = (n - 1) / 2, (n - 1) / 4, 3 * (n - 1) / 4
    median = 0.5 * (ordered[:, int(np.floor(mid)), :bands] + ordered[:, int(np.ceil(mid)), :bands])
    spread = (ordered[:, int(round(q3)), bands:] - ordered[:, int(round(q1)), bands:]) / 1.35
    return median.astype(np.float32), spread.astype(np.float32)
