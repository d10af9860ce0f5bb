"""Fixtures for the loopback server's own tests: a running server and a plain httpx client."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from deepseek_tui.testing import FakeDeepSeek

from .sse_helpers import KEY


@pytest.fixture(autouse=True)
def no_logged_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """asyncio and the server log handler crashes instead of raising: treat them as failures."""
    caplog.set_level(logging.ERROR)
    yield
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


@pytest.fixture
async def server() -> AsyncIterator[FakeDeepSeek]:
    async with FakeDeepSeek(KEY) as srv:
        yield srv


@pytest.fixture
async def client(server: FakeDeepSeek) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=httpx.Timeout(5.0),
    ) as http:
        yield http
