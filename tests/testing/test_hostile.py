"""Hostile bodies the fake can send: compressed streams, bombs, impossible usage,
text that is valid JSON but not valid UTF-8."""

from __future__ import annotations

import json
import zlib

import httpx
import pytest

from deepseek_tui.testing import FakeDeepSeek, Reply

from .sse_helpers import chat, data_events, deltas

WBITS = {"gzip": 31, "deflate": 15}


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_compressed_stream_is_flushed_event_by_event(
    server: FakeDeepSeek, client: httpx.AsyncClient, encoding: str
) -> None:
    server.push(Reply("Compressed answer.", reasoning="Think.", encoding=encoding))  # type: ignore[arg-type]
    decoder = zlib.decompressobj(WBITS[encoding])
    first = b""
    raw = bytearray()
    async with client.stream("POST", "/chat/completions", json=chat()) as response:
        assert response.headers["content-encoding"] == encoding
        async for part in response.aiter_raw():
            raw += part
            first = first or decoder.decompress(part)
    # The first write decodes on its own: each event is flushed as it is sent.
    assert first.startswith(b"data: {") and first.endswith(b"\n\n")
    text = zlib.decompress(bytes(raw), WBITS[encoding]).decode()
    events = data_events(text)
    assert deltas(events, "content") == "Compressed answer."
    assert deltas(events, "reasoning_content") == "Think."
    assert events[-1].text == "[DONE]"


async def test_compressed_completion(server: FakeDeepSeek, client: httpx.AsyncClient) -> None:
    server.push(Reply("Whole.", encoding="gzip"))
    response = await client.post("/chat/completions", json=chat(stream=False))
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["choices"][0]["message"]["content"] == "Whole."  # httpx decodes it


@pytest.mark.parametrize(
    ("fault", "unit", "ratio"),
    [("keepalive_bomb", b": keep-alive\n\n", 400), ("line_bomb", b"x", 900)],
)
async def test_a_bomb_is_small_on_the_wire_and_huge_decoded(
    server: FakeDeepSeek, client: httpx.AsyncClient, fault: str, unit: bytes, ratio: int
) -> None:
    wire = 256 * 1024
    server.push(Reply("never", encoding="gzip", fault=fault, bomb_bytes=wire))  # type: ignore[arg-type]
    decoder = zlib.decompressobj(31)
    received = decoded = 0
    head = b""
    async with client.stream("POST", "/chat/completions", json=chat()) as response:
        with pytest.raises(httpx.RemoteProtocolError):  # cut after the bomb
            async for part in response.aiter_raw():
                received += len(part)
                while part:  # bounded pieces: the test itself must not blow up
                    out = decoder.decompress(part, 1 << 20)
                    head += out[: 64 - len(head)]
                    decoded += len(out)
                    part = decoder.unconsumed_tail
    assert wire <= received < wire + 128 * 1024
    assert decoded > ratio * received
    if fault == "line_bomb":
        assert head.startswith(b'data: {"choices":[{"index":0,"delta":{"content":"xxxx')
    else:
        assert head == unit * (64 // len(unit)) + unit[: 64 % len(unit)]


def test_a_bomb_needs_a_compressed_body() -> None:
    with pytest.raises(ValueError, match="needs encoding"):
        Reply("x", fault="keepalive_bomb")
    with pytest.raises(ValueError, match="unknown encoding"):
        Reply("x", encoding="br")  # type: ignore[arg-type]


async def test_usage_as_given(server: FakeDeepSeek, client: httpx.AsyncClient) -> None:
    usage = {"prompt_tokens": -5, "completion_tokens": 1e20, "total_tokens": "many"}
    server.push(Reply("ok", usage=usage))
    response = await client.post("/chat/completions", json=chat())
    assert data_events(response.text)[-2].json["usage"] == usage


async def test_a_lone_surrogate_goes_out_as_its_json_escape(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    server.push(Reply("a\ud800b", chunk_chars=0))
    response = await client.post("/chat/completions", json=chat())
    assert '"content":"a\\ud800b"' in response.text  # valid UTF-8 on the wire
    assert deltas(data_events(response.text), "content") == "a\ud800b"
    server.push(Reply("c\udfffd", chunk_chars=0))
    body = (await client.post("/chat/completions", json=chat(stream=False))).content
    assert json.loads(body)["choices"][0]["message"]["content"] == "c\udfffd"
