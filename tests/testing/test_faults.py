"""Each way a request can go wrong: broken streams, HTTP errors, hangs and drops."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from deepseek_tui.testing import Drop, Fail, FakeDeepSeek, Hang, Reply

from .sse_helpers import AUTH, chat, data_events, parse_sse

TEXT = "abcdefgh" * 4  # four 8-character deltas


async def collect(
    client: httpx.AsyncClient, body: dict[str, object] | None = None
) -> tuple[str, httpx.HTTPError | None]:
    """Read a stream to its end: what arrived, and the error that ended it (if any)."""
    parts: list[str] = []
    async with client.stream("POST", "/chat/completions", json=body or chat()) as response:
        assert response.status_code == 200
        try:
            async for text in response.aiter_text():
                parts.append(text)
        except httpx.HTTPError as exc:
            return "".join(parts), exc
    return "".join(parts), None


async def complete(client: httpx.AsyncClient) -> str:
    received, error = await collect(client)
    assert error is None
    return received


async def test_cut_is_a_protocol_error_mid_body(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    server.push(Reply(TEXT, fault="cut", fault_after=3))
    received, error = await collect(client)
    assert isinstance(error, httpx.RemoteProtocolError)
    assert "incomplete chunked read" in str(error)
    events = parse_sse(received)
    assert len(events) == 3
    assert events[2].json["choices"][0]["delta"]["content"] == "abcdefgh"


async def test_cut_after_everything_but_done(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    server.push(Reply("x", fault="cut", fault_after=99))
    received, error = await collect(client)
    assert isinstance(error, httpx.RemoteProtocolError)
    assert data_events(received)[-1].json["choices"] == []  # the usage chunk; no [DONE]


async def test_clean_close_ends_the_body_without_finish(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    server.push(Reply(TEXT, fault="clean_close", fault_after=2))
    events = data_events(await complete(client))
    assert len(events) == 2
    assert all(e.json["choices"][0]["finish_reason"] is None for e in events)
    # the connection stays usable after a clean end
    assert (await client.get("/models")).status_code == 200
    assert {r.connection for r in server.requests} == {1}


async def test_stall_makes_the_read_time_out(server: FakeDeepSeek) -> None:
    server.push(Reply(TEXT, fault="stall", fault_after=2))
    timeout = httpx.Timeout(5.0, read=0.2)
    async with httpx.AsyncClient(base_url=server.base_url, headers=AUTH, timeout=timeout) as http:
        received, error = await collect(http)
    assert isinstance(error, httpx.ReadTimeout)
    assert len(data_events(received)) == 2


async def test_keepalive_stall_sends_only_comments(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    server.push(Reply(TEXT, fault="keepalive_stall", fault_after=1, keepalive_interval=0.02))
    received = ""
    deadline = time.monotonic() + 0.3
    async with client.stream("POST", "/chat/completions", json=chat()) as response:
        async for text in response.aiter_text():
            received += text
            if time.monotonic() > deadline:
                break
    events = parse_sse(received[: received.rindex("\n\n") + 2])
    assert events[0].kind == "data"
    assert [e.kind for e in events[1:]] == ["comment"] * (len(events) - 1)
    assert len(events) >= 6
    assert {e.text for e in events[1:]} == {"keep-alive"}


async def test_malformed_event_is_inserted(server: FakeDeepSeek, client: httpx.AsyncClient) -> None:
    server.push(Reply("hello", fault="malformed", fault_after=1))
    events = data_events(await complete(client))
    assert events[1].text == "{not json"
    assert events[2].json["choices"][0]["delta"]["content"] == "hello"
    assert events[-1].text == "[DONE]"


async def test_error_event_ends_the_stream(server: FakeDeepSeek, client: httpx.AsyncClient) -> None:
    server.push(Reply(TEXT, fault="error_event", fault_after=2))
    events = data_events(await complete(client))
    assert len(events) == 3
    error = events[2].json["error"]
    assert error["message"] and error["type"]


async def test_long_line_is_nine_mebibytes_without_newline(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    server.push(Reply("x", fault="long_line", fault_after=1))
    async with client.stream("POST", "/chat/completions", json=chat()) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    head, _, line = raw.partition(b"\n\n")
    assert head.startswith(b"data: {")
    assert line.startswith(b"data: ")
    assert b"\n" not in line
    assert len(line) >= 9 * 1024 * 1024


async def test_no_done_sends_the_finish_but_not_done(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    server.push(Reply("x", fault="no_done"))
    events = data_events(await complete(client))
    assert events[-2].json["choices"][0]["finish_reason"] == "stop"
    assert events[-1].json["choices"] == []
    assert all(e.text != "[DONE]" for e in events)


async def test_non_streaming_faults(server: FakeDeepSeek, client: httpx.AsyncClient) -> None:
    server.push(Reply("x", fault="malformed"), Reply("y" * 100, fault="cut"))
    malformed = await client.post("/chat/completions", json=chat(stream=False))
    assert (malformed.status_code, malformed.text) == (200, "{not json")
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post("/chat/completions", json=chat(stream=False))


async def test_fail_passes_headers_through(server: FakeDeepSeek, client: httpx.AsyncClient) -> None:
    server.push(
        Fail(429, headers={"Retry-After": "2", "retry-after-ms": "1500"}),
        Fail(402),
        Fail(500, "boom", error_type="server_error"),
    )
    limited = await client.post("/chat/completions", json=chat())
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "2"
    assert limited.headers["retry-after-ms"] == "1500"
    assert limited.headers["x-ds-trace-id"]
    assert limited.json() == {
        "error": {
            "message": "Rate Limit Reached",
            "type": "rate_limit_error",
            "param": None,
            "code": "invalid_request_error",
        }
    }
    broke = await client.post("/chat/completions", json=chat())
    assert (broke.status_code, broke.json()["error"]["message"]) == (402, "Insufficient Balance")
    assert broke.json()["error"]["type"] == "unknown_error"
    boom = await client.post("/chat/completions", json=chat())
    assert boom.json()["error"] == {
        "message": "boom",
        "type": "server_error",
        "param": None,
        "code": "invalid_request_error",
    }


async def test_fail_with_an_html_page(server: FakeDeepSeek, client: httpx.AsyncClient) -> None:
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    server.push(Fail(502, body=page, content_type="text/html"))
    response = await client.post("/chat/completions", json=chat())
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert response.text == page


async def test_hang_never_answers(server: FakeDeepSeek) -> None:
    server.push(Hang())
    timeout = httpx.Timeout(5.0, read=0.2)
    async with httpx.AsyncClient(base_url=server.base_url, headers=AUTH, timeout=timeout) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.post("/chat/completions", json=chat())
        assert len(server.chat_requests) == 1
        assert (await http.post("/chat/completions", json=chat())).status_code == 200


async def test_drop_closes_without_a_response(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    server.push(Drop())
    with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
        await client.post("/chat/completions", json=chat())
    assert (await client.post("/chat/completions", json=chat())).status_code == 200


async def test_scenarios_are_consumed_in_order(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    server.push(Reply("one"), Fail(503))
    server.push(Reply("three"))
    assert server.pending == 3
    statuses = []
    contents = []
    for _ in range(4):
        response = await client.post("/chat/completions", json=chat(stream=False))
        statuses.append(response.status_code)
        if response.status_code == 200:
            contents.append(response.json()["choices"][0]["message"]["content"])
    assert statuses == [200, 503, 200, 200]
    assert contents[:2] == ["one", "three"]
    assert contents[2].startswith("You said")
    assert server.pending == 0


async def test_stop_closes_stalled_connections_quickly() -> None:
    server = FakeDeepSeek()
    await server.start()
    server.push(
        Reply(TEXT, fault="stall", fault_after=1),
        Reply(TEXT, fault="keepalive_stall", keepalive_interval=0.05),
        Hang(),
    )
    async with httpx.AsyncClient(base_url=server.base_url, headers=AUTH) as http:
        tasks = [asyncio.create_task(collect(http)) for _ in range(3)]
        async with asyncio.timeout(30):  # all three requests in
            while len(server.chat_requests) < 3:  # noqa: ASYNC110 (a counter: no event)
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)  # most likely into their stall by now; stop closes any state
        started = time.monotonic()
        await server.stop()
        assert time.monotonic() - started < 0.5
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 30)
    errors = [r[1] if isinstance(r, tuple) else r for r in results]
    assert all(isinstance(e, httpx.TransportError) for e in errors), results
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as http:
            await http.get(f"http://127.0.0.1:{server.port}/models")


def test_scenarios_reject_bad_values() -> None:
    with pytest.raises(ValueError, match="dialect"):
        Reply(dialect="xml")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fault"):
        Reply(fault="explode")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pauses"):
        Reply(pauses=(-1,))
    with pytest.raises(TypeError):
        FakeDeepSeek().push("not a scenario")  # type: ignore[arg-type]
