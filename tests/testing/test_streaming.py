"""The shape of successful answers: stream frames, dialects, usage, non-streaming bodies."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import httpx
import pytest

from deepseek_tui.testing import FakeDeepSeek, Reply

from .sse_helpers import Event, chat, data_events, deltas, parse_sse

COMMON = ("id", "object", "created", "model", "system_fingerprint")


async def test_full_stream_frames(server: FakeDeepSeek, client: httpx.AsyncClient) -> None:
    server.push(Reply("Oslo is Norway's capital.", reasoning="Think: Norway.", chunk_chars=10))
    response = await client.post("/chat/completions", json=chat())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["transfer-encoding"] == "chunked"
    events = data_events(response.text)
    assert events[-1].text == "[DONE]"
    chunks = [e.json for e in events[:-1]]
    first = chunks[0]
    assert isinstance(first["id"], str) and len(first["id"]) == 36
    assert isinstance(first["created"], int)
    for chunk in chunks:
        assert {k: chunk[k] for k in COMMON} == {
            "id": first["id"],
            "object": "chat.completion.chunk",
            "created": first["created"],
            "model": "deepseek-flash",
            "system_fingerprint": first["system_fingerprint"],
        }
    choices = [c["choices"] for c in chunks]

    def delta(
        content: str | None, reasoning: str | None, finish: str | None = None, **more: str
    ) -> list[dict[str, object]]:
        d = {**more, "content": content, "reasoning_content": reasoning}
        return [{"index": 0, "delta": d, "logprobs": None, "finish_reason": finish}]

    assert choices == [
        delta(None, "", role="assistant"),
        delta(None, "Think: Nor"),
        delta(None, "way."),
        delta("Oslo is No", None),
        delta("rway's cap", None),
        delta("ital.", None),
        delta("", None, "stop"),
        [],
    ]
    assert [c["usage"] for c in chunks[:-1]] == [None] * 7
    # "Hello there": 3 tokens + 4 per message; answer 25 chars -> 7, reasoning 14 -> 4.
    assert chunks[-1]["usage"] == {
        "prompt_tokens": 7,
        "completion_tokens": 11,
        "total_tokens": 18,
        "prompt_tokens_details": {"cached_tokens": 0},
        "prompt_cache_hit_tokens": 0,
        "prompt_cache_miss_tokens": 7,
        "completion_tokens_details": {"reasoning_tokens": 4},
    }


async def test_plain_answer_first_chunk_has_empty_content(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    server.push(Reply("Hi!"))
    events = data_events((await client.post("/chat/completions", json=chat())).text)
    assert events[0].json["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert events[1].json["choices"][0]["delta"] == {"content": "Hi!"}
    assert "completion_tokens_details" not in events[-2].json["usage"]


async def test_dialect_reasoning_field(server: FakeDeepSeek, client: httpx.AsyncClient) -> None:
    server.push(Reply("answer", reasoning="thoughts here", dialect="reasoning", chunk_chars=4))
    events = data_events((await client.post("/chat/completions", json=chat())).text)
    assert deltas(events, "reasoning") == "thoughts here"
    assert deltas(events, "content") == "answer"
    assert "reasoning_content" not in response_text(events)


async def test_dialect_think_tags(server: FakeDeepSeek, client: httpx.AsyncClient) -> None:
    server.push(Reply("answer", reasoning="thoughts", dialect="think_tags", chunk_chars=5))
    events = data_events((await client.post("/chat/completions", json=chat())).text)
    assert deltas(events, "content") == "<think>thoughts</think>\n\nanswer"
    text = response_text(events)
    assert '"reasoning_content"' not in text and '"reasoning"' not in text
    assert events[1].json["choices"][0]["delta"]["content"] == "<thin"  # tags split like tokens


def response_text(events: list[Event]) -> str:
    return "\n".join(e.text for e in events)


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [
        ("reasoning_content", {"content": "A", "reasoning_content": "R"}),
        ("reasoning", {"content": "A", "reasoning": "R"}),
        ("think_tags", {"content": "<think>R</think>\n\nA"}),
    ],
)
async def test_non_streaming_body(
    server: FakeDeepSeek, client: httpx.AsyncClient, dialect: str, expected: dict[str, str]
) -> None:
    server.push(Reply("A", reasoning="R", dialect=dialect))  # type: ignore[arg-type]
    response = await client.post("/chat/completions", json=chat(stream=False))
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["model"] == "deepseek-flash"
    assert isinstance(body["created"], int) and body["system_fingerprint"]
    assert body["choices"] == [
        {
            "index": 0,
            "message": {"role": "assistant", **expected},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ]
    assert body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"] + 2


async def test_keepalives_come_before_the_first_data_event(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    server.push(Reply("x", keepalives=3))
    events = parse_sse((await client.post("/chat/completions", json=chat())).text)
    assert [e.kind for e in events[:4]] == ["comment", "comment", "comment", "data"]
    assert {e.text for e in events[:3]} == {"keep-alive"}
    assert all(e.kind == "data" for e in events[3:])


async def test_keepalives_without_streaming_are_blank_lines(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    server.push(Reply("x", keepalives=2))
    response = await client.post("/chat/completions", json=chat(stream=False))
    assert response.text.startswith("\n\n{")
    assert json.loads(response.text)["choices"][0]["message"]["content"] == "x"


@pytest.mark.parametrize(
    ("asked", "scripted", "expect_usage"),
    [(True, None, True), (False, None, False), (False, True, True), (True, False, False)],
)
async def test_usage_chunk_follows_request_unless_scripted(
    server: FakeDeepSeek,
    client: httpx.AsyncClient,
    asked: bool,
    scripted: bool | None,
    expect_usage: bool,
) -> None:
    server.push(Reply("x", include_usage=scripted))
    events = data_events((await client.post("/chat/completions", json=chat(usage=asked))).text)
    last_json = events[-2].json
    assert (last_json["choices"] == []) is expect_usage
    assert (last_json["usage"] is not None) is expect_usage
    assert events[-1].text == "[DONE]"


async def test_done_can_be_left_out(server: FakeDeepSeek, client: httpx.AsyncClient) -> None:
    server.push(Reply("x", done=False))
    events = data_events((await client.post("/chat/completions", json=chat())).text)
    assert events[-1].json["choices"] == []
    assert all(e.text != "[DONE]" for e in events)


async def test_tool_calls_stream_in_fragments(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "weather", "arguments": '{"city":"Oslo"}'},
    }
    server.push(
        Reply(reasoning="use the tool", tool_calls=[call], chunk_chars=4), Reply(tool_calls=[call])
    )
    events = data_events((await client.post("/chat/completions", json=chat())).text)
    fragments: dict[int, dict[str, str]] = {}
    finish = None
    for event in events[:-2]:
        choice = event.json["choices"][0]
        finish = choice["finish_reason"] or finish
        for part in choice["delta"].get("tool_calls") or []:
            slot = fragments.setdefault(part["index"], {"id": "", "name": "", "arguments": ""})
            slot["id"] += part.get("id") or ""
            slot["name"] += part.get("function", {}).get("name") or ""
            slot["arguments"] += part["function"]["arguments"]
    assert fragments == {0: {"id": "call_1", "name": "weather", "arguments": '{"city":"Oslo"}'}}
    assert finish == "tool_calls"
    body = (await client.post("/chat/completions", json=chat(stream=False))).json()
    assert body["choices"][0]["message"]["tool_calls"] == [call]
    assert body["choices"][0]["finish_reason"] == "tool_calls"


async def test_finish_reason_and_model_can_be_scripted(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    server.push(Reply("cut sh", finish_reason="length", model="deepseek-v4-flash-0813"))
    events = data_events((await client.post("/chat/completions", json=chat())).text)
    assert events[-3].json["choices"][0]["finish_reason"] == "length"
    assert {e.json["model"] for e in events[:-1]} == {"deepseek-v4-flash-0813"}


async def test_default_reply_quotes_the_last_user_message(client: httpx.AsyncClient) -> None:
    body = chat("What is the capital of Norway?")
    first = data_events((await client.post("/chat/completions", json=body)).text)
    second = data_events((await client.post("/chat/completions", json=body)).text)
    assert "What is the capital of Norway?" in deltas(first, "content")
    assert deltas(first, "reasoning_content")  # deepseek-flash thinks by default
    assert deltas(first, "content") == deltas(second, "content")


async def test_repeated_prefix_counts_as_cache_hits(client: httpx.AsyncClient) -> None:
    system = {"role": "system", "content": "You are terse. " * 100}
    body = chat("one", messages=[system, {"role": "user", "content": "one"}])
    await client.post("/chat/completions", json=body)
    body["messages"][1]["content"] = "two"
    usage = data_events((await client.post("/chat/completions", json=body)).text)[-2].json["usage"]
    hits = usage["prompt_cache_hit_tokens"]
    assert hits > 0 and hits % 64 == 0
    assert usage["prompt_tokens_details"]["cached_tokens"] == hits
    assert hits + usage["prompt_cache_miss_tokens"] == usage["prompt_tokens"]


async def test_delays_pace_the_stream(server: FakeDeepSeek, client: httpx.AsyncClient) -> None:
    server.push(Reply("abc", chunk_chars=1, first_delay=0.2, delay=0.02))
    start = time.monotonic()
    stamps: list[float] = []
    async with client.stream("POST", "/chat/completions", json=chat()) as response:
        headers_at = time.monotonic() - start
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                stamps.append(time.monotonic() - start)
    assert headers_at < 0.15
    assert stamps[0] >= 0.2
    # role, 3 deltas, finish, usage, [DONE]: six gaps of 0.02 s after the first event
    assert stamps[-1] - stamps[0] >= 0.11


async def _until(condition: Callable[[], bool]) -> None:
    """Poll a server counter (it has no event to await) with a generous limit."""
    async with asyncio.timeout(30):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


async def test_pauses_hold_the_stream_until_resumed(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    # role, a, b, c, d, finish, usage, [DONE]: held after three, and before the body ends
    server.push(Reply("abcd", chunk_chars=1, pauses=(3, 99)))
    data: list[str] = []
    async with client.stream("POST", "/chat/completions", json=chat()) as response:
        lines = response.aiter_lines()
        async for line in lines:
            if line.startswith("data: "):
                data.append(line)
            if len(data) == 3:
                break
        await _until(lambda: server.paused == 1)  # held before the fourth: nothing more sent
        server.resume()
        async for line in lines:
            if line.startswith("data: "):
                data.append(line)
            if len(data) == 8:
                break
        await _until(lambda: server.paused == 1)  # every event out, the body not ended
        server.resume()
        assert [line async for line in lines if line] == []
    assert data[-1] == "data: [DONE]"
    assert deltas(data_events("".join(f"{d}\n\n" for d in data)), "content") == "abcd"
    assert server.paused == 0


async def test_an_early_resume_lets_the_next_pause_through(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    server.resume()
    server.push(Reply("abcd", chunk_chars=1, pauses=(2,)))
    response = await asyncio.wait_for(client.post("/chat/completions", json=chat()), 30)
    assert deltas(data_events(response.text), "content") == "abcd"
    with pytest.raises(RuntimeError, match="not running"):
        FakeDeepSeek().resume()
