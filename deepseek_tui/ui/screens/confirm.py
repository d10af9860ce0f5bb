"""A yes/no dialog for anything that acts outside the app or destroys data:
opening a link in the browser, deleting a conversation."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from deepseek_tui.ui.screens.dialog import Dialog


class ConfirmScreen(Dialog[bool]):
    """Asks one question; dismisses with ``True`` only on the confirming button.

    ``title``, ``text`` and ``detail`` are shown as plain text (never markup);
    ``detail`` is for what the user must read exactly, such as a full URL.
    """

    DEFAULT_CSS = """
    #confirm-box {
        width: 72;
        border: thick $warning;

        .actions {
            height: auto;
        }
    }
    #confirm-detail {
        color: $text-warning;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="confirm-cancel"),
    ]

    def __init__(self, title: str, text: str, *, detail: str = "", yes: str = "OK") -> None:
        """Cancel has the focus: Enter alone never confirms."""
        super().__init__()
        self.title_text = title
        self.text = text
        self.detail = detail
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="dialog-box"):
            yield Static(Content(self.title_text), classes="dialog-title")
            yield Static(Content(self.text), classes="dialog-text")
            if self.detail:
                yield Static(Content(self.detail), id="confirm-detail", classes="dialog-text")
            with Horizontal(classes="actions"):
                yield Button(Content(self.yes), variant="primary", id="yes")
                yield Button("Cancel", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_cancel(self) -> None:
        self.dismiss(False)
