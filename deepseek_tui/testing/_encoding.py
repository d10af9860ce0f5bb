"""Compressed response bodies: gzip or deflate written as it streams, and bombs.

A host, or a proxy in front of it, may compress the body it sends; the client
has to decode it as it arrives. A hostile one can send a few megabytes that
decompress to gigabytes -- DeepSeek's ``: keep-alive`` comment compresses
about 500:1 -- so the fake can send such a bomb without spending gigabytes
itself: a block of repeated text compressed after a full flush compresses to
the same bytes every time, and those bytes are simply sent again.
"""

from __future__ import annotations

import zlib

from ._http import ResponseWriter
from ._scenarios import ENCODINGS

#: Bytes of repeated text compressed at a time for a bomb.
_BOMB_BLOCK = 1024 * 1024
#: Bytes of compressed bomb per chunk written.
_BOMB_WRITE = 64 * 1024


def _compressor(encoding: str) -> zlib._Compress:
    # gzip: the gzip wrapper (wbits 16 + 15); deflate: the zlib wrapper, as HTTP means it.
    return zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)


def encode(data: bytes, encoding: str) -> bytes:
    """A whole body in ``encoding``."""
    if encoding == "identity":
        return data
    c = _compressor(encoding)
    return c.compress(data) + c.flush()


def headers(encoding: str) -> dict[str, str]:
    """The response headers that announce ``encoding``."""
    return {} if encoding == "identity" else {"Content-Encoding": encoding}


class EncodedBody:
    """The chunked body of one response, compressed as it is written.

    Every write is flushed (``Z_SYNC_FLUSH``), so the client can decode each
    event as soon as it is sent -- the way a streaming proxy compresses.
    """

    def __init__(self, out: ResponseWriter, encoding: str) -> None:
        if encoding not in ENCODINGS:
            raise ValueError(f"unknown encoding {encoding!r}")
        self._out = out
        self._c = None if encoding == "identity" else _compressor(encoding)

    async def chunk(self, data: bytes) -> None:
        """Write ``data`` (compressed when the body is)."""
        if self._c is not None and data:
            data = self._c.compress(data) + self._c.flush(zlib.Z_SYNC_FLUSH)
        await self._out.chunk(data)

    async def end(self) -> None:
        """End the compressed stream and the body properly."""
        if self._c is not None:
            await self._out.chunk(self._c.flush())
        await self._out.end_chunked()

    async def cut(self) -> None:
        await self._out.cut()

    async def bomb(self, unit: bytes, wire_bytes: int) -> None:
        """About ``wire_bytes`` on the wire of ``unit`` repeated, decoding to
        hundreds of times more (sent as is when the body is not compressed).

        The body cannot end properly after it (the compressor never saw the
        bomb, so the gzip trailer would not match): cut the connection next.
        """
        c = self._c
        block = unit * max(1, _BOMB_BLOCK // len(unit))
        if c is None:
            for _ in range(max(1, wire_bytes // len(block))):
                await self._out.chunk(block)
            return
        # After a full flush the compressor starts afresh: once the same block
        # gives the same bytes twice, it always will, and is sent again as is.
        pieces = [c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)]
        while len(pieces) < 16:
            pieces.append(c.compress(block) + c.flush(zlib.Z_FULL_FLUSH))
            if pieces[-1] == pieces[-2]:
                break
        else:  # pragma: no cover - zlib has always repeated itself at once
            raise RuntimeError("the compressed block does not repeat")
        repeat = pieces[-1]
        # Full-size writes from the first: the client gets the worst at once.
        batch = b"".join(pieces)
        batch += repeat * max(0, (_BOMB_WRITE - len(batch)) // len(repeat) + 1)
        sent = 0
        while sent < wire_bytes:
            await self._out.chunk(batch)
            sent += len(batch)
            batch = repeat * (_BOMB_WRITE // len(repeat) + 1)
