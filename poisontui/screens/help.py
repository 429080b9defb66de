"""Help screen: every key of the screen underneath, read from its bindings, one row per action."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from poisontui.guard import ClosesOnce, Guarded
from poisontui.screens.base import StylesKept

# Keys of the widgets themselves (lists, tables, fields), which no screen binding describes.
MOVING = [
    ("up / down", "move in a list or table"),
    ("enter / space", "choose, toggle, open a drop-down"),
    ("+ / -", "step the focused number (left and right move the cursor)"),
    ("escape", "cancel a run; in a text field, leave it so single-letter keys work again"),
]


def key_rows(under: Screen) -> list[tuple[str, str]]:
    """(keys, what they do) for the app's and `under`'s bindings, keys of one action on one row."""
    app = under.app
    rows: dict[tuple[str, str], list] = {}
    for key, active in under.active_bindings.items():
        binding = active.binding
        if active.node is not app and active.node is not under:
            continue  # a focused widget's own keys (scrolling and such) are listed below
        if not binding.description:
            continue
        entry = rows.setdefault((binding.action, str(id(active.node))), [[], [], True])
        # The app's own bindings (they have ids) come before Textual's, and their words win, a tooltip
        # over a footer word.
        rank = (binding.id is not None, binding.tooltip is not None)
        entry[0].append((not rank[0], app.get_key_display(Binding(key, binding.action))))
        entry[1].append((rank, binding.tooltip or binding.description))
        entry[2] = entry[2] and active.enabled
    out = [(" / ".join(dict.fromkeys(key for _, key in sorted(keys, key=lambda k: k[0]))),
            max(labels, key=lambda label: label[0])[1] + ("" if enabled else " (not now)"))
           for keys, labels, enabled in rows.values()]
    shown = {part for keys, _ in out for part in keys.split(" / ")}
    extra = [*getattr(under, "HELP_KEYS", ()), *MOVING]
    out += [(keys, does) for keys, does in extra if not set(keys.split(" / ")) & shown]
    return out


class HelpScreen(ClosesOnce, Guarded, StylesKept, ModalScreen):
    """Lists the keys active on `under`, from the bindings themselves."""

    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; background: $background; }
    HelpScreen > VerticalScroll { width: 90; max-width: 100%; height: auto; max-height: 100%;
                                  border: round $accent; background: $surface; padding: 0 1; }
    HelpScreen #help-keys { height: auto; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.under: Screen | None = None
        self.rows: list[tuple[str, str]] = []

    def show_for(self, under: Screen) -> None:
        """List `under`'s keys; the screen is made once and only its table is refilled, when it changes."""
        self.under = under
        if self.is_mounted:
            self.query_one(VerticalScroll).scroll_home(animate=False)  # from its title, wherever it was left
            rows = key_rows(under)
            if rows != self.rows:
                self.query_one("#help-keys", Static).update(self._table(rows))

    def _table(self, rows: list[tuple[str, str]]) -> Table:
        self.rows = rows
        # A table whose second column wraps, so no description is cut at any width.
        table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=True)
        table.add_column("key", no_wrap=True, style="bold")
        table.add_column("does", ratio=1)
        for keys, does in rows:
            table.add_row(Text(keys), Text(does))
        return table

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("[b]Keys[/] (escape closes)")
            yield Static(self._table(key_rows(self.under)), id="help-keys")
