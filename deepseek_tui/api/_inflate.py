"""Decoding a compressed response body a bounded piece at a time.

httpx decodes ``Content-Encoding`` whole network reads at once: a 64 KiB read
of a gzip bomb becomes tens of megabytes in one ``bytes`` (``: keep-alive``
compresses about 500:1, plain repeated bytes 1000:1), and the stream loop then
chews on it without once giving the event loop back. :class:`Inflater` hands
out at most :data:`PIECE` decoded bytes per call, keeping the rest compressed
(``zlib``'s ``max_length`` / ``unconsumed_tail``), so one read costs the same
whatever the ratio.

Only ``gzip`` and ``deflate`` are decoded -- the client asks for nothing else
(``Accept-Encoding: gzip, deflate``); a body in any other coding, or in
several stacked, is refused with :class:`httpx.DecodingError` rather than
decoded blindly.
"""

from __future__ import annotations

import zlib

import httpx

__all__ = ["ACCEPT_ENCODING", "PIECE", "Inflater", "codings"]

#: What the client asks hosts for: exactly what :class:`Inflater` decodes.
ACCEPT_ENCODING = "gzip, deflate"

#: Most decoded bytes one :meth:`Inflater.take` returns.
PIECE = 64 * 1024

_GZIP_MAGIC = b"\x1f\x8b"


def codings(header: str) -> list[str]:
    """The codings a ``Content-Encoding`` value names, ``identity`` left out."""
    names = (part.strip().lower() for part in header.split(","))
    return [name for name in names if name and name != "identity"]


class Inflater:
    """A ``gzip`` or ``deflate`` body decoded in bounded pieces.

    ``feed`` compressed bytes as they arrive; ``take`` returns decoded bytes,
    at most ``limit`` of them, and ``b""`` once everything fed so far is
    decoded (``pending`` says whether a call may still return more without
    new input). Corrupt data raises :class:`httpx.DecodingError`.
    """

    __slots__ = ("_d", "_encoding", "_fresh", "_full", "_input")

    def __init__(self, encoding: str) -> None:
        if encoding not in ("gzip", "deflate"):
            raise httpx.DecodingError(f"content encoding {encoding!r} is not supported")
        self._encoding = encoding
        # gzip: the gzip wrapper. deflate: the zlib wrapper, as HTTP means it;
        # some servers send a raw deflate stream, tried when the wrapper fails.
        self._d = zlib.decompressobj(zlib.MAX_WBITS | 16 if encoding == "gzip" else zlib.MAX_WBITS)
        self._fresh = encoding == "deflate"
        self._input = b""
        self._full = False  # the last take filled its limit: zlib may hold more output

    @property
    def pending(self) -> bool:
        return bool(self._input) or self._full

    def feed(self, data: bytes) -> None:
        self._input = self._input + data if self._input else data

    def take(self, limit: int = PIECE) -> bytes:
        while self._input or self._full:
            data, self._input, self._full = self._input, b"", False
            try:
                out = self._d.decompress(data, limit)
            except zlib.error as exc:
                if self._fresh:
                    self._fresh = False
                    self._d = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._input = data
                    continue
                raise httpx.DecodingError(f"the {self._encoding} body is corrupt ({exc})") from None
            self._fresh = False
            d = self._d
            self._input = d.unconsumed_tail
            self._full = len(out) == limit
            if d.eof:
                rest = d.unused_data
                if self._encoding == "gzip" and rest.startswith(_GZIP_MAGIC):
                    # Another gzip member follows (concatenated gzip is one body).
                    self._d = zlib.decompressobj(zlib.MAX_WBITS | 16)
                    self._input = rest
                else:
                    self._input = b""  # anything after the end is not the body
                self._full = False
            if out:
                return out
        return b""

    def flush(self) -> bytes:
        """End of body: what zlib still holds (at most its window)."""
        if self._d.eof:
            return b""
        try:
            return self._d.flush()
        except zlib.error as exc:
            raise httpx.DecodingError(f"the {self._encoding} body is corrupt ({exc})") from None
