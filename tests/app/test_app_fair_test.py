"""A fair ear test: with sound on and visual beats off (the default), nothing on screen gives away what was knocked
before the trainee answers; the screen names who is knocking, not who is expected to answer."""
import pygame

from rescue_signals.app.phrases import say
from rescue_signals.app.settings import Settings


class QuietCard:
    """A playback engine standing in for the sound card (unit tests must not touch it): each knock is heard at
    its offset on the test's clock, as the real engine reports it."""

    def __init__(self, now_s):
        self.now_s = now_s

    def play(self, samples, *, knock_offsets_s=()):
        return _Playback(self.now_s, self.now_s() + 0.05, list(knock_offsets_s))

    def close(self):
        pass


class _Playback:
    error = None

    def __init__(self, now_s, start_s, offsets):
        self.now_s, self.start_s, self.offsets = now_s, start_s, offsets

    def heard_times_s(self):
        now = self.now_s()
        return tuple(self.start_s + o if self.start_s + o <= now else None for o in self.offsets)

    @property
    def done(self):
        return self.now_s() > self.start_s + (self.offsets[-1] if self.offsets else 0) + 0.3

    def stop(self):
        pass


def audible_pilot(pilot, **options):
    """A pilot with sound on, heard through :class:`QuietCard` on the pilot's own clock."""
    made = []
    p = pilot(sound=True, player_factory=lambda: QuietCard(lambda: made[0].clock.now_s()), **options)
    made.append(p)
    assert p.app.speaker.audible
    return p


def test_visual_beats_are_off_until_the_trainee_turns_them_on(pilot, tmp_path):
    assert Settings().visual_beats is False
    p = audible_pilot(pilot, trainee="Sun", scene="home", lang="en", settings_path=tmp_path / "s.json")
    assert not p.app.visual_beats
    assert say("status.beats_off", "en") in p.app.status_line()
    p.press(pygame.K_v)
    assert p.app.visual_beats


def _wait(p, done, limit_s=40.0):
    for _ in range(int(limit_s * 20)):
        if done():
            return
        p.run(frames=1)
    raise AssertionError("waited too long")


def test_the_exchange_log_hides_the_other_sides_count_until_it_is_answered(pilot):
    p = audible_pilot(pilot, trainee="Guo", scene="exchange", lang="en", step_s=1 / 20)
    p.press(pygame.K_2)  # the trapped side: the rescuers knock first
    scene = p.scene
    _wait(p, lambda: scene.recognise is not None)
    count = scene.groups[-1][0].count
    entry = scene.log_entries()[-1]
    assert entry.times is None and str(count) not in entry.text  # neither dots nor the number
    step = scene.conversation.steps[scene.recognise[0].step]
    p.run(seconds=0.5)
    p.answer(step.signal, step.count)
    answered = [e for e, g in zip(scene.log_entries(), scene.groups) if g[3] is not None][0]
    assert answered.times is not None and answered.text.startswith(f"✓ {count} · ")
    assert answered.text.endswith(" s")  # how long the answer took


def test_with_visual_beats_on_the_unanswered_group_shows_its_knocks_as_dots(pilot):
    p = audible_pilot(pilot, trainee="Guo", scene="exchange", lang="en", step_s=1 / 20)
    p.app.settings.visual_beats = True
    p.press(pygame.K_2)
    scene = p.scene
    _wait(p, lambda: scene.recognise is not None)
    entry = scene.log_entries()[-1]
    assert entry.times is not None and len(entry.times) == scene.groups[-1][0].count
    assert "?" in entry.text


EXCHANGE_STEP = """
title: {zh: 回复, en: Reply drill}
summary: {zh: 回复, en: Reply}
level: 1
trainee: trapped
time_limit_s: 20
conditions: {medium: pipe, distance_m: 5, compress_gaps: 10}
steps:
  - exchange: "R5 T3"
"""


def test_listen_names_the_side_that_is_knocking_not_the_one_that_replies(pilot, tmp_path):
    path = tmp_path / "reply.yaml"
    path.write_text(EXCHANGE_STEP, encoding="utf-8")
    p = audible_pilot(pilot, trainee="Ma", scene="listen", lang="en")
    p.app.scenario_paths = (path,)
    p.press(pygame.K_ESCAPE)
    p.press(pygame.K_2)
    p.press(pygame.K_1)
    scene = p.scene
    assert scene.trial.task == "respond" and scene.trial.expected.sender == "trapped"
    _wait(p, lambda: scene.phase == "play" and scene.cue is not None and any(scene.cue.heard_times_s()))
    shown = scene.listening_caption()
    assert shown == say("listen.sender", "en", role=p.app.role_name("rescuer"))
