"""Fold stream events into a :class:`ChatResult`.

The chat turn renders events as they come *and* needs the whole answer at the
end (to store it, to run tool calls); :class:`StreamAccumulator` does the
second part one event at a time, :func:`collect` drains a whole stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Any

from deepseek_tui.api._types import (
    ChatResult,
    ContentDelta,
    Finish,
    ReasoningDelta,
    Started,
    StreamEvent,
    ToolCallDelta,
    Usage,
)

__all__ = ["StreamAccumulator", "collect"]


class StreamAccumulator:
    """Adds up events: text concatenated, tool-call fragments merged by ``index``.

    For a tool call the first non-empty ``id`` and ``name`` win (some hosts
    repeat them in every fragment) and ``arguments`` fragments are concatenated.
    ``content`` and ``reasoning`` are available at any time, e.g. to keep a
    partial answer.
    """

    def __init__(self) -> None:
        self._content: list[str] = []
        self._reasoning: list[str] = []
        self._calls: dict[int, dict[str, Any]] = {}
        self.finish_reason: str | None = None
        self.usage: Usage | None = None
        self.model: str | None = None
        self.request_id: str | None = None

    def add(self, event: StreamEvent) -> None:
        """Take one event into account; events other than the ones below are ignored."""
        if isinstance(event, ContentDelta):
            self._content.append(event.text)
        elif isinstance(event, ReasoningDelta):
            self._reasoning.append(event.text)
        elif isinstance(event, ToolCallDelta):
            call = self._calls.get(event.index)
            if call is None:
                call = self._calls[event.index] = {
                    "id": None,
                    "type": "function",
                    "function": {"name": None, "arguments": ""},
                }
            if event.id and not call["id"]:
                call["id"] = event.id
            if event.name and not call["function"]["name"]:
                call["function"]["name"] = event.name
            call["function"]["arguments"] += event.arguments
        elif isinstance(event, Usage):
            self.usage = event
        elif isinstance(event, Finish):
            self.finish_reason = event.reason
            if event.model:
                self.model = event.model
        elif isinstance(event, Started):
            self.request_id = event.request_id

    @property
    def content(self) -> str:
        return "".join(self._content)

    @property
    def reasoning(self) -> str:
        return "".join(self._reasoning)

    @property
    def tool_calls(self) -> tuple[dict[str, Any], ...]:
        """Merged tool calls in index order, shaped as the API wants them echoed back."""
        out = []
        for index in sorted(self._calls):
            call = self._calls[index]
            out.append(
                {
                    "id": call["id"] or "",
                    "type": "function",
                    "function": {
                        "name": call["function"]["name"] or "",
                        "arguments": call["function"]["arguments"],
                    },
                }
            )
        return tuple(out)

    def result(self, *, model: str | None = None) -> ChatResult:
        """The answer so far; ``model`` is used when the stream did not name one."""
        return ChatResult(
            content=self.content,
            reasoning=self.reasoning,
            finish_reason=self.finish_reason,
            usage=self.usage,
            model=self.model or model,
            tool_calls=self.tool_calls,
            request_id=self.request_id,
        )


async def collect(events: AsyncIterable[StreamEvent], *, model: str | None = None) -> ChatResult:
    """Drain a stream into a :class:`ChatResult`; errors propagate unchanged."""
    acc = StreamAccumulator()
    async for event in events:
        acc.add(event)
    return acc.result(model=model)
