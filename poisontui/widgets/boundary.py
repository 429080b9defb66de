"""Decision regions drawn in terminal cells: the clean model's regions, another model's boundary, the rows.

The clean model's regions are filled with a light character per class, the other model's boundary
is a line of dots, where the two models decide differently is shaded, and the training rows are
drawn on top with their class's marker, reversed where poisoned. Every mark has a shape as well as
a colour, so the view reads in 16 colours and in monochrome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from poisontui.guard import Guarded
from poisontui.report import MARKERS

FILLS = (" ", "·", ":", "'", ",", "-", "_", "`", "^", ";")
"""One per class: the clean model's region; none is a row's marker."""
MOVED = "░"
LINE = "•"
COLORS = ("blue", "green", "cyan", "magenta", "dark_orange", "yellow", "grey50", "white", "blue", "green")
"""The charts' class colours (`widgets.charts.CLASS_COLORS`) as Rich names."""


@dataclass
class Scene:
    """What the view draws: the regions of `name` against the clean model's, over labelled rows."""

    boundary: Any  # engine.boundary.Boundary
    y: np.ndarray
    poisoned: np.ndarray
    class_names: list[str]
    name: str


def scene_of(result, name: str) -> Scene | None:
    """The view of `name` in a result, or None where the run kept no regions."""
    if result.boundary is None or name not in result.boundary.regions:
        return None
    return Scene(result.boundary, result.poisoned.y, result.poisoned.mask, result.data.class_names, name)


def cells(scene: Scene, width: int, height: int) -> list[list[tuple[str, Style]]]:
    """The canvas: `height` rows of `width` (character, style) cells, top row first."""
    from poisontui.engine.projection import thin

    b = scene.boundary
    nx, ny = len(b.xs), len(b.ys)
    # Each cell shows the grid point nearest its centre; the top row is the top of the view.
    gx = np.rint((np.arange(width) + 0.5) / width * (nx - 1)).astype(int)
    gy = np.rint((1 - (np.arange(height) + 0.5) / height) * (ny - 1)).astype(int)
    clean = b.regions["clean"][np.ix_(gy, gx)]
    other = b.regions[scene.name][np.ix_(gy, gx)]
    edge = np.zeros(other.shape, dtype=bool)
    edge[:, :-1] |= other[:, :-1] != other[:, 1:]
    edge[:-1, :] |= other[:-1, :] != other[1:, :]

    # Rows into cells, at most one in four cells so the regions show between them; poisoned rows are
    # placed last, so a cell holding one shows it.
    keep = thin(len(scene.y), max(width * height // 4, 1))
    xy, y, mask = b.coords[keep], scene.y[keep], scene.poisoned[keep]
    order = np.argsort(mask, kind="stable")
    xy, y, mask = xy[order], y[order], mask[order]
    (x0, x1), (y0, y1) = (b.xs[0], b.xs[-1]), (b.ys[0], b.ys[-1])
    col = np.clip(((xy[:, 0] - x0) / (x1 - x0) * width).astype(int), 0, width - 1)
    row = np.clip(((y1 - xy[:, 1]) / (y1 - y0) * height).astype(int), 0, height - 1)
    marks = np.full((height, width), -1)
    reverse = np.zeros((height, width), dtype=bool)
    marks[row, col] = y
    reverse[row, col] = mask

    canvas = []
    for r in range(height):
        line = []
        for c in range(width):
            if marks[r, c] >= 0:
                k = int(marks[r, c])
                line.append((MARKERS[k % len(MARKERS)], Style(color=COLORS[k % len(COLORS)], bold=True,
                                                              reverse=bool(reverse[r, c]))))
            elif edge[r, c]:
                line.append((LINE, Style(bold=True)))
            elif clean[r, c] != other[r, c]:
                line.append((MOVED, Style(color=COLORS[int(other[r, c]) % len(COLORS)])))
            else:
                k = int(clean[r, c])
                line.append((FILLS[k % len(FILLS)], Style(color=COLORS[k % len(COLORS)], dim=True)))
        canvas.append(line)
    return canvas


def legend(scene: Scene) -> Text:
    """What each mark means, naming the classes (the user's text, never markup)."""
    names = scene.class_names
    rows = [Text.assemble((MARKERS[k % len(MARKERS)], Style(color=COLORS[k % len(COLORS)], bold=True)), " ",
                          str(name)) for k, name in enumerate(names)]
    regions = [Text.assemble(("blank" if FILLS[k % len(FILLS)] == " " else FILLS[k % len(FILLS)],
                              Style(color=COLORS[k % len(COLORS)])), " ", str(name)) for k, name in enumerate(names)]
    parts = [Text("  ").join([*rows, Text.assemble((MARKERS[1 % len(MARKERS)], Style(reverse=True)), " poisoned")]),
             Text("clean regions: ") + Text(", ").join(regions),
             Text.assemble((LINE, "bold"), f" {scene.name} boundary")]
    if scene.name != "clean":
        parts.append(Text.assemble(MOVED, f" {scene.name} decides otherwise"))
    return Text(" · ").join(parts)


class BoundaryView(Guarded, Widget):
    """The clean model's decision regions with another model's boundary over the training rows."""

    DEFAULT_CSS = "BoundaryView { height: 1fr; min-height: 12; }"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scene: Scene | None = None
        self.title = ""
        self.message = "no decision regions yet"
        self._drawn: tuple[tuple[int, int], Text] | None = None  # the last drawing of this scene, and its size

    def show(self, title: str, scene: Scene) -> None:
        self.title, self.scene, self._drawn = title, scene, None
        self.refresh()

    def blank(self, message: str) -> None:
        self.scene, self.message, self._drawn = None, message, None
        self.refresh()

    def render(self) -> Text:
        width, height = self.content_size
        if self.scene is None:
            return Text(self.message, style="dim")
        # A canvas at 200 columns takes tens of milliseconds to build: keep it until the scene or size changes.
        if self._drawn is None or self._drawn[0] != (width, height):
            self._drawn = ((width, height), self._draw(width, height))
        return self._drawn[1]

    def _draw(self, width: int, height: int) -> Text:
        console = self.app.console
        head = Text(self.title, style="bold").wrap(console, width)
        foot = (legend(self.scene) + Text("\n") + Text(self.scene.boundary.method, style="dim")).wrap(console, width)
        canvas = cells(self.scene, width, max(height - len(head) - len(foot), 3))
        out = Text("\n").join([*head, *(_runs(line) for line in canvas), *foot])
        out.no_wrap, out.overflow = True, "crop"
        return out


def _runs(line: list[tuple[str, Style]]) -> Text:
    """A canvas row as text, one span per run of equal style."""
    text = Text()
    start = 0
    for i in range(1, len(line) + 1):
        if i == len(line) or line[i][1] != line[start][1]:
            text.append("".join(char for char, _ in line[start:i]), line[start][1])
            start = i
    return text
