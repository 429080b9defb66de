"""File picker: a folder tree showing the data files poisontui reads; enter chooses one."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Static

from poisontui.guard import ClosesOnce, Guarded

DATA_SUFFIXES = {".csv", ".tsv", ".tab", ".txt", ".dat", ".json", ".jsonl", ".ndjson", ".parquet", ".pq"}
COMPRESSED = {".gz", ".bz2", ".xz"}


def is_data_file(path: Path) -> bool:
    """A file poisontui can read, by its name: a.csv, a.csv.gz, a.parquet, a.zip and the like."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-1:] == [".zip"]:
        return True
    if suffixes[-1:] and suffixes[-1] in COMPRESSED:
        suffixes = suffixes[:-1]
    return bool(suffixes) and suffixes[-1] in DATA_SUFFIXES


class DataTree(DirectoryTree):
    """A directory tree of folders and data files, hidden ones left out."""

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        shown = []
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                folder = path.is_dir()
            except OSError:
                continue
            if folder or is_data_file(path):
                shown.append(path)
        return shown


class FilePickerScreen(ClosesOnce, Guarded, ModalScreen[str | None]):
    """Returns the chosen file's path, or None when closed."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close", id="files.close"),
        Binding("backspace", "parent", "Parent folder", id="files.parent"),
    ]
    AUTO_FOCUS = "#files-tree"
    DEFAULT_CSS = """
    FilePickerScreen { align: center middle; }
    FilePickerScreen > Vertical { width: 76; max-width: 100%; height: 80%; border: round $accent;
                                  background: $surface; padding: 0 1; }
    FilePickerScreen #files-folder { height: auto; color: $text-muted; }
    FilePickerScreen DataTree { height: 1fr; }
    """

    def __init__(self, start: str | Path | None = None) -> None:
        super().__init__()
        folder = Path(start).expanduser() if start else Path.cwd()
        while not folder.is_dir() and folder != folder.parent:
            folder = folder.parent
        self.folder = folder.resolve()

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text.from_markup("[b]Choose a data file[/]: CSV, TSV, JSON lines or Parquet, also .gz or .zip"))
            yield Static("enter opens a folder or chooses a file; backspace: the parent folder; escape closes",
                         classes="hint")
            yield Static(Text(str(self.folder)), id="files-folder")
            yield DataTree(self.folder, id="files-tree")

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.dismiss(str(event.path))

    def action_parent(self) -> None:
        if self.folder.parent != self.folder:
            self.folder = self.folder.parent
            self.query_one(DataTree).path = self.folder
            self.query_one("#files-folder", Static).update(Text(str(self.folder)))
