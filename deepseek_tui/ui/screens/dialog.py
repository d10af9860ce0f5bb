"""The base of the app's dialogs: centred over the chat, one box that holds
them (``classes="dialog-box"``) drawn the same way. A dialog's own CSS sets
only what differs (its size, a warning border); its id selectors outweigh the
box class."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

from deepseek_tui.ui.sizes import size_classes

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    """A modal screen whose content is one box with the class ``dialog-box``,
    made with the terminal's size classes (``-narrow``, ``-short``...: see
    :mod:`deepseek_tui.ui.sizes`) so that it is styled once."""

    def __init__(self) -> None:
        super().__init__()
        self.update_classes(size_classes(self.app.size), update=False)

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
    }
    .dialog-box {
        width: 80;
        max-width: 90%;
        height: auto;
        padding: 1 2;
        background: $panel;
        border: thick $primary;

        Button {
            margin-right: 2;
        }
    }
    """
