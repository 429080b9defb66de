"""plotext charts inside the terminal: a 2-D scatter of the data and bars of the results.

Markers differ as well as colours, so the charts read in 16 colours and in monochrome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from textual_plotext import PlotextPlot

from poisontui.guard import Guarded
from poisontui.report import MARKERS as CLASS_MARKERS

CLASS_COLORS = ("blue", "green", "cyan", "magenta", "orange", "yellow", "gray", "white", "blue", "green")


@dataclass
class Series:
    label: str
    xs: Sequence[float]
    ys: Sequence[float]
    marker: str
    color: str


def class_series(coords, y, class_names, poisoned=None) -> list[Series]:
    """Rows by class, thinned to a plottable number; rows in the `poisoned` mask as their own X series."""
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
        series.append(Series("poisoned (X)", coords[mask, 0], coords[mask, 1], "X", "red"))
    return series


class Chart(Guarded, PlotextPlot):
    """A plotext plot that can also show just a message."""

    def blank(self, message: str) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.title(message)
        self.refresh()


class ScatterChart(Chart):
    """A 2-D scatter of labelled series; `draw` replaces what is shown."""

    DEFAULT_CSS = "ScatterChart { height: 1fr; min-height: 8; }"

    def draw(self, title: str, series: list[Series], axes: str = "") -> None:
        plt = self.plt
        plt.clear_figure()
        plt.title(title)
        for s in series:
            if len(s.xs):
                plt.scatter(list(s.xs), list(s.ys), marker=s.marker, color=s.color, label=s.label)
        if axes:
            plt.xlabel(axes)
        self.refresh()


class BarChart(Chart):
    """Horizontal bars, one per name, on a 0..1 axis, tallest first."""

    DEFAULT_CSS = "BarChart { height: 12; min-height: 8; }"

    def draw(self, title: str, names: list[str], values: list[float], marker: str = "sd",
             color: str = "blue") -> None:
        plt = self.plt
        plt.clear_figure()
        plt.title(title)
        # plotext puts the first bar at the bottom; reverse so the chart reads in table order.
        plt.bar(names[::-1], values[::-1], orientation="horizontal", width=0.5, marker=marker, color=color)
        plt.xlim(0, 1)
        # Two text rows per bar, plus the title, frame and ticks.
        self.styles.height = 2 * len(names) + 4
        self.refresh()


class LineChart(Chart):
    """Mean lines against a shared x axis, with error bars for the spread."""

    DEFAULT_CSS = "LineChart { height: 1fr; min-height: 10; }"

    def draw(self, title: str, lines: list[tuple[str, list[float], list[float], list[float]]],
             xlabel: str = "", ylim: tuple[float, float] | None = (0.0, 1.0)) -> None:
        """`lines` holds (label, xs, means, stds); each line gets its own marker."""
        plt = self.plt
        plt.clear_figure()
        plt.title(title)
        for i, (label, xs, means, stds) in enumerate(lines):
            marker, color = CLASS_MARKERS[i % len(CLASS_MARKERS)], CLASS_COLORS[i % len(CLASS_COLORS)]
            plt.plot(xs, means, marker=marker, color=color, label=label)
            if any(stds):
                plt.error(xs, means, yerr=stds, color=color)
        if xlabel:
            plt.xlabel(xlabel)
        if ylim is not None:
            plt.ylim(*ylim)
        self.refresh()
