"""Export dialog: write the shown result or sweep as JSON, CSV or Markdown, or the screen as SVG."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from poisontui import report
from poisontui.guard import ClosesOnce, Guarded
from poisontui.widgets.params import Toggle

# The command line's extensions, and a screenshot, which only the app can take.
FORMATS_BY_SUFFIX = {**report.EXTENSIONS, ".svg": "svg"}


def export_text(choice: dict[str, Any], fmt: str, screenshot: str) -> str:
    """The text a format writes for what is shown: a result or a sweep, or the screenshot."""
    if fmt == "svg":
        return screenshot
    if choice["kind"] == "sweep":
        return report.SWEEP_FORMATS[fmt](choice["sweep"], choice["cells"])
    return report.FORMATS[fmt](choice["result"])


class ExportScreen(ClosesOnce, Guarded, ModalScreen):
    """Asks for a path; the extension picks the format; nothing is overwritten unless ticked."""

    BINDINGS = [Binding("escape", "dismiss", "Close", id="export.close")]
    AUTO_FOCUS = "#export-path"
    DEFAULT_CSS = """
    ExportScreen { align: center middle; }
    ExportScreen > Vertical { width: 70; max-width: 100%; height: auto; border: round $accent;
                              background: $surface; padding: 0 1; }
    ExportScreen #export-message { height: auto; color: $text-muted; }
    ExportScreen #export-message.-error { color: $error; }
    """

    def __init__(self, choice: dict[str, Any], screenshot: str) -> None:
        super().__init__()
        self.choice = choice
        self.screenshot = screenshot

    def compose(self) -> ComposeResult:
        what = "the sweep" if self.choice["kind"] == "sweep" else "the result"
        # Served to a browser, the file goes to the visitor as a download, never to the server's disk.
        served = self.app.is_web
        with Vertical():
            yield Static(f"[b]Export {what}[/] (enter {'downloads' if served else 'writes'}, escape closes)")
            yield Static(f"{'Name of the download' if served else 'File name'}; the extension picks the format: "
                         ".json .csv .md .txt, or .svg for a screenshot")
            yield Input(self._default_name(), id="export-path", compact=True)
            if not served:
                yield Toggle("overwrite if the file exists", id="export-overwrite", compact=True)
            yield Static("", id="export-message", markup=False)

    def _default_name(self) -> str:
        stem = "poisontui-sweep" if self.choice["kind"] == "sweep" else "poisontui-result"
        return f"{stem}.json"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.write(event.value.strip())

    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#export-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def write(self, name: str) -> None:
        from poisontui.files import write_atomic

        if not name:
            self._say("Give a file name.", error=True)
            return
        path = Path(name).expanduser()
        fmt = FORMATS_BY_SUFFIX.get(path.suffix.lower())
        if fmt is None:
            self._say(f"Unknown extension {path.suffix or '(none)'}: use .json, .csv, .md, .txt or .svg.",
                      error=True)
            return
        if fmt != "svg" and self.choice["kind"] == "result" and self.choice["result"] is None:
            self._say("No result yet: r runs the comparison, or export the screen as .svg.", error=True)
            return
        if self.app.is_web:
            self.deliver(download_name(path.name), export_text(self.choice, fmt, self.screenshot))
            return
        if path.is_dir():
            self._say(f"{path} is a folder; give a file name.", error=True)
            return
        if path.exists() and not self.query_one("#export-overwrite", Toggle).value:
            self._say(f"{path} exists; tick 'overwrite' to replace it.", error=True)
            return
        if not path.parent.exists():
            self._say(f"No such folder: {path.parent}", error=True)
            return
        try:
            write_atomic(path, export_text(self.choice, fmt, self.screenshot))
        except OSError as exc:
            self._say(f"Could not write {path}: {exc.strerror or exc}. Nothing was written.", error=True)
            return
        self.app.notify(f"Wrote {path.resolve()}", title="Exported", markup=False)
        self.dismiss()

    def deliver(self, name: str, text: str) -> None:
        """Send the export to the browser that shows the app, as a download."""
        self.app.deliver_text(io.StringIO(text), save_filename=name, open_method="download",
                              mime_type=MIME_TYPES.get(Path(name).suffix.lower()), name="export")
        self.app.notify(f"Sent {name} to your browser as a download.", title="Exported", markup=False)
        self.dismiss()


MIME_TYPES = {".json": "application/json", ".csv": "text/csv", ".md": "text/markdown", ".txt": "text/plain",
              ".svg": "image/svg+xml"}


def download_name(name: str) -> str:
    """A name safe in a download's header: letters, digits, dot, dash and underscore, at most 100."""
    stem, dot, suffix = name.rpartition(".")
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-")[:90] or "poisontui"
    return f"{safe}{dot}{suffix.lower()}"
