"""A widget holding blocks of text rendered to terminal lines, once per width.

Layout asks a widget for its height on every reflow of its parent; here that is
a cached length, so a finished block costs nothing after it is first drawn.
New blocks are rendered lazily, on the next layout, so a hidden or folded pane
(reasoning) does no rendering work at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions

#: Turns one block's source into lines of the given width.
Renderer = Callable[[str, int, "Console", "ConsoleOptions"], list[Strip]]


class RenderedLines(Widget):
    """Blocks of source text shown as pre-rendered lines, ``gap`` blank lines apart.

    ``extend`` adds settled blocks (rendered once); ``replace`` swaps the whole
    content (the open tail of a stream, re-rendered at most once per frame).
    """

    DEFAULT_CSS = """
    RenderedLines {
        height: auto;
    }
    """

    class LinkClicked(Message):
        """A link in the text was clicked; the owner decides what to do."""

        def __init__(self, lines: RenderedLines, href: str) -> None:
            super().__init__()
            self.lines = lines
            self.href = href

        @property
        def control(self) -> RenderedLines:
            return self.lines

    def __init__(self, renderer: Renderer, *, gap: int, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self._renderer = renderer
        self._gap = gap
        self._blocks: list[str] = []
        self._chars = 0
        self._lines: list[Strip] = []
        self._done = 0  # blocks already in _lines
        self._width = 0
        self._blank = Strip.blank(0)

    @property
    def chars(self) -> int:
        """Characters of source held; callers seal a widget once it is large."""
        return self._chars

    @property
    def blocks(self) -> list[str]:
        """The sources shown, in order."""
        return list(self._blocks)

    def extend(self, blocks: Iterable[str]) -> None:
        """Append settled blocks; only they will be rendered."""
        before = len(self._blocks)
        for block in blocks:
            self._blocks.append(block)
            self._chars += len(block)
        if len(self._blocks) != before:
            self.refresh(layout=True)

    def replace(self, block: str) -> None:
        """Show ``block`` (or nothing) instead of the current content."""
        if self._blocks == [block] or (not block and not self._blocks):
            return
        height = len(self._lines)
        self._blocks = [block] if block else []
        self._chars = len(block)
        self._done = 0
        self._lines = []
        if self._width:
            self._render_pending(self._width)
        self.refresh(layout=len(self._lines) != height or not self._width)

    def invalidate(self) -> None:
        """Forget every rendering (the theme changed)."""
        self._width = 0
        self.refresh(layout=True)

    def _render_pending(self, width: int) -> None:
        if width != self._width:
            self._width, self._lines, self._done = width, [], 0
        app = self.app
        console = app.console
        options = app.console_options.update(highlight=False, markup=False)
        for block in self._blocks[self._done :]:
            lines = self._renderer(block, width, console, options)
            if self._lines and lines:
                self._lines.extend([self._blank] * self._gap)
            self._lines.extend(lines)
        self._done = len(self._blocks)

    def action_link(self, href: str) -> None:
        """Run by a click on a link (see ``render.markdown``)."""
        self.post_message(self.LinkClicked(self, href))

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if width != self._width or self._done != len(self._blocks):
            self._render_pending(width)
        return len(self._lines)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if width != self._width or self._done != len(self._blocks):
            self._render_pending(width)
        strip = self._lines[y] if y < len(self._lines) else self._blank
        return strip.crop_extend(0, width, None).apply_style(self.rich_style)
