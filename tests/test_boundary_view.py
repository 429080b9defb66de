"""The decision-regions view: its cells, and where the app shows it (results cursor, attack preview)."""

import numpy as np
from pilot import settle
from textual.widgets import DataTable

from poisontui.app import PoisonApp
from poisontui.engine.boundary import Boundary
from poisontui.engine.experiment import Config
from poisontui.widgets.boundary import FILLS, LINE, MOVED, BoundaryView, Scene, cells


def moons_config():
    return Config.from_dict({
        "dataset": {"name": "moons", "params": {"n_samples": 300}},
        "model": {"name": "knn", "params": {}},
        "attack": {"name": "targeted-flip", "params": {"ratio": 0.4, "source": "upper", "target": "lower"}},
        "mitigations": [{"name": "knn-sanitize", "params": {}}],
    })


def test_cells_show_regions_the_other_boundary_the_shift_and_the_rows():
    xs, ys = np.linspace(0, 1, 11), np.linspace(0, 1, 5)
    gx = np.tile(xs, (len(ys), 1))
    clean = (gx > 0.5).astype(np.int16)  # class 1 right of x = 0.5
    moved = (gx > 0.25).astype(np.int16)  # the other model: right of x = 0.25
    coords = np.array([[0.05, 0.95], [0.95, 0.05]])
    boundary = Boundary(coords, "standardised features", False, 1.0, 2, xs, ys, {"clean": clean, "poisoned": moved})
    scene = Scene(boundary, np.array([0, 1]), np.array([False, True]), ["a", "b"], "poisoned")
    canvas = cells(scene, 11, 5)
    chars = ["".join(char for char, _ in row) for row in canvas]
    # Row 0 holds the class-0 row at the top left; the poisoned class-1 row is at the bottom right, reversed.
    assert chars[0][0] == "o" and not canvas[0][0][1].reverse
    assert chars[4][10] == "x" and canvas[4][10][1].reverse
    for row in chars[1:4]:
        assert row[:2] == FILLS[0] * 2  # left of both boundaries: class 0's region
        assert row[2] == LINE  # the other model's boundary
        assert set(row[3:6]) == {MOVED}  # between the two boundaries: the other model decides otherwise
        assert set(row[6:]) == {FILLS[1]}  # class 1 for both


async def test_results_show_the_boundary_of_the_row_under_the_cursor():
    app = PoisonApp(moons_config())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert app.current_mode == "results"
        view = app.screen.query_one("#boundary-view", BoundaryView)
        table = app.screen.query_one("#results-table", DataTable)
        shown = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        assert view.scene.name == shown and view.scene.boundary is app.result.boundary
        table.move_cursor(row=0)
        await pilot.pause()
        assert view.scene.name == "clean" and "clean model's decision regions" in view.title
        await pilot.press("down")
        await pilot.pause()
        assert view.scene.name == "poisoned"
        share = app.result.boundary.disagreement("poisoned")
        assert share > 0 and f"{share:.0%} of the view changed class" in view.title
        rendered = str(view.render())
        assert "poisoned boundary" in rendered and "standardised" in rendered


async def test_the_attack_preview_shows_the_boundary_after_a_run_of_its_settings():
    app = PoisonApp(moons_config())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        view = app.screen.query_one("#preview-boundary", BoundaryView)
        assert not view.display
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert view.display and view.scene.name == "poisoned"
        assert view.title.startswith("after the run: clean model's regions, poisoned model's boundary")
        # Another ratio: the preview shows the new rows, and no longer the old run's boundary.
        app.screen.query_one("#attack-form NumberInput").focus()
        await pilot.press("end", "backspace", "backspace", "backspace", *"0.2", "tab")
        await settle(pilot)
        assert app.config.attack["params"]["ratio"] == 0.2
        assert not view.display and app.screen.query_one("#preview-view").display
        assert "r runs to see the boundary move" in str(app.screen.query_one("#preview-text").render())


async def test_a_result_without_regions_says_how_to_get_them():
    from pilot import frozen_result

    result = frozen_result(moons_config(), boundary=False)
    app = PoisonApp(result.config, result)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        view = app.screen.query_one("#boundary-view", BoundaryView)
        assert view.scene is None and "r runs again" in view.message


async def test_pins_keep_no_regions():
    from pilot import frozen_result

    result = frozen_result(moons_config())
    app = PoisonApp(result.config, result)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("p", "p")
        await settle(pilot)
        assert len(app.pins) == 1 and app.pins[0].boundary is None and app.pins[0].rows is result.rows
        assert app.result.boundary is not None
        assert any(n.message == "This result is already pinned." for n in app._notifications)
