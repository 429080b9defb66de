"""Help screen: every key of the screen underneath, read from its bindings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from poisontui.guard import Guarded

MOVING = [
    ("tab / shift+tab", "move between fields"),
    ("up / down", "move in a list or table"),
    ("enter / space", "choose, toggle, open a drop-down"),
    ("+ / - (or left/right)", "step the focused number"),
    ("ctrl+p", "command palette: screens, presets, run"),
]


class HelpScreen(Guarded, ModalScreen):
    """Lists the keys active on `under`, from the bindings themselves."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 78; max-width: 100%; height: auto; max-height: 100%;
                            border: round $accent; background: $surface; padding: 0 1; }
    HelpScreen DataTable { height: auto; max-height: 18; }
    """

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("[b]Keys[/] (escape closes)")
            yield DataTable(show_cursor=False, zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("key", "does")
        seen = set()
        for key, active in self.under.active_bindings.items():
            binding = active.binding
            if active.node is not self.app and active.node is not self.under:
                continue  # a focused widget's own keys (scrolling and such) are listed below
            label = binding.tooltip or binding.description
            if (label, binding.action) in seen or not binding.description:
                continue
            seen.add((label, binding.action))
            shown = self.app.get_key_display(binding)
            table.add_row(shown, label + ("" if active.enabled else " (not now)"))
        for keys, does in MOVING:
            table.add_row(keys, does)
