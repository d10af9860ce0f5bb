"""A one-field dialog: a new title (or any other short text)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from deepseek_tui.ui.screens.dialog import Dialog


class RenameScreen(Dialog[str | None]):
    """Dismisses with the text entered (Enter) or ``None`` (Esc)."""

    DEFAULT_CSS = """
    #rename-box {
        width: 70;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="rename-cancel"),
    ]

    def __init__(self, current: str, *, title: str = "Rename conversation") -> None:
        super().__init__()
        self.current = current
        self.heading = title

    def compose(self) -> ComposeResult:
        with Vertical(id="rename-box", classes="dialog-box"):
            yield Static(Content(self.heading), classes="dialog-title")
            yield Input(self.current, id="rename-input")
            yield Static("Enter saves · Esc cancels", classes="field-help")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _save(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
