"""Textual's footer, rebuilt only when what it shows changes.

Textual's :class:`~textual.widgets.Footer` recomposes all its keys (some ten
styled widgets, ~15 ms here) after every binding change, and most changes do
not change what it shows: opening a long conversation mounts buttons and moves
focus, and a streaming turn refreshes the bindings as it starts and stops.
This footer compares what it would show with what it shows and skips the
rebuild when they are the same.

Textual's footer also stays empty until the screen's first binding refresh,
which comes after the first frame: the keys cost a second full frame. A screen
calls :meth:`show` once it has set its focus, so its first frame has them.

Where the keys do not all fit, Textual's footer cuts the last one mid-word
and lets the palette key cover another. This one leaves out whole keys, the
least needed first (:data:`KEEP`), and lays them out again when the terminal
is resized.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):
    """A :class:`textual.widgets.Footer` that skips rebuilds that change nothing."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: Any = None
        self._natural = 0
        """The cells all the keys took at the last compose."""

    def _showing(self) -> Any:
        """Everything the keys are composed from: bindings, their state, keys."""
        app = self.app
        width = self._width()
        return (
            width if width < self._natural else None,  # only while keys are left out
            self.show_command_palette,
            app.ENABLE_COMMAND_PALETTE,
            tuple(
                (key, binding, enabled, tooltip, app.get_key_display(binding))
                for key, (_, binding, enabled, tooltip) in self.screen.active_bindings.items()
            ),
        )

    async def show(self) -> None:
        """Compose the keys now, from the screen's bindings as they are."""
        shown = asyncio.Event()

        async def compose_keys() -> None:  # in the footer's own message loop
            self._bindings_ready = True
            await self.recompose()
            shown.set()

        if self.call_later(compose_keys):  # False once the footer is closing
            await shown.wait()

    def _width(self) -> int:
        """The cells the keys have: the footer's (the terminal's before layout)."""
        return self.size.width or self.app.size.width

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        for widget in widgets:
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # Born with the footer's ``compact``: Textual's keys start compact
                # and are bound to the footer's value later, restyling each twice
                # (its palette key is not bound and stays compact).
                widget.set_reactive(FooterKey.compact, self.compact)
        self._natural = sum(_key_width(w) for w in widgets if isinstance(w, FooterKey))
        yield from fitting(widgets, self._width())

    def on_resize(self, event: events.Resize) -> None:
        if self._shown is not None and self._showing() != self._shown:
            self.call_later(self.recompose)

    async def recompose(self) -> None:
        showing = self._showing()
        if showing == self._shown and self.children:
            return
        self._shown = showing
        await super().recompose()
        self._shown = self._showing()  # with the width the keys just composed need


#: Which keys stay when the footer is too narrow for all, by action: the
#: highest number stays longest (an action not named here ranks 2). Enter
#: sending is said in the prompt itself.
KEEP = {
    "help": 9,
    "stop": 9,
    "retry": 9,
    "conversations": 8,
    "sidebar": 7,
    "quit": 6,
    "new": 5,
    "command_palette": 4,
    "reasoning": 3,
    "submit": 1,
}


def fitting(widgets: list[Any], width: int) -> list[Any]:
    """``widgets`` without the keys that do not fit in ``width`` cells, the
    least needed (then the rightmost) left out first."""
    keys = [w for w in widgets if isinstance(w, FooterKey)]
    used = sum(_key_width(k) for k in keys)
    if not width or used <= width:
        return widgets
    dropped: set[int] = set()
    by_need = sorted(range(len(keys)), key=lambda n: (KEEP.get(_action(keys[n]), 2), -n))
    for n in by_need:
        if used <= width:
            break
        used -= _key_width(keys[n])
        dropped.add(id(keys[n]))
    return [w for w in widgets if id(w) not in dropped]


def _action(key: FooterKey) -> str:
    return key.action.rpartition(".")[2]


def _key_width(key: FooterKey) -> int:
    """Cells a key takes: its key and description with Textual's padding. The
    palette key, on the right, may cover the trailing space of the key before it."""
    extra = -1 if key.has_class("-command-palette") else 0
    return cell_len(key.key_display) + cell_len(key.description) + 3 + extra
