"""Fixtures shared by the drill tests."""
from datetime import datetime, timedelta, timezone

import pytest


class Clock:
    """A wall clock for the records that moves ``step_s`` seconds each time it is read (and by hand)."""

    def __init__(self, step_s: float = 1.0):
        self.now = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)
        self.step = timedelta(seconds=step_s)

    def __call__(self):
        self.now += self.step
        return self.now


@pytest.fixture
def clock():
    return Clock()
