"""Learn: cards of every signal, each played as the other side hears it, the helmet card, the guided walk."""
import pygame

from rescue_signals.app.partner import exchange_script, full_exchange
from rescue_signals.app.scenes.learn import EXAMPLE_HEADCOUNT, cards
from rescue_signals.codebook import HEADCOUNT, default_codebook


def test_one_card_per_signal_and_one_for_the_headcount():
    cb = default_codebook()
    shown = cards(cb)
    assert [c.signal_id for c in shown] == [s.id for s in cb.signals] + [HEADCOUNT]
    assert [c.knocks for c in shown[:-1]] == [s.knocks for s in cb.signals]


def test_arrow_keys_flip_the_cards_round(pilot):
    p = pilot(trainee="Wu", scene="learn")
    n = len(p.scene.cards)
    p.press(pygame.K_LEFT)
    assert p.scene.index == n - 1
    p.press(pygame.K_RIGHT)
    p.press(pygame.K_RIGHT)
    assert p.scene.index == 1


def test_a_played_card_flashes_once_per_knock_as_it_is_heard(pilot):
    p = pilot(trainee="Wu", scene="learn")  # visual only: every knock is a flash
    scene = p.scene
    card = scene.cards[0]
    p.press(pygame.K_1)
    cue = scene.cue
    assert len(cue.offsets_s) == card.knocks
    dark = p.surface.get_at(scene.flash_rect.center)[:3]
    flashes, was_lit, counts = 0, False, set()
    for _ in range(int((cue.duration_s + 1) * 60)):
        p.run(frames=1)
        counts.add(len(cue.heard_times_s()))
        lit = p.surface.get_at(scene.flash_rect.center)[:3] != dark
        flashes += lit and not was_lit
        was_lit = lit
    assert counts == set(range(card.knocks + 1))  # the knocks are heard one by one
    assert flashes == card.knocks  # and each one flashes on the screen
    assert cue.done


def test_the_guided_walk_is_a_complete_exchange_by_the_rules():
    cb = default_codebook()
    steps = full_exchange(cb, headcount=EXAMPLE_HEADCOUNT)
    assert all(not r.deviations for r in steps)
    assert not steps[-1].expects
    used = {r.signal for r in steps}
    assert {s.id for s in cb.signals} | {HEADCOUNT} == used
    assert steps[0].sender == cb.rescuer and len(exchange_script(cb)) >= 3


def test_the_walk_steps_forward_with_enter_and_back_with_left(pilot):
    p = pilot(trainee="Wu", scene="learn")
    p.press(pygame.K_w)
    assert p.scene.view == "walk" and p.scene.step == 0
    p.press(pygame.K_RETURN)
    p.press(pygame.K_RIGHT)
    assert p.scene.step == 2
    p.press(pygame.K_LEFT)
    assert p.scene.step == 1
    for _ in range(20):
        p.press(pygame.K_RIGHT)
    assert p.scene.step == len(p.scene.steps) - 1


def test_the_helmet_card_draws_the_knocks_of_every_signal(pilot):
    p = pilot(trainee="Wu", scene="learn")
    p.press(pygame.K_h)
    assert p.scene.view == "helmet"
    ink = (30, 30, 30)
    dark = sum(1 for x in range(0, p.surface.get_width(), 3) for y in range(0, p.surface.get_height(), 3)
               if p.surface.get_at((x, y))[:3] == ink)
    assert dark > 200  # the dots and the text in ink on the card
