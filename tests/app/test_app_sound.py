"""No sound card, or one that goes away mid-session: the trainer says so and carries on visually."""
import pygame
import pytest

from rescue_signals.app.answers import answer_key
from rescue_signals.app.phrases import say
from rescue_signals.errors import AudioDeviceError


def no_device():
    raise AudioDeviceError("no audio output device")


class VanishingPlayer:
    """A playback engine whose device goes away once the first knock of a sound has been heard.

    It stands in for the sound card (which the unit tests must not touch): it reports knocks on the test's
    clock the way the real engine does, then fails the way the real one reports an unplugged device.
    """

    def __init__(self, now_s):
        self.now_s = now_s

    def play(self, samples, *, knock_offsets_s=()):
        return _Playback(self.now_s, self.now_s() + 0.05, list(knock_offsets_s))

    def close(self):
        pass


class _Playback:
    def __init__(self, now_s, start_s, offsets):
        self.now_s, self.start_s, self.offsets = now_s, start_s, offsets
        self.error = None

    def heard_times_s(self):
        first = self.start_s + self.offsets[0]
        if self.now_s() >= first and self.error is None:
            self.error = AudioDeviceError("the audio output stopped (device removed or failed)")
        return (first,) + (None,) * (len(self.offsets) - 1)

    @property
    def done(self):
        return self.error is not None

    def stop(self):
        pass


def test_without_a_device_it_says_so_and_shows_the_knocks(pilot, records):
    p = pilot(trainee="Lu", scene="home", lang="en", sound=True, player_factory=no_device)
    assert not p.app.speaker.audible
    assert p.app.notice() == say("notice.no_device", "en")
    assert say("status.visual_only", "en") in p.app.status_line()
    assert p.app.visual_beats  # shown as flashes even if the trainee had switched them off
    p.press(pygame.K_2)
    p.press(pygame.K_1)
    while p.scene.phase != "answer":
        p.run(frames=1)
    assert len(p.scene.cue.heard_times_s()) == len(p.scene.cue.offsets_s)
    p.run(seconds=0.5)
    p.press(answer_key(p.app.codebook, p.scene.trial.expected.label))
    assert p.scene.attempt.correct
    assert len(records.history()) == 1


def test_a_device_that_goes_away_mid_drill_is_reported_and_the_drill_goes_on(pilot, records):
    holder = {}

    def factory():
        holder["player"] = VanishingPlayer(lambda: holder["now"]())
        return holder["player"]

    holder["now"] = lambda: 0.0
    p = pilot(trainee="Lu", scene="listen", lang="zh", sound=True, player_factory=factory)
    holder["now"] = p.app.now_s
    assert p.app.speaker.audible
    p.press(pygame.K_1)
    for _ in range(60 * 20):
        if p.scene.phase == "answer":
            break
        p.run(frames=1)
    assert p.scene.phase == "answer"
    assert p.app.speaker.lost
    assert p.app.notice() == say("notice.device_lost", "zh")
    cue = p.scene.cue
    heard = cue.heard_times_s()
    assert len(heard) == len(cue.offsets_s)  # the rest of the knocks were shown on schedule
    assert heard[1] - heard[0] == pytest.approx(cue.offsets_s[1] - cue.offsets_s[0])
    p.run(seconds=0.6)
    p.press(answer_key(p.app.codebook, p.scene.trial.expected.label))
    attempt = p.scene.attempt
    assert attempt.correct and abs(attempt.reaction_s - 0.6) < 0.05
    assert len(records.history()) == 1
    p.press(pygame.K_RETURN)
    for _ in range(60 * 10):  # the next trial plays visually, without trying the lost device
        if p.scene.phase == "answer":
            break
        p.run(frames=1)
    assert p.scene.phase == "answer" and not p.scene.cue.audible
