"""The base of every screen: widgets in one container, keyboard focus, shortcuts, and the frame around the content.

A scene is a small state object. The main loop calls :meth:`Scene.handle_event` for each input event,
:meth:`Scene.update` once per frame and :meth:`Scene.draw`; the first two return the scene to show next (or None to
stay). Widgets are rebuilt from the scene's state whenever the window is resized or the language changes, so no
state lives only in a widget.

Keyboard use: Tab / Shift+Tab and the arrow keys move the highlighted button, Enter presses it, each button may
also have its own key (shown on it in brackets), Esc goes back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import pygame
import pygame_gui

from rescue_signals.app.drawing import draw_panel, draw_text
from rescue_signals.app.phrases import say

if TYPE_CHECKING:
    from rescue_signals.app.context import App

Action = Callable[[], "Scene | None"]

HEADER_PX = 64
FOOTER_PX = 40
MARGIN_PX = 24

# Theme classes a button label steps down through until it fits its button (assets/theme/theme.json).
_SMALLER_LABELS = ("@medium_text", "@small_text", "@tiny_text")

_NAV_NEXT = (pygame.K_TAB, pygame.K_DOWN, pygame.K_RIGHT)
_NAV_PREV = (pygame.K_UP, pygame.K_LEFT)
_PRESS = (pygame.K_RETURN, pygame.K_KP_ENTER)


@dataclass
class _Control:
    element: pygame_gui.core.UIElement
    action: Action | None
    key: int | None


class Scene:
    """A screen of the trainer. Subclasses set ``title_key`` and override :meth:`build`, :meth:`update`,
    :meth:`draw_content`, and, for keys of their own, :meth:`on_key`."""

    title_key = "app.title"
    arrows_navigate = True  # scenes that use the arrow keys themselves set this to False

    def __init__(self, app: "App"):
        self.app = app
        self.container: pygame_gui.core.UIContainer | None = None
        self._controls: list[_Control] = []
        self._focus = 0
        self._next: Scene | None = None
        self.return_to: "str | Scene | None" = None  # "course" when opened from the course, or the scene that
        # opened it (the trainer's desk): Esc goes back there

    # -- lifecycle ----------------------------------------------------------------------------------------------
    def enter(self) -> None:
        self.rebuild()

    def leave(self) -> None:
        """Called when another scene takes over: stop sounds, drop widgets."""
        self.app.speaker.stop()
        self._clear()

    def rebuild(self) -> None:
        """(Re)create the widgets for the current window size and language, keeping the focused position."""
        focus = self._focus
        self._clear()
        w, h = self.app.size
        self.container = pygame_gui.core.UIContainer(pygame.Rect(0, 0, w, h), self.app.ui)
        self._focus_chosen = False
        self.build(self.content_rect())
        if not self._focus_chosen:
            self._focus = min(focus, max(0, len(self._controls) - 1))
        self._show_focus()

    def build(self, rect: pygame.Rect) -> None:
        """Create the scene's widgets inside ``rect`` (the area between header and footer)."""

    def _clear(self) -> None:
        if self.container is not None:
            self.container.kill()
        self.container = None
        self._controls = []

    # -- widgets ------------------------------------------------------------------------------------------------
    def text(self, key: str, **values) -> str:
        return say(key, self.app.lang, **values)

    def button(self, rect: pygame.Rect, label: str, action: Action | None, *, key: int | None = None,
               object_id: str | None = None, tooltip: str | None = None) -> pygame_gui.elements.UIButton:
        """A button in the focus order; ``key`` presses it too and is shown on it. A label too long for the
        button is set in a smaller size."""
        shown = f"[{pygame.key.name(key).upper()}] {label}" if key is not None else label
        element = pygame_gui.elements.UIButton(rect, shown, self.app.ui, container=self.container,
                                               tool_tip_text=tooltip, object_id=object_id)
        _fit_label(element, object_id)
        self._controls.append(_Control(element, action, key))
        return element

    def label_px(self, label: str, *, key: int | None = None) -> int:
        """About how wide a button must be for ``label`` (with its key) in the theme's usual size, px."""
        shown = f"[{pygame.key.name(key).upper()}] {label}" if key is not None else label
        return self.app.theme.font(20).size(shown)[0] + 2 * 14

    def entry(self, rect: pygame.Rect, text: str, on_done: Action) -> pygame_gui.elements.UITextEntryLine:
        """A one-line text entry in the focus order; Enter in it calls ``on_done``."""
        element = pygame_gui.elements.UITextEntryLine(rect, self.app.ui, container=self.container)
        element.set_text(text)
        self._controls.append(_Control(element, on_done, None))
        return element

    def focus_on(self, element) -> None:
        """Highlight ``element`` (in :meth:`build`, this is where the focus starts)."""
        for i, c in enumerate(self._controls):
            if c.element is element:
                self._focus = i
                self._focus_chosen = True
        self._show_focus()

    @property
    def focused(self):
        return self._controls[self._focus].element if self._controls else None

    def _show_focus(self) -> None:
        for i, c in enumerate(self._controls):
            is_entry = isinstance(c.element, pygame_gui.elements.UITextEntryLine)
            if i == self._focus:
                if is_entry:
                    self.app.ui.set_focus_set(c.element)
                else:
                    c.element.select()
            elif is_entry:
                c.element.unfocus()
            else:
                c.element.unselect()
        if self._controls and not isinstance(self.focused, pygame_gui.elements.UITextEntryLine):
            self.app.ui.set_focus_set(None)

    def _move_focus(self, step: int) -> None:
        enabled = [i for i, c in enumerate(self._controls) if c.element.is_enabled]
        if not enabled:
            return
        later = [i for i in enabled if (i - self._focus) * step > 0]
        self._focus = (min(later, key=lambda i: abs(i - self._focus)) if later
                       else (enabled[0] if step > 0 else enabled[-1]))
        self._show_focus()

    # -- events -------------------------------------------------------------------------------------------------
    def handle_event(self, event: pygame.event.Event) -> "Scene | None":
        if self.app.records_alert is not None:  # nothing goes on until the trainee has seen it
            if event.type == pygame.KEYDOWN and event.key in _PRESS:
                self.app.acknowledge_records_alert()
            return None
        if event.type == pygame_gui.UI_BUTTON_PRESSED:
            for i, c in enumerate(self._controls):
                if c.element is event.ui_element and c.action is not None:
                    self._focus = i
                    return c.action()
            return None
        if event.type == pygame_gui.UI_TEXT_ENTRY_FINISHED:
            for c in self._controls:
                if c.element is event.ui_element and c.action is not None:
                    return c.action()
            return None
        if event.type != pygame.KEYDOWN:
            return self.on_other(event)
        typing = isinstance(self.focused, pygame_gui.elements.UITextEntryLine) and self.focused.is_focused
        function_key = pygame.K_F1 <= event.key <= pygame.K_F12
        if typing and not function_key and event.key not in (pygame.K_TAB, pygame.K_ESCAPE, pygame.K_DOWN, pygame.K_UP):
            return None  # the entry handles the key itself (Enter arrives as UI_TEXT_ENTRY_FINISHED)
        handled, nxt = self.on_key(event)
        if handled:
            return nxt
        for c in self._controls:
            if c.key is not None and c.key == event.key and c.element.is_enabled and c.action is not None:
                self.focus_on(c.element)
                return c.action()
        if event.key == pygame.K_ESCAPE:
            return self.back()
        shift = event.mod & pygame.KMOD_SHIFT
        if event.key == pygame.K_TAB:
            self._move_focus(-1 if shift else 1)
        elif self.arrows_navigate and event.key in _NAV_NEXT:
            self._move_focus(1)
        elif self.arrows_navigate and event.key in _NAV_PREV:
            self._move_focus(-1)
        elif event.key in _PRESS and self._controls:
            c = self._controls[self._focus]
            if c.action is not None and c.element.is_enabled:
                return c.action()
        return None

    def on_key(self, event: pygame.event.Event) -> tuple[bool, "Scene | None"]:
        """Keys the scene handles before the buttons do; return (handled, next scene)."""
        return False, None

    def on_other(self, event: pygame.event.Event) -> "Scene | None":
        """Mouse and other non-key events."""
        return None

    def back(self) -> "Scene | None":
        """Where Esc leads: the course or the scene it was opened from, else the home screen."""
        if isinstance(self.return_to, Scene):
            return self.return_to
        if self.return_to == "course":
            from rescue_signals.app.scenes.course import CourseScene

            return CourseScene(self.app)
        from rescue_signals.app.scenes.home import HomeScene

        return HomeScene(self.app)

    def update(self, dt_s: float) -> "Scene | None":
        return None

    def animating(self) -> bool:
        """Something on screen moves or is timed by itself (besides a sound playing, which the loop sees): then
        the loop runs at the full frame rate; otherwise it sleeps until an event arrives."""
        return False

    # -- drawing ------------------------------------------------------------------------------------------------
    def content_rect(self) -> pygame.Rect:
        w, h = self.app.size
        return pygame.Rect(MARGIN_PX, HEADER_PX + 8, w - 2 * MARGIN_PX, h - HEADER_PX - FOOTER_PX - 16)

    def draw(self, surface: pygame.Surface) -> None:
        theme = self.app.theme
        surface.fill(theme.background)
        w, h = surface.get_size()
        pygame.draw.rect(surface, theme.panel, (0, 0, w, HEADER_PX))
        pygame.draw.line(surface, theme.accent, (0, HEADER_PX - 1), (w, HEADER_PX - 1), 2)
        title = self.text(self.title_key)
        draw_text(surface, title, (MARGIN_PX, 12), theme.font(30, bold=True), theme.text)
        status = self.app.status_line()
        if status:
            font = theme.font(18)
            draw_text(surface, status, (w - MARGIN_PX - 620, 8), font, theme.muted, width_px=620, align="right")
        notice = self.app.notice()
        if notice:
            font = theme.font(18)
            draw_text(surface, notice, (w - MARGIN_PX - 620, 34), font, theme.warn, width_px=620, align="right")
        hint = self.text("keys.footer") + self.footer_hint()
        draw_text(surface, hint, (MARGIN_PX, h - FOOTER_PX + 8), theme.font(17), theme.muted, width_px=w - 2 * MARGIN_PX)
        self.draw_content(surface, self.content_rect())

    def draw_alert(self, surface: pygame.Surface, text: str) -> None:
        """A records problem across the middle of the screen, over the widgets, until acknowledged."""
        theme = self.app.theme
        w, h = surface.get_size()
        box = pygame.Rect(w // 8, h // 4, w * 3 // 4, h // 2)
        draw_panel(surface, box, theme, edge=theme.bad, width_px=4)
        inner = box.inflate(-48, -48)
        y = draw_text(surface, text, inner.topleft, theme.font(24, bold=True), theme.bad, width_px=inner.width).bottom
        draw_text(surface, self.text("alert.acknowledge"), (inner.x, max(y + 18, inner.bottom - 30)), theme.font(22),
                  theme.text, width_px=inner.width)

    def draw_content(self, surface: pygame.Surface, rect: pygame.Rect) -> None:
        """The scene's own drawing under its widgets."""

    def footer_hint(self) -> str:
        return ""


def label_fits(button: pygame_gui.elements.UIButton) -> bool:
    """The button's label, with the theme's padding on both sides, fits inside it."""
    width, height = button.font.size(button.text)
    return (width + 2 * button.text_horiz_alignment_padding <= button.rect.width
            and height <= button.rect.height)


def _fit_label(button: pygame_gui.elements.UIButton, object_id) -> None:
    """Step the label down through :data:`_SMALLER_LABELS` until it fits (colours of ``object_id`` are kept)."""
    if label_fits(button):
        return
    if isinstance(object_id, pygame_gui.core.ObjectID):
        object_id = object_id.object_id
    colours = object_id if object_id != "#big" else None  # "#big" is a font size, the others are colours
    size = button.font.get_point_size()
    for class_id in _SMALLER_LABELS:
        button.change_object_id(pygame_gui.core.ObjectID(object_id=colours, class_id=class_id))
        if button.font.get_point_size() < size and label_fits(button):
            return


def column(rect: pygame.Rect, count: int, *, height_px: int, gap_px: int = 12) -> list[pygame.Rect]:
    """``count`` rectangles of ``height_px`` stacked from the top of ``rect``."""
    return [pygame.Rect(rect.x, rect.y + i * (height_px + gap_px), rect.width, height_px) for i in range(count)]


def row(rect: pygame.Rect, count: int, *, gap_px: int = 12, weights=None) -> list[pygame.Rect]:
    """``count`` rectangles side by side across ``rect``: equal, or as wide as each of ``weights`` asks in
    proportion (e.g. the width each label needs)."""
    if count <= 0:
        return []
    weights = list(weights) if weights is not None else [1] * count
    room = rect.width - gap_px * (count - 1)
    out, x = [], rect.x
    for weight in weights:
        width = int(room * weight / sum(weights))
        out.append(pygame.Rect(x, rect.y, width, rect.height))
        x += width + gap_px
    return out
