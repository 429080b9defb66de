"""The navigation bar at the top of each screen and the run status line at the bottom."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from poisontui.guard import Guarded

SCREENS = (("dataset", "1", "Dataset"), ("attack", "2", "Attack"), ("mitigations", "3", "Mitigations"),
           ("results", "4", "Results"), ("sweep", "5", "Sweep"), ("security", "6", "Security"))


class NavBar(Guarded, Static):
    """Which screen this is, and the digit that reaches each one."""

    DEFAULT_CSS = """
    NavBar { dock: top; height: 1; background: $panel; color: $text-muted; }
    """

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def render(self) -> str:
        parts = []
        for mode, key, title in SCREENS:
            if mode == self.current:
                parts.append(f"[reverse bold] {key} {title} [/]")
            else:
                parts.append(f" {key} {title} ")
        links = "│".join(parts)
        # The app's name where the line has room for it (not at 80 columns).
        plain = sum(len(f" {key} {title} ") for _, key, title in SCREENS) + len(SCREENS) - 1
        return links + ("  [dim]poisontui[/]" if self.size.width >= plain + len("  poisontui") else "")


class RunStatus(Guarded, Horizontal):
    """What the app is doing: ready, running (with progress), or showing results that are stale."""

    _behind = False  # the app's status or progress changed while this line's screen was hidden

    DEFAULT_CSS = """
    RunStatus { height: 1; background: $panel; }
    RunStatus #status-text { width: 1fr; height: 1; padding-left: 1; }
    RunStatus ProgressBar { width: 30; display: none; }
    RunStatus.-running ProgressBar { display: block; }
    """

    def compose(self) -> ComposeResult:
        # The progress bar, three widgets, joins after the screen's first paint (it shows only while running).
        yield Static("", id="status-text")

    def on_mount(self) -> None:
        self.watch(self.app, "status", self._refresh_status)
        self.watch(self.app, "progress", self._refresh_progress)
        self.call_after_refresh(self._add_bar)

    def _add_bar(self) -> None:
        from textual.widgets import ProgressBar

        if self.is_attached and not self.query(ProgressBar):
            self.mount(ProgressBar(total=1, show_eta=False, show_percentage=True))
            self.call_after_refresh(self._refresh_progress, self.app.progress)

    def _refresh_status(self, text: str) -> None:
        if self._hidden():
            return
        # One line of fixed size: a new text needs no layout of the screen (a full repaint, 10 a second).
        self.query_one("#status-text", Static).update(text, layout=False)
        self.set_class(bool(getattr(self.app, "running", False)), "-running")

    def _hidden(self) -> bool:
        """Whether this line's screen is hidden; it then catches up when shown (`catch_up`). Six
        screens each redrawing their line, and restyling it as a run starts, cost 30-50 ms at once."""
        hidden = not self.screen.is_current
        self._behind = self._behind or hidden
        return hidden

    def catch_up(self) -> None:
        """Show the app's status and progress, if they changed while the screen was hidden."""
        if self._behind:
            self._behind = False
            self._refresh_status(self.app.status)
            self._refresh_progress(self.app.progress)

    def _refresh_progress(self, progress: tuple[float, int]) -> None:
        if self._hidden():
            return
        done, total = progress
        from textual.widgets import ProgressBar

        for bar in self.query(ProgressBar).results(ProgressBar):
            bar.update(total=max(total, 1), progress=done)
