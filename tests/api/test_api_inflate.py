"""Compressed bodies decoded in bounded pieces (``api/_inflate.py``), and what the
client says about a body it cannot decode."""

from __future__ import annotations

import gzip
import zlib

import httpx
import pytest

from deepseek_tui.api import StreamError
from deepseek_tui.api._inflate import PIECE, Inflater, codings

from .apitest_util import chunk, events_of, mock_client, sse, sse_response

BODY = sse(chunk("hello "), chunk("world"), chunk("", finish="stop"))


def inflate(inflater: Inflater, parts: list[bytes], limit: int = PIECE) -> list[bytes]:
    out: list[bytes] = []
    for part in parts:
        inflater.feed(part)
        while piece := inflater.take(limit):
            out.append(piece)
    if rest := inflater.flush():
        out.append(rest)
    return out


def deflate(data: bytes, wbits: int) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, wbits)
    return c.compress(data) + c.flush()


def test_no_piece_is_larger_than_asked_however_well_it_compresses() -> None:
    data = b": keep-alive\n\n" * 400_000  # 5.6 MB in about 11 KB
    packed = gzip.compress(data)
    assert len(packed) * 400 < len(data)
    pieces = inflate(Inflater("gzip"), [packed], limit=4096)
    assert max(map(len, pieces)) == 4096
    assert b"".join(pieces) == data


def test_byte_by_byte_input_gives_the_same_body() -> None:
    packed = gzip.compress(BODY)
    pieces = inflate(Inflater("gzip"), [packed[i : i + 1] for i in range(len(packed))])
    assert b"".join(pieces) == BODY


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
def test_deflate_with_or_without_the_zlib_wrapper(wbits: int) -> None:
    assert b"".join(inflate(Inflater("deflate"), [deflate(BODY, wbits)])) == BODY


def test_concatenated_gzip_members_are_one_body() -> None:
    packed = gzip.compress(b"first ") + gzip.compress(b"second")
    assert b"".join(inflate(Inflater("gzip"), [packed])) == b"first second"


def test_corrupt_data_is_a_decoding_error() -> None:
    with pytest.raises(httpx.DecodingError, match="corrupt"):
        inflate(Inflater("gzip"), [b"\x1f\x8b\x08\x00garbage that is not deflate"])


def test_the_codings_a_header_names() -> None:
    assert codings("") == []
    assert codings(" Identity ") == []
    assert codings("GZIP") == ["gzip"]
    assert codings("gzip, br") == ["gzip", "br"]


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_a_compressed_stream_through_the_client(encoding: str) -> None:
    packed = gzip.compress(BODY) if encoding == "gzip" else deflate(BODY, zlib.MAX_WBITS)
    reads = [packed[:20], packed[20:]]  # a streamed body, as a network sends it
    async with mock_client(lambda r: sse_response(reads, **{"content-encoding": encoding})) as c:
        events = await events_of(c)
    assert "".join(getattr(e, "text", "") for e in events) == "hello world"


@pytest.mark.parametrize(
    ("encoding", "body", "says"),
    [
        ("br", BODY, "encoding we did not ask for (br)"),
        ("gzip, gzip", gzip.compress(gzip.compress(BODY)), "encoding we did not ask for"),
        ("gzip", b"\x1f\x8b\x08\x00not gzip at all", "corrupt"),
    ],
    ids=["br", "stacked", "corrupt"],
)
async def test_a_body_that_cannot_be_decoded_is_one_clear_stream_error(
    encoding: str, body: bytes, says: str
) -> None:
    async with mock_client(lambda r: sse_response(body, **{"content-encoding": encoding})) as c:
        with pytest.raises(StreamError) as info:
            await events_of(c)
    assert "could not be decoded" in info.value.message
    assert says in info.value.message
