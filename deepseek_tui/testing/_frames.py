"""Turns a :class:`Reply` into DeepSeek's wire JSON: stream chunks or one completion.

The chunk shapes follow §4 and §8 of the wire reference: every chunk repeats
``id/object/created/model/system_fingerprint``, the first carries the role,
reasoning deltas come before content deltas, then the finish chunk, then (when
asked for) a usage chunk with ``"choices": []``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import _tokens
from ._http import dumps
from ._scenarios import Reply

FINGERPRINT = "fp_8802369eaa_prod0820_fp8_kvcache"


@dataclass(frozen=True)
class Meta:
    """What every chunk of one answer repeats, plus the prompt's usage numbers."""

    id: str
    created: int
    model: str
    prompt_tokens: int
    cache_hit_tokens: int

    def base(self, obj: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": obj,
            "created": self.created,
            "model": self.model,
            "system_fingerprint": FINGERPRINT,
        }


def split(text: str, size: int) -> list[str]:
    """``text`` in ``size``-character pieces (one piece when ``size`` <= 0)."""
    if not text:
        return []
    if size <= 0:
        return [text]
    return [text[i : i + size] for i in range(0, len(text), size)]


def _tool_calls(reply: Reply) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    for index, call in enumerate(reply.tool_calls or ()):
        function: Mapping[str, Any] = call.get("function") or {}
        calls.append(
            {
                "id": str(call.get("id") or f"call_{index:02d}_0000000000000000"),
                "type": str(call.get("type") or "function"),
                "function": {
                    "name": str(function.get("name", "")),
                    "arguments": str(function.get("arguments", "")),
                },
            }
        )
    return calls


def finish_reason(reply: Reply) -> str:
    if reply.finish_reason is not None:
        return reply.finish_reason
    return "tool_calls" if reply.tool_calls else "stop"


def _usage(reply: Reply, meta: Meta) -> dict[str, Any]:
    if reply.usage is not None:
        return dict(reply.usage)
    tool_text = "".join(c["function"]["arguments"] for c in _tool_calls(reply))
    return _tokens.usage(
        prompt=meta.prompt_tokens,
        cache_hit=meta.cache_hit_tokens,
        content=reply.content,
        reasoning=reply.reasoning,
        tool_text=tool_text,
    )


def _visible_content(reply: Reply) -> str:
    if reply.dialect == "think_tags" and reply.reasoning:
        return f"<think>{reply.reasoning}</think>\n\n{reply.content}"
    return reply.content


def stream_events(reply: Reply, meta: Meta, *, include_usage: bool) -> list[str]:
    """Every ``data:`` payload of the stream, in order, ending with ``[DONE]`` if wanted.

    The finish chunk is always the last JSON event before the optional usage chunk
    and ``[DONE]``, so callers can cut the list for faults.
    """
    separate = reply.dialect != "think_tags" and bool(reply.reasoning)
    field = "reasoning_content" if reply.dialect == "reasoning_content" else "reasoning"

    def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        payload = {**meta.base("chat.completion.chunk"), "choices": [choice], "usage": None}
        return dumps(payload)

    def delta(content: str | None, reasoning: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {"content": content}
        if separate:
            out[field] = reasoning
        return out

    events: list[str] = []
    first: dict[str, Any] = {"role": "assistant"}
    first.update(delta(None, "") if separate else delta("", None))
    events.append(chunk(first))
    if separate:
        events += [chunk(delta(None, piece)) for piece in split(reply.reasoning, reply.chunk_chars)]
    events += [
        chunk(delta(piece, None)) for piece in split(_visible_content(reply), reply.chunk_chars)
    ]
    for index, call in enumerate(_tool_calls(reply)):
        head = {
            "index": index,
            "id": call["id"],
            "type": call["type"],
            "function": {"name": call["function"]["name"], "arguments": ""},
        }
        events.append(chunk({**delta(None, None), "tool_calls": [head]}))
        for piece in split(call["function"]["arguments"], reply.chunk_chars):
            frag = {"index": index, "function": {"arguments": piece}}
            events.append(chunk({**delta(None, None), "tool_calls": [frag]}))
    events.append(chunk(delta("", None), finish_reason(reply)))
    if include_usage:
        usage_chunk = {
            **meta.base("chat.completion.chunk"),
            "choices": [],
            "usage": _usage(reply, meta),
        }
        events.append(dumps(usage_chunk))
    return events


def completion(reply: Reply, meta: Meta) -> dict[str, Any]:
    """The non-streaming ``chat.completion`` body."""
    message: dict[str, Any] = {"role": "assistant", "content": _visible_content(reply)}
    if reply.reasoning and reply.dialect != "think_tags":
        field = "reasoning_content" if reply.dialect == "reasoning_content" else "reasoning"
        message[field] = reply.reasoning
    calls = _tool_calls(reply)
    if calls:
        message["tool_calls"] = calls
    return {
        **meta.base("chat.completion"),
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": None,
                "finish_reason": finish_reason(reply),
            }
        ],
        "usage": _usage(reply, meta),
    }


def error_event(message: str = "Internal server error during generation") -> str:
    return dumps({"error": {"message": message, "type": "server_error"}})
