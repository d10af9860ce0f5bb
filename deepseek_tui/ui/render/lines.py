"""A widget holding blocks of text rendered to terminal lines, once per width.

Layout asks a widget for its height on every reflow of its parent; here that is
a cached sum, so a finished block costs nothing after it is first drawn.
New blocks are rendered lazily, on the next layout, so a hidden or folded pane
(reasoning) does no rendering work at all.

A *lazy* widget (a stored answer, opened from history) goes further: layout
gets an estimated height for each block (:data:`Estimator`), and a block is
rendered only when it is drawn or comes near the view
(:meth:`RenderedLines.realize`, called by the scrolling conversation); its last
screenful is rendered at once, since a conversation opens at its end. What was
rendered is kept (until the width or the theme changes). So opening an answer
of any length costs about one screen of rendering, and memory grows with what
was looked at, not with the text.
"""

from __future__ import annotations

from bisect import bisect_right
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
#: About how many lines a block takes at a width, without rendering it.
Estimator = Callable[[str, int], int]


class RenderedLines(Widget):
    """Blocks of source text shown as pre-rendered lines, ``gap`` blank lines apart.

    ``extend`` adds settled blocks (rendered once); ``replace`` swaps the whole
    content (the open tail of a stream, re-rendered at most once per frame).
    With an ``estimate`` the widget is lazy (see the module docstring).
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

    def __init__(
        self,
        renderer: Renderer,
        *,
        gap: int,
        classes: str | None = None,
        estimate: Estimator | None = None,
    ) -> None:
        super().__init__(classes=classes)
        self._renderer = renderer
        self._estimate = estimate
        self._end_first = estimate is not None  # opened whole: draw the end at once
        self._gap = gap
        self._blocks: list[str] = []
        self._chars = 0
        self._strips: list[list[Strip] | None] = []  # per block, at _width; None: not drawn
        self._heights: list[int] = []  # per block, at _width: drawn or estimated
        self._tops: list[int] | None = None  # first line of each block, then the end
        self._width = 0
        self._synced = False  # every block's height is known at _width
        self._blank = Strip.blank(0)

    @property
    def chars(self) -> int:
        """Characters of source held; callers seal a widget once it is large."""
        return self._chars

    @property
    def blocks(self) -> list[str]:
        """The sources shown, in order."""
        return list(self._blocks)

    @property
    def lazy(self) -> bool:
        """Whether blocks are drawn only near the view."""
        return self._estimate is not None

    @property
    def rendered_blocks(self) -> int:
        """Blocks drawn at the current width (the rest are estimates)."""
        return sum(strips is not None for strips in self._strips)

    @property
    def rendered_lines(self) -> int:
        """Lines held in memory, drawn at the current width."""
        return sum(len(strips) for strips in self._strips if strips is not None)

    def set_lazy(self, estimate: Estimator | None, *, end_first: bool = False) -> None:
        """From now on draw only what comes near the view, and the last
        screenful at layout if ``end_first`` (``None``: draw every block at
        layout again). What was drawn is kept. A stream's open part draws its
        end (what a user following it sees), its full parts and the open one
        while the user reads elsewhere draw nothing until seen: text that
        arrives unseen, or faster than a screen per frame, is drawn only if
        it is seen, and a width change redraws only what is seen."""
        if estimate == self._estimate and end_first == self._end_first:
            return
        sealed = self._end_first and not end_first
        self._estimate = estimate
        self._end_first = end_first
        if sealed and self._width and estimate is not None:
            self._draw_end()  # sealed while followed: its end may show
        self._synced = False
        self.refresh(layout=True)

    def extend(self, blocks: Iterable[str]) -> None:
        """Append settled blocks; only they will be rendered."""
        before = len(self._blocks)
        for block in blocks:
            self._blocks.append(block)
            self._chars += len(block)
        added = len(self._blocks) - before
        if added:
            self._strips.extend([None] * added)
            self._heights.extend([-1] * added)
            self._tops = None
            self._synced = False
            self.refresh(layout=True)

    def replace(self, block: str) -> None:
        """Show ``block`` (or nothing) instead of the current content."""
        if self._blocks == [block] or (not block and not self._blocks):
            return
        height = self._total()
        self._blocks = [block] if block else []
        self._chars = len(block)
        self._strips = [None] * len(self._blocks)
        self._heights = [-1] * len(self._blocks)
        self._tops = None
        self._synced = False
        if self._width:
            self._sync(self._width)
        self.refresh(layout=not self._width or self._total() != height)

    def invalidate(self) -> None:
        """Forget every rendering (the theme changed). A lazy widget keeps its
        heights (a theme does not change them) and redraws what is shown."""
        if self.lazy:
            self._strips = [None] * len(self._blocks)
            self.refresh()
        else:
            self._width = 0
            self.refresh(layout=True)

    def realize(self, start: int, end: int, anchor: int) -> int:
        """Draw the blocks that meet lines ``start``..``end`` (this widget's
        own lines, as laid out now); return how far the line at ``anchor``
        moved (what the view adds to its scroll to keep it in place)."""
        width = self._width
        if not width or not self._synced:
            return 0
        tops = self._layout()
        first = max(0, bisect_right(tops, start) - 1)
        last = min(len(self._blocks), bisect_right(tops, end))
        undrawn = [i for i in range(first, last) if self._strips[i] is None]
        if not undrawn:
            return 0
        # The first block starting at or below the anchor stays where it is.
        keep = min(bisect_right(tops, anchor - 1), len(self._blocks))
        before = tops[keep]
        if not self._draw(undrawn):
            return 0
        self.refresh(layout=True)
        return self._layout()[keep] - before

    def _draw(self, indices: Iterable[int]) -> bool:
        """Render these blocks at the current width; heights that change
        invalidate the layout (and make this return ``True``)."""
        app = self.app
        console = app.console
        options = app.console_options.update(highlight=False, markup=False)
        width = self._width
        changed = False
        for i in indices:
            lines = self._renderer(self._blocks[i], width, console, options)
            self._strips[i] = lines
            if len(lines) != self._heights[i]:
                self._heights[i] = len(lines)
                self._tops = None
                changed = True
        return changed

    def _sync(self, width: int) -> None:
        """Make every block's height known at ``width``: drawn, or estimated
        (lazy; the last screenful is drawn all the same)."""
        if width != self._width:
            self._width = width
            self._strips = [None] * len(self._blocks)
            self._heights = [-1] * len(self._blocks)
            self._tops = None
        elif self._synced:
            return
        self._synced = True
        if self._end_first and self._estimate is not None:
            self._draw_end()
        estimate = self._estimate
        if estimate is None:
            pending = [i for i, s in enumerate(self._strips) if s is None]
            if pending:
                self._draw(pending)
        else:
            for i, height in enumerate(self._heights):
                if height < 0:
                    self._heights[i] = estimate(self._blocks[i], width)
                    self._tops = None

    def _draw_end(self) -> None:
        """Draw the blocks not drawn yet from the last one up until they fill
        a screen: layout tries a few widths while a screen opens, so this is
        kept small; the view draws more around what it shows (:meth:`realize`)."""
        assert self._estimate is not None
        width = self._width
        budget = self.app.size.height + 4
        undrawn: list[int] = []
        for i in range(len(self._blocks) - 1, -1, -1):
            if self._strips[i] is None:
                undrawn.append(i)
                budget -= self._estimate(self._blocks[i], width) + self._gap
            else:
                budget -= self._heights[i] + self._gap
            if budget <= 0:
                break
        if undrawn:
            self._draw(undrawn)

    def _layout(self) -> list[int]:
        """Each block's first line (after its gap), then the total height."""
        tops = self._tops
        if tops is None:
            tops = []
            y = 0
            seen = False
            gap = self._gap
            for height in self._heights:
                if height > 0:
                    if seen:
                        y += gap
                    seen = True
                tops.append(y)
                y += max(height, 0)
            tops.append(y)
            self._tops = tops
        return tops

    def _total(self) -> int:
        return self._layout()[-1] if self._width else 0

    def action_link(self, href: str) -> None:
        """Run by a click on a link (see ``render.markdown``)."""
        self.post_message(self.LinkClicked(self, href))

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return container.width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._sync(width)
        return self._layout()[-1]

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        self._sync(width)
        tops = self._layout()
        i = bisect_right(tops, y) - 1
        strip = self._blank
        if 0 <= i < len(self._blocks):
            lines = self._strips[i]
            if lines is None:  # shown before the view asked for it: draw it now
                if self._draw([i]):
                    self.refresh(layout=True)
                lines = self._strips[i]
            offset = y - tops[i]
            if lines is not None and 0 <= offset < len(lines):
                strip = lines[offset]
        return strip.crop_extend(0, width, None).apply_style(self.rich_style)
