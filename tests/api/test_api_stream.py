"""Stream interpretation through a mocked transport: events, dialects, usage, endings."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deepseek_tui.api import (
    APIError,
    AuthenticationError,
    ChatResult,
    ContentDelta,
    Finish,
    Queued,
    ReasoningDelta,
    Started,
    StreamAccumulator,
    StreamError,
    Timeout,
    Timeouts,
    ToolCallDelta,
    UnexpectedResponse,
    Usage,
    collect,
)

from .apitest_util import (
    KEY,
    REQUEST,
    SSE,
    chunk,
    events_of,
    mock_client,
    sse,
    sse_response,
    texts,
)

DEEPSEEK_USAGE = {
    "prompt_tokens": 22,
    "completion_tokens": 41,
    "total_tokens": 63,
    "prompt_cache_hit_tokens": 6,
    "prompt_cache_miss_tokens": 16,
    "completion_tokens_details": {"reasoning_tokens": 33},
}


async def test_thinking_stream_events_in_order() -> None:
    body = sse(
        chunk(None, reasoning=""),
        chunk(None, reasoning="Compare 9.9 and 9.11"),
        chunk(None, reasoning=": 0.90 > 0.11."),
        chunk("9.9 is larger.", reasoning=None),
        chunk("", reasoning=None, finish="stop", usage=DEEPSEEK_USAGE),
    )
    async with mock_client(lambda r: sse_response(body, **{"x-ds-trace-id": "trace-1"})) as c:
        events = await events_of(c)
    assert events == [
        Started("trace-1"),
        ReasoningDelta("Compare 9.9 and 9.11"),
        ReasoningDelta(": 0.90 > 0.11."),
        ContentDelta("9.9 is larger."),
        Usage(22, 41, 63, cache_hit_tokens=6, cache_miss_tokens=16, reasoning_tokens=33),
        Finish("stop", "deepseek-flash"),
    ]


async def test_request_headers_and_url() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return sse_response(sse(chunk("x", finish="stop")))

    for base in ("https://h.example/v1/", "https://h.example/v1", "https://h.example/"):
        async with mock_client(handler, base_url=base) as c:
            await events_of(c)
    assert [str(r.url) for r in seen] == [
        "https://h.example/v1/chat/completions",
        "https://h.example/v1/chat/completions",
        "https://h.example/chat/completions",
    ]
    request = seen[0]
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.headers["accept"] == "text/event-stream"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("deepseek-tui/")
    body = json.loads(request.content)
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}


async def test_reasoning_field_dialect() -> None:
    body = sse(
        chunk(None, reasoning="step", reasoning_field="reasoning"),
        chunk("answer", finish="stop"),
    )
    async with mock_client(lambda r: sse_response(body)) as c:
        events = await events_of(c)
    assert texts(events, ReasoningDelta) == "step"
    assert texts(events, ContentDelta) == "answer"


async def test_think_tags_split_across_chunks() -> None:
    text = "<think>\nweigh it\n</think>\n\nThe answer."
    frames = [chunk(text[i : i + 3]) for i in range(0, len(text), 3)]
    body = sse(*frames, chunk("", finish="stop"))
    async with mock_client(lambda r: sse_response(body)) as c:
        events = await events_of(c)
    assert texts(events, ReasoningDelta) == "weigh it\n"
    assert texts(events, ContentDelta) == "The answer."


async def test_unclosed_think_at_end_is_reasoning() -> None:
    body = sse(chunk("<think>still thinking"), chunk("", finish="length"))
    async with mock_client(lambda r: sse_response(body)) as c:
        events = await events_of(c)
    assert texts(events, ReasoningDelta) == "still thinking"
    assert events[-1] == Finish("length", "deepseek-flash")


async def test_explicit_reasoning_disables_tag_parsing() -> None:
    body = sse(
        chunk(None, reasoning="r"), chunk("<think>literal</think>"), chunk("", finish="stop")
    )
    async with mock_client(lambda r: sse_response(body)) as c:
        events = await events_of(c)
    assert texts(events, ContentDelta) == "<think>literal</think>"


async def test_keepalives_before_first_token_become_queued() -> None:
    reads = [b": keep-alive\n\n", b": keep-alive\n\n", sse(chunk("a"), done=False)]
    reads += [b": keep-alive\n\n", sse(chunk("", finish="stop"))]
    async with mock_client(lambda r: sse_response(reads)) as c:
        events = await events_of(c)
    assert [type(e) for e in events[:3]] == [Started, Queued, Queued]
    assert sum(isinstance(e, Queued) for e in events) == 2
    assert all(q.waited >= 0 for q in events if isinstance(q, Queued))


async def test_keepalives_of_one_read_are_one_queued_event() -> None:
    body = sse(*[": keep-alive\n\n"] * 1000, chunk("a"), chunk("", finish="stop"))
    async with mock_client(lambda r: sse_response(body)) as c:
        events = await events_of(c)
    assert [type(e) for e in events[:3]] == [Started, Queued, ContentDelta]


async def test_openai_style_usage_and_last_non_null_wins() -> None:
    first = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    last = {
        "prompt_tokens": 100,
        "completion_tokens": 7,
        "total_tokens": 107,
        "prompt_tokens_details": {"cached_tokens": 64},
    }
    body = sse(
        chunk("a", usage=first),
        chunk("", finish="stop", usage=None),
        chunk(None, choices=False, usage=last),
    )
    async with mock_client(lambda r: sse_response(body)) as c:
        events = await events_of(c)
    usage = [e for e in events if isinstance(e, Usage)]
    assert usage == [Usage(100, 7, 107, cache_hit_tokens=64, cache_miss_tokens=36)]
    assert isinstance(events[-1], Finish)


async def test_tool_call_fragments_fold_by_index() -> None:
    body = sse(
        chunk(None, tool_calls=[{"index": 0, "id": "call_a", "function": {"name": "f"}}]),
        chunk(None, tool_calls=[{"index": 1, "id": "call_b", "function": {"name": "g"}}]),
        chunk(None, tool_calls=[{"index": 0, "function": {"arguments": '{"x"'}}]),
        chunk(None, tool_calls=[{"index": 1, "function": {"arguments": "{}"}}]),
        chunk(None, tool_calls=[{"index": 0, "function": {"name": "f", "arguments": ": 1}"}}]),
        chunk("", finish="tool_calls"),
    )
    async with mock_client(lambda r: sse_response(body)) as c:
        result = await collect(c.stream_chat(REQUEST))
        deltas = await events_of(c)
    assert ToolCallDelta(0, "call_a", "f", "") in deltas
    assert result.finish_reason == "tool_calls"
    assert result.tool_calls == (
        {"id": "call_a", "type": "function", "function": {"name": "f", "arguments": '{"x": 1}'}},
        {"id": "call_b", "type": "function", "function": {"name": "g", "arguments": "{}"}},
    )


async def test_collect_builds_a_chat_result() -> None:
    body = sse(
        chunk(None, reasoning="r"), chunk("c"), chunk("", finish="stop", usage=DEEPSEEK_USAGE)
    )
    async with mock_client(lambda r: sse_response(body, **{"x-request-id": "req-9"})) as c:
        result = await collect(c.stream_chat(REQUEST))
    assert result == ChatResult(
        content="c",
        reasoning="r",
        finish_reason="stop",
        usage=Usage(22, 41, 63, 6, 16, 33),
        model="deepseek-flash",
        tool_calls=(),
        request_id="req-9",
    )


def test_accumulator_keeps_partial_text() -> None:
    acc = StreamAccumulator()
    for event in (ContentDelta("par"), ReasoningDelta("why"), ContentDelta("tial")):
        acc.add(event)
    assert (acc.content, acc.reasoning) == ("partial", "why")
    assert acc.result(model="m").model == "m"


@pytest.mark.parametrize("reason", ["length", "content_filter", "insufficient_system_resource"])
async def test_finish_reasons_reach_the_caller(reason: str) -> None:
    body = sse(chunk("partial"), chunk("", finish=reason))
    async with mock_client(lambda r: sse_response(body)) as c:
        events = await events_of(c)
    assert events[-1] == Finish(reason, "deepseek-flash")


async def test_finish_without_done_then_clean_close_is_complete() -> None:
    body = sse(chunk("all"), chunk("", finish="stop"), done=False)
    async with mock_client(lambda r: sse_response(body)) as c:
        events = await events_of(c)
    assert events[-1] == Finish("stop", "deepseek-flash")


async def test_done_without_finish_but_with_text_is_complete_without_finish() -> None:
    body = sse(chunk("text only"))
    async with mock_client(lambda r: sse_response(body)) as c:
        events = await events_of(c)
    assert texts(events, ContentDelta) == "text only"
    assert not any(isinstance(e, Finish) for e in events)


async def test_done_without_anything_is_an_error() -> None:
    body = sse(chunk(None, reasoning=""))
    async with mock_client(lambda r: sse_response(body)) as c:
        with pytest.raises(StreamError, match="without an answer"):
            await events_of(c)


async def test_clean_close_without_finish_or_done_keeps_partial() -> None:
    body = sse(chunk(None, reasoning="hmm"), chunk("half an ans"), done=False)
    async with mock_client(lambda r: sse_response(body)) as c:
        with pytest.raises(StreamError, match="closed the stream") as info:
            await events_of(c)
    assert info.value.partial_content == "half an ans"
    assert info.value.partial_reasoning == "hmm"


async def test_partial_includes_held_back_think_prefix() -> None:
    body = sse(chunk("  <thi"), done=False)
    async with mock_client(lambda r: sse_response(body)) as c:
        with pytest.raises(StreamError) as info:
            await events_of(c)
    assert info.value.partial_content == "  <thi"


async def test_malformed_json_is_a_stream_error_with_partial() -> None:
    body = sse(chunk("ok so far"), "data: {not json\n\n", chunk("", finish="stop"))
    async with mock_client(lambda r: sse_response(body)) as c:
        with pytest.raises(StreamError, match="malformed") as info:
            await events_of(c)
    assert info.value.partial_content == "ok so far"


async def test_error_event_is_a_stream_error_with_server_message() -> None:
    body = sse(chunk("abc"), {"error": {"message": "GPU fell over", "type": "server_error"}})
    async with mock_client(lambda r: sse_response(body)) as c:
        with pytest.raises(StreamError, match="GPU fell over") as info:
            await events_of(c)
    assert info.value.partial_content == "abc"


async def test_over_long_line_is_a_stream_error() -> None:
    body = sse(chunk("abc"), done=False) + b"data: " + b"x" * 5000 + b"\n\n"
    async with mock_client(lambda r: sse_response([body]), max_line=1024) as c:
        with pytest.raises(StreamError, match="longer than 1024") as info:
            await events_of(c)
    assert info.value.partial_content == "abc"


async def test_cut_connection_is_a_stream_error() -> None:
    async def stream() -> AsyncIterator[bytes]:
        yield sse(chunk("before the cut"), done=False)
        raise httpx.RemoteProtocolError("peer closed connection")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=SSE, content=stream())

    async with mock_client(handler) as c:
        with pytest.raises(StreamError, match="broke") as info:
            await events_of(c)
    assert info.value.partial_content == "before the cut"


async def test_keepalive_tail_after_finish_ends_complete_after_grace() -> None:
    async def stream() -> AsyncIterator[bytes]:
        yield sse(chunk("done"), chunk("", finish="stop"), done=False)
        while True:
            await asyncio.sleep(0.02)
            yield b": keep-alive\n\n"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=SSE, content=stream())

    timeouts = Timeouts(idle=5, finish_grace=0.1)
    async with mock_client(handler, timeouts=timeouts) as c:
        events = await asyncio.wait_for(events_of(c), 30)
    assert events[-1] == Finish("stop", "deepseek-flash")


async def test_keepalive_tail_before_finish_hits_idle_timeout() -> None:
    async def stream() -> AsyncIterator[bytes]:
        yield sse(chunk("some text"), done=False)
        while True:
            await asyncio.sleep(0.02)
            yield b": keep-alive\n\n"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=SSE, content=stream())

    async with mock_client(handler, timeouts=Timeouts(idle=0.15)) as c:
        with pytest.raises(Timeout) as info:
            await asyncio.wait_for(events_of(c), 30)
    assert info.value.phase == "idle"
    assert info.value.partial_content == "some text"


async def test_json_body_for_a_stream_request_is_replayed_as_events() -> None:
    body = {
        "id": "x",
        "object": "chat.completion",
        "model": "deepseek-flash",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "hi", "reasoning_content": "r"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3},
    }
    async with mock_client(lambda r: httpx.Response(200, json=body)) as c:
        events = await events_of(c)
    assert events[1:] == [
        ReasoningDelta("r"),
        ContentDelta("hi"),
        Usage(1, 2, 3),
        Finish("stop", "deepseek-flash"),
    ]


async def test_json_error_with_200_for_a_stream_request_maps_to_its_error() -> None:
    body = {"error": {"message": "Authentication Fails", "type": "authentication_error"}}
    async with mock_client(lambda r: httpx.Response(200, json=body)) as c:
        with pytest.raises(AuthenticationError):
            await events_of(c)


async def test_html_200_for_a_stream_request_is_unexpected() -> None:
    page = b"<html><body>Welcome to nginx</body></html>"
    response = httpx.Response(200, headers={"content-type": "text/html"}, content=page)
    async with mock_client(lambda r: response) as c:
        with pytest.raises(UnexpectedResponse, match=r"HTTP 200, text/html"):
            await events_of(c)


async def test_sse_without_content_type_is_still_parsed() -> None:
    body = sse(chunk("ok", finish="stop"))
    async with mock_client(lambda r: httpx.Response(200, content=body)) as c:
        events = await events_of(c)
    assert texts(events, ContentDelta) == "ok"


async def test_nothing_is_sent_until_iteration_starts() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return sse_response(sse(chunk("x", finish="stop")))

    async with mock_client(handler) as c:
        stream = c.stream_chat(REQUEST)
        assert calls == []
        await stream.aclose()
    assert calls == []


# --- fuzzing: whatever the host sends, only our own errors come out ----------------

_KEYS = st.sampled_from(
    [
        "choices", "delta", "message", "content", "reasoning_content", "reasoning", "tool_calls",
        "index", "function", "arguments", "name", "id", "finish_reason", "usage", "error",
        "model", "prompt_tokens", "completion_tokens", "prompt_tokens_details",
        "cached_tokens", "completion_tokens_details", "reasoning_tokens",
    ]
)  # fmt: skip
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)
_frames = st.one_of(
    _json.map(lambda v: f"data: {json.dumps(v)}\n\n"),
    st.builds(
        lambda c, r, f: f"data: {json.dumps(chunk(c, reasoning=r, finish=f))}\n\n",
        st.text(max_size=6) | st.none(),
        st.text(max_size=6) | st.none(),
        st.sampled_from([None, "stop", "length"]),
    ),
    st.sampled_from(
        [
            "data: [DONE]\n\n",
            ": keep-alive\n\n",
            "data: {not json\n\n",
            "\r\n",
            "data:\n\n",
            "data: " + "x" * 300 + "\n\n",
            'data: {"error": {"message": "boom"}}\n\n',
            "event: ping\n\n",
        ]
    ),
    st.text(max_size=10),
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(frames=st.lists(_frames, max_size=10), data=st.data())
def test_random_frames_raise_only_api_errors(frames: list[str], data: st.DataObject) -> None:
    raw = "".join(frames).encode("utf-8", "surrogatepass")
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=6)))
    pieces = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    content_type = data.draw(st.sampled_from(["text/event-stream", "application/json", ""]))

    def handler(request: httpx.Request) -> httpx.Response:
        async def stream() -> AsyncIterator[bytes]:
            for piece in pieces:
                yield piece

        headers = {"content-type": content_type} if content_type else {}
        return httpx.Response(200, headers=headers, content=stream())

    async def run() -> None:
        async with mock_client(handler, max_line=256) as c:
            try:
                await events_of(c)
            except APIError as exc:
                assert str(exc)
            with contextlib.suppress(APIError):
                await c.complete(REQUEST)

    asyncio.run(run())


async def test_a_slow_consumer_is_not_timed_out_nor_cancelled() -> None:
    # The idle deadline measures the host, not the time the consumer spends on an event.
    frames = [sse(chunk(word), done=False) for word in ("one ", "two ", "three")]
    body = [*frames, sse(chunk("", finish="stop"))]
    async with mock_client(lambda r: sse_response(body), timeouts=Timeouts(idle=0.1)) as c:
        seen = []
        async for event in c.stream_chat(REQUEST):
            seen.append(event)
            await asyncio.sleep(0.15)  # longer than the idle deadline
    assert texts(seen, ContentDelta) == "one two three"


async def test_outside_cancellation_during_a_read_is_not_a_timeout() -> None:
    started = asyncio.Event()

    async def stream() -> AsyncIterator[bytes]:
        yield sse(chunk("a"), done=False)
        started.set()
        await asyncio.sleep(30)
        yield b""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=SSE, content=stream())

    async with mock_client(handler, timeouts=Timeouts(idle=0.2)) as c:
        task = asyncio.create_task(events_of(c))
        await asyncio.wait_for(started.wait(), 30)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The client is still usable and its deadline still works afterwards.
        with pytest.raises(Timeout):
            await events_of(c)
