"""The trainer app (pygame-ce + pygame_gui). Nothing outside this package imports pygame."""
