"""A dialog that asks for a file path (with completion), optionally with a
format: used to export, import and attach files."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Select, Static

from deepseek_tui.ui.path_suggest import PathSuggester
from deepseek_tui.ui.screens.dialog import Dialog


@dataclass(frozen=True, slots=True)
class PathChoice:
    """What the user entered: a path and, when asked for, a format."""

    path: str
    format: str | None = None


class PathScreen(Dialog[PathChoice | None]):
    """Dismisses with a :class:`PathChoice` (Enter / the button) or ``None`` (Esc).

    ``formats`` maps a format name to its file extension; choosing another
    format swaps the extension of the path typed so far.
    """

    DEFAULT_CSS = """
    #path-box {
        max-width: 95%;

        Select {
            margin-bottom: 1;
            width: 24;
        }
        .actions {
            height: auto;
            margin-top: 1;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="path-cancel"),
    ]

    def __init__(
        self,
        title: str,
        path: str,
        *,
        action: str = "OK",
        formats: dict[str, str] | None = None,
        format: str | None = None,
        help: str = "",
    ) -> None:
        super().__init__()
        self.heading = title
        self.path = path
        self.action = action
        self.formats = formats or {}
        self.format = format
        self.help = help

    def compose(self) -> ComposeResult:
        with Vertical(id="path-box", classes="dialog-box"):
            yield Static(Content(self.heading), classes="dialog-title")
            if self.formats:
                yield Select(
                    [(name.capitalize(), name) for name in self.formats],
                    value=self.format or next(iter(self.formats)),
                    allow_blank=False,
                    id="path-format",
                    compact=True,
                )
            yield Input(self.path, id="path-input", suggester=PathSuggester())
            yield Static(
                Content(
                    (self.help + "\n" if self.help else "")
                    + "Right arrow completes a name · Enter confirms · Esc cancels"
                ),
                classes="field-help",
            )
            with Horizontal(classes="actions"):
                yield Button(Content(self.action), variant="primary", id="path-ok")
                yield Button("Cancel", id="path-no")

    def on_mount(self) -> None:
        self.query_one("#path-input", Input).focus()

    @on(Select.Changed, "#path-format")
    def _format_changed(self, event: Select.Changed) -> None:
        new = event.value if isinstance(event.value, str) else None
        if new is None or new == self.format:
            return
        field = self.query_one("#path-input", Input)
        old_ext = self.formats.get(self.format or "", "")
        if old_ext and field.value.endswith(old_ext):
            field.value = field.value[: -len(old_ext)] + self.formats[new]
        self.format = new

    @on(Input.Submitted, "#path-input")
    @on(Button.Pressed, "#path-ok")
    def _ok(self) -> None:
        value = self.query_one("#path-input", Input).value.strip()
        if not value:
            self.notify("Enter a file path first", severity="warning", timeout=3)
            return
        self.dismiss(PathChoice(value, self.format))

    @on(Button.Pressed, "#path-no")
    def action_cancel(self) -> None:
        self.dismiss(None)
