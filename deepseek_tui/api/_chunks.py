"""Interpret decoded chat-completion JSON: stream chunks -> events, bodies -> results.

Hosts differ in small ways (``reasoning_content`` vs ``reasoning`` vs inline
``<think>`` tags, ``usage`` on the finish chunk or in a separate chunk with
empty ``choices``, ``created`` as a string, ...); this module absorbs them so the
layers above see one shape. Any JSON that is not shaped like a chunk raises
:class:`MalformedChunk`, which the client turns into a ``StreamError``.
"""

from __future__ import annotations

from typing import Any

from deepseek_tui.api._think import ThinkSplitter
from deepseek_tui.api._types import (
    ChatResult,
    ContentDelta,
    ReasoningDelta,
    StreamEvent,
    ToolCallDelta,
    Usage,
)

__all__ = [
    "MAX_TOKENS",
    "ChunkReader",
    "MalformedChunk",
    "ServerErrorEvent",
    "parse_usage",
    "result_from_body",
]


class MalformedChunk(Exception):
    """A data event that is not a chat-completion chunk."""


class ServerErrorEvent(Exception):
    """The host sent ``{"error": ...}`` as a stream event or a 200 body."""

    def __init__(self, payload: Any) -> None:
        super().__init__("error event")
        self.payload = payload


#: More tokens than any request reads or writes: the largest context windows
#: are about a million tokens. A count above it is not a count.
MAX_TOKENS = 10_000_000


class _Impossible(Exception):
    """A usage count no host could really have reported."""


def _count(value: Any) -> int | None:
    """A token count from the wire; None when absent, :class:`_Impossible` when
    it is negative, fractional, absurdly large or not a number at all."""
    if value is None:
        return None
    if type(value) is int:
        n = value
    elif type(value) is float and value.is_integer():  # 12.0 from a sloppy host
        n = int(value)
    elif type(value) is str:  # "12" from another
        try:
            n = int(value)
        except ValueError:
            raise _Impossible from None
    else:
        raise _Impossible
    if not 0 <= n <= MAX_TOKENS:
        raise _Impossible
    return n


def parse_usage(data: Any) -> Usage | None:
    """A :class:`Usage` from a wire ``usage`` object (DeepSeek or OpenAI flavour).

    None when it is not an object, or when any count in it is impossible
    (negative, fractional, over :data:`MAX_TOKENS`): such figures would make a
    negative or astronomical cost, and no usage -- cost unknown -- is the
    honest answer. Every consumer (costs, context meter, store) gets this.
    """
    if not isinstance(data, dict):
        return None
    try:
        prompt = _count(data.get("prompt_tokens")) or 0
        completion = _count(data.get("completion_tokens")) or 0
        total = _count(data.get("total_tokens"))
        hit = _count(data.get("prompt_cache_hit_tokens"))
        miss = _count(data.get("prompt_cache_miss_tokens"))
        if hit is None:
            details = data.get("prompt_tokens_details")
            if isinstance(details, dict):
                hit = _count(details.get("cached_tokens"))
        reasoning = None
        completion_details = data.get("completion_tokens_details")
        if isinstance(completion_details, dict):
            reasoning = _count(completion_details.get("reasoning_tokens"))
    except _Impossible:
        return None
    if hit is not None and miss is None:
        miss = max(prompt - hit, 0)
    if miss is not None and hit is None:
        hit = max(prompt - miss, 0)
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        total_tokens=total if total is not None else prompt + completion,
        cache_hit_tokens=hit,
        cache_miss_tokens=miss,
        reasoning_tokens=reasoning,
    )


class ChunkReader:
    """Stateful reader of one stream's chunks; keeps what a partial answer needs.

    ``read(obj)`` returns the delta events of one decoded chunk. The finish
    reason, last non-null usage and model are kept as attributes and emitted by
    the client at the end, so ``Finish`` is always the last event.
    """

    __slots__ = (
        "content",
        "finish",
        "model",
        "reasoning",
        "saw_explicit_reasoning",
        "splitter",
        "tool_calls_seen",
        "usage",
    )

    def __init__(self) -> None:
        self.content: list[str] = []
        self.reasoning: list[str] = []
        self.finish: str | None = None
        self.usage: Usage | None = None
        self.model: str | None = None
        self.tool_calls_seen = False
        self.saw_explicit_reasoning = False
        self.splitter: ThinkSplitter | None = ThinkSplitter()

    @property
    def has_answer(self) -> bool:
        """Whether anything at all was received (text, reasoning or a tool call)."""
        return bool(self.content or self.reasoning or self.tool_calls_seen)

    def read(self, obj: Any) -> list[StreamEvent]:
        if type(obj) is not dict:
            raise MalformedChunk("not a JSON object")
        out: list[StreamEvent] = []
        if obj.get("error") is not None:
            raise ServerErrorEvent(obj)
        choices = obj.get("choices")
        if choices:
            if type(choices) is not list:
                raise MalformedChunk("choices is not a list")
            for choice in choices:
                if type(choice) is not dict:
                    raise MalformedChunk("a choice is not an object")
                index = choice.get("index", 0)
                if index != 0 and index is not None:
                    continue  # we ask for one choice; ignore any others
                delta = choice.get("delta")
                if delta is None:
                    delta = choice.get("message")
                if delta:
                    if type(delta) is not dict:
                        raise MalformedChunk("delta is not an object")
                    self._delta(delta, out)
                reason = choice.get("finish_reason")
                if reason:
                    if type(reason) is not str:
                        raise MalformedChunk("finish_reason is not a string")
                    self.finish = reason
        usage = obj.get("usage")
        if usage:
            if type(usage) is not dict:
                raise MalformedChunk("usage is not an object")
            parsed = parse_usage(usage)
            if parsed is not None:  # impossible figures are as good as none
                self.usage = parsed
        model = obj.get("model")
        if model and type(model) is str:
            self.model = model
        return out

    def _delta(self, delta: dict[str, Any], out: list[StreamEvent]) -> None:
        reasoning = delta.get("reasoning_content") or delta.get("reasoning")
        if reasoning and type(reasoning) is str:
            self.saw_explicit_reasoning = True
            self.reasoning.append(reasoning)
            out.append(ReasoningDelta(reasoning))
        content = delta.get("content")
        if content and type(content) is str:
            splitter = self.splitter
            if splitter is not None and self.saw_explicit_reasoning:
                # The host sends reasoning in its own field: content is just content.
                self.splitter = None
                self._emit_split(splitter.flush(), out)
                splitter = None
            if splitter is None:
                self.content.append(content)
                out.append(ContentDelta(content))
            else:
                self._emit_split(splitter.feed(content), out)
                if splitter.passthrough:
                    self.splitter = None
        tool_calls = delta.get("tool_calls")
        if tool_calls:
            if type(tool_calls) is not list:
                raise MalformedChunk("tool_calls is not a list")
            for position, call in enumerate(tool_calls):
                out.append(_tool_call_delta(call, position))
            self.tool_calls_seen = True

    def flush(self) -> list[StreamEvent]:
        """End of stream: release text the think-tag splitter held back."""
        out: list[StreamEvent] = []
        if self.splitter is not None:
            self._emit_split(self.splitter.flush(), out)
            self.splitter = None
        return out

    def _emit_split(self, parts: tuple[str, str], out: list[StreamEvent]) -> None:
        think, text = parts
        if think:
            self.reasoning.append(think)
            out.append(ReasoningDelta(think))
        if text:
            self.content.append(text)
            out.append(ContentDelta(text))


def _tool_call_delta(call: Any, position: int) -> ToolCallDelta:
    if type(call) is not dict:
        raise MalformedChunk("a tool call is not an object")
    index = call.get("index", position)
    if type(index) is not int:
        raise MalformedChunk("tool call index is not an integer")
    function = call.get("function") or {}
    if type(function) is not dict:
        raise MalformedChunk("tool call function is not an object")
    call_id = call.get("id")
    name = function.get("name")
    arguments = function.get("arguments")
    if arguments is not None and type(arguments) is not str:
        raise MalformedChunk("tool call arguments are not a string")
    return ToolCallDelta(
        index=index,
        id=call_id if type(call_id) is str and call_id else None,
        name=name if type(name) is str and name else None,
        arguments=arguments or "",
    )


def result_from_body(obj: Any, *, request_id: str | None) -> ChatResult:
    """A :class:`ChatResult` from a non-streaming ``chat.completion`` body."""
    if type(obj) is not dict:
        raise MalformedChunk("not a JSON object")
    if obj.get("error") is not None:
        raise ServerErrorEvent(obj)
    choices = obj.get("choices")
    if type(choices) is not list or not choices or type(choices[0]) is not dict:
        raise MalformedChunk("no choices in the answer")
    choice = choices[0]
    message = choice.get("message")
    if message is None:
        message = choice.get("delta") or {}
    if type(message) is not dict:
        raise MalformedChunk("message is not an object")
    content = message.get("content")
    if content is None:
        content = ""
    if type(content) is not str:
        raise MalformedChunk("content is not a string")
    reasoning = message.get("reasoning_content") or message.get("reasoning") or ""
    if type(reasoning) is not str:
        raise MalformedChunk("reasoning is not a string")
    if not reasoning:
        splitter = ThinkSplitter()
        r1, c1 = splitter.feed(content)
        r2, c2 = splitter.flush()
        reasoning, content = r1 + r2, c1 + c2
    tool_calls: list[dict[str, Any]] = []
    raw_calls = message.get("tool_calls")
    if raw_calls:
        if type(raw_calls) is not list:
            raise MalformedChunk("tool_calls is not a list")
        for call in raw_calls:
            if type(call) is not dict:
                raise MalformedChunk("a tool call is not an object")
            tool_calls.append(call)
    finish = choice.get("finish_reason")
    if finish is not None and type(finish) is not str:
        raise MalformedChunk("finish_reason is not a string")
    model = obj.get("model")
    return ChatResult(
        content=content,
        reasoning=reasoning,
        finish_reason=finish or None,
        usage=parse_usage(obj.get("usage")),
        model=model if type(model) is str else None,
        tool_calls=tuple(tool_calls),
        request_id=request_id,
    )
