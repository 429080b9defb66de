"""Results screen: the side-by-side table, a bar chart, and one variant's confusion and detections."""

from __future__ import annotations

import numpy as np
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from poisontui.engine.story import story as tell
from poisontui.report import LEGEND, fit_columns, fmt, headline, mean_of, notes, one_line, pair, percent
from poisontui.report import POISONED_MARKER
from poisontui.screens.base import PoisonScreen
from poisontui.widgets.charts import BarChart, ScatterChart, Series
from poisontui.widgets.panel import Panel
from poisontui.widgets.story import StoryLine
from poisontui.widgets.text import update_in_place


def confusion_table(result, name: str) -> Table:
    row = result.row(name)
    # Class names come from the user's file: text, never markup.
    names = [Text(str(n)[:9]) for n in result.data.class_names]
    table = Table(title=Text(f"{name}: rows true, columns predicted"), title_justify="left", pad_edge=False,
                  box=None, padding=(0, 1))
    table.add_column("")
    for n in names:
        table.add_column(n, justify="right")
    for label, counts in zip(names, row["confusion"]):
        table.add_row(label, *(str(c) for c in counts))
    return table


def detection_series(result, coords, name: str) -> tuple[str, list[Series]]:
    from poisontui.engine.projection import thin

    keep = thin(len(result.poisoned.y))
    xy, mask = coords[keep], result.poisoned.mask[keep]
    if name not in result.flagged:
        return (f"{name} flags no rows", [
            Series("clean", xy[~mask, 0], xy[~mask, 1], ".", "gray"),
            Series("poisoned", xy[mask, 0], xy[mask, 1], POISONED_MARKER, "red"),
        ])
    flagged = result.flagged[name][keep]
    groups = [
        ("clean, kept", ~mask & ~flagged, ".", "gray"),
        ("clean, flagged", ~mask & flagged, "?", "yellow"),
        ("poisoned, missed", mask & ~flagged, "!", "red"),
        ("poisoned, caught", mask & flagged, "#", "green"),
    ]
    return (f"what {name} flagged", [Series(label, xy[g, 0], xy[g, 1], m, c) for label, g, m, c in groups])


def spreads(result, metric: str) -> list[float | None] | None:
    """Each row's sd of `metric` over seeds, for the charts' whiskers; None for a run on one seed."""
    if not result.seeds or len(result.seeds) < 2:
        return None
    return [r.get(f"{metric}_std") for r in result.rows]


class ResultsScreen(PoisonScreen):
    MODE = "results"
    HELP_KEYS = [("up / down", "choose the variant whose confusion matrix and detections are shown")]
    BINDINGS = [
        # Each pane's title shows its key; the table's stays out of the footer, so the footer fits 80 columns.
        Binding("t", "panel('results-table')", "Table", id="results.table", show=False,
                tooltip="Focus the results table"),
        Binding("g", "panel('charts-panel')", "Charts", id="results.charts", tooltip="Focus the charts"),
        Binding("c", "panel('confusion-panel')", "Confusion", id="results.confusion",
                tooltip="Focus the confusion matrix of the row under the cursor"),
        Binding("v", "panel('view-panel')", "2-D", id="results.view",
                tooltip="Focus the 2-D view of what the row under the cursor flagged"),
        Binding("z", "zoom", "Zoom", id="results.zoom",
                tooltip="Fill the screen with the focused panel, or put it back (escape too)"),
    ]
    # A maximized panel keeps the navigation bar, the status line and the keys in view.
    ALLOW_IN_MAXIMIZED_VIEW = "NavBar, RunStatus, KeyFooter"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(classes="body", id="results-body", can_focus=False):
            yield StoryLine(id="results-story")
            yield Static("", id="results-headline")
            with Horizontal(id="results-row"):
                with Vertical(id="results-left"):
                    with Panel(title="table", key="t", focusable=False, id="table-panel"):
                        yield DataTable(id="results-table", cursor_type="row", zebra_stripes=True, header_height=2)
                        yield Static("", id="results-detail", classes="hint")
                        yield Static("", id="results-notes", markup=False)
                        with Vertical(id="compare"):
                            yield Static("", id="compare-labels")
                            yield DataTable(id="compare-table", cursor_type="row", zebra_stripes=True,
                                            header_height=2)
                    with Panel(title="confusion", key="c", id="confusion-panel"):
                        yield Static("", id="confusion")
                with Panel(title="charts", key="g", id="charts-panel"):
                    with Horizontal(id="results-charts"):
                        yield BarChart(id="results-chart")
                        yield BarChart(id="focus-chart")
                        yield BarChart(id="certified-chart")
                with Panel(title="2-D view", key="v", id="view-panel"):
                    # The decision boundary of the row under the cursor goes here, beside what it flagged.
                    yield Vertical(id="boundary-panel")
                    yield ScatterChart(id="detection-view")
            yield Static(LEGEND, id="results-legend", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#results-table", DataTable).focus()

    def action_panel(self, target: str) -> None:
        """Focus a panel (or the table) and bring it into view; a maximized panel gives way to it."""
        widget = self.query_one(f"#{target}")
        if self.maximized is not None and self.maximized is not widget:
            self.minimize()
        widget.focus()
        self.call_after_refresh(self.query_one("#results-body").scroll_to_widget, widget.parent
                                if target == "results-table" else widget, animate=False, top=True)

    def action_zoom(self) -> None:
        """Maximize the panel that holds the focus, or restore it."""
        if self.maximized is not None:
            self.minimize()
            return
        focused = self.focused
        panel = next((node for node in (focused, *(focused.ancestors if focused else ()))
                      if isinstance(node, Panel)), None)
        if panel is None:
            self.notify("Focus a panel first: t, g, c or v.")
            return
        self.maximize(panel, container=False)

    def on_resize(self) -> None:
        # The table's columns and the story's type size follow the terminal's size.
        if getattr(self, "_shown", None) is not None:
            self.call_after_refresh(self._fill_table, self._shown)
        self.query_one(StoryLine).fit(self.app.size.width, self.app.size.height)

    def sync(self) -> None:
        app = self.poison_app
        result = app.result
        table = self.query_one("#results-table", DataTable)
        table.clear(columns=True)
        story = self.query_one(StoryLine)
        if result is None:
            self._shown = None
            story.show(None)
            update_in_place(
                self.query_one("#results-headline", Static),
                "No results yet. Press [b]r[/] to train on clean and poisoned data and with each mitigation on."
            )
            self.query_one("#results-chart", BarChart).blank("no results yet")
            self.query_one("#focus-chart", BarChart).display = False
            self.query_one("#certified-chart", BarChart).display = False
            update_in_place(self.query_one("#results-notes", Static), "")
            self.query_one("#results-detail", Static).display = False
            self.query_one("#detection-view", ScatterChart).blank("")
            update_in_place(self.query_one("#confusion", Static), "")
            return
        if result is not getattr(self, "_shown", None):
            # A new result starts at its story and table, wherever the last one was scrolled to.
            self._shown = result
            self.query_one("#results-body").scroll_home(animate=False)
        story.show(tell(result))
        text = Text("\n".join(headline(result)))  # names and class names are the user's: text, not markup
        if app.stale:
            text = Text.assemble((" STALE ", "bold reverse"), " settings changed since this run; ", ("r", "bold"),
                                 " runs again\n", text)
        update_in_place(self.query_one("#results-headline", Static), text)
        self._fill_table(result)
        update_in_place(self.query_one("#results-notes", Static), "\n".join(notes(result)))
        self._draw_charts(result)
        self._show_pins(result)
        start = result.best or "poisoned"
        table.move_cursor(row=table.get_row_index(start))
        table.focus()
        self._show_variant(start)

    def _fill_table(self, result) -> None:
        """The columns that fit the table's pane; the others go to the detail line of the row under the cursor."""
        if result is not self.poison_app.result:
            return
        table = self.query_one("#results-table", DataTable)
        pane = self.query_one("#table-panel")
        # Before the first layout the pane has no size: the screen's width, less frames and scrollbar.
        width = pane.content_region.width or (self.app.size.width - 8)
        columns, self._rest = fit_columns(result, width)
        shown = [header for header, _, _ in columns]
        if shown == getattr(self, "_columns", None) and table.row_count == len(result.rows):
            return
        self._columns = shown
        cursor = table.cursor_row
        table.clear(columns=True)
        for header, justify, _ in columns:
            table.add_column(Text(header), key=header)
        for row in result.rows:
            cells = [cell(row) for _, _, cell in columns]
            table.add_row(Text(cells[0]), *cells[1:], key=row["name"])
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
            self._show_detail(result.rows[table.cursor_row]["name"])

    def _show_pins(self, result) -> None:
        """Pinned results beside the current one: accuracy, recovered share and detection, per variant."""
        from poisontui.engine.compare import compare_rows, config_diff

        pins = self.poison_app.pins
        section = self.query_one("#compare")
        section.display = bool(pins)
        if not pins:
            return
        labels = []
        for i, pin in enumerate(pins, 1):
            changes = config_diff(pin.config, result.config)
            what = "; ".join(changes) if changes else "same settings"
            labels.append(Text.assemble((f"pin {i}", "bold"), f" ({pin.poisoned.count} poisoned): ", what,
                                        (" (pin -> now)", "dim")))
        update_in_place(self.query_one("#compare-labels", Static), Text("\n").join(labels))
        table = self.query_one("#compare-table", DataTable)
        table.clear(columns=True)
        table.add_column("variant", key="variant")
        compared = [compare_rows(pin.rows, result.rows) for pin in pins]
        for i in range(1, len(pins) + 1):
            for header in ("acc", "recov", "P/R"):
                table.add_column(f"pin {i}\n{header}")
        for header in ("acc", "recov", "P/R"):
            table.add_column(f"now\n{header}")
        for i in range(1, len(pins) + 1):
            table.add_column(f"acc now\n-pin {i}")
        # Pins may hold different variants: a row for each one any of them has, blanks where one lacks it.
        by_name = [{entry["name"]: entry for entry in rows} for rows in compared]
        names = list(dict.fromkeys(name for entries in by_name for name in entries))
        current = {row["name"]: row for row in result.rows}
        for name in names:
            cells = [Text(name)]
            per_pin = [entries.get(name, {}) for entries in by_name]
            for entry in per_pin:
                cells += [fmt(entry.get("accuracy_pinned")), percent(entry.get("recovered_pinned")),
                          pair(entry.get("detection_precision_pinned"), entry.get("detection_recall_pinned"))]
            now = current.get(name, {})
            cells += [fmt(now.get("accuracy")), percent(now.get("recovered")),
                      pair(now.get("detection_precision"), now.get("detection_recall"))]
            cells += [fmt(entry.get("accuracy_change"), signed=True) for entry in per_pin]
            table.add_row(*cells, key=name)

    def _draw_charts(self, result) -> None:
        names = [r["name"] for r in result.rows]
        certified = self.query_one("#certified-chart", BarChart)
        curves = [r for r in result.rows if r.get("certified_accuracy") is not None]
        certified.display = bool(curves)
        if curves:
            curve = curves[0]["certified_accuracy"]
            # At most 16 bars, evenly spaced in r, so a chart of 500 partitions still fits.
            radii = sorted({int(r) for r in np.linspace(0, len(curve) - 1, min(len(curve), 16))})
            certified.draw(f"{curves[0]['name']}: certified accuracy at r poisoned rows (this attack: "
                           f"{result.changes})", [f"r={r}" for r in radii], [curve[r] for r in radii], marker="▓",
                           zoom=False)
        self.query_one("#results-chart", BarChart).draw(
            "accuracy", names, [mean_of(r, "accuracy") for r in result.rows], spreads=spreads(result, "accuracy"))
        second = self.query_one("#focus-chart", BarChart)
        if result.focus_class:
            title, key = f"{result.focus_class} recall", "focus_recall"
        elif any(r["attack_success"] is not None for r in result.rows):
            title, key = "attack success, lower is better", "attack_success"
        else:
            second.display = False
            return
        second.display = True
        # A shaded bar, so the two charts differ without colour too.
        second.draw(title, names, [mean_of(r, key) or 0.0 for r in result.rows], marker="▒", color="orange",
                    spreads=spreads(result, key))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id != "results-table":
            return
        result = self.poison_app.result
        # The event may come from the rows of the result shown before (another run's variants).
        if result is not None and any(row["name"] == event.row_key.value for row in result.rows):
            self._show_variant(str(event.row_key.value))

    def _show_detail(self, name: str) -> None:
        """The columns the table had no room for, for the row under the cursor."""
        row = self.poison_app.result.row(name)
        rest = getattr(self, "_rest", [])
        detail = Text(f"{name}: ") + Text(" · ").join(Text(f"{one_line(h)} {cell(row) or '-'}") for h, _, cell in rest)
        line = self.query_one("#results-detail", Static)
        update_in_place(line, detail)
        line.display = bool(rest)

    def _show_variant(self, name: str) -> None:
        app = self.poison_app
        result = app.result
        self._show_detail(name)
        update_in_place(self.query_one("#confusion", Static), confusion_table(result, name))
        view = self.query_one("#detection-view", ScatterChart)
        if app.result_coords is None:
            from poisontui.engine.projection import project_2d

            app.result_coords = project_2d(result.poisoned.X)
        coords, axes = app.result_coords
        title, series = detection_series(result, np.asarray(coords), name)
        view.draw(title, series, axes)

    @on(DataTable.RowHighlighted, "#results-table")
    def show_boundary(self, event: DataTable.RowHighlighted) -> None:
        """The clean model's decision regions, with the boundary of the variant under the cursor."""
        from poisontui.widgets.boundary import BoundaryView, scene_of

        panel = self.query_one("#boundary-panel")
        views = panel.query(BoundaryView)
        view = views.first() if views else BoundaryView(id="boundary-view")
        if not views:
            panel.mount(view)
        result, name = self.poison_app.result, str(event.row_key.value)
        if result is None or not any(row["name"] == name for row in result.rows):
            return  # a row of the result shown before
        scene = scene_of(result, name)
        if scene is None:
            view.blank("This result has no decision regions; r runs again to draw them.")
        elif name == "clean":
            view.show("the clean model's decision regions and boundary", scene)
        else:
            share = scene.boundary.disagreement(name)
            view.show(f"clean model's regions, {name} boundary; {share:.0%} of the view changed class", scene)
