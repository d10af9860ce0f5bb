"""Typed requests, stream events and results of the DeepSeek chat API.

These are plain frozen dataclasses: the client turns wire JSON into them, and
everything above ``api/`` (the chat turn, the CLI, the UI) only ever sees them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["system", "user", "assistant", "tool"]

#: How reasoning of earlier assistant turns goes back to the model.
#:
#: ``never``       R1-style ids: any ``reasoning_content`` in the input is a 400.
#: ``tool_calls``  V3.2 thinking: assistant turns with ``tool_calls`` keep their
#:                 reasoning; other turns carry none.
#: ``v4``          V4 thinking: tool-call turns keep their reasoning, every other
#:                 assistant turn carries ``"reasoning_content": ""`` because strict
#:                 validators reject a missing field.
PassBack = Literal["never", "tool_calls", "v4"]

#: Request fields that a model may ignore or reject and so may be left out.
OMITTABLE_PARAMS = frozenset(
    {
        "temperature",
        "top_p",
        "presence_penalty",
        "frequency_penalty",
        "stop",
        "response_format",
        "tools",
        "tool_choice",
        "logprobs",
        "thinking",
        "reasoning_effort",
    }
)


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of the history sent to the model.

    ``reasoning`` is what the model thought when it wrote an assistant message;
    whether it is sent back is decided by the request's pass-back policy, never
    by the caller.
    """

    role: Role
    content: str | list[dict[str, Any]] | None
    reasoning: str | None = None
    tool_calls: tuple[dict[str, Any], ...] | None = None
    tool_call_id: str | None = None
    prefix: bool = False
    """DeepSeek's beta chat prefix completion: this (last, assistant) message
    is the start of the answer and the model goes on from it; its
    ``reasoning`` (when not ``None``) is sent as the thinking prefix."""

    def to_wire(self, passback: PassBack) -> dict[str, Any]:
        """The JSON object for this message under the given pass-back policy."""
        out: dict[str, Any] = {"role": self.role, "content": self.content}
        if self.role == "assistant":
            if self.prefix:
                out["prefix"] = True
                if self.reasoning is not None:
                    out["reasoning_content"] = self.reasoning
                elif passback == "v4":
                    out["reasoning_content"] = ""
            elif self.tool_calls:
                out["tool_calls"] = list(self.tool_calls)
                if passback in ("tool_calls", "v4"):
                    out["reasoning_content"] = self.reasoning or ""
            elif passback == "v4":
                out["reasoning_content"] = ""
        if self.role == "tool" and self.tool_call_id is not None:
            out["tool_call_id"] = self.tool_call_id
        return out


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """Everything one chat completion needs.

    ``None`` means "not sent". ``omit`` names parameters the model ignores or
    rejects (from the model catalog); they are left out of the body even when
    set, so the caller can keep one set of settings across model switches.
    """

    model: str
    messages: tuple[ChatMessage, ...]
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    stop: tuple[str, ...] | None = None
    json_mode: bool = False
    tools: tuple[dict[str, Any], ...] | None = None
    tool_choice: str | dict[str, Any] | None = None
    thinking: bool | None = None
    reasoning_effort: str | None = None
    passback: PassBack = "never"
    omit: frozenset[str] = frozenset()
    extra_body: dict[str, Any] = field(default_factory=dict)

    @property
    def prefix_completion(self) -> bool:
        """Whether the last message is a prefix to continue: such a request
        goes to DeepSeek's ``/beta`` base (it is refused anywhere else)."""
        return bool(self.messages) and self.messages[-1].prefix

    def to_body(self, *, stream: bool) -> dict[str, Any]:
        """The JSON body of ``POST /chat/completions``."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [m.to_wire(self.passback) for m in self.messages],
        }
        optional: dict[str, Any] = {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "presence_penalty": self.presence_penalty,
            "frequency_penalty": self.frequency_penalty,
            "stop": list(self.stop) if self.stop else None,
            "response_format": {"type": "json_object"} if self.json_mode else None,
            "tools": list(self.tools) if self.tools else None,
            "tool_choice": self.tool_choice if self.tools else None,
            "thinking": (
                None
                if self.thinking is None
                else {"type": "enabled" if self.thinking else "disabled"}
            ),
            "reasoning_effort": self.reasoning_effort if self.thinking else None,
        }
        if self.max_tokens is not None:
            body["max_tokens"] = self.max_tokens
        for key, value in optional.items():
            if value is not None and key not in self.omit:
                body[key] = value
        body["stream"] = stream
        if stream:
            body["stream_options"] = {"include_usage": True}
        body.update(self.extra_body)
        return body

    def body_bytes(self, *, stream: bool) -> bytes:
        """The body serialised the same way every time, so cached prefixes keep hitting."""
        return json.dumps(
            self.to_body(stream=stream), ensure_ascii=False, separators=(",", ":")
        ).encode()


# --- stream events -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Started:
    """Headers arrived with HTTP 200: the request was accepted."""

    request_id: str | None
    """``x-ds-trace-id`` (or ``x-request-id``), for error reports."""


@dataclass(frozen=True, slots=True)
class Queued:
    """The server sent ``: keep-alive`` comments before the first token: one
    event per read, however many comments it held."""

    waited: float
    """Seconds since the request was sent."""


@dataclass(frozen=True, slots=True)
class ReasoningDelta:
    """A fragment of the model's reasoning (any of the three wire dialects)."""

    text: str


@dataclass(frozen=True, slots=True)
class ContentDelta:
    """A fragment of the answer text, raw (sanitize before display)."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolCallDelta:
    """A fragment of a tool call; ``arguments`` fragments concatenate per ``index``."""

    index: int
    id: str | None
    name: str | None
    arguments: str


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts of one request; reasoning tokens are part of ``completion_tokens``."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cache_hit_tokens: int | None = None
    cache_miss_tokens: int | None = None
    reasoning_tokens: int | None = None

    def to_dict(self) -> dict[str, int | None]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.total_tokens,
            "cache_hit_tokens": self.cache_hit_tokens,
            "cache_miss_tokens": self.cache_miss_tokens,
            "reasoning_tokens": self.reasoning_tokens,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Usage:
        """Inverse of :meth:`to_dict`; unknown keys are ignored."""
        fields: dict[str, Any] = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**fields)


@dataclass(frozen=True, slots=True)
class Finish:
    """The model stopped: ``stop``, ``length``, ``content_filter``, ``tool_calls``,
    ``insufficient_system_resource`` (or whatever a host sends).

    It is the last event of a complete stream (after ``Usage``)."""

    reason: str
    model: str | None = None
    """The model id the host reports for the answer (may differ from the request's alias)."""


StreamEvent = Started | Queued | ReasoningDelta | ContentDelta | ToolCallDelta | Usage | Finish


@dataclass(frozen=True, slots=True)
class ChatResult:
    """A whole answer: what a non-streaming call returns, and what a stream adds up to."""

    content: str
    reasoning: str
    finish_reason: str | None
    usage: Usage | None
    model: str | None
    tool_calls: tuple[dict[str, Any], ...] = ()
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One entry of ``GET /models``."""

    id: str
    owned_by: str | None = None


@dataclass(frozen=True, slots=True)
class BalanceInfo:
    currency: str
    total: str
    granted: str | None = None
    topped_up: str | None = None


@dataclass(frozen=True, slots=True)
class Balance:
    """``GET /user/balance``; amounts stay decimal strings as the API sends them."""

    is_available: bool
    infos: tuple[BalanceInfo, ...]
