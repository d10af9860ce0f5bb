"""Streaming widgets whose cost grows linearly with the text.

:class:`StreamingMarkdown` (answers) and :class:`StreamingText` (reasoning)
share one shape: settled blocks go into :class:`RenderedLines` *parts* that
are rendered once and never touched again, and one *tail* part holds the open
block, re-rendered at most once per frame however many fragments arrived.
A part is sealed once it holds ``PART_CHARS`` characters, so a 20,000-token
answer is a handful of widgets, not thousands. Parts are lazy (see
:mod:`.lines`): the open one draws its last screenful at layout, the rest
(text that scrolled past unseen, full parts after a width change, everything
that arrives while the user reads above) is drawn only if it is seen.

Text given whole (a stored answer, opened from history) goes into one *lazy*
part instead: blocks are laid out at an estimated height and drawn only near
the view, from the bottom up (see :mod:`.lines`), so opening an answer costs
about a screenful of rendering whatever its length.

Why not Textual's ``MarkdownStream``: it re-parses and re-lays out the whole
open document as it grows; this shape measured ~30x cheaper at 8k tokens and
stays linear (``tests/benchmarks/bench_render.py``). Decided, not a
placeholder: change it only with figures from that benchmark.
"""

from __future__ import annotations

from time import perf_counter
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.strip import Strip
from textual.timer import Timer

from deepseek_tui.markdown_blocks import BlockSplitter
from deepseek_tui.ui.render.lines import RenderedLines
from deepseek_tui.ui.render.markdown import (
    code_background,
    estimate_markdown,
    estimate_text,
    render_markdown,
    render_text,
    theme_for,
)

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions
    from rich.theme import Theme
    from textual.widgets.markdown import Markdown

    MarkdownLinkClicked = Markdown.LinkClicked

#: How often the open tail is redrawn while text streams in (seconds): fast
#: enough to read as smooth, slow enough that slow streams cost little CPU.
FRAME = 1 / 20
#: The next redraw waits at least this many times the last one's cost (layout
#: and painting included), so neither a large open block (a long list or code
#: block) nor a busy screen can make streaming eat the CPU: redraws take at
#: most 1/BUDGET of the time (8 % here; other work per token comes on top).
BUDGET = 12
#: ... but never longer than this (seconds): text that arrives faster than it
#: can be drawn would otherwise pile up into ever longer redraws (each wait
#: lets more blocks settle, which makes the next redraw and wait longer).
LONGEST_WAIT = 0.25
#: Characters of source per sealed part.
PART_CHARS = 8_000


class LineSplitter(BlockSplitter):
    """Plain text settles line by line: every complete line is final."""

    def settle(self) -> list[str]:
        tail = self.tail
        cut = tail.rfind("\n")
        if cut == -1:
            return []
        self._tail = tail[cut + 1 :]
        return tail[:cut].split("\n")

    def finish(self) -> list[str]:
        tail, self._tail = self.tail, ""
        return [tail] if tail else []


class _Streaming(Vertical):
    """Frozen parts plus one tail, fed by fragments and flushed once per frame."""

    DEFAULT_CSS = """
    _Streaming {
        height: auto;
        layout: vertical;
    }
    """
    GAP: ClassVar[int] = 0

    def __init__(self, text: str = "", *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self._splitter = self._new_splitter()
        self._source: list[str] = []
        self._tail = RenderedLines(self._render_block, gap=self.GAP, classes="tail")
        self._tail.display = False
        self._parts: list[RenderedLines] = []
        self._open: RenderedLines | None = None  # the part settled blocks go to
        self._timer: Timer | None = None
        self._flush_cost = 0.0
        self._initial = text

    def _new_splitter(self) -> BlockSplitter:
        """How text settles into blocks; plain text settles line by line."""
        return LineSplitter()

    def _render_block(
        self, source: str, width: int, console: Console, options: ConsoleOptions
    ) -> list[Strip]:
        """One settled block as lines; plain text is wrapped, never parsed."""
        return render_text(source, width, console, options)

    def _estimate_block(self, source: str, width: int) -> int:
        """About how many lines ``_render_block`` makes of ``source``."""
        return estimate_text(source, width)

    def compose(self) -> ComposeResult:
        if self._initial:
            self._source.append(self._initial)
            self._splitter.feed(self._initial)
            self._initial = ""
            whole = RenderedLines(
                self._render_block, gap=self.GAP, classes="part", estimate=self._estimate_block
            )
            # settle() first: plain text then comes a line per block, not one.
            whole.extend([*self._splitter.settle(), *self._splitter.finish()])
            self._parts.append(whole)
        yield from self._parts
        yield self._tail

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _: object) -> None:
        for part in (*self._parts, self._tail):
            part.invalidate()

    @property
    def text(self) -> str:
        """Everything received so far."""
        if len(self._source) > 1:
            self._source[:] = ["".join(self._source)]
        return self._source[0] if self._source else ""

    @property
    def empty(self) -> bool:
        """Nothing received yet (cheaper than ``not text``)."""
        return not self._source

    @property
    def part_count(self) -> int:
        """Widgets holding settled text (bounded: one per ``PART_CHARS``)."""
        return len(self._parts)

    def append(self, fragment: str) -> None:
        """Add streamed text; it shows within a frame."""
        if not fragment:
            return
        self._source.append(fragment)
        self._splitter.feed(fragment)
        if self._timer is None:
            delay = min(max(FRAME, self._flush_cost * BUDGET), LONGEST_WAIT)
            self._timer = self.set_timer(delay, self._flush, name="stream-flush")

    def finish(self) -> None:
        """The stream ended: settle everything now."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._freeze(self._splitter.finish())
        self._tail.replace("")
        self._tail.display = False

    def _flush(self) -> None:
        started = perf_counter()
        self._timer = None
        self._freeze(self._splitter.settle())
        tail = self._splitter.tail
        self._tail.replace(tail)
        if self._tail.display != bool(tail):
            self._tail.display = bool(tail)
        if self._tail.has_class("-after") != bool(self._parts):
            self._tail.set_class(bool(self._parts), "-after")
        self.call_after_refresh(self._measure, started)

    def _measure(self, started: float) -> None:
        """The redraw's cost, layout and painting included (wall time: an upper bound)."""
        self._flush_cost = perf_counter() - started

    def _freeze(self, blocks: list[str]) -> None:
        if not blocks:
            return
        # Only the end is drawn at once, and only when the user follows it.
        watched = self._watched()
        for block in blocks:
            part = self._open
            if part is None or part.chars >= PART_CHARS:
                if part is not None:
                    part.set_lazy(self._estimate_block)  # full: sealed
                part = RenderedLines(self._render_block, gap=self.GAP, classes="part")
                part.set_class(bool(self._parts), "-after")
                self._parts.append(part)
                self._open = part
                self.mount(part, before=self._tail)
            part.set_lazy(self._estimate_block, end_first=watched)
            part.extend([block])

    def _watched(self) -> bool:
        """Whether the user follows the end of the text: ``False`` while the
        conversation holding it is scrolled away from its end."""
        for node in self.ancestors:
            following = getattr(node, "following", None)
            if isinstance(following, bool):
                return following
        return True


class StreamingMarkdown(_Streaming):
    """Markdown streamed in linear time; the final look equals a one-shot render."""

    DEFAULT_CSS = """
    StreamingMarkdown {
        height: auto;
        layout: vertical;
    }
    StreamingMarkdown > .-after {
        margin-top: 1;
    }
    """
    GAP = 1

    def _new_splitter(self) -> BlockSplitter:
        return BlockSplitter()

    def on_rendered_lines_link_clicked(self, event: RenderedLines.LinkClicked) -> None:
        """A clicked link goes to the app, which asks before opening anything."""
        event.stop()
        self.app.open_url(event.href)

    def on_markdown_link_clicked(self, event: MarkdownLinkClicked) -> None:
        """Same for Textual's own link message (posted by tests and older code)."""
        event.stop()
        self.app.open_url(event.href)

    def _estimate_block(self, source: str, width: int) -> int:
        return estimate_markdown(source, width)

    def _render_block(
        self, source: str, width: int, console: Console, options: ConsoleOptions
    ) -> list[Strip]:
        app = self.app
        with console.use_theme(_theme(app.theme, app.theme_variables)):
            return render_markdown(
                source,
                width,
                console,
                options,
                dark=app.current_theme.dark,
                code_background=code_background(app.theme_variables),
            )


class StreamingText(_Streaming):
    """Plain text (reasoning) streamed line by line: append-only, never Markdown."""

    DEFAULT_CSS = """
    StreamingText {
        height: auto;
        layout: vertical;
    }
    """


_themes: dict[str, Theme] = {}


def _theme(name: str, variables: dict[str, str]) -> Theme:
    theme = _themes.get(name)
    if theme is None:
        theme = _themes[name] = theme_for(variables)
    return theme


__all__ = ["FRAME", "PART_CHARS", "StreamingMarkdown", "StreamingText"]
