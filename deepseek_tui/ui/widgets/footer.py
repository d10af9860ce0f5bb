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
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):
    """A :class:`textual.widgets.Footer` that skips rebuilds that change nothing."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: Any = None

    def _showing(self) -> Any:
        """Everything the keys are composed from: bindings, their state, keys."""
        app = self.app
        return (
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

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # Born with the footer's ``compact``: Textual's keys start compact
                # and are bound to the footer's value later, restyling each twice
                # (its palette key is not bound and stays compact).
                widget.set_reactive(FooterKey.compact, self.compact)
            yield widget

    async def recompose(self) -> None:
        showing = self._showing()
        if showing == self._shown and self.children:
            return
        self._shown = showing
        await super().recompose()
