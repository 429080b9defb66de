"""What every main screen shares: the navigation bar, the run status line and the footer."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.events import ScreenResume
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from poisontui.guard import Guarded
from poisontui.widgets.status import NavBar, RunStatus

if TYPE_CHECKING:
    from poisontui.app import PoisonApp


def inputs_of(app: "PoisonApp", leave_out: tuple[str, ...]) -> tuple:
    """The settings a preview is computed from (all but `leave_out`), and the count of data loads: when
    they are unchanged, so is the preview, and a screen shown again need not compute it anew."""
    config = app.config.to_dict()
    return app.data_loads, json.dumps({k: v for k, v in config.items() if k not in leave_out}, sort_keys=True)


class StylesKept:
    """A mixin for a screen shown again and again: it is restyled on showing only if something its
    styles depend on changed while it was hidden.

    Textual restyles the whole screen each time it is shown (over 100 ms for a form of 200 widgets on
    2 cores). Nothing a screen's styles depend on changes while it is hidden unless the app's state for
    styles does: a widget's own class change restyles it at once. (Textual calls this class's handler
    as well as a subclass's, and before its own, which does the restyle.)
    """

    _styled_for = None

    def on_screen_suspend(self) -> None:
        self._styled_for = self.app.style_state

    def on_screen_resume(self, event: ScreenResume) -> None:
        if self._styled_for == self.app.style_state:
            event.refresh_styles = False


class PoisonScreen(Guarded, StylesKept, Screen):
    """A main screen. Subclasses give `MODE` and `compose_body`, and refresh in `sync`."""

    MODE = ""
    DEFAULT_CSS = """
    PoisonScreen #footer-slot { dock: bottom; height: 1; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Each widget is styled as it is mounted, so the first showing needs no restyle of the whole
        # screen, and with its width class set now, the first resize none either (each costs
        # 20-70 ms for a form on 2 cores).
        try:
            app = self.app
        except RuntimeError:  # made outside a running app (NoActiveAppError): nothing to match
            return
        self._styled_for = getattr(app, "style_state", None)
        for minimum, name in sorted(app.HORIZONTAL_BREAKPOINTS or [], reverse=True):
            if app.size.width >= minimum:
                self.add_class(name, update=False)
                break

    @property
    def poison_app(self) -> "PoisonApp":
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield NavBar(self.MODE)
        yield from self.compose_body()
        yield RunStatus()
        # The footer is a widget per key: it replaces this blank line after the screen's first paint.
        yield Static("", id="footer-slot")

    def compose_body(self) -> ComposeResult:
        raise NotImplementedError

    def _on_mount(self) -> None:
        self.call_after_refresh(self._add_footer)

    async def _add_footer(self) -> None:
        if not self.is_attached:  # the app quit before this screen's first paint was over
            return
        from poisontui.widgets.footer import KeyFooter

        await self.mount(KeyFooter(compact=True, show_command_palette=False))
        await self.query_one("#footer-slot").remove()
        # The footer shows keys once the screen's bindings change; they may have settled before it came.
        self.refresh_bindings()

    def on_screen_resume(self) -> None:
        for status in self.query(RunStatus).results(RunStatus):
            status.catch_up()
        self.sync()

    def sync(self) -> None:
        """Show the app's current settings (another screen may have changed them)."""

    def commit_fields(self) -> tuple[Widget, str] | None:
        """Take what the user typed in this screen's fields; the first field with no valid value, and why."""
        from poisontui.widgets.params import ParamForm

        for form in self.query(ParamForm):
            problem = form.commit()
            if problem is not None:
                return problem
        return None
