"""A text that changes while work runs lays the screen out again only when its height changes."""

from textual._compositor import LayoutUpdate
from textual.app import App
from textual.widgets import Static

from poisontui.widgets.text import update_in_place


class TextApp(App):
    CSS = "Static { width: 20; height: auto; }"

    def compose(self):
        yield Static("one line", id="text")
        yield Static("below", id="below")


async def test_a_text_of_the_same_height_needs_no_layout_and_a_longer_one_gets_its_lines():
    app = TextApp()
    async with app.run_test(size=(40, 10)) as pilot:
        text = app.query_one("#text", Static)
        await pilot.pause()
        drawn = []
        display = app._display
        app._display = lambda screen, update: (drawn.append(update), display(screen, update))
        update_in_place(text, "[b]two[/] words")
        await pilot.pause()
        assert drawn and not [update for update in drawn if isinstance(update, LayoutUpdate)]
        assert str(text.render()) == "two words" and text.size.height == 1

        update_in_place(text, "a text far longer than twenty cells, on three lines")
        await pilot.pause()
        assert text.size.height == 3
        assert app.query_one("#below").region.y == 3  # the screen was laid out again
        assert app.screen.get_widget_at(0, 2)[0] is text

        update_in_place(text, "short")
        await pilot.pause()
        assert text.size.height == 1 and app.query_one("#below").region.y == 1
