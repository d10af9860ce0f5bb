"""Routing, authentication, connection handling and request parsing."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from deepseek_tui.testing import DEFAULT_BALANCE, FakeDeepSeek

from .sse_helpers import AUTH, KEY, chat


@pytest.mark.parametrize("prefix", ["", "/v1"])
async def test_models_and_balance_with_and_without_v1(
    client: httpx.AsyncClient, prefix: str
) -> None:
    models = await client.get(f"{prefix}/models")
    assert models.status_code == 200
    assert models.json() == {
        "object": "list",
        "data": [
            {"id": "deepseek-flash", "object": "model", "owned_by": "deepseek"},
            {"id": "deepseek-v4-pro", "object": "model", "owned_by": "deepseek"},
            {"id": "deepseek-v4-flash", "object": "model", "owned_by": "deepseek"},
        ],
    }
    balance = await client.get(f"{prefix}/user/balance")
    assert balance.status_code == 200
    assert balance.json() == DEFAULT_BALANCE
    answer = await client.post(f"{prefix}/chat/completions", json=chat(stream=False))
    assert answer.status_code == 200
    assert answer.json()["object"] == "chat.completion"


async def test_balance_is_configurable() -> None:
    custom = {"is_available": False, "balance_infos": []}
    async with (
        FakeDeepSeek(KEY, balance=custom) as server,
        httpx.AsyncClient(base_url=server.base_url, headers=AUTH) as http,
    ):
        assert (await http.get("/user/balance")).json() == custom


@pytest.mark.parametrize(
    ("authorization", "shown"),
    [(None, "****"), ("Bearer sk-wrong-key-ab12", "****ab12"), ("Basic " + KEY, f"****{KEY[-4:]}")],
)
async def test_bad_or_missing_key_is_401(
    server: FakeDeepSeek, authorization: str | None, shown: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    async with httpx.AsyncClient(base_url=server.base_url, headers=headers) as http:
        for method, path in [("GET", "/models"), ("POST", "/v1/chat/completions")]:
            response = await http.request(method, path, json=chat())
            assert response.status_code == 401
            assert response.json() == {
                "error": {
                    "message": f"Authentication Fails, Your api key: {shown} is invalid",
                    "type": "authentication_error",
                    "param": None,
                    "code": "invalid_request_error",
                }
            }
    assert server.chat_requests[-1].headers.get("authorization") == authorization


async def test_key_check_can_be_disabled() -> None:
    async with (
        FakeDeepSeek(None) as server,
        httpx.AsyncClient(base_url=server.base_url) as http,
    ):
        assert (await http.get("/models")).status_code == 200


async def test_unknown_path_and_wrong_method(client: httpx.AsyncClient) -> None:
    missing = await client.get("/v1/engines")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "Not Found: /v1/engines"
    wrong = await client.get("/chat/completions")
    assert wrong.status_code == 405
    assert wrong.json()["error"]["type"] == "invalid_request_error"


async def test_generic_host_has_no_balance() -> None:
    async with (
        FakeDeepSeek(KEY, host="generic") as server,
        httpx.AsyncClient(base_url=server.base_url, headers=AUTH) as http,
    ):
        assert (await http.get("/user/balance")).status_code == 404
        assert (await http.get("/v1/models")).json()["data"][0]["id"] == "deepseek-v3.2"


async def test_every_response_has_a_trace_id(client: httpx.AsyncClient) -> None:
    responses = [
        await client.get("/models"),
        await client.get("/nope"),
        await client.post("/chat/completions", json=chat()),
        await client.post("/chat/completions", content=b"{bad"),
    ]
    ids = [r.headers.get("x-ds-trace-id") for r in responses]
    assert all(ids), ids
    assert len(set(ids)) == len(ids)


async def test_connections_are_kept_alive(server: FakeDeepSeek, client: httpx.AsyncClient) -> None:
    for _ in range(3):
        assert (await client.get("/models")).status_code == 200
        response = await client.post("/chat/completions", json=chat())
        assert response.text.endswith("data: [DONE]\n\n")
    assert {r.connection for r in server.requests} == {1}


async def test_requests_are_recorded(server: FakeDeepSeek, client: httpx.AsyncClient) -> None:
    body = chat("recorded?")
    await client.get("/models?x=1")
    await client.post("/v1/chat/completions", json=body, headers={"X-Custom": "Yes"})
    first, second = server.requests
    assert (first.method, first.path, first.body, first.raw) == ("GET", "/models?x=1", None, b"")
    assert (second.method, second.path, second.body) == ("POST", "/v1/chat/completions", body)
    assert second.headers["x-custom"] == "Yes"
    assert second.headers["authorization"] == f"Bearer {KEY}"
    assert second.raw.startswith(b"{")
    assert server.chat_requests == [second]


async def _raw_exchange(server: FakeDeepSeek, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(data)
    writer.write_eof()
    try:
        return await asyncio.wait_for(reader.read(), 30)
    finally:
        writer.close()
        await writer.wait_closed()


@pytest.mark.parametrize(
    "garbage",
    [
        b"NONSENSE\r\n\r\n",
        b"GET /models HTTP/1.1\r\nbad header line\r\n\r\n",
        b"POST /chat/completions HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        b"POST /chat/completions HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"POST /chat/completions HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort",
        b"GET / HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n",
    ],
)
async def test_bad_requests_get_an_error_and_never_crash(
    server: FakeDeepSeek, client: httpx.AsyncClient, garbage: bytes
) -> None:
    reply = await _raw_exchange(server, garbage)
    assert reply.split(b" ", 2)[1] in (b"400", b"431", b"501"), reply[:60]
    assert b"x-ds-trace-id" in reply
    assert b"Connection: close" in reply
    assert (await client.get("/models")).status_code == 200


async def test_header_names_are_case_insensitive_and_chunked_bodies_work(
    server: FakeDeepSeek,
) -> None:
    body = b'{"model":"deepseek-flash","messages":[{"role":"user","content":"hi"}]}'
    request = (
        b"POST /chat/completions HTTP/1.1\r\nhost: x\r\nAUTHORIZATION: Bearer sk-test-key\r\n"
        b"transfer-encoding: chunked\r\nConnection: close\r\n\r\n"
        + b"%x\r\n%s\r\n0\r\n\r\n"
        % (len(body), body)
    )
    reply = await _raw_exchange(server, request)
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b'"object":"chat.completion"' in reply
    assert server.chat_requests[0].raw == body


async def test_expect_continue_is_honoured(server: FakeDeepSeek) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    body = b'{"model":"deepseek-flash","messages":[{"role":"user","content":"hi"}]}'
    writer.write(
        b"POST /chat/completions HTTP/1.1\r\nAuthorization: Bearer sk-test-key\r\n"
        b"Expect: 100-continue\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body)
    )
    assert await asyncio.wait_for(reader.readline(), 30) == b"HTTP/1.1 100 Continue\r\n"
    writer.write(body)
    reply = await asyncio.wait_for(reader.read(), 30)
    writer.close()
    await writer.wait_closed()
    assert b"HTTP/1.1 200 OK" in reply
