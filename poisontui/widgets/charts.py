"""plotext charts inside the terminal: a 2-D scatter of the data and bars of the results.

Markers differ as well as colours, so the charts read in 16 colours and in monochrome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from textual_plotext import PlotextPlot

CLASS_MARKERS = ("o", "x", "+", "*", "#", "%", "@", "=", "~", "$")
CLASS_COLORS = ("blue", "green", "cyan", "magenta", "orange", "yellow", "gray", "white", "blue", "green")


@dataclass
class Series:
    label: str
    xs: Sequence[float]
    ys: Sequence[float]
    marker: str
    color: str


class Chart(PlotextPlot):
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
