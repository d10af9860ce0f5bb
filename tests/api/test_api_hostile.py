"""The client against hostile hosts on the loopback server: compressed bodies and
bombs, text that is not valid UTF-8, keys echoed back, impossible usage."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import tracemalloc
from collections.abc import AsyncIterator
from typing import Any

import pytest

from deepseek_tui.api import (
    APIError,
    ContentDelta,
    DeepSeekClient,
    Finish,
    Queued,
    ReasoningDelta,
    StreamError,
    StreamEvent,
    Timeout,
    Timeouts,
    collect,
)
from deepseek_tui.api._chunks import MAX_TOKENS, parse_usage
from deepseek_tui.api._json import loads as wire_json
from deepseek_tui.testing import Fail, FakeDeepSeek, Reply

from .apitest_util import REQUEST, Sleeps, texts

KEY = "sk-test-key-0123456789abcdef"
#: Most memory a bomb may cost the client (it decodes to gigabytes).
MEMORY_BOUND = 48 * 1024 * 1024


@pytest.fixture
async def server() -> AsyncIterator[FakeDeepSeek]:
    async with FakeDeepSeek(api_key=KEY) as srv:
        yield srv


def client_for(server: FakeDeepSeek, **timeouts: float) -> DeepSeekClient:
    t = Timeouts(**{"first_token": 5, "idle": 5, "total": 60, **timeouts})
    return DeepSeekClient(server.base_url, KEY, timeouts=t, max_retries=0, sleep=Sleeps())


async def until_error(client: DeepSeekClient) -> tuple[list[StreamEvent], APIError]:
    seen: list[StreamEvent] = []
    with pytest.raises(APIError) as info:
        async for event in client.stream_chat(REQUEST):
            seen.append(event)
    return seen, info.value


@contextlib.contextmanager
def peak_memory() -> Any:
    """The most memory Python allocated inside the block (``box[0]``, in bytes)."""
    box = [0]
    tracemalloc.start()
    try:
        yield box
    finally:
        box[0] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


# --- compressed bodies ------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_a_compressed_stream_is_decoded_as_it_arrives(
    server: FakeDeepSeek, encoding: Any
) -> None:
    server.push(
        Reply(
            "Compressed, and still streamed.",
            reasoning="Short thought.",
            encoding=encoding,
            keepalives=2,
            pauses=(4,),
        )
    )
    seen: list[StreamEvent] = []
    async with client_for(server) as client:
        async for event in client.stream_chat(REQUEST):
            seen.append(event)
            if texts(seen, ReasoningDelta) == "Short thought." and server.paused:
                server.resume()  # what was sent before the pause arrived before the rest
    assert server.requests[-1].headers["accept-encoding"] == "gzip, deflate"
    assert any(isinstance(e, Queued) for e in seen)
    assert texts(seen, ReasoningDelta) == "Short thought."
    assert texts(seen, ContentDelta) == "Compressed, and still streamed."
    assert seen[-1] == Finish("stop", "deepseek-flash")


async def test_a_compressed_completion(server: FakeDeepSeek) -> None:
    server.push(Reply("Whole and compressed.", encoding="gzip", keepalives=3))
    async with client_for(server) as client:
        result = await client.complete(REQUEST)
    assert result.content == "Whole and compressed."


# --- bombs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("fault_after", "phase"), [(0, "first_token"), (3, "idle")])
async def test_a_keepalive_bomb_ends_at_the_deadline_in_bounded_memory(
    server: FakeDeepSeek, fault_after: int, phase: str
) -> None:
    server.push(
        Reply("Some text first.", encoding="gzip", fault="keepalive_bomb", fault_after=fault_after)
    )
    async with client_for(server, first_token=1, idle=1) as client:
        with peak_memory() as peak:
            seen, error = await asyncio.wait_for(until_error(client), 60)
    assert isinstance(error, Timeout) and error.phase == phase
    assert peak[0] < MEMORY_BOUND
    queued = [e for e in seen if isinstance(e, Queued)]
    if fault_after:
        assert not queued and error.partial_content == "Some text first."
    else:
        assert queued  # merged: one per read, however many comments it held


async def test_a_bomb_of_one_endless_line_is_one_stream_error(server: FakeDeepSeek) -> None:
    server.push(Reply("x", encoding="gzip", fault="line_bomb"))
    async with client_for(server) as client:
        with peak_memory() as peak:
            _, error = await asyncio.wait_for(until_error(client), 60)
    assert isinstance(error, StreamError)
    assert "longer than" in error.message
    assert peak[0] < MEMORY_BOUND


async def test_a_bomb_lets_the_event_loop_run_between_reads(server: FakeDeepSeek) -> None:
    """Keep-alives are merged into one Queued per read, and between two reads
    other tasks run (the TUI draws, Esc is seen) -- however much one read decodes."""
    server.push(Reply("x", encoding="gzip", fault="keepalive_bomb"))
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    seen_at: list[int] = []
    ticking = asyncio.create_task(ticker())
    try:
        async with client_for(server, first_token=2) as client:
            with pytest.raises(Timeout):
                async for event in client.stream_chat(REQUEST):
                    if isinstance(event, Queued):
                        seen_at.append(ticks)
    finally:
        ticking.cancel()
    assert len(seen_at) > 1
    assert all(later > earlier for earlier, later in itertools.pairwise(seen_at))


async def test_cancelling_during_a_bomb_is_prompt(server: FakeDeepSeek) -> None:
    """Esc in the TUI cancels the task that reads the stream; a bomb must not hold it up.

    Esc is pressed (a timer, like a key press) just after the bomb starts; a
    loop blocked by the bomb runs the timer late, so the wait counts from when
    it was due.
    """
    server.push(Reply("x", encoding="gzip", fault="keepalive_bomb", bomb_bytes=16 << 20))
    loop = asyncio.get_running_loop()
    pressed: list[float] = []

    async def consume(client: DeepSeekClient) -> None:
        async for event in client.stream_chat(REQUEST):
            if isinstance(event, Queued) and not pressed:
                pressed.append(loop.time() + 0.05)
                loop.call_at(pressed[0], task.cancel)

    async with client_for(server, first_token=600, total=1800) as client:
        task = asyncio.create_task(consume(client))
        await asyncio.wait({task}, timeout=120)
        assert task.cancelled()
        assert loop.time() - pressed[0] < 10, "the stream held up the cancellation"


# --- text that is valid JSON but not valid UTF-8 -------------------------------------------


def no_surrogates(text: str) -> bool:
    return all(not 0xD800 <= ord(c) <= 0xDFFF for c in text)


async def test_lone_surrogates_in_a_stream_become_replacement_characters(
    server: FakeDeepSeek,
) -> None:
    call = {
        "id": "call_\ud800",
        "function": {"name": "look\udc00up", "arguments": '{"q": "\ud801"}'},
    }
    server.push(
        Reply("An \ud800 answer", reasoning="A \udfff thought", tool_calls=[call], model="m\ud800")
    )
    async with client_for(server) as client:
        result = await collect(client.stream_chat(REQUEST))
    assert result.content == "An \ufffd answer"
    assert result.reasoning == "A \ufffd thought"
    assert result.model == "m\ufffd"
    assert result.tool_calls[0]["id"] == "call_\ufffd"
    assert result.tool_calls[0]["function"] == {
        "name": "look\ufffdup",
        "arguments": '{"q": "\ufffd"}',
    }


async def test_lone_surrogates_in_a_completion_and_a_model_list() -> None:
    async with FakeDeepSeek(api_key=KEY, models=["deepseek-flash", "odd-\udc80"]) as server:
        server.push(Reply("Whole \ud800 answer", reasoning="r\udbff"))
        async with client_for(server) as client:
            result = await client.complete(REQUEST)
            models = await client.list_models()
    assert (result.content, result.reasoning) == ("Whole \ufffd answer", "r\ufffd")
    assert [m.id for m in models] == ["deepseek-flash", "odd-\ufffd"]


async def test_a_lone_surrogate_in_an_error_message(server: FakeDeepSeek) -> None:
    server.push(Fail(400, message="Bad \ud800 request", error_type="invalid_\udc00"))
    async with client_for(server) as client:
        _, error = await until_error(client)
    assert "Bad \ufffd request" in error.message and no_surrogates(str(vars(error)))


def test_wire_json_keeps_pairs_and_mends_lone_halves() -> None:
    assert wire_json('"\\ud83d\\ude00 \\ud83d"') == "\U0001f600 \ufffd"
    assert wire_json('{"\\udc00": ["\\uDBFF", 1, null]}') == {"\ufffd": ["\ufffd", 1, None]}
    assert wire_json(b'"raw \xed\xa0\x80"') == "raw \ufffd"  # json.loads lets raw ones through
    assert wire_json('"\\\\ud800"') == "\\ud800"  # an escaped backslash, not a surrogate


# --- the key echoed back ---------------------------------------------------------------


SECRET = KEY[len("sk-test-") :]  # what must never show, whole or in part
PADDING = "a" * 160  # puts the cut at 200 characters inside the key


@pytest.mark.parametrize(
    "location",
    [
        f"https://evil.example/v1?key={KEY}",
        f"https://{KEY}@evil.example/v1",
        f"https://evil.example/v1?key={KEY.replace('-', '%2d')}",
        f"https://evil.example/v1?key={KEY.replace('k', '%6B')}",
        f"https://evil.example/{PADDING}?key={KEY}",  # the key where the message is cut
    ],
    ids=["query", "userinfo", "percent-encoded", "partly-encoded", "at-the-cut"],
)
async def test_a_redirect_to_the_key_is_masked(server: FakeDeepSeek, location: str) -> None:
    server.push(Fail(302, headers={"Location": location}, body=""))
    async with client_for(server) as client:
        _, error = await until_error(client)
    assert "redirected to https://" in error.message
    assert SECRET[:6] not in error.message
    assert "****" in error.message or len(error.message) > 200


@pytest.mark.parametrize("status", [302, 200])
async def test_a_content_type_naming_the_key_is_masked(server: FakeDeepSeek, status: int) -> None:
    server.push(Fail(status, body="<html>not the API</html>", content_type=f"text/{KEY}"))
    async with client_for(server) as client:
        _, error = await until_error(client)
    assert f"HTTP {status}, text/****" in error.message
    assert SECRET[:6] not in str(vars(error))


async def test_a_key_split_by_an_escape_sequence_is_masked(server: FakeDeepSeek) -> None:
    # The terminal sanitizer removes the escape; the key must not appear once it has.
    server.push(Fail(401, message=f"Your key {KEY[:10]}\x1b[1m{KEY[10:]} is wrong"))
    async with client_for(server) as client:
        _, error = await until_error(client)
    assert "Your key ****" in error.message
    assert SECRET[:6] not in str(vars(error))


@pytest.mark.parametrize("where", ["status", "event"])
async def test_a_key_deep_in_an_error_object_is_masked(server: FakeDeepSeek, where: str) -> None:
    # Spaces that squeeze to one bring the key from far into a message to its start.
    message = {"detail": " " * 970 + KEY}
    if where == "status":
        server.push(Fail(400, body=json.dumps({"error": {"message": message}})))
    else:  # a 200 whose body is an error of a kind we cannot map to a status
        server.push(Fail(200, body=json.dumps({"error": {"message": message, "type": "odd"}})))
    async with client_for(server) as client:
        _, got = await until_error(client)
    assert SECRET[:6] not in str(vars(got))


async def test_model_ids_and_balances_naming_the_key_are_masked() -> None:
    info = {"currency": KEY, "total_balance": f"1 {KEY}"}
    balance = {"is_available": True, "balance_infos": [info]}
    server = FakeDeepSeek(api_key=KEY, models=[f"m-{KEY}"], balance=balance)
    async with server, client_for(server) as client:
        models, got = await client.list_models(), await client.balance()
    assert got is not None
    shown = repr((models, got))
    assert SECRET[:6] not in shown and "****" in shown


# --- impossible usage -------------------------------------------------------------------------

COUNTS = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}


@pytest.mark.parametrize(
    "usage",
    [
        {**COUNTS, "prompt_tokens": -1},
        {**COUNTS, "prompt_cache_hit_tokens": -1_000_000},
        {**COUNTS, "prompt_cache_miss_tokens": 10**12},
        {**COUNTS, "completion_tokens": 1e20},
        {**COUNTS, "completion_tokens": MAX_TOKENS + 1},
        {**COUNTS, "completion_tokens": 2.5},
        {**COUNTS, "completion_tokens": float("nan")},
        {**COUNTS, "total_tokens": "lots"},
        {**COUNTS, "total_tokens": True},
        {**COUNTS, "prompt_tokens_details": {"cached_tokens": -2}},
        {**COUNTS, "completion_tokens_details": {"reasoning_tokens": [1]}},
    ],
)
def test_impossible_counts_are_no_usage(usage: dict[str, Any]) -> None:
    assert parse_usage(usage) is None


def test_plausible_counts_in_a_sloppy_shape_are_kept() -> None:
    usage = {
        **COUNTS,
        "completion_tokens": 5.0,
        "total_tokens": "15",
        "prompt_cache_hit_tokens": None,
    }
    parsed = parse_usage({**usage, "prompt_tokens_details": {"cached_tokens": 4}})
    assert parsed is not None
    assert (parsed.completion_tokens, parsed.total_tokens) == (5, 15)
    assert (parsed.cache_hit_tokens, parsed.cache_miss_tokens) == (4, 6)


async def test_a_stream_with_impossible_usage_is_complete_without_usage(
    server: FakeDeepSeek,
) -> None:
    server.push(Reply("Fine text.", usage={**COUNTS, "completion_tokens": -40}))
    async with client_for(server) as client:
        result = await collect(client.stream_chat(REQUEST))
        server.push(Reply("Whole.", usage={**COUNTS, "prompt_tokens": 1e30}))
        whole = await client.complete(REQUEST)
    assert (result.content, result.finish_reason, result.usage) == ("Fine text.", "stop", None)
    assert (whole.content, whole.usage) == ("Whole.", None)
