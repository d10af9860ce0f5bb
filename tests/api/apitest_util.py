"""Helpers for the api tests: wire frames, mock transports, a recording sleep."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import httpx

from deepseek_tui.api import (
    ChatMessage,
    ChatRequest,
    DeepSeekClient,
    StreamEvent,
    Timeouts,
)

KEY = "sk-secret-0123456789abcdef"
BASE = "https://api.deepseek.com"
REQUEST = ChatRequest(model="deepseek-flash", messages=(ChatMessage("user", "hi"),))

SSE = {"content-type": "text/event-stream; charset=utf-8"}


def chunk(
    content: str | None = None,
    *,
    reasoning: str | None = None,
    reasoning_field: str = "reasoning_content",
    finish: str | None = None,
    usage: dict[str, Any] | None = None,
    tool_calls: list[dict[str, Any]] | None = None,
    choices: bool = True,
) -> dict[str, Any]:
    """One ``chat.completion.chunk`` as DeepSeek sends it."""
    delta: dict[str, Any] = {"content": content}
    if reasoning is not None:
        delta[reasoning_field] = reasoning
    if tool_calls is not None:
        delta["tool_calls"] = tool_calls
    obj: dict[str, Any] = {
        "id": "b6c4c1d0-0000-0000-0000-000000000000",
        "object": "chat.completion.chunk",
        "created": 1730000000,
        "model": "deepseek-flash",
        "system_fingerprint": "fp_test",
        "choices": (
            [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
            if choices
            else []
        ),
        "usage": usage,
    }
    return obj


def sse(*frames: dict[str, Any] | str, done: bool = True) -> bytes:
    """``data:`` events for JSON objects; strings go out verbatim (comments, garbage)."""
    out = []
    for frame in frames:
        if isinstance(frame, str):
            out.append(frame)
        else:
            out.append(f"data: {json.dumps(frame, ensure_ascii=False)}\n\n")
    if done:
        out.append("data: [DONE]\n\n")
    return "".join(out).encode()


Handler = Callable[[httpx.Request], httpx.Response]


def sse_response(
    body: bytes | Iterable[bytes], status: int = 200, **headers: str
) -> httpx.Response:
    parts = [body] if isinstance(body, bytes) else list(body)

    async def stream() -> AsyncIterator[bytes]:
        for part in parts:
            yield part

    return httpx.Response(status, headers={**SSE, **headers}, content=stream())


class Sleeps:
    """A sleep that records what it was asked and returns at once."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def mock_client(
    handler: Callable[[httpx.Request], Any],
    *,
    base_url: str = BASE,
    api_key: str = KEY,
    timeouts: Timeouts | None = None,
    max_retries: int = 2,
    sleep: Sleeps | None = None,
    **kw: Any,
) -> DeepSeekClient:
    return DeepSeekClient(
        base_url,
        api_key,
        timeouts=timeouts,
        max_retries=max_retries,
        transport=httpx.MockTransport(handler),
        sleep=sleep or Sleeps(),
        **kw,
    )


async def events_of(client: DeepSeekClient, request: ChatRequest = REQUEST) -> list[StreamEvent]:
    return [event async for event in client.stream_chat(request)]


def texts(events: Iterable[object], kind: type) -> str:
    return "".join(getattr(e, "text", "") for e in events if isinstance(e, kind))
