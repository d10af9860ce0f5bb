"""The status line: which model answers and how, what the last answer and the
conversation cost, and what is happening right now (tokens/s, queued)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.content import Content
from textual.widgets import Static

from deepseek_tui.ui.widgets.message import format_cost


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """Everything the line shows; the screen replaces it field by field."""

    model: str = ""
    mode: str = ""
    """``thinking high``, ``no thinking``…"""
    last_tokens: int | None = None
    context_tokens: int | None = None
    cost: float | None = None
    currency: str = "USD"
    rate: float | None = None
    """Tokens per second while streaming."""
    activity: str = ""
    """``queued by server 3s``, ``stopped``, ``error``…"""
    demo: bool = False


class StatusLine(Static):
    """One line at the bottom of the chat."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.info = StatusInfo()

    def set(self, **changes: object) -> None:
        self.info = replace(self.info, **changes)  # type: ignore[arg-type]
        self.update(self.render_info(self.info))

    @staticmethod
    def render_info(i: StatusInfo) -> Content:
        parts: list[str | tuple[str, str]] = []
        if i.demo:
            parts += [(" DEMO ", "bold $text-warning on $warning-muted"), " "]
        parts += [(i.model or "no model", "bold $accent")]
        if i.mode:
            parts += [" · ", i.mode]
        if i.last_tokens is not None:
            parts += ["  │  last ", f"{i.last_tokens:,} tok"]
        if i.context_tokens is not None:
            parts += [" · context ", f"{i.context_tokens:,} tok"]
        if i.cost is not None:
            parts += [" · ", format_cost(i.cost, i.currency)]
        if i.rate is not None:
            parts += ["  │  ", (f"{i.rate:.0f} tok/s", "$success")]
        if i.activity:
            parts += ["  │  ", (i.activity, "$warning")]
        return Content.assemble(*parts)
