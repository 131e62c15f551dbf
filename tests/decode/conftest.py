"""Fixtures for the decoder's tests: the codebook, rendered exchanges with known answers, and a CLI runner."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
REAL_KNOCKS = REPO.parent / "shared" / "data" / "real-knocks"
EXCHANGE = "R5 T3 R4 T3 T7 R3"
EXCHANGE_COUNTS = [5, 3, 4, 3, 7, 3]


@pytest.fixture(scope="session")
def codebook():
    from rescue_signals.codebook import default_codebook

    return default_codebook()


@pytest.fixture(scope="session")
def render(codebook):
    """``render(sequence, seed=1, **conditions) -> Rendering`` (cached: the same call renders once)."""
    from rescue_signals.protocol import parse_sequence
    from rescue_signals.synth import Conditions, render_sequence

    cache = {}

    def make(sequence=EXCHANGE, *, seed=1, **conditions):
        conditions.setdefault("group_gap_s", 6.0)
        key = (sequence, seed, tuple(sorted((k, tuple(v) if isinstance(v, list) else v)
                                            for k, v in conditions.items())))
        if key not in cache:
            cache[key] = render_sequence(parse_sequence(sequence, codebook), codebook, Conditions(**conditions),
                                         seed=seed)
        return cache[key]

    return make


@pytest.fixture(scope="session")
def decode_samples(codebook):
    """``decode_samples(samples, sample_rate, block=None) -> list of events`` through one KnockDecoder."""
    from rescue_signals.decode import KnockDecoder

    def run(samples, sample_rate, *, block=None):
        decoder = KnockDecoder(sample_rate, codebook)
        samples = np.asarray(samples, dtype=np.float32)
        events = []
        step = block or max(1, samples.shape[0])
        for start in range(0, samples.shape[0], step):
            events += decoder.feed(samples[start:start + step])
        return events + decoder.flush()

    return run


@pytest.fixture
def cli():
    """Run ``python -m rescue_signals ARGS``; returns (exit code, stdout, stderr)."""

    def run(*args, timeout=120):
        done = subprocess.run([sys.executable, "-m", "rescue_signals", *map(str, args)], capture_output=True,
                              text=True, timeout=timeout, cwd=REPO)
        return done.returncode, done.stdout, done.stderr

    return run
