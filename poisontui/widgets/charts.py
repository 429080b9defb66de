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


class ScatterChart(PlotextPlot):
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

    def blank(self, message: str) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.title(message)
        self.refresh()


class BarChart(PlotextPlot):
    """Horizontal bars per variant, one or two measures side by side, on a 0..1 axis."""

    DEFAULT_CSS = "BarChart { height: 1fr; min-height: 8; }"

    def draw(self, title: str, names: list[str], measures: dict[str, list[float]]) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.title(title)
        labels = list(measures)
        values = [measures[label] for label in labels]
        if len(values) == 1:
            plt.bar(names, values[0], orientation="horizontal", width=0.4, color="blue", label=labels[0])
        else:
            plt.multiple_bar(names, values, orientation="horizontal", width=0.4, labels=labels,
                             color=["blue", "orange"][: len(values)])
        plt.xlim(0, 1)
        self.refresh()
