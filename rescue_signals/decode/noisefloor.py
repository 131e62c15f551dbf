"""The noise floor of each band, tracked over blocks of frames so that it follows slow changes only.

Each block of :data:`BLOCK_FRAMES` frames gives, per band, the median of a level and the spread (interquartile
range) of a rise; a knock fills a few frames of a block and moves neither. The floor for a frame is the lowest
block median of the :data:`HISTORY_BLOCKS` blocks before it ("minimum statistics"), and the spread is their mean
spread. Blocks of digital silence (no signal at all, as before a stream starts or between rendered knocks) are not
history: a floor learnt from silence would make every ripple of the sound that follows look like a knock. A frame
with no history yet waits for its own block to finish and is judged against it.

Everything is keyed to frame and block numbers, so the floor does not depend on how the stream was cut.
"""

from __future__ import annotations

import numpy as np

BLOCK_FRAMES = 32
"""Frames per block (about 0.17 s)."""

HISTORY_BLOCKS = 12
"""Blocks that the floor looks back over (about 2 s): long enough to span a knock's ring, short enough to follow
a pump or a fan switching on."""

MIN_SPREAD_DB = 1.0
"""Lower bound of the spread, dB: keeps a steady tone from making every ripple significant."""

SILENT_DB = -100.0
"""A block is digital silence unless three quarters of its frames are above this level in some band (a block where
a stream starts is not history yet: its quiet part would make the sound look like a knock)."""

MAX_WAIT_BLOCKS = 4
"""Frames with no history wait at most this many blocks (0.7 s) for the first block of sound; frames of digital
silence that waited that long are given the silence itself as their floor."""


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
        self._frames = 0  # number of the next frame to be given a floor
        self._partial = self._rows(0)  # rows of the current, unfinished block
        self._waiting = self._rows(0)  # frames without history, waiting for their block to finish
        self._blocks = 0  # finished blocks so far
        self._valid = 0  # finished blocks that were not digital silence
        self._vcount = np.zeros(1, dtype=np.int64)  # valid blocks before block _vb0 + k, up to the open block
        self._vb0 = 0
        self._medians = self._rows(0, 1)  # statistics of the latest valid blocks (global valid numbers
        self._spreads = self._rows(0, 1)  # self._valid - len .. self._valid - 1)
        self._first_sound: tuple[np.ndarray, np.ndarray] | None = None  # statistics of the first valid block

    def feed(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Give frames their floor and spread.

        Parameters
        ----------
        rows : ndarray, shape (frames, 2 * bands), dB
            Each row is the band levels followed by the band rises.

        Returns
        -------
        rows : ndarray, shape (k, 2 * bands)
            The frames that have a floor now, in order: frames without history wait for the first block of sound.
        floor_db, spread_db : ndarray, shape (k, bands)
        """
        self._add_to_blocks(rows)
        pending = np.concatenate((self._waiting, rows)) if len(self._waiting) else rows
        block = np.arange(self._frames, self._frames + len(pending)) // BLOCK_FRAMES
        history = self._vcount[block - self._vb0]
        # Ready: history; or no history, but the first block of sound has come (it serves as history); or
        # digital silence that has waited long enough.
        ready = (history > 0) | (self._valid > 0) | (block < self._blocks - MAX_WAIT_BLOCKS)
        n = int(np.argmin(ready)) if not ready.all() else len(ready)  # in order: stop at the first that waits
        self._waiting = pending[n:].copy()
        out = pending[:n]
        floor, spread = self._floors(block[:n], history[:n])
        self._frames += n
        return out, floor, spread

    def flush(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Frames still waiting (the stream ended before any block of sound), judged against themselves."""
        rows, self._waiting = self._waiting, self._rows(0)
        if not len(rows):
            return rows, self._rows(0, 1), self._rows(0, 1)
        med, spread, _ = _block_stats(rows[None])
        self._frames += len(rows)
        n = len(rows)
        return rows, np.repeat(med, n, axis=0), np.maximum(np.repeat(spread, n, axis=0), MIN_SPREAD_DB)

    # -- internals ----------------------------------------------------------------------------------------------
    def _rows(self, n: int, width: int = 2) -> np.ndarray:
        return np.zeros((n, self.bands * width), dtype=np.float32)

    def _add_to_blocks(self, rows: np.ndarray) -> None:
        data = np.concatenate((self._partial, rows)) if len(self._partial) else rows
        whole = len(data) // BLOCK_FRAMES
        med, spread, valid = _block_stats(data[:whole * BLOCK_FRAMES].reshape(whole, BLOCK_FRAMES, 2 * self.bands))
        # Valid blocks before each of the blocks just finished and the new open one.
        counts = self._valid + np.concatenate(([0], np.cumsum(valid)))
        self._vcount = np.concatenate((self._vcount[:-1], counts))
        first_needed = self._frames // BLOCK_FRAMES  # the block of the first frame not yet given a floor
        cut = first_needed - self._vb0
        if cut > 0:
            self._vcount, self._vb0 = self._vcount[cut:], first_needed
        if valid.any() and self._first_sound is None:
            first = int(np.argmax(valid))
            self._first_sound = (med[first], spread[first])
        if valid.any():
            keep = HISTORY_BLOCKS + int(valid.sum())
            self._medians = np.concatenate((self._medians, med[valid]))[-keep:]
            self._spreads = np.concatenate((self._spreads, spread[valid]))[-keep:]
        self._valid += int(valid.sum())
        self._blocks += whole
        self._partial = data[whole * BLOCK_FRAMES:].copy()

    def _floors(self, block: np.ndarray, history: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Floor and spread of frames in ``block`` with ``history`` valid blocks before them."""
        if not len(block):
            return self._rows(0, 1), self._rows(0, 1)
        # Every frame of a block has the same floor: work per block, then give each frame its block's.
        blocks, first, per_frame = np.unique(block, return_index=True, return_inverse=True)
        history = history[first]
        floors = np.empty((len(blocks), self.bands), np.float32)
        spreads = np.empty_like(floors)
        own = history == 0
        if own.any():  # no history: the first block of sound, or (after a long wait) the silence itself
            if self._first_sound is not None:
                floors[own], spreads[own] = self._first_sound
            else:
                floors[own], spreads[own] = SILENT_DB - 10.0, MIN_SPREAD_DB
        if (~own).any():
            first_valid = self._valid - len(self._medians)  # the valid block number of self._medians[0]
            pad = HISTORY_BLOCKS
            med_p = np.concatenate((np.full((pad, self.bands), np.inf, np.float32), self._medians))
            spr_p = np.concatenate((np.zeros((pad, self.bands), np.float32), self._spreads))
            real = np.concatenate((np.zeros(pad, np.float32), np.ones(len(self._spreads), np.float32)))
            idx = (history[~own] - first_valid + pad)[:, None] - np.arange(HISTORY_BLOCKS, 0, -1)[None, :]
            floors[~own] = med_p[idx].min(axis=1)
            weight = real[idx]
            spreads[~own] = (spr_p[idx] * weight[..., None]).sum(axis=1) / np.maximum(weight.sum(axis=1), 1)[:, None]
        return floors[per_frame], np.maximum(spreads, MIN_SPREAD_DB)[per_frame]


def _block_stats(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median of the levels, robust spread (IQR / 1.35, about one standard deviation) of the rises, and whether
    each block holds sound (three quarters of its frames above :data:`SILENT_DB` in some band).

    ``blocks`` has shape (blocks, frames, 2 * bands); the statistics have shape (blocks, bands). One sort serves
    every order statistic (much faster than several percentile calls).
    """
    bands = blocks.shape[2] // 2
    ordered = np.sort(blocks, axis=1)
    n = ordered.shape[1]
    mid, q1, q3 = (n - 1) / 2, (n - 1) / 4, 3 * (n - 1) / 4
    median = 0.5 * (ordered[:, int(np.floor(mid)), :bands] + ordered[:, int(np.ceil(mid)), :bands])
    spread = (ordered[:, int(round(q3)), bands:] - ordered[:, int(round(q1)), bands:]) / 1.35
    valid = (ordered[:, int(round(q1)), :bands] > SILENT_DB).any(axis=1)
    return median.astype(np.float32), spread.astype(np.float32), valid
