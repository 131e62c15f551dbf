"""Opening the trainer app window."""

from __future__ import annotations


def run_app(lang: str | None = None) -> int:
    import pygame

    pygame.init()
    screen = pygame.display.set_mode((1366, 768), pygame.RESIZABLE)
    pygame.display.set_caption("rescue-signals")
    clock = pygame.time.Clock()
    running = True
    while running:
        for event in pygame.event.get():
            if event.type == pygame.QUIT or (event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE):
                running = False
        screen.fill((24, 28, 34))
        pygame.display.flip()
        clock.tick(60)
    pygame.quit()
    return 0
