"""HTTP failures -> one typed, readable, key-free error (mocked transport)."""

from __future__ import annotations

import json
import traceback

import httpx
import pytest

from deepseek_tui.api import (
    APIError,
    AuthenticationError,
    BadRequest,
    ConnectionFailed,
    DeepSeekClient,
    HTTPStatusError,
    InsufficientBalance,
    ModelNotFound,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    StreamError,
    Timeout,
    UnexpectedResponse,
    normalize_base_url,
)

from .apitest_util import KEY, REQUEST, chunk, events_of, mock_client, sse, sse_response


def error_response(
    status: int,
    message: str,
    error_type: str = "invalid_request_error",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    body = {"error": {"message": message, "type": error_type, "param": None, "code": None}}
    return httpx.Response(status, json=body, headers=headers or {})


async def fail_with(response: httpx.Response, *, stream: bool = True) -> APIError:
    async with mock_client(lambda r: response, max_retries=0) as c:
        with pytest.raises(APIError) as info:
            if stream:
                await events_of(c)
            else:
                await c.complete(REQUEST)
    return info.value


@pytest.mark.parametrize(
    ("status", "message", "cls", "words"),
    [
        (401, "Authentication Fails (no such user)", AuthenticationError, "rejected the API key"),
        (402, "Insufficient Balance", InsufficientBalance, "insufficient balance"),
        (400, "Invalid Format: messages is empty", BadRequest, "messages is empty"),
        (422, "temperature must be <= 2", BadRequest, "temperature must be <= 2"),
        (400, "Model Not Exist", ModelNotFound, "does not offer model 'deepseek-flash'"),
        (403, "Forbidden", PermissionDenied, "denied access"),
        (403, "余额不足 insufficient balance", InsufficientBalance, "insufficient balance"),
        (404, "Not Found", NotFound, "/chat/completions"),
        (429, "Rate Limit Reached", RateLimited, "rate limiting"),
        (500, "Server Error", ServerError, "server error"),
        (503, "Server Overloaded", ServerError, "Server Overloaded"),
    ],
)
@pytest.mark.parametrize("stream", [True, False])
async def test_status_maps_to_class_and_message(
    status: int, message: str, cls: type[HTTPStatusError], words: str, stream: bool
) -> None:
    headers = {"x-ds-trace-id": "trace-42"}
    error = await fail_with(error_response(status, message, headers=headers), stream=stream)
    assert type(error) is cls
    assert isinstance(error, HTTPStatusError)
    assert error.status == status
    assert error.server_message == message
    assert error.error_type == "invalid_request_error"
    assert error.request_id == "trace-42"
    assert words in error.message
    assert f"HTTP {status}" in error.message
    assert "\n" not in error.message
    assert error.retryable is (status in (429, 500, 503))


async def test_401_message_tells_what_to_do() -> None:
    error = await fail_with(error_response(401, "Authentication Fails", "authentication_error"))
    assert error.message.startswith("DeepSeek rejected the API key (HTTP 401")
    assert "check DEEPSEEK_API_KEY or the key in your config" in error.message


async def test_402_points_to_top_up_on_deepseek() -> None:
    error = await fail_with(error_response(402, "Insufficient Balance", "unknown_error"))
    assert "https://platform.deepseek.com/top_up" in error.message


async def test_empty_error_body_still_maps_by_status() -> None:
    error = await fail_with(httpx.Response(401))
    assert isinstance(error, AuthenticationError)
    assert "API key missing or invalid" in error.message


async def test_request_id_falls_back_to_x_request_id() -> None:
    error = await fail_with(error_response(400, "bad", headers={"x-request-id": "rid-7"}))
    assert error.request_id == "rid-7"


@pytest.mark.parametrize("status", [200, 401, 404, 502])
async def test_html_body_is_unexpected_response(status: int) -> None:
    page = b"<!DOCTYPE html><html><body><h1>Bad gateway</h1></body></html>"
    response = httpx.Response(status, headers={"content-type": "text/html"}, content=page)
    error = await fail_with(response, stream=False)
    assert isinstance(error, UnexpectedResponse)
    assert error.message.startswith(
        f"unexpected response from api.deepseek.com (HTTP {status}, text/html)"
    )
    assert error.status == status


async def test_plain_text_error_body_is_unexpected_response() -> None:
    response = httpx.Response(418, headers={"content-type": "text/plain"}, content=b"I'm a teapot")
    error = await fail_with(response)
    assert isinstance(error, UnexpectedResponse)
    assert "(HTTP 418, text/plain)" in error.message


async def test_redirect_names_the_new_location() -> None:
    response = httpx.Response(301, headers={"location": "https://api.deepseek.com/v1/"})
    error = await fail_with(response)
    assert isinstance(error, UnexpectedResponse)
    assert "redirected to https://api.deepseek.com/v1/" in error.message


async def test_server_message_is_sanitized_and_short() -> None:
    hostile = "bad \x1b[31mred\x1b[0m \x1b]52;c;ZXZpbA==\x07 request\r\nline two " + "y" * 500
    error = await fail_with(error_response(400, hostile))
    assert isinstance(error, BadRequest)
    assert "\x1b" not in error.message and "\x07" not in error.message
    assert "\n" not in error.message and "\r" not in error.message
    assert error.server_message.startswith("bad red request line two")
    assert len(error.server_message) <= 200


async def test_detail_and_string_error_shapes() -> None:
    error = await fail_with(httpx.Response(422, json={"detail": [{"msg": "field required"}]}))
    assert isinstance(error, BadRequest) and "field required" in error.message
    error = await fail_with(httpx.Response(400, json={"error": "plain string error"}))
    assert "plain string error" in error.message


# --- the key never leaks ---------------------------------------------------------


def everything_about(error: BaseException) -> str:
    return "\n".join(
        [str(error), repr(error), "".join(traceback.format_exception(error)), repr(vars(error))]
    )


@pytest.mark.parametrize(
    "response",
    [
        error_response(401, f"Authentication Fails, Your api key: {KEY} is invalid"),
        error_response(400, f"bad header Authorization: Bearer {KEY}"),
        httpx.Response(500, json={"error": {"message": KEY, "type": KEY}}),
        sse_response(sse(chunk("x"), {"error": {"message": f"echo {KEY}"}})),
    ],
)
async def test_api_key_never_appears_in_errors(response: httpx.Response) -> None:
    error = await fail_with(response)
    text = everything_about(error)
    assert KEY not in text
    assert KEY[:-4] not in text


async def test_api_key_not_in_client_repr_or_connection_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"refused while sending {request.headers['authorization']}")

    async with mock_client(handler, max_retries=0) as c:
        assert KEY not in repr(c)
        with pytest.raises(ConnectionFailed) as info:
            await events_of(c)
    assert KEY not in everything_about(info.value)


def test_bad_key_characters_are_refused_without_echoing_the_key() -> None:
    secret = "sk-abc\ndef-secret"
    with pytest.raises(ValueError) as info:
        DeepSeekClient("https://api.deepseek.com", secret)
    assert secret not in str(info.value) and "def-secret" not in str(info.value)


async def test_empty_key_sends_no_authorization_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(401, json={"error": {"message": "Authentication Fails"}})

    async with mock_client(handler, api_key="") as c:
        with pytest.raises(AuthenticationError):
            await c.list_models()
    assert "authorization" not in seen[0].headers


# --- transport failures -------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "cls", "phase"),
    [
        (httpx.ConnectTimeout("slow"), Timeout, "connect"),
        (httpx.ReadTimeout("slow"), Timeout, "read"),
        (httpx.ConnectError("refused"), ConnectionFailed, None),
        (httpx.RemoteProtocolError("garbage"), ConnectionFailed, None),
    ],
)
async def test_transport_errors_before_headers(
    exc: Exception, cls: type[APIError], phase: str | None
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    async with mock_client(handler, max_retries=0) as c:
        with pytest.raises(cls) as info:
            await events_of(c)
    if phase is not None:
        assert isinstance(info.value, Timeout) and info.value.phase == phase
    assert info.value.retryable


async def test_stream_error_carries_request_id() -> None:
    response = sse_response(sse(chunk("x"), done=False), **{"x-ds-trace-id": "t-1"})
    error = await fail_with(response)
    assert isinstance(error, StreamError) and error.request_id == "t-1"


def test_base_url_forms() -> None:
    assert normalize_base_url("https://api.deepseek.com/") == "https://api.deepseek.com"
    assert normalize_base_url(" https://api.deepseek.com/v1/ ") == "https://api.deepseek.com/v1"
    assert normalize_base_url("http://h:8080/v1/chat/completions") == "http://h:8080/v1"
    with pytest.raises(ValueError, match="http:// or https://"):
        normalize_base_url("api.deepseek.com")


async def test_non_chat_json_for_complete_is_an_error() -> None:
    response = httpx.Response(200, json={"hello": "world"})
    error = await fail_with(response, stream=False)
    assert isinstance(error, StreamError)
    assert "not a chat completion" in error.message


async def test_complete_skips_queue_blank_lines() -> None:
    body = {
        "id": "1",
        "object": "chat.completion",
        "model": "deepseek-flash",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }

    async def content():  # type: ignore[no-untyped-def]
        yield b"\n"
        yield b"\n\n"
        yield json.dumps(body).encode()

    response = httpx.Response(200, headers={"content-type": "application/json"}, content=content())
    async with mock_client(lambda r: response) as c:
        result = await c.complete(REQUEST)
    assert (result.content, result.finish_reason) == ("ok", "stop")
