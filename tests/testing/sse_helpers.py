"""Small helpers shared by the loopback server tests (a hand-written SSE parser)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

KEY = "sk-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}


@dataclass
class Event:
    kind: str  # "comment" or "data"
    text: str

    @property
    def json(self) -> Any:
        return json.loads(self.text)


def parse_sse(raw: str) -> list[Event]:
    """Split a body into events exactly as framed: every event must end with a blank line."""
    assert raw == "" or raw.endswith("\n\n"), f"unterminated event at end: {raw[-80:]!r}"
    events = []
    for block in raw.split("\n\n")[:-1]:
        lines = block.split("\n")
        assert len(lines) == 1, f"multi-line event: {block[:80]!r}"
        line = lines[0]
        if line.startswith(":"):
            events.append(Event("comment", line[1:].strip()))
        else:
            assert line.startswith("data: "), line[:80]
            events.append(Event("data", line[len("data: ") :]))
    return events


def data_events(raw: str) -> list[Event]:
    return [e for e in parse_sse(raw) if e.kind == "data"]


def chat(
    content: str = "Hello there",
    *,
    model: str = "deepseek-flash",
    stream: bool = True,
    usage: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """A chat body like the client sends."""
    body: dict[str, Any] = {
        "model": model,
        "messages": [{"role": "user", "content": content}],
        "stream": stream,
    }
    if stream and usage:
        body["stream_options"] = {"include_usage": True}
    body.update(extra)
    return body


def deltas(events: list[Event], field: str) -> str:
    """Concatenate one delta field over all chunks."""
    out = []
    for event in events:
        if event.text == "[DONE]":
            continue
        for choice in event.json["choices"]:
            value = choice["delta"].get(field)
            if value:
                out.append(value)
    return "".join(out)
