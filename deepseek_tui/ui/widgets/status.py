"""The status line: which model answers and how, what the last answer and the
conversation cost, how full the context window is, the account balance (where
the host reports one) and what is happening right now (tokens/s, queued)."""

from __future__ import annotations

import asyncio
from typing import NamedTuple

from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Static

from deepseek_tui.money import format_cost, short_tokens

__all__ = ["StatusInfo", "StatusLine", "format_cost"]


class StatusInfo(NamedTuple):  # cheaper to create than a dataclass, before the first frame
    """Everything the line shows; the screen replaces it field by field."""

    model: str = ""
    mode: str = ""
    """``thinking high``, ``no thinking``…"""
    last_tokens: int | None = None
    context_tokens: int | None = None
    """The last request's prompt + completion tokens (or an estimate)."""
    context_window: int | None = None
    """The model's context window, when the catalog knows it."""
    context_estimated: bool = False
    balance: str = ""
    """``$7.42``; empty where the host has no balance endpoint."""
    cost: float | None = None
    currency: str = "USD"
    """Of ``cost``: the price table's (the balance says its own)."""
    rate: float | None = None
    """Tokens per second while streaming."""
    activity: str = ""
    """``queued by server 3s``, ``stopped``, ``error``…"""
    demo: bool = False
    quote: str = ""
    """What sending the prompt's text would cost (``next ≈ $0.0031–0.47 (812K
    cached)``), while there is text: its own segment, after the mode (what the
    user looks at while typing), so a narrow line can drop it whole (see
    ``deepseek_tui.ui.chat.quote``)."""
    cache_share: float | None = None
    """The share of the conversation's prompt tokens served from cache."""
    peak: str = ""
    """``10:00`` (when the off-peak window opens) during peak hours; else empty."""


class StatusLine(Static):
    """One line at the bottom of the chat."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.info = StatusInfo()
        self.drawn = asyncio.Event()
        """Set when the line is first drawn: its screen's first frame is out."""
        self.peak_timer: Timer | None = None
        """When to look at the peak hours again (see ``ui.chat.peak``)."""

    def render_lines(self, crop: Region) -> list[Strip]:
        # Called to paint (not to measure): the frame is being written.
        self.drawn.set()
        return super().render_lines(crop)

    def set(self, **changes: object) -> None:
        self.info = self.info._replace(**changes)  # type: ignore[arg-type]
        self.refresh()

    def render(self) -> Content:
        return self.render_info(self.info, self.content_size.width)

    @staticmethod
    def render_info(i: StatusInfo, width: int = 0) -> Content:
        """The line as it fits in ``width`` cells (0: whatever its length).

        A narrow line says less before it cuts anything: closer separators,
        then no last-answer tokens, shorter labels, no balance, the context as
        a share, no cost, no thinking mode, no quote; the model name is cut last. The
        streaming rate and the activity (stopped, queued...) always show."""
        line = _line(i, 0)
        level = 0
        while width and line.cell_length > width and level < LEVELS:
            level += 1
            line = _line(i, level)
        if width and line.cell_length > width:  # only the model is left to cut
            model = Content.styled(i.model or "no model", "bold $accent")
            rest = line.cell_length - model.cell_length
            model = model.truncate(max(1, width - rest), ellipsis=True)
            line = _line(i, level, model=model)
        return line


#: How many ways :func:`_line` has to say less.
LEVELS = 8


def _line(i: StatusInfo, level: int, *, model: Content | None = None) -> Content:
    """The status line at a ``level`` of brevity (0: everything, in full)."""
    gap = "  │  " if level < 1 else " │ "
    short = level >= 3
    parts: list[str | tuple[str, str] | Content] = []
    if i.demo:
        parts += [(" DEMO ", "bold $text-warning on $warning-muted"), " "]
    parts += [model or Content.styled(i.model or "no model", "bold $accent")]
    if i.mode and level < 7:
        parts += [" · ", i.mode]
    if i.quote and level < 8:
        parts += [gap, (i.quote, "$text-accent")]
    if i.last_tokens is not None and level < 2:
        parts += [f"{gap}last ", f"{i.last_tokens:,} tok"]
    if i.context_tokens is not None:
        parts += [" · ctx " if short else " · context ", *_context(i, share_only=level >= 5)]
    if i.cost is not None and level < 6:
        parts += [" · ", format_cost(i.cost, i.currency)]
    if i.cache_share is not None and level < 2:
        parts += [" · ", f"{i.cache_share:.0%} cached"]
    if i.balance and level < 4:
        parts += [" · bal " if short else " · balance ", i.balance]
    if i.peak:
        parts += [gap, ("peak" if short else f"peak till {i.peak}", "$text-warning")]
    if i.rate is not None:
        parts += [gap, (f"{i.rate:.0f} tok/s", "$success")]
    if i.activity:
        parts += [gap, (i.activity, "$warning")]
    return Content.assemble(*parts)


def _context(i: StatusInfo, *, share_only: bool = False) -> list[str | tuple[str, str]]:
    used = i.context_tokens or 0
    approx = "≈" if i.context_estimated else ""
    if not i.context_window:
        return [f"{approx}{used:,} tok"]
    share = used / i.context_window
    text = f"{approx}{short_tokens(used)}/{short_tokens(i.context_window)} ({share:.0%})"
    if share_only:
        text = f"{approx}{share:.0%}"
    if share >= 0.9:
        return [(text, "$error bold")]
    if share >= 0.7:
        return [(text, "$warning")]
    return [text]
