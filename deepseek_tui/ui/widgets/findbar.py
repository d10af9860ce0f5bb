"""The find bar (Ctrl+F): a field for the text to find in the conversation and
how many matches there are ("3/17"). Enter or Down goes to the next match,
Shift+Enter or Up to the previous one, Esc closes. The screen searches and
moves; this widget only says what the user asked for."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static


class FindBar(Horizontal):
    """Posts :class:`Changed` as the text changes, :class:`Step` and :class:`Closed`."""

    DEFAULT_CSS = """
    FindBar {
        height: 1;
        background: $panel;
    }
    FindBar .find-label {
        width: auto;
        padding: 0 1;
        color: $text-muted;
    }
    FindBar Input {
        width: 1fr;
        border: none;
        height: 1;
        padding: 0;
    }
    FindBar .find-count {
        width: auto;
        min-width: 9;
        padding: 0 1;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,down", "step(1)", "Next match", id="find-next", show=False),
        Binding("up,shift+enter", "step(-1)", "Previous match", id="find-previous", show=False),
        Binding("escape", "close", "Close find", id="find-close"),
    ]

    class Changed(Message):
        """The text to find is now ``query``."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class Step(Message):
        """Go ``step`` matches on (1: next, -1: previous)."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

    class Closed(Message):
        """The user closed the bar."""

    def compose(self) -> ComposeResult:
        yield Static("Find", classes="find-label")
        yield Input(placeholder="text in the conversation", compact=True, id="find-input")
        yield Static("", classes="find-count")

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def count(self) -> str:
        """What the count shows, e.g. ``3/17`` or ``no matches``."""
        return str(self.query_one(".find-count", Static).content)

    def open(self) -> None:
        """Show the bar with its text selected, ready to type over."""
        self.display = True
        field = self.input
        field.focus()
        field.select_all()

    def show_count(self, current: int | None, total: int) -> None:
        """``current`` is 1-based; ``None`` when nothing is found."""
        if not self.input.value:
            text = ""
        elif current is None or not total:
            text = "no matches"
        else:
            text = f"{current}/{total}"
        self.query_one(".find-count", Static).update(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Step(1))

    def action_step(self, step: int) -> None:
        self.post_message(self.Step(step))

    def action_close(self) -> None:
        self.display = False
        self.post_message(self.Closed())
