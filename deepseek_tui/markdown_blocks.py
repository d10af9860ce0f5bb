"""Where streamed Markdown settles.

CommonMark is parsed line by line and a top-level block, once the next one has
started, is closed for good: later text cannot change it. So everything before
the last top-level block of the complete lines received so far is *settled*
and can be rendered once; only the last block (and the unfinished line) stays
open. Each call parses just that open tail, whose size is one block, so the
total cost grows linearly with the answer.

Link reference definitions are the one way later text changes earlier
blocks; the parser here (shared with the renderer) does not support them, so
``[text][ref]`` stays literal in a stream and in a one-shot render alike.

Pure Python over ``markdown-it-py``; no Textual, so it is cheap to test.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


def _dialect() -> MarkdownIt:
    """A new parser of the one Markdown dialect used for splitting and
    rendering: CommonMark with tables and strikethrough (what Rich renders),
    without link reference definitions (see the module docstring)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable(["strikethrough", "table"]).disable("reference")


@cache
def parser() -> MarkdownIt:
    """The dialect's parser (:func:`_dialect`), shared with the renderer."""
    return _dialect()


@cache
def _block_parser() -> MarkdownIt:
    """The same dialect without inline parsing: where blocks start and end
    does not depend on it, and skipping it halves the cost of a split."""
    return _dialect().disable(["inline", "text_join"])


def top_level_spans(text: str) -> list[tuple[int, int]]:
    """Line ranges ``(start, end)`` of the top-level blocks of ``text``."""
    spans: list[tuple[int, int]] = []
    for token in _block_parser().parse(text):
        if token.level == 0 and token.map is not None and token.nesting >= 0:
            start, end = token.map
            spans.append((start, end))
    return spans


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    i = find("\n")
    while i != -1:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return starts


def _block_text(text: str, starts: list[int], span: tuple[int, int]) -> str:
    start, end = span
    stop = starts[end] if end < len(starts) else len(text)
    return text[starts[start] : stop].rstrip("\n")


class BlockSplitter:
    """Accumulates streamed Markdown and hands out settled blocks.

    ``feed`` is O(fragment); ``settle`` costs O(open tail) and is meant to be
    called at most once per frame, not per fragment.
    """

    def __init__(self) -> None:
        self._tail = ""
        self._pending: list[str] = []

    @property
    def tail(self) -> str:
        """The open part: the last block and whatever follows it."""
        if self._pending:
            self._tail += "".join(self._pending)
            self._pending.clear()
        return self._tail

    def feed(self, fragment: str) -> None:
        """Add streamed text; nothing is parsed until :meth:`settle`."""
        if fragment:
            self._pending.append(fragment)

    def settle(self) -> list[str]:
        """Blocks that can no longer change, in order, removed from the tail."""
        tail = self.tail
        cut = tail.rfind("\n") + 1
        if not cut:
            return []
        complete = tail[:cut]
        spans = top_level_spans(complete)
        if len(spans) < 2:
            return []
        starts = _line_starts(complete)
        blocks = [_block_text(complete, starts, span) for span in spans[:-1]]
        self._tail = tail[starts[spans[-1][0]] :]
        return blocks

    def finish(self) -> list[str]:
        """Every remaining block: the stream has ended, nothing is open."""
        tail = self.tail
        self._tail = ""
        starts = _line_starts(tail)
        return [_block_text(tail, starts, span) for span in top_level_spans(tail)]


def split_blocks(text: str) -> list[str]:
    """The top-level blocks of a whole document (a one-shot split)."""
    splitter = BlockSplitter()
    splitter.feed(text)
    return splitter.finish()
