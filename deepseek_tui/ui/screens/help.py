"""F1: every key binding of the app and the chat screen, as currently mapped."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from deepseek_tui.ui.screens.dialog import Dialog


class HelpScreen(Dialog[None]):
    """A table of keys: what they do, which key, and the id to remap it with."""

    DEFAULT_CSS = """
    #help-box {
        max-height: 90%;

        DataTable {  /* under the id: DataTable's own rule has the same weight */
            height: auto;
            max-height: 24;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", "Close", id="close-help"),
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog-box"):
            yield Static("Keys", classes="dialog-title")
            table: DataTable[Content] = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_column("Action", width=16)
            table.add_column("Key", width=22)
            table.add_column("Remap as [keys] id", width=20)
            for action, key, binding_id in self.rows:
                table.add_row(Content(action), Content(key), Content(binding_id))
            yield table
            yield Static(
                Content('Remap a key in config.toml, e.g.  [keys]  send = "ctrl+enter"'),
                classes="field-help",
            )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
