"""A titled pane whose frame lights up when it (or a field in it) has focus, and that can fill the screen."""

from __future__ import annotations

from textual.containers import Vertical

from poisontui.guard import Guarded


class Panel(Guarded, Vertical):
    """A pane with its key in its title: "charts (g)". The focused pane's frame turns heavy and bright,
    so it shows in monochrome too."""

    ALLOW_MAXIMIZE = True
    DEFAULT_CSS = """
    Panel {
        height: auto;
        border: round $panel-lighten-2;
        border-title-color: $text-muted;
        padding: 0 1;
    }
    Panel:focus, Panel:focus-within {
        border: heavy $accent;
        border-title-color: $accent;
        border-title-style: bold reverse;
    }
    Panel.-maximized { height: 1fr; width: 1fr; }
    """

    def __init__(self, *children, title: str, key: str, focusable: bool = True, **kwargs) -> None:
        super().__init__(*children, **kwargs)
        self.border_title = f"{title} ({key})"
        self.can_focus = focusable
