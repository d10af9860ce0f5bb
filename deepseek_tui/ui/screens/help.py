"""F1: every key binding of the app and the chat screen, as currently mapped.

Every label is shown whole at any width: where the three columns (what, key,
remap id) do not fit side by side, the id moves under what the key does, and
a terminal too short for the list scrolls it."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from deepseek_tui.ui.screens.dialog import Dialog


class KeyTable(DataTable[Content]):
    """The keys, laid out again when its width changes (see :meth:`fit`)."""

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True)
        self.rows_shown = rows
        self.stacked: bool | None = None
        """Whether the ids are under the actions (``None`` before the first fit)."""

    def on_resize(self, event: events.Resize) -> None:
        self.fit(event.size.width)

    def widths(self, *, stacked: bool) -> list[int]:
        """Each column's width: its longest label's."""
        widths = [
            max(cell_len(header), *(cell_len(row[i]) for row in self.rows_shown))
            for i, header in enumerate(HEADERS)
        ]
        if stacked:
            return [max(widths[0], widths[2], cell_len(STACKED_HEADER)), widths[1]]
        return widths

    def needs(self, *, stacked: bool) -> int:
        """The width the table takes, its scrollbar included."""
        widths = self.widths(stacked=stacked)
        return sum(widths) + 2 * self.cell_padding * len(widths) + SCROLLBAR

    def fit(self, width: int) -> None:
        """Three columns when they fit in ``width``; else two, the id in dim
        under the action (no label is ever cut to fit)."""
        if not width or not self.rows_shown:
            return
        stacked = self.needs(stacked=False) > width
        if stacked == self.stacked:
            return
        self.stacked = stacked
        cursor = self.cursor_row
        self.clear(columns=True)
        widths = self.widths(stacked=stacked)
        if stacked:
            self.add_column(Text(STACKED_HEADER), width=widths[0])
            self.add_column(Text(HEADERS[1]), width=widths[1])
            for action, key, binding_id in self.rows_shown:
                what = Content.assemble(action, "\n", (binding_id, "dim"))
                self.add_row(what, Content(key), height=2)
        else:
            for header, column_width in zip(HEADERS, widths, strict=True):
                self.add_column(Text(header), width=column_width)
            for action, key, binding_id in self.rows_shown:
                self.add_row(Content(action), Content(key), Content(binding_id))
        self.move_cursor(row=cursor, animate=False)


#: The column headers: what the key does, the key, the id to remap it with.
HEADERS = ("Action", "Key", "Remap as [keys] id")
STACKED_HEADER = f"{HEADERS[0]} / {HEADERS[2]}"
#: The table's vertical scrollbar (Textual's default width).
SCROLLBAR = 2


class HelpScreen(Dialog[None]):
    """A table of keys: what they do, which key, and the id to remap it with."""

    DEFAULT_CSS = """
    HelpScreen {
        padding: 1 2;
    }
    #help-box {
        width: 72;
        max-width: 100%;
        max-height: 100%;
        border-title-color: $text-accent;
        border-title-style: bold;

        KeyTable {  /* under the id: DataTable's own rule has the same weight */
            height: auto;
            max-height: 100%;
        }
        .field-help {
            dock: bottom;  /* so the table's 100% leaves it room */
        }
    }
    /* Under 30 rows or 100 columns (the app's -short, -narrow classes): the
       whole terminal for the keys. */
    HelpScreen.-short, HelpScreen.-narrow {
        padding: 0;
        #help-box {
            padding: 0 1;
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
        with Vertical(id="help-box", classes="dialog-box") as box:
            box.border_title = "Keys"
            yield KeyTable(self.rows)
            yield Static(
                Content('Remap a key in config.toml, e.g.  [keys]  send = "ctrl+enter"'),
                classes="field-help",
            )

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
