"""The window sleeps while nothing moves, and runs at the full frame rate while something does."""
import time

import pygame

from rescue_signals.app.clock import FrameClock


def test_an_idle_frame_waits_for_the_idle_period_or_the_first_event(pilot):
    pilot(scene="home", trainee="Lin")  # a window for the events
    clock = FrameClock(fps=60)
    start = time.monotonic()
    dt_s, events = clock.tick(idle_s=0.3)
    assert time.monotonic() - start >= 0.29 and events == []
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_a, mod=0, unicode="a", scancode=0))
    start = time.monotonic()
    dt_s, events = clock.tick(idle_s=5.0)
    assert time.monotonic() - start < 1.0
    assert [e.key for e in events if e.type == pygame.KEYDOWN] == [pygame.K_a]
    assert all(hasattr(e, "time_s") for e in events)  # still stamped on arrival


def test_menus_are_idle_and_sound_or_a_running_drill_is_busy(pilot):
    p = pilot(scene="home", trainee="Lin")
    assert not p.stage.busy
    p.press(pygame.K_1)  # Learn
    assert not p.stage.busy
    p.press(pygame.K_1)  # play the first card: its knocks light up as they are heard
    assert p.stage.busy
    p.run(seconds=p.app.speaker.current.duration_s + 1)
    assert not p.stage.busy  # played out
    p.press(pygame.K_ESCAPE)
    p.press(pygame.K_3)  # Knock: choosing is idle, knocking is timed
    assert not p.stage.busy
    p.press(pygame.K_5)
    assert p.stage.busy
