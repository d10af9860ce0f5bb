"""The client against the real loopback server (``deepseek_tui.testing.FakeDeepSeek``).

Real sockets, real chunked bodies: every way a stream can end, each reasoning
dialect, retries, deadlines, cancellation, and what the server received.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import traceback
from collections.abc import AsyncIterator
from typing import Any

import pytest

from deepseek_tui.api import (
    APIError,
    AuthenticationError,
    BadRequest,
    ChatMessage,
    ChatRequest,
    ConnectionFailed,
    ContentDelta,
    DeepSeekClient,
    Finish,
    HTTPStatusError,
    InsufficientBalance,
    ModelNotFound,
    NotFound,
    PermissionDenied,
    Queued,
    RateLimited,
    ReasoningDelta,
    ServerError,
    Started,
    StreamError,
    StreamEvent,
    Timeout,
    Timeouts,
    UnexpectedResponse,
    Usage,
    collect,
)
from deepseek_tui.testing import (
    PASSBACK_MESSAGE,
    Drop,
    Fail,
    FakeDeepSeek,
    Hang,
    Reply,
)

from .apitest_util import Sleeps, texts

KEY = "sk-test-key"
FAST = Timeouts(connect=2, read=5, first_token=5, idle=5, total=20, finish_grace=2)


def req(model: str = "deepseek-flash", *history: ChatMessage, **kw: Any) -> ChatRequest:
    messages = (*history, ChatMessage("user", "Hello"))
    return ChatRequest(model=model, messages=messages, **kw)


@pytest.fixture
async def server() -> AsyncIterator[FakeDeepSeek]:
    async with FakeDeepSeek(api_key=KEY) as srv:
        yield srv


def client_for(
    server: FakeDeepSeek,
    *,
    key: str = KEY,
    timeouts: Timeouts = FAST,
    max_retries: int = 2,
    sleep: Sleeps | None = None,
    suffix: str = "",
) -> DeepSeekClient:
    return DeepSeekClient(
        server.base_url + suffix,
        key,
        timeouts=timeouts,
        max_retries=max_retries,
        sleep=sleep or Sleeps(),
    )


async def run(client: DeepSeekClient, request: ChatRequest | None = None) -> list[StreamEvent]:
    return [e async for e in client.stream_chat(request or req())]


async def run_until_error(
    client: DeepSeekClient, request: ChatRequest | None = None
) -> tuple[list[StreamEvent], APIError]:
    seen: list[StreamEvent] = []
    with pytest.raises(APIError) as info:
        async for event in client.stream_chat(request or req()):
            seen.append(event)
    return seen, info.value


# --- happy paths ---------------------------------------------------------------------


@pytest.mark.parametrize("dialect", ["reasoning_content", "reasoning", "think_tags"])
async def test_each_reasoning_dialect(server: FakeDeepSeek, dialect: str) -> None:
    server.push(
        Reply("The answer is 42.", reasoning="Let me think: 6 x 7.", dialect=dialect, chunk_chars=3)
    )  # type: ignore[arg-type]
    async with client_for(server) as client:
        events = await run(client)
    assert isinstance(events[0], Started) and events[0].request_id
    assert texts(events, ReasoningDelta) == "Let me think: 6 x 7."
    assert texts(events, ContentDelta) == "The answer is 42."
    assert events[-1] == Finish("stop", "deepseek-flash")


@pytest.mark.parametrize("suffix", ["", "/", "/v1", "/v1/"])
async def test_base_url_with_or_without_v1(server: FakeDeepSeek, suffix: str) -> None:
    server.push(Reply("hi"))
    async with client_for(server, suffix=suffix) as client:
        assert (await collect(client.stream_chat(req()))).content == "hi"


async def test_usage_chunk_with_empty_choices(server: FakeDeepSeek) -> None:
    server.push(Reply("four words of text", reasoning="some thought"))
    async with client_for(server) as client:
        events = await run(client)
    usage = [e for e in events if isinstance(e, Usage)]
    assert len(usage) == 1 and events[-2] is usage[0]
    u = usage[0]
    assert u.prompt_tokens > 0 and u.completion_tokens > 0
    assert u.total_tokens == u.prompt_tokens + u.completion_tokens
    assert u.cache_hit_tokens is not None and u.cache_miss_tokens is not None
    assert u.cache_hit_tokens + u.cache_miss_tokens == u.prompt_tokens
    assert u.reasoning_tokens == 3  # "some thought": 12 chars / 4


async def test_keepalives_become_queued_events(server: FakeDeepSeek) -> None:
    server.push(Reply("served", keepalives=3, keepalive_interval=0.01))
    async with client_for(server) as client:
        events = await run(client)
    queued = [e for e in events if isinstance(e, Queued)]
    # One per read: comments that arrive together (a slow reader) are one event.
    assert 1 <= len(queued) <= 3
    assert [type(e) for e in events[: 1 + len(queued)]] == [Started, *[Queued] * len(queued)]
    assert queued[-1].waited >= queued[0].waited >= 0


async def test_tool_calls_are_folded(server: FakeDeepSeek) -> None:
    call = {"id": "call_1", "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}}
    server.push(Reply("", reasoning="need weather", tool_calls=[call], chunk_chars=4))
    async with client_for(server) as client:
        result = await collect(client.stream_chat(req()))
    assert result.finish_reason == "tool_calls"
    assert result.tool_calls == (
        {
            "id": "call_1",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
        },
    )


@pytest.mark.parametrize("reason", ["length", "content_filter", "insufficient_system_resource"])
async def test_finish_reasons(server: FakeDeepSeek, reason: str) -> None:
    server.push(Reply("cut short", finish_reason=reason))
    async with client_for(server) as client:
        events = await run(client)
    assert events[-1] == Finish(reason, "deepseek-flash")


async def test_finish_without_done_is_complete(server: FakeDeepSeek) -> None:
    server.push(Reply("no done marker", fault="no_done"))
    async with client_for(server) as client:
        events = await run(client)
    assert texts(events, ContentDelta) == "no done marker"
    assert events[-1] == Finish("stop", "deepseek-flash")


async def test_complete_with_queue_blank_lines_and_think_tags(server: FakeDeepSeek) -> None:
    server.push(
        Reply("Body.", reasoning="Hidden.", dialect="think_tags", keepalives=3),
        Reply("Plain.", reasoning="Thought."),
    )
    async with client_for(server) as client:
        first = await client.complete(req())
        second = await client.complete(req())
    assert (first.reasoning, first.content, first.finish_reason) == ("Hidden.", "Body.", "stop")
    assert (second.reasoning, second.content) == ("Thought.", "Plain.")
    assert second.usage is not None and second.usage.reasoning_tokens == 2
    assert second.request_id and second.model == "deepseek-flash"
    assert server.chat_requests[0].body["stream"] is False
    assert "stream_options" not in server.chat_requests[0].body


async def test_list_models_and_balance(server: FakeDeepSeek) -> None:
    async with client_for(server) as client:
        models = await client.list_models()
        balance = await client.balance()
    assert [m.id for m in models] == list(server.models)
    assert balance is not None and balance.is_available
    assert balance.infos[0].currency == "USD" and balance.infos[0].total == "7.42"
    assert (balance.infos[0].granted, balance.infos[0].topped_up) == ("0.50", "6.92")
    assert [r.path for r in server.requests] == ["/models", "/user/balance"]


async def test_balance_absent_on_a_generic_host() -> None:
    async with FakeDeepSeek(api_key=KEY, host="generic") as srv, client_for(srv) as client:
        assert await client.balance() is None
        assert [m.id for m in await client.list_models()] == list(srv.models)


# --- what the server received ------------------------------------------------------------


async def test_request_body_omits_what_it_should(server: FakeDeepSeek) -> None:
    request = req(
        temperature=0.7,
        top_p=0.9,
        thinking=True,
        reasoning_effort="high",
        omit=frozenset({"temperature"}),
    )
    async with client_for(server) as client:
        await run(client, request)
    recorded = server.chat_requests[0]
    body = recorded.body
    assert "temperature" not in body and "max_tokens" not in body and "stop" not in body
    assert body["top_p"] == 0.9
    assert body["thinking"] == {"type": "enabled"} and body["reasoning_effort"] == "high"
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert recorded.raw == request.body_bytes(stream=True)
    assert recorded.headers["authorization"] == f"Bearer {KEY}"
    assert recorded.headers["content-type"] == "application/json"


TOOL_CALL = {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
HISTORY = (
    ChatMessage("user", "Earlier question"),
    ChatMessage("assistant", "Earlier answer", reasoning="earlier thought"),
    ChatMessage("user", "Use the tool"),
    ChatMessage("assistant", None, reasoning="tool thought", tool_calls=(TOOL_CALL,)),
    ChatMessage("tool", "tool result", tool_call_id="call_1"),
)


def assistant_fields(body: dict[str, Any]) -> list[Any]:
    return [
        m.get("reasoning_content", "<absent>") for m in body["messages"] if m["role"] == "assistant"
    ]


async def test_passback_v4_is_accepted_by_deepseek(server: FakeDeepSeek) -> None:
    async with client_for(server) as client:
        result = await collect(client.stream_chat(req("deepseek-flash", *HISTORY, passback="v4")))
    assert result.finish_reason == "stop"
    assert assistant_fields(server.chat_requests[0].body) == ["", "tool thought"]


async def test_passback_tool_calls_is_rejected_by_strict_deepseek(server: FakeDeepSeek) -> None:
    async with client_for(server) as client:
        _, error = await run_until_error(
            client, req("deepseek-flash", *HISTORY, passback="tool_calls")
        )
    assert isinstance(error, BadRequest) and error.status == 400
    assert error.server_message == PASSBACK_MESSAGE
    assert PASSBACK_MESSAGE in error.message
    assert assistant_fields(server.chat_requests[0].body) == ["<absent>", "tool thought"]
    assert len(server.chat_requests) == 1  # a 400 is never retried


async def test_passback_tool_calls_is_accepted_by_lenient_deepseek() -> None:
    request = req("deepseek-flash", *HISTORY, passback="tool_calls")
    async with FakeDeepSeek(api_key=KEY, strict_passback=False) as srv, client_for(srv) as client:
        assert (await collect(client.stream_chat(request))).finish_reason == "stop"


async def test_passback_never_loses_tool_reasoning_on_deepseek(server: FakeDeepSeek) -> None:
    async with client_for(server) as client:
        _, error = await run_until_error(client, req("deepseek-flash", *HISTORY, passback="never"))
    assert isinstance(error, BadRequest) and error.server_message == PASSBACK_MESSAGE


async def test_passback_never_is_what_r1_hosts_accept() -> None:
    history = HISTORY[:3]
    async with FakeDeepSeek(api_key=KEY, host="r1") as srv:
        async with client_for(srv) as client:
            ok = await collect(client.stream_chat(req("deepseek-reasoner", *history)))
            _, error = await run_until_error(
                client, req("deepseek-reasoner", *history, passback="v4")
            )
        never_body, v4_body = (r.body for r in srv.chat_requests)
    assert ok.finish_reason == "stop"
    assert assistant_fields(never_body) == ["<absent>"]
    assert assistant_fields(v4_body) == [""]
    assert isinstance(error, BadRequest) and "remove the reasoning_content" in error.message


async def test_unknown_model_is_model_not_found(server: FakeDeepSeek) -> None:
    async with client_for(server) as client:
        _, error = await run_until_error(client, req("deepseek-chat"))
    assert isinstance(error, ModelNotFound)
    assert "'deepseek-chat'" in error.message and error.server_message == "Model Not Exist"


# --- HTTP failures and retries --------------------------------------------------------


async def test_wrong_key_is_authentication_error_without_the_key() -> None:
    secret = "sk-wrong-secret-key-0123456789"
    async with FakeDeepSeek(api_key=KEY) as srv, client_for(srv, key=secret) as client:
        _, error = await run_until_error(client)
        with pytest.raises(AuthenticationError) as models_error:
            await client.list_models()
    assert isinstance(error, AuthenticationError) and error.status == 401
    assert error.message.startswith(f"127.0.0.1:{srv.port} rejected the API key (HTTP 401")
    assert "6789" in error.server_message  # the server's masked hint is kept
    for err in (error, models_error.value):
        text = str(err) + repr(err) + "".join(traceback.format_exception(err)) + repr(vars(err))
        assert secret not in text and secret[:-4] not in text
    assert len(srv.chat_requests) == 1


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (401, AuthenticationError),
        (402, InsufficientBalance),
        (403, PermissionDenied),
        (404, NotFound),
        (422, BadRequest),
    ],
)
async def test_no_retry_on_client_errors(
    server: FakeDeepSeek, status: int, cls: type[HTTPStatusError]
) -> None:
    server.push(Fail(status), Reply("must not be reached"))
    sleeps = Sleeps()
    async with client_for(server, sleep=sleeps) as client:
        _, error = await run_until_error(client)
    assert type(error) is cls and error.status == status
    assert error.request_id
    assert len(server.chat_requests) == 1 and server.pending == 1 and sleeps.calls == []


async def test_retry_honours_retry_after(server: FakeDeepSeek) -> None:
    server.push(
        Fail(429, headers={"Retry-After": "0.05"}),
        Fail(503, headers={"retry-after-ms": "20"}),
        Reply("third time lucky"),
    )
    sleeps = Sleeps()
    async with client_for(server, sleep=sleeps) as client:
        events = await run(client)
    assert sleeps.calls == [0.05, 0.02]
    assert texts(events, ContentDelta) == "third time lucky"
    assert len(server.chat_requests) == 3


async def test_retry_really_waits_retry_after(server: FakeDeepSeek) -> None:
    server.push(Fail(429, headers={"Retry-After": "0.2"}), Reply("ok"))
    async with DeepSeekClient(server.base_url, KEY, timeouts=FAST) as client:
        start = time.monotonic()
        await run(client)
    assert time.monotonic() - start >= 0.2


async def test_gives_up_after_two_retries(server: FakeDeepSeek) -> None:
    server.push(Fail(500), Fail(502), Fail(503), Reply("not reached"))
    async with client_for(server) as client:
        _, error = await run_until_error(client)
    assert isinstance(error, ServerError) and error.status == 503
    assert len(server.chat_requests) == 3


async def test_rate_limited_after_retries(server: FakeDeepSeek) -> None:
    server.push(Fail(429), Fail(429), Fail(429))
    async with client_for(server) as client:
        _, error = await run_until_error(client)
    assert isinstance(error, RateLimited) and error.retryable


async def test_dropped_connection_before_a_byte_is_retried(server: FakeDeepSeek) -> None:
    server.push(Drop(), Reply("after the drop"))
    async with client_for(server) as client:
        events = await run(client)
    assert texts(events, ContentDelta) == "after the drop"


async def test_dropped_connections_exhaust_retries(server: FakeDeepSeek) -> None:
    server.push(Drop(), Drop(), Drop())
    async with client_for(server) as client:
        _, error = await run_until_error(client)
    assert isinstance(error, ConnectionFailed)


async def test_html_error_page_is_unexpected_response(server: FakeDeepSeek) -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    server.push(Fail(502, body=page, content_type="text/html"))
    async with client_for(server, max_retries=0) as client:
        _, error = await run_until_error(client)
    assert isinstance(error, UnexpectedResponse)
    assert error.message.startswith(
        f"unexpected response from 127.0.0.1:{server.port} (HTTP 502, text/html)"
    )


async def test_server_message_is_sanitized(server: FakeDeepSeek) -> None:
    server.push(Fail(400, message="evil \x1b]0;pwned\x07\x1b[2J message"))
    async with client_for(server) as client:
        _, error = await run_until_error(client)
    assert isinstance(error, BadRequest)
    assert "\x1b" not in error.message and "\x07" not in error.message
    assert "evil" in error.message and "message" in error.message


# --- broken streams ----------------------------------------------------------------------


async def test_no_retry_after_first_byte(server: FakeDeepSeek) -> None:
    server.push(Reply("Hello there, friend", chunk_chars=5, fault="cut", fault_after=3), Reply("x"))
    async with client_for(server) as client:
        seen, error = await run_until_error(client)
    assert isinstance(error, StreamError)
    assert error.partial_content == "Hello ther" == texts(seen, ContentDelta)
    assert len(server.chat_requests) == 1 and server.pending == 1


async def test_keepalive_then_cut_is_not_retried(server: FakeDeepSeek) -> None:
    server.push(Reply("x", keepalives=2, fault="cut", fault_after=0), Reply("y"))
    async with client_for(server) as client:
        _, error = await run_until_error(client)
    assert isinstance(error, StreamError)
    assert len(server.chat_requests) == 1


async def test_clean_close_without_finish(server: FakeDeepSeek) -> None:
    server.push(Reply("partial answer", reasoning="why", fault="clean_close", fault_after=3))
    async with client_for(server) as client:
        _, error = await run_until_error(client)
    assert isinstance(error, StreamError) and "closed the stream" in error.message
    assert error.partial_reasoning == "why"
    assert error.partial_content == "partial "


async def test_malformed_json_event(server: FakeDeepSeek) -> None:
    server.push(Reply("good then bad", chunk_chars=4, fault="malformed", fault_after=2))
    async with client_for(server) as client:
        _, error = await run_until_error(client)
    assert isinstance(error, StreamError) and "malformed" in error.message
    assert error.partial_content == "good"


async def test_error_event(server: FakeDeepSeek) -> None:
    server.push(Reply("some text", fault="error_event", fault_after=2))
    async with client_for(server) as client:
        _, error = await run_until_error(client)
    assert isinstance(error, StreamError)
    assert "Internal server error during generation" in error.message
    assert error.partial_content == "some tex"


async def test_over_long_line(server: FakeDeepSeek) -> None:
    server.push(Reply("before", fault="long_line", fault_after=2))
    async with client_for(server) as client:
        _, error = await run_until_error(client)
    assert isinstance(error, StreamError) and "longer than" in error.message
    assert error.partial_content == "before"


async def test_complete_cut_body(server: FakeDeepSeek) -> None:
    server.push(Reply("a whole answer", fault="cut"))
    async with client_for(server) as client:
        with pytest.raises(StreamError):
            await client.complete(req())


# --- deadlines ------------------------------------------------------------------------------


async def test_first_token_deadline_is_not_defeated_by_keepalives(server: FakeDeepSeek) -> None:
    server.push(Reply("late", keepalives=200, keepalive_interval=0.02))
    timeouts = Timeouts(first_token=0.4, idle=5, total=20)
    async with client_for(server, timeouts=timeouts) as client:
        start = time.monotonic()
        seen, error = await run_until_error(client)
    assert isinstance(error, Timeout) and error.phase == "first_token"
    assert any(isinstance(e, Queued) for e in seen)
    assert time.monotonic() - start < 3
    assert len(server.chat_requests) == 1  # a byte had arrived: not retried


async def test_hang_before_headers_times_out(server: FakeDeepSeek) -> None:
    server.push(Hang())
    timeouts = Timeouts(first_token=0.3, total=20)
    async with client_for(server, timeouts=timeouts, max_retries=0) as client:
        _, error = await run_until_error(client)
    assert isinstance(error, Timeout) and error.phase == "first_token"


async def test_hang_before_headers_is_retried(server: FakeDeepSeek) -> None:
    server.push(Hang(), Reply("second try"))
    timeouts = Timeouts(first_token=0.3, total=20)
    async with client_for(server, timeouts=timeouts, max_retries=1) as client:
        events = await run(client)
    assert texts(events, ContentDelta) == "second try"


async def test_stall_after_content_hits_idle_deadline(server: FakeDeepSeek) -> None:
    server.push(Reply("stalls here", chunk_chars=6, fault="stall", fault_after=2))
    timeouts = Timeouts(idle=0.3, total=20)
    async with client_for(server, timeouts=timeouts) as client:
        _, error = await run_until_error(client)
    assert isinstance(error, Timeout) and error.phase == "idle"
    assert error.partial_content == "stalls"


async def test_keepalive_tail_after_content_hits_idle_deadline(server: FakeDeepSeek) -> None:
    server.push(
        Reply(
            "then only keep-alives", fault="keepalive_stall", fault_after=2, keepalive_interval=0.02
        )
    )
    timeouts = Timeouts(idle=0.3, total=20)
    async with client_for(server, timeouts=timeouts) as client:
        start = time.monotonic()
        _, error = await run_until_error(client)
    assert isinstance(error, Timeout) and error.phase == "idle"
    assert error.partial_content == "then onl"
    assert time.monotonic() - start < 3


async def test_socket_read_timeout(server: FakeDeepSeek) -> None:
    server.push(Reply("slow", fault="stall", fault_after=2))
    async with client_for(server, timeouts=Timeouts(read=0.2, idle=5)) as client:
        _, error = await run_until_error(client)
    assert isinstance(error, Timeout) and error.phase == "read"
    assert error.partial_content == "slow"


async def test_total_deadline(server: FakeDeepSeek) -> None:
    server.push(Reply("x" * 400, chunk_chars=4, delay=0.01))
    async with client_for(server, timeouts=Timeouts(idle=5, total=0.3)) as client:
        _, error = await run_until_error(client)
    assert isinstance(error, Timeout) and error.phase == "total"
    assert 0 < len(error.partial_content) < 400


# --- cancellation closes the connection --------------------------------------------------


class TickServer:
    """A raw HTTP server that streams forever and records when the client hangs up."""

    def __init__(self) -> None:
        self.closed = asyncio.Event()
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> TickServer:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(length)
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
        )
        frame = b'data: {"choices":[{"index":0,"delta":{"content":"tick "}}]}\n\n'
        try:
            while True:
                writer.write(b"%x\r\n%s\r\n" % (len(frame), frame))
                await writer.drain()
                try:
                    if await asyncio.wait_for(reader.read(1), 0.02) == b"":
                        break
                except TimeoutError:
                    continue
        except ConnectionError:
            pass
        finally:
            self.closed.set()
            writer.close()


async def _wait_closed(tick: TickServer) -> float:
    start = time.monotonic()
    await asyncio.wait_for(tick.closed.wait(), 5)
    return time.monotonic() - start


async def test_break_closes_the_connection() -> None:
    async with TickServer() as tick, DeepSeekClient(tick.base_url, KEY) as client:
        async for event in client.stream_chat(req()):
            if isinstance(event, ContentDelta):
                break
        assert await _wait_closed(tick) < 2


async def test_aclose_closes_the_connection() -> None:
    async with TickServer() as tick, DeepSeekClient(tick.base_url, KEY) as client:
        stream = client.stream_chat(req())
        async with contextlib.aclosing(stream):
            async for event in stream:
                if isinstance(event, ContentDelta):
                    break
        assert tick.closed.is_set() or await _wait_closed(tick) < 1


async def test_task_cancellation_closes_the_connection() -> None:
    async with TickServer() as tick, DeepSeekClient(tick.base_url, KEY) as client:
        got_text = asyncio.Event()

        async def consume() -> None:
            async for event in client.stream_chat(req()):
                if isinstance(event, ContentDelta):
                    got_text.set()

        task = asyncio.create_task(consume())
        await asyncio.wait_for(got_text.wait(), 30)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await _wait_closed(tick) < 2


async def test_client_still_works_after_a_cancelled_stream(server: FakeDeepSeek) -> None:
    server.push(Reply("long " * 200, chunk_chars=5, delay=0.01), Reply("next"))
    async with client_for(server) as client:
        stream = client.stream_chat(req())
        async with contextlib.aclosing(stream):
            async for event in stream:
                if isinstance(event, ContentDelta):
                    break
        assert (await collect(client.stream_chat(req()))).content == "next"


def test_events_are_json_serializable_dataclasses() -> None:
    # The CLI's --json output and the store rely on plain values.
    usage = Usage(1, 2, 3, 0, 1, None)
    assert json.loads(json.dumps(usage.to_dict())) == usage.to_dict()


@pytest.mark.parametrize("suffix", ["", "/v1"])
async def test_a_prefix_request_goes_to_the_beta_base(suffix: str) -> None:
    """Chat prefix completion works only on DeepSeek's /beta base, whatever
    form the configured base takes (``/v1/beta`` is not a route)."""
    from deepseek_tui.api import ChatMessage, ChatRequest, ContentDelta, DeepSeekClient

    async with FakeDeepSeek(api_key="sk-test-key-0123456789abcd") as server:
        server.push(Reply(content=" upon a time"))
        request = ChatRequest(
            model="deepseek-flash",
            messages=(
                ChatMessage("user", "tell"),
                ChatMessage("assistant", "Once", prefix=True),
            ),
            thinking=False,
        )
        async with DeepSeekClient(server.base_url + suffix, "sk-test-key-0123456789abcd") as c:
            text = [e.text async for e in c.stream_chat(request) if isinstance(e, ContentDelta)]
        assert "".join(text) == " upon a time"
        (sent,) = server.chat_requests
        assert sent.path == "/beta/chat/completions"
        assert sent.body["messages"][-1] == {"role": "assistant", "content": "Once", "prefix": True}
