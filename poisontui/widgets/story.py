"""The story line at the top of the results: large figures where the terminal has room, one line where not."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Digits, Static

from poisontui.engine.story import Story, points
from poisontui.guard import Guarded
from poisontui.widgets.text import update_in_place

# The large figures take seven rows; below this size the story keeps to its compact lines.
LARGE_WIDTH, LARGE_HEIGHT = 110, 36


class StoryStep(Vertical):
    """One figure of the story in large type: what it is above, what it means below."""

    DEFAULT_CSS = """
    StoryStep { width: auto; height: auto; padding: 0 1; }
    StoryStep .step-name { width: auto; text-style: bold; }
    StoryStep .step-note { width: auto; color: $text-muted; }
    StoryStep Digits { width: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", classes="step-name")
        yield Digits("")
        yield Static("", classes="step-note")

    def show(self, name: str, value: float, note: str) -> None:
        update_in_place(self.query_one(".step-name", Static), Text(name))
        self.query_one(Digits).update(f"{value:.3f}")
        update_in_place(self.query_one(".step-note", Static), Text(note))


class StoryLine(Guarded, Vertical):
    """clean -> poisoned -> the best mitigation, from `poisontui.engine.story`."""

    DEFAULT_CSS = """
    StoryLine { height: auto; margin-bottom: 1; }
    StoryLine #story-compact { text-style: bold; }
    StoryLine .story-more { color: $text-muted; }
    StoryLine #story-large { height: auto; display: none; }
    StoryLine .story-arrow { width: 3; height: 5; content-align: center middle; color: $accent; }
    StoryLine #story-measure { display: none; text-style: bold; color: $accent; }
    StoryLine.-large #story-large, StoryLine.-large #story-measure { display: block; }
    StoryLine.-large #story-compact { display: none; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="story-compact")
        yield Static("", id="story-measure")
        # Built once and filled in by `show`: clean -> poisoned -> mitigation.
        with Horizontal(id="story-large"):
            yield StoryStep()
            yield Static("→", classes="story-arrow")
            yield StoryStep()
            yield Static("→", classes="story-arrow", id="story-last-arrow")
            yield StoryStep(id="story-mitigation")
        yield Static("", id="story-more", classes="story-more")

    def show(self, told: Story | None) -> None:
        self.told = told
        compact = self.query_one("#story-compact", Static)
        more = self.query_one("#story-more", Static)
        if told is None:
            update_in_place(compact, "")
            more.display = False
            self.fit(self.app.size.width, self.app.size.height)
            return
        # Names are the user's (a file's class names can reach a variant's name): text, not markup.
        update_in_place(compact, Text(told.line("→")))
        update_in_place(more, Text("\n".join(told.lines()[1:])))
        more.display = len(told.lines()) > 1
        update_in_place(
            self.query_one("#story-measure", Static),
            "attack success, lower is better" if told.measure == "attack success" else "accuracy")
        clean, poisoned, mitigation = self.query(StoryStep)
        clean.show("clean", told.clean.value, self._spread(told.clean.sd))
        poisoned.show("poisoned", told.poisoned.value, points(told.damage) + self._spread(told.poisoned.sd, "  "))
        mitigated = told.mitigation is not None
        mitigation.display = self.query_one("#story-last-arrow").display = mitigated
        if mitigated:
            mitigation.show(told.mitigation.name, told.mitigation.value,
                            told.recovery() + self._spread(told.mitigation.sd, "  "))
        self.fit(self.app.size.width, self.app.size.height)

    @staticmethod
    def _spread(sd: float | None, before: str = "") -> str:
        return "" if sd is None else f"{before}sd {sd:.3f}"

    def fit(self, width: int, height: int) -> None:
        """Large type where the terminal has room for it."""
        self.set_class(width >= LARGE_WIDTH and height >= LARGE_HEIGHT and getattr(self, "told", None) is not None,
                       "-large")
