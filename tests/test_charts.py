"""A chart asked to draw what it shows already does not plot it again."""

import numpy as np
from textual.app import App

from poisontui.widgets.charts import LineChart, ScatterChart, Series


class ChartApp(App):
    def compose(self):
        yield ScatterChart(id="scatter")
        yield LineChart(id="lines")


def count_renders(monkeypatch, cls):
    renders = []
    render = cls.render
    monkeypatch.setattr(cls, "render", lambda self: (renders.append(self.id), render(self))[1])
    return renders


def series(shift: float = 0.0) -> list[Series]:
    xs = np.arange(20, dtype=float)
    return [Series("a", xs, xs * 0.5 + shift, "o", "blue"), Series("b", xs, -xs, "x", "green")]


async def test_the_same_draw_is_not_plotted_again_and_a_changed_one_is(monkeypatch):
    renders = count_renders(monkeypatch, ScatterChart)
    app = ChartApp()
    async with app.run_test(size=(60, 30)) as pilot:
        chart = app.query_one("#scatter", ScatterChart)
        chart.draw("rows", series(), "x, y")
        await pilot.pause()
        drawn = len(renders)
        assert drawn >= 1
        chart.draw("rows", series(), "x, y")  # equal arrays, new objects
        await pilot.pause()
        assert len(renders) == drawn
        chart.draw("rows", series(shift=1e-9), "x, y")  # one value differs
        await pilot.pause()
        assert len(renders) == drawn + 1
        chart.blank("nothing")
        await pilot.pause()
        chart.blank("nothing")
        await pilot.pause()
        assert len(renders) == drawn + 2
        chart.draw("rows", series(shift=1e-9), "x, y")  # after a blank, the same draw shows again
        await pilot.pause()
        assert len(renders) == drawn + 3 and chart.caption == "rows"


async def test_a_line_chart_redraws_when_a_mean_or_its_spread_changes(monkeypatch):
    renders = count_renders(monkeypatch, LineChart)
    app = ChartApp()
    async with app.run_test(size=(60, 30)) as pilot:
        chart = app.query_one("#lines", LineChart)
        lines = [("clean", [0.0, 0.1], [0.9, 0.9], [0.0, 0.0])]
        chart.draw("accuracy", lines, "ratio")
        await pilot.pause()
        drawn = len(renders)
        chart.draw("accuracy", [("clean", [0.0, 0.1], [0.9, 0.9], [0.0, 0.0])], "ratio")
        await pilot.pause()
        assert len(renders) == drawn
        chart.draw("accuracy", [("clean", [0.0, 0.1], [0.9, 0.9], [0.0, 0.01])], "ratio")
        await pilot.pause()
        assert len(renders) == drawn + 1


def test_every_line_of_a_sweep_chart_has_its_own_marker():
    from poisontui.engine.mitigations import MITIGATIONS
    from poisontui.report import MARKERS, POISONED_MARKER

    lines = 2 + len(MITIGATIONS)  # clean, poisoned and every mitigation
    assert len(set(MARKERS)) == len(MARKERS) >= lines and POISONED_MARKER not in MARKERS


def test_one_feature_is_one_feature():
    from types import SimpleNamespace

    from poisontui.screens.dataset import summary_text

    data = SimpleNamespace(synthetic=False, class_counts=lambda: {"a": 3, "b": 2}, description="a file",
                           y=[0] * 5, n_classes=2, report=None)
    one = SimpleNamespace(feature_names=["x"], y_train=[0] * 4, y_test=[0])
    assert "5 rows · 1 feature · 2 classes" in summary_text(data, one, "f.csv").plain
    two = SimpleNamespace(feature_names=["x", "y"], y_train=[0] * 4, y_test=[0])
    assert "5 rows · 2 features · 2 classes" in summary_text(data, two, "f.csv").plain
