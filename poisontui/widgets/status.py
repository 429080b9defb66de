"""The navigation bar at the top of each screen and the run status line at the bottom."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Footer, ProgressBar, Static

from poisontui.guard import Guarded

SCREENS = (("dataset", "1", "Dataset"), ("attack", "2", "Attack"), ("mitigations", "3", "Mitigations"),
           ("results", "4", "Results"), ("sweep", "5", "Sweep"))


class NavBar(Guarded, Static):
    """Which screen this is, and the digit that reaches each one."""

    DEFAULT_CSS = """
    NavBar { height: 1; background: $panel; color: $text-muted; }
    """

    def __init__(self, current: str) -> None:
        super().__init__(self._text(current))

    @staticmethod
    def _text(current: str) -> str:
        parts = []
        for mode, key, title in SCREENS:
            if mode == current:
                parts.append(f"[reverse bold] {key} {title} [/]")
            else:
                parts.append(f" {key} {title} ")
        return "│".join(parts) + "  [dim]poisontui[/]"


class KeyFooter(Footer):
    """Textual's footer, rebuilt only when the keys it shows change, and without its leak.

    Textual's footer rebuilds its keys whenever the focus or the bindings change, several times a
    run. Each key it builds binds itself to the footer's `compact` setting, and Textual drops such
    bindings of removed widgets only when that setting changes, which it never does: every key ever
    built stayed alive. Touching the setting after a rebuild lets them go, and not rebuilding the
    same keys spares the churn (and the render caches each new key fills).
    """

    _shown: list | None = None

    def _keys(self) -> list:
        return [(key, active.binding.description, active.enabled, active.binding.tooltip)
                for key, active in self.screen.active_bindings.items() if active.binding.show]

    async def recompose(self) -> None:
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await super().recompose()
        self.mutate_reactive(Footer.compact)


class RunStatus(Guarded, Horizontal):
    """What the app is doing: ready, running (with progress), or showing results that are stale."""

    DEFAULT_CSS = """
    RunStatus { height: 1; background: $panel; }
    RunStatus #status-text { width: 1fr; padding-left: 1; }
    RunStatus ProgressBar { width: 30; display: none; }
    RunStatus.-running ProgressBar { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="status-text")
        yield ProgressBar(total=1, show_eta=False, show_percentage=True)

    def on_mount(self) -> None:
        self.watch(self.app, "status", self._refresh_status)
        self.watch(self.app, "progress", self._refresh_progress)

    def _refresh_status(self, text: str) -> None:
        self.query_one("#status-text", Static).update(text)
        self.set_class(bool(getattr(self.app, "running", False)), "-running")

    def _refresh_progress(self, progress: tuple[int, int]) -> None:
        done, total = progress
        bar = self.query_one(ProgressBar)
        bar.update(total=max(total, 1), progress=done)
