"""plotext charts inside the terminal: a 2-D scatter of the data and bars of the results.

Markers differ as well as colours, so the charts read in 16 colours and in monochrome; legends
sit under the plot, never over the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from rich.text import Text
from textual_plotext import PlotextPlot

from poisontui.guard import Guarded
from poisontui.report import MARKERS as CLASS_MARKERS
from poisontui.report import POISONED_MARKER

CLASS_COLORS = ("blue", "green", "cyan", "magenta", "orange", "yellow", "gray", "white", "blue", "green")
# plotext colour names as Rich styles, for the legends drawn under the plots.
RICH_COLORS = {"orange": "dark_orange", "gray": "grey62"}


@dataclass
class Series:
    label: str
    xs: Sequence[float]
    ys: Sequence[float]
    marker: str
    color: str


def class_series(coords, y, class_names, poisoned=None) -> list[Series]:
    """Rows by class, thinned to a plottable number; rows in the `poisoned` mask as their own series."""
    import numpy as np

    from poisontui.engine.projection import thin

    keep = thin(len(y))
    coords, y = coords[keep], y[keep]
    mask = np.zeros(len(y), dtype=bool) if poisoned is None else poisoned[keep]
    series = [
        Series(name, coords[(y == c) & ~mask, 0], coords[(y == c) & ~mask, 1],
               CLASS_MARKERS[c % len(CLASS_MARKERS)], CLASS_COLORS[c % len(CLASS_COLORS)])
        for c, name in enumerate(class_names)
    ]
    if poisoned is not None:
        series.append(Series("poisoned", coords[mask, 0], coords[mask, 1], POISONED_MARKER, "red"))
    return series


def legend_text(entries: Sequence[tuple[str, str, str]]) -> Text:
    """`marker label` pairs, each marker in its colour; the labels are the user's text, never markup."""
    parts = []
    for marker, label, color in entries:
        parts += [(marker, f"bold {RICH_COLORS.get(color, color)}"), f" {label}   "]
    text = Text.assemble(*parts)
    text.rstrip()
    return text


def axis_range(lows: Sequence[float], highs: Sequence[float]) -> tuple[float, float]:
    """An axis on 0..1 zoomed to the data: from a twentieth below the lowest value to one above the highest.

    Bars start at the axis's left end, so a zoomed axis makes 0.865 and 0.877 look different; it
    never starts above the lowest value or ends below the highest.
    """
    low, high = min(lows), max(highs)
    pad = max((high - low) * 0.15, 0.01)
    start = max(0.0, math.floor((low - pad) * 20) / 20)
    end = min(1.0, math.ceil((high + pad) * 20) / 20)
    return round(start, 2), round(max(end, start + 0.05), 2)


def same(a, b) -> bool:
    """Whether two draws' arguments are equal, arrays element by element."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, Series):
        return same(list(vars(a).values()), list(vars(b).values()))
    if hasattr(a, "shape"):
        import numpy as np

        return bool(np.array_equal(a, b))
    return a == b


class Chart(Guarded, PlotextPlot):
    """A plotext plot with its title above and its legend (if any) below, both wrapped to the width, so
    neither is dropped on a narrow chart nor drawn over the data; it can also show just a message."""

    caption = ""
    legend: Text | None = None
    _drawn: tuple | None = None

    def repeats(self, *what) -> bool:
        """Whether `what` (a draw and its arguments) is what the chart shows already. A screen shown
        again redraws what it shows; plotting it anew would take 5-15 ms of the event loop."""
        if same(what, self._drawn):
            return True
        self._drawn = what
        return False

    def blank(self, message: str) -> None:
        if self.repeats("blank", message):
            return
        self.plt.clear_figure()
        self.caption, self.legend = message, None
        self.refresh()

    def framing(self, width: int) -> tuple[list[Text], list[Text]]:
        """The caption's lines and the legend's lines at `width` columns."""
        console = self.app.console
        top = list(Text(self.caption, style="bold").wrap(console, width)) if self.caption else []
        bottom = list(self.legend.wrap(console, width)) if self.legend else []
        return top, bottom

    def render(self):
        width, height = self.size
        if width < 1 or height < 1:
            return Text()
        top, bottom = self.framing(width)
        # The plot gives up the rows its caption and legend need, down to a few rows for itself.
        rows = max(height - len(top) - len(bottom), 4)
        self._plot.plotsize(width, rows)
        self._plot._set_size(width, rows)
        self._plot.theme(self._get_plotext_theme_name(self.app.theme))
        plot = Text.from_ansi(self._plot.build().removesuffix("\n"))
        lines = [*top, plot, *bottom]
        return Text("\n").join(lines)


class ScatterChart(Chart):
    """A 2-D scatter of labelled series; `draw` replaces what is shown."""

    DEFAULT_CSS = "ScatterChart { height: 1fr; min-height: 8; }"

    def draw(self, title: str, series: list[Series], axes: str = "") -> None:
        if self.repeats("draw", title, series, axes):
            return
        plt = self.plt
        plt.clear_figure()
        self.caption = title
        for s in series:
            if len(s.xs):
                plt.scatter(list(s.xs), list(s.ys), marker=s.marker, color=s.color)
        if axes:
            plt.xlabel(axes)
        self.legend = legend_text([(s.marker, s.label, s.color) for s in series if len(s.xs)])
        self.refresh()


class BarChart(Chart):
    """Horizontal bars, one per name in table order, each with its value and (over seeds) a whisker.

    The axis is zoomed to the data unless `zoom` is off, and the title says where it starts.
    """

    DEFAULT_CSS = "BarChart { height: 14; min-height: 8; }"

    def draw(self, title: str, names: list[str], values: list[float], marker: str = "█",
             color: str = "blue", spreads: list[float | None] | None = None, zoom: bool = True) -> None:
        if self.repeats("draw", title, names, values, marker, color, spreads, zoom):
            return
        plt = self.plt
        plt.clear_figure()
        spreads = [s or 0.0 for s in (spreads or [None] * len(values))]
        start, end = axis_range([v - s for v, s in zip(values, spreads)],
                                [v + s for v, s in zip(values, spreads)]) if zoom else (0.0, 1.0)
        if start > 0 or end < 1:
            title = f"{title} (axis zoomed to {start:.2f}-{end:.2f})"
        self.caption = title
        # One text row per bar at y = n .. 1 (table order, top down), its whisker on the row below.
        rows = list(range(len(names), 0, -1))
        for value, row in zip(values, rows):
            plt.plot([start, max(value, start)], [row, row], marker=marker, color=color)
        for value, spread, row in zip(values, spreads, rows):
            if spread:
                low, high = max(value - spread, start), min(value + spread, end)
                plt.plot([low, high], [row - 0.5] * 2, marker="─", color="red")
                plt.scatter([low], [row - 0.5], marker="├", color="red")
                plt.scatter([high], [row - 0.5], marker="┤", color="red")
        plt.yticks(rows, [f"{name} {value:.3f}" + (f"±{s:.3f}" if s else "")
                          for name, value, s in zip(names, values, spreads)])
        plt.xlim(start, end)
        plt.ylim(0.25, len(names) + 0.25)
        self.bars = len(names)
        self.legend = None
        self._fit_height()
        self.refresh()

    def _fit_height(self) -> None:
        # Two text rows per bar (bar, whisker or gap), the frame and ticks, and the caption's lines.
        top, _ = self.framing(self.size.width or 60)
        self.styles.height = 2 * getattr(self, "bars", 4) + 3 + len(top)

    def on_resize(self) -> None:
        self._fit_height()


class LineChart(Chart):
    """Mean lines against a shared x axis, with error bars for the spread."""

    DEFAULT_CSS = "LineChart { height: 1fr; min-height: 10; }"

    def draw(self, title: str, lines: list[tuple[str, list[float], list[float], list[float]]],
             xlabel: str = "", ylim: tuple[float, float] | None = (0.0, 1.0)) -> None:
        """`lines` holds (label, xs, means, stds); each line gets its own marker."""
        if self.repeats("draw", title, lines, xlabel, ylim):
            return
        plt = self.plt
        plt.clear_figure()
        self.caption = title
        entries = []
        for i, (label, xs, means, stds) in enumerate(lines):
            marker, color = CLASS_MARKERS[i % len(CLASS_MARKERS)], CLASS_COLORS[i % len(CLASS_COLORS)]
            plt.plot(xs, means, marker=marker, color=color)
            entries.append((marker, label, color))
            if any(stds):
                plt.error(xs, means, yerr=stds, color=color)
        if xlabel:
            plt.xlabel(xlabel)
        if ylim is not None:
            plt.ylim(*ylim)
        self.legend = legend_text(entries)
        self.refresh()
