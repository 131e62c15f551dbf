"""The answers a trainee can give to "what was that?": one per signal, the headcount, "not a signal".

A signal's key is its number of knocks (when that number is unique and a single digit), so the answer to five
knocks is the 5 key; the headcount is H followed by the number and Enter; "not a signal" is U.
"""

from __future__ import annotations

import pygame

from rescue_signals.codebook import HEADCOUNT, Codebook


def label_text(app, label: str) -> str:
    """A signal id, HEADCOUNT or another answer label, in the trainee's language."""
    cb = app.codebook
    if label in [s.id for s in cb.signals]:
        return app.t(cb.signal(label).name)
    if label == HEADCOUNT:
        return app.t(cb.headcount.name)
    return app.say(f"answer.{label}")


def answer_key(codebook: Codebook, label: str) -> int | None:
    if label == HEADCOUNT:
        return pygame.K_h
    if label in [s.id for s in codebook.signals]:
        digit = codebook.answer_digit(label)
        return None if digit is None else pygame.K_0 + digit
    return pygame.K_u


class CountEntry:
    """Typing a headcount: H, the digits, Enter. Feed it key presses while it is open."""

    def __init__(self):
        self.open = False
        self.digits = ""

    def start(self) -> None:
        self.open, self.digits = True, ""

    def key(self, event) -> int | None:
        """Take one key press; returns the number when Enter completes it."""
        if (event.unicode or "").isdigit():
            self.digits = (self.digits + event.unicode)[:3]
        elif event.key == pygame.K_BACKSPACE:
            self.digits = self.digits[:-1]
        elif event.key == pygame.K_ESCAPE:
            self.open, self.digits = False, ""
        elif event.key in (pygame.K_RETURN, pygame.K_KP_ENTER) and self.digits:
            number = int(self.digits)
            self.open, self.digits = False, ""
            return number
        return None
