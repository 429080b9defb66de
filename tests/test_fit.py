"""At 80x24 every screen fits its width: no widget runs past its container's edge, nothing scrolls
sideways, no text is cut short with an ellipsis; every results panel comes into view by its key."""

import pytest
from pilot import frozen_result, settle, until

from poisontui.app import PoisonApp
from poisontui.engine.experiment import Config
from poisontui.engine.presets import PRESETS


def cut(app) -> list[str]:
    """What on the screen shown is cut at its right edge, or scrolls sideways to be seen."""
    screen = app.screen
    compositor = screen._compositor
    problems = []
    for widget, geometry in compositor.full_map.items():
        region, clip = geometry.region, geometry.clip
        if not widget.display or not region.area or not region.overlaps(clip):
            continue  # hidden, or scrolled out of view (vertical scrolling is fine)
        if region.x < clip.x or region.right > clip.right:
            problems.append(f"{widget!r} spans x {region.x}..{region.right}, its container shows {clip.x}..{clip.right}")
        if widget.is_scrollable and widget.max_scroll_x > 0:
            problems.append(f"{widget!r} scrolls sideways by {widget.max_scroll_x}")
    for y, strip in enumerate(compositor.render_strips()):
        if "…" in strip.text:
            problems.append(f"line {y} is cut short: {strip.text.rstrip()!r}")
    return problems


async def shown(app, *keys):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        seen = {}
        for key in keys:
            if key:
                await pilot.press(key)
                await settle(pilot)
            seen[key or "start"] = cut(app)
        return seen


@pytest.mark.parametrize("preset", list(PRESETS))
async def test_results_of_every_preset_fit_80_columns_panel_by_panel(preset):
    result = frozen_result(Config.from_preset(preset))
    app = PoisonApp(result.config, result)
    seen = await shown(app, "", "g", "c", "v", "z", "z", "t")
    assert seen == {key: [] for key in seen}


@pytest.mark.parametrize("keys", [("",), ("2",), ("3",), ("5",), ("f1",), ("e",)],
                         ids=["dataset", "attack", "mitigations", "sweep", "help", "export"])
async def test_every_other_screen_fits_80_columns(keys):
    seen = await shown(PoisonApp(Config.from_preset("diagnosis")), *keys)
    assert seen == {key: [] for key in seen}


async def test_the_file_picker_fits_80_columns():
    from pathlib import Path

    from textual.widgets import DirectoryTree, Input

    app = PoisonApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#csv-path", Input).value = str(Path(__file__).parent / "data")
        await pilot.press("o")
        # The tree's loader lives as long as the tree: wait for its rows, not for it.
        tree = app.screen.query_one(DirectoryTree)
        await until(pilot, lambda: bool(tree.root.children), limit=5)
        await pilot.pause()
        assert tree.root.children and cut(app) == []


async def test_a_panel_key_brings_its_panel_into_view_and_z_fills_the_screen_with_it():
    result = frozen_result(Config.from_preset("diagnosis"))
    app = PoisonApp(result.config, result)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        footer = screen._compositor.render_strips()[-1].text
        # The footer fits 80 columns; the table's key shows in its pane's title.
        assert all(key in footer for key in ("g Charts", "c Confusion", "v 2-D", "z Zoom")), footer
        assert footer.rstrip().endswith("q Quit"), footer
        assert "table (t)" in "".join(strip.text for strip in screen._compositor.render_strips())
        for key, panel in (("g", "#charts-panel"), ("c", "#confusion-panel"), ("v", "#view-panel")):
            await pilot.press(key)
            await settle(pilot)
            widget = screen.query_one(panel)
            assert screen.focused is widget
            # Its frame's top (its key in the title) is on screen.
            body = screen.query_one("#results-body").region
            assert body.y <= widget.region.y < body.bottom
        await pilot.press("z")
        await pilot.pause()
        assert screen.maximized is screen.query_one("#view-panel")
        # Zoomed, the navigation bar stays on the top line.
        assert screen._compositor.render_strips()[0].text.startswith(" 1 Dataset")
        await pilot.press("z")
        await pilot.pause()
        assert screen.maximized is None
        await pilot.press("t", "z")
        await pilot.pause()
        assert screen.maximized is screen.query_one("#table-panel")
        await pilot.press("escape")
        await pilot.pause()
        assert screen.maximized is None
