"""Retry policy arithmetic and the client's retry decisions (mocked transport)."""

from __future__ import annotations

import email.utils
from collections.abc import AsyncIterator

import httpx
import pytest

from deepseek_tui.api import (
    HTTPStatusError,
    RateLimited,
    RetryPolicy,
    ServerError,
    StreamError,
    Timeouts,
    parse_retry_after,
)

from .apitest_util import REQUEST, SSE, Sleeps, chunk, events_of, mock_client, sse, sse_response

# --- arithmetic -------------------------------------------------------------------


def test_backoff_grows_exponentially_with_jitter_below() -> None:
    policy = RetryPolicy(base=0.5, jitter=0.25)
    assert policy.delay(0, rand=lambda: 0.0) == 0.5
    assert policy.delay(1, rand=lambda: 0.0) == 1.0
    assert policy.delay(2, rand=lambda: 0.0) == 2.0
    assert policy.delay(1, rand=lambda: 1.0) == 0.75
    assert policy.delay(20, rand=lambda: 0.0) == policy.max_backoff


def test_backoff_jitter_spreads_within_bounds() -> None:
    policy = RetryPolicy(base=0.5)
    delays = {policy.delay(0) for _ in range(50)}
    assert all(0.375 <= d <= 0.5 for d in delays)
    assert len(delays) > 1


def test_retry_after_wins_and_is_capped() -> None:
    policy = RetryPolicy()
    assert policy.delay(0, 3.0) == 3.0
    assert policy.delay(1, 0.0) == 0.0
    assert policy.delay(0, 3600.0) == 120.0


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert parse_retry_after({"retry-after": "7"}) == 7.0
    assert parse_retry_after({"retry-after": "1.5"}) == 1.5
    assert parse_retry_after({"retry-after": "-3"}) == 0.0
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({"retry-after": "nan"}) is None
    assert parse_retry_after({}) is None
    date = email.utils.formatdate(1_000_030.0, usegmt=True)
    assert parse_retry_after({"retry-after": date}, now=lambda: 1_000_000.0) == 30.0
    past = email.utils.formatdate(999_000.0, usegmt=True)
    assert parse_retry_after({"retry-after": past}, now=lambda: 1_000_000.0) == 0.0


# --- client decisions ----------------------------------------------------------------


class Script:
    """A handler answering each request with the next scripted response."""

    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.count = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.count += 1
        item = self.responses.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


def ok() -> httpx.Response:
    return sse_response(sse(chunk("ok", finish="stop")))


def err(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"error": {"message": "nope"}}, headers=headers)


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504])
async def test_retryable_statuses_are_retried(status: int) -> None:
    script, sleeps = Script(err(status), err(status), ok()), Sleeps()
    async with mock_client(script, sleep=sleeps) as c:
        events = await events_of(c)
    assert script.count == 3
    assert len(sleeps.calls) == 2
    assert 0 < sleeps.calls[0] <= 0.5 and 0 < sleeps.calls[1] <= 1.0
    assert events[-1].reason == "stop"  # type: ignore[union-attr]


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 422])
async def test_client_errors_are_never_retried(status: int) -> None:
    script, sleeps = Script(err(status), ok()), Sleeps()
    async with mock_client(script, sleep=sleeps) as c:
        with pytest.raises(HTTPStatusError) as info:
            await events_of(c)
    assert info.value.status == status
    assert script.count == 1 and sleeps.calls == []


async def test_gives_up_after_max_retries_with_the_last_error() -> None:
    script, sleeps = Script(err(503), err(503), err(503), ok()), Sleeps()
    async with mock_client(script, sleep=sleeps, max_retries=2) as c:
        with pytest.raises(ServerError):
            await c.complete(REQUEST)
    assert script.count == 3 and len(sleeps.calls) == 2


async def test_zero_retries() -> None:
    script = Script(err(429), ok())
    async with mock_client(script, max_retries=0) as c:
        with pytest.raises(RateLimited):
            await events_of(c)
    assert script.count == 1


async def test_retry_after_headers_are_honoured_and_capped() -> None:
    script = Script(err(429, **{"retry-after-ms": "40"}), err(429, **{"retry-after": "9999"}), ok())
    sleeps = Sleeps()
    async with mock_client(script, sleep=sleeps) as c:
        await events_of(c)
    assert sleeps.calls == [0.04, 120.0]


async def test_retry_after_is_reported_on_the_error() -> None:
    async with mock_client(Script(err(429, **{"retry-after": "3"})), max_retries=0) as c:
        with pytest.raises(RateLimited) as info:
            await events_of(c)
    assert info.value.retry_after == 3.0


async def test_connection_errors_and_timeouts_before_headers_are_retried() -> None:
    script = Script(httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), ok())
    async with mock_client(script) as c:
        events = await events_of(c)
    assert script.count == 3 and events[-1].reason == "stop"  # type: ignore[union-attr]


async def test_backoff_base_is_configurable() -> None:
    sleeps = Sleeps()
    async with mock_client(Script(err(500), ok()), sleep=sleeps, backoff_base=0.01) as c:
        await events_of(c)
    assert 0 < sleeps.calls[0] <= 0.01


async def test_no_retry_that_would_pass_the_total_deadline() -> None:
    script = Script(err(429, **{"retry-after": "60"}), ok())
    async with mock_client(script, timeouts=Timeouts(total=5)) as c:
        with pytest.raises(RateLimited):
            await events_of(c)
    assert script.count == 1


async def test_never_retried_after_the_first_body_byte() -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b": keep-alive\n\n"
        raise httpx.ReadError("connection reset")

    script = Script(httpx.Response(200, headers=SSE, content=broken()), ok())
    async with mock_client(script) as c:
        with pytest.raises(StreamError):
            await events_of(c)
    assert script.count == 1


async def test_models_and_balance_retry_too() -> None:
    models = httpx.Response(200, json={"object": "list", "data": [{"id": "m"}]})
    script = Script(err(502), models)
    async with mock_client(script) as c:
        assert [m.id for m in await c.list_models()] == ["m"]
    assert script.count == 2
