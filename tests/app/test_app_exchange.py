"""Exchange: a whole exchange against a simulated other side that waits, repeats, answers the headcount."""
import numpy as np
import pygame

from rescue_signals.app.partner import Conversation, Temper
from rescue_signals.codebook import default_codebook


def play_exchange(p, *, mistake_at: int | None = None):
    """Play the trainee's side by the rules; returns the conversation."""
    scene = p.scene
    conv = scene.conversation
    turns = 0
    for _ in range(60 * 240):
        if scene.phase == "done":
            return conv
        if scene.recognise is not None:
            step = conv.steps[scene.recognise[0].step]
            p.run(seconds=0.4)
            p.answer(step.signal, step.count)
        elif conv.trainee_turn and not scene.pad.knocks and scene.knocking is None:
            count = conv.due().count + (1 if turns == mistake_at else 0)
            turns += 1
            p.run(seconds=0.5)
            for _ in range(count):
                p.press(pygame.K_SPACE, frames=1)
                p.run(seconds=1.0 - p.clock.step_s)
            p.run(seconds=3)
        else:
            p.run(frames=5)
    raise AssertionError("the exchange never finished")


def test_a_full_exchange_as_each_side_is_judged_and_saved(pilot, records):
    cb = default_codebook()
    for i, role in enumerate(r.id for r in cb.roles):
        p = pilot(trainee="Guo", scene="exchange", lang="en", step_s=1 / 20)
        p.press(pygame.K_1 + i)
        conv = play_exchange(p)
        assert conv.trainee == role and conv.finished
        attempts = p.scene.attempts
        assert attempts and all(a.correct for a in attempts)
        kinds = {a.trial.task for a in attempts}
        assert "recognise" in kinds and kinds & {"send", "respond"}
        session = records.sessions()[-1]
        assert session.scenario_id == "app-exchange" and session.trials_saved == len(attempts)


def test_a_wrong_group_is_not_answered_and_can_be_knocked_again(pilot):
    p = pilot(trainee="Guo", scene="exchange", lang="en", step_s=1 / 20)
    p.press(pygame.K_1)  # the rescuers: the trainee opens the exchange
    conv = play_exchange(p, mistake_at=0)
    readings = [(r.count, ok) for r, ok in conv.log]
    assert readings[0][1] is False  # one knock too many
    assert readings[1][1] is True and readings[1][0] == readings[0][0] - 1  # then right
    assert not p.scene.attempts[0].correct


def test_the_other_side_repeats_a_signal_nobody_answered():
    cb = default_codebook()
    conv = Conversation(cb, trainee_role=cb.trapped, headcount=8, rng=np.random.default_rng(1),
                        temper=Temper(reply_delay_s=(1.0, 1.0), patience_s=10.0, max_repeats=2))
    conv.start(0.0)
    first = conv.poll(1.0)
    assert first is not None and first.group.sender == cb.rescuer and not first.repeat
    conv.partner_knocked(first, start_s=1.0, end_s=5.0, now_s=5.0)
    assert conv.trainee_turn
    assert conv.poll(14.0) is None  # still waiting for the reply
    again = conv.poll(15.5)
    assert again is not None and again.repeat and again.group.count == first.group.count
    conv.partner_knocked(again, start_s=15.5, end_s=19.5, now_s=19.5)
    third = conv.poll(30.0)
    assert third is not None and third.repeat
    conv.partner_knocked(third, start_s=30.0, end_s=34.0, now_s=34.0)
    assert conv.poll(100.0) is None  # gave up repeating after max_repeats
    assert conv.position == 1  # the repeats do not move the exchange on


def test_the_trapped_side_answers_the_headcount_with_its_number():
    cb = default_codebook()
    conv = Conversation(cb, trainee_role=cb.rescuer, headcount=11, rng=np.random.default_rng(2),
                        temper=Temper(reply_delay_s=(0.5, 0.5), uneven_probability=0.0))
    now = 0.0
    knocked = []
    while not conv.finished and now < 500:
        if conv.trainee_turn:
            step = conv.due()
            conv.trainee_knocked(step.count, start_s=now, end_s=now + step.count, now_s=now + step.count)
            now += step.count + 3
        knocking = conv.poll(now)
        if knocking is not None:
            knocked.append(knocking.group.count)
            end = now + knocking.group.count - 1
            conv.partner_knocked(knocking, start_s=now, end_s=end, now_s=end)
            now = end
        now += 0.25
    assert conv.finished
    assert 11 in knocked
    # by the rules throughout (eleven knocks is flagged as a long group, easy to miscount)
    assert {d.code for r, _ in conv.log for d in r.deviations} <= {"long-group"}


def test_some_groups_are_knocked_unevenly():
    cb = default_codebook()
    conv = Conversation(cb, trainee_role=cb.trapped, headcount=8, rng=np.random.default_rng(3),
                        temper=Temper(uneven_probability=0.5))
    flags = []
    for seed in range(40):
        conv.rng = np.random.default_rng(seed)
        conv.pending = None
        conv._plan(0.0)
        flags.append(conv.pending.uneven)
    assert 5 < sum(flags) < 35


def test_the_log_scrolls_back_to_the_first_group(pilot, drawn_by):
    """A whole exchange holds more groups than a small window's log shows: PgUp and the wheel bring back the first."""
    import rescue_signals.app.scenes.exchange as exchange

    drawn = drawn_by(exchange)
    p = pilot(trainee="Guo", scene="exchange", lang="en", step_s=1 / 20, size=(1024, 600))
    p.press(pygame.K_1)
    play_exchange(p)
    scene = p.scene
    entries = [e.text for e in scene.log_entries()]

    def shown():
        drawn.clear()
        p.run(frames=1)
        return [t for t in drawn if t in set(entries)]

    assert shown() == entries[-scene.log_rows:]
    assert len(entries) > scene.log_rows, "the exchange fits the log: nothing to scroll"
    assert any("PgUp/PgDn" in t for t in drawn)
    for _ in range(len(entries)):
        p.press(pygame.K_PAGEUP)
    assert shown() == entries[:scene.log_rows]  # the first group is back
    for _ in range(len(entries)):
        pygame.event.post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=-1, flipped=False))
        p.run(frames=1)
    assert shown() == entries[-scene.log_rows:]
