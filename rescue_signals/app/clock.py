"""The clocks that drive the main loop.

The loop asks its clock for the next frame: the time step and the input events that arrived, each stamped with
the monotonic time it arrived at. The real clock waits for events between frames instead of sleeping, so a key press
is stamped within about a millisecond of reaching the window, not up to a frame later; reaction times rely on that.
When nothing on screen moves by itself the loop asks for an idle frame: the clock then sleeps until an event
arrives or the idle period has passed, so a trainer left open costs next to no processor time.
A stepped clock advances by a fixed step per frame, so scene tests are deterministic.
"""

from __future__ import annotations

import time

import pygame

MAX_STEP_S = 0.5
"""The longest time step handed to a frame (after a stall, or an idle wait)."""


class FrameClock:
    """Real time: about ``fps`` frames per second; events stamped on arrival with ``time.monotonic()``.

    Parameters
    ----------
    fps : int
        Frames per second to aim for.
    """

    def __init__(self, *, fps: int = 60):
        self.frame_s = 1.0 / fps
        self._last_s = time.monotonic()

    def now_s(self) -> float:
        return time.monotonic()

    def tick(self, *, idle_s: float | None = None) -> tuple[float, list[pygame.event.Event]]:
        """Wait for the next frame; return the seconds since the last one and the events that arrived meanwhile.

        With ``idle_s`` (s), first sleep until an event arrives or ``idle_s`` has passed; frames still come no
        faster than ``fps``.
        """
        events = []
        if idle_s is not None:
            event = pygame.event.wait(max(1, int(idle_s * 1000)))
            if event.type != pygame.NOEVENT:
                events.append(_stamped(event, time.monotonic()))
        deadline = self._last_s + self.frame_s
        while (left_s := deadline - time.monotonic()) > 0.0005:
            event = pygame.event.wait(max(1, int(left_s * 1000)))
            if event.type != pygame.NOEVENT:
                events.append(_stamped(event, time.monotonic()))
        events.extend(_stamped(e, time.monotonic()) for e in pygame.event.get())
        now = time.monotonic()
        dt_s = now - self._last_s
        self._last_s = now
        return min(dt_s, MAX_STEP_S), events


class SteppedClock:
    """Test time: every frame is ``step_s`` long, starting at ``start_s``; events carry the current time."""

    def __init__(self, *, step_s: float = 1 / 60, start_s: float = 1000.0):
        self.step_s = step_s
        self.time_s = start_s

    def now_s(self) -> float:
        return self.time_s

    def advance(self, seconds: float) -> None:
        self.time_s += seconds

    def tick(self, *, idle_s: float | None = None) -> tuple[float, list[pygame.event.Event]]:
        """The next frame, ``step_s`` later (idle frames too: test time does not sleep)."""
        self.time_s += self.step_s
        return self.step_s, [_stamped(e, self.time_s) for e in pygame.event.get()]


def _stamped(event: pygame.event.Event, time_s: float) -> pygame.event.Event:
    if not hasattr(event, "time_s"):
        event.time_s = time_s
    return event
