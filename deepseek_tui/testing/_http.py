"""Just enough HTTP/1.1 for a loopback test server, on asyncio streams.

Parsing is strict about framing (so a bad request never desynchronises a
keep-alive connection) and forgiving about everything else. Responses are either
sized (``Content-Length``) or chunked; chunked bodies let a test tell a clean end
(terminating zero chunk) from a cut (socket closed mid-body).
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024


class BadRequest(Exception):
    """The bytes on the connection are not a request we can answer; close after replying."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ClientGone(Exception):
    """The peer closed the connection while we were writing."""


@dataclass(frozen=True)
class Request:
    method: str
    target: str
    version: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def keep_alive(self) -> bool:
        tokens = {t.strip().lower() for t in self.headers.get("connection", "").split(",")}
        if self.version == "HTTP/1.0":
            return "keep-alive" in tokens
        return "close" not in tokens


async def read_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> Request | None:
    """Read one request; ``None`` when the client closed an idle connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial.strip():
            return None
        raise BadRequest(400, "incomplete request head") from exc
    except asyncio.LimitOverrunError as exc:
        raise BadRequest(431, "request head too large") from exc
    if len(head) > MAX_HEADER_BYTES:
        raise BadRequest(431, "request head too large")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(400, "malformed request line")
    method, target, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if not line:
            continue
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(400, "malformed header line")
        key = name.lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    body = await _read_body(reader, headers)
    return Request(method, target, version, headers, body)


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    encoding = headers.get("transfer-encoding", "").lower().strip()
    try:
        if encoding:
            if encoding != "chunked":
                raise BadRequest(501, f"unsupported transfer-encoding {encoding!r}")
            return await _read_chunked(reader)
        length_text = headers.get("content-length", "0")
        if not length_text.isdigit():
            raise BadRequest(400, "invalid content-length")
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            raise BadRequest(413, "request body too large")
        return await reader.readexactly(length)
    except asyncio.IncompleteReadError as exc:
        raise BadRequest(400, "request body ended early") from exc


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    body = bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size_text = size_line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError as exc:
            raise BadRequest(400, "invalid chunk size") from exc
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass  # trailers
            return bytes(body)
        if len(body) + size > MAX_BODY_BYTES:
            raise BadRequest(413, "request body too large")
        body += await reader.readexactly(size)
        if await reader.readexactly(2) != b"\r\n":
            raise BadRequest(400, "chunk not terminated")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps(payload: Any) -> str:
    """Compact JSON, as DeepSeek sends it.

    A test may put a lone surrogate in a string on purpose (valid JSON, not
    valid UTF-8): it goes out as the ``\\uXXXX`` escape a host would send.
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _head(status: int, headers: dict[str, str]) -> bytes:
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class ResponseWriter:
    """Writes one response on a connection and notices when the client has left."""

    def __init__(self, writer: asyncio.StreamWriter, base_headers: dict[str, str]) -> None:
        self._writer = writer
        self._base = base_headers

    def _check(self) -> None:
        if self._writer.transport.is_closing():
            raise ClientGone

    async def _send(self, data: bytes) -> None:
        self._check()
        self._writer.write(data)
        try:
            await self._writer.drain()
        except ConnectionError as exc:
            raise ClientGone from exc

    async def send_full(
        self,
        status: int,
        body: bytes,
        content_type: str,
        *,
        keep_alive: bool,
        extra: dict[str, str] | None = None,
    ) -> None:
        headers = {
            **self._base,
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "Connection": "keep-alive" if keep_alive else "close",
            **(extra or {}),
        }
        await self._send(_head(status, headers) + body)

    async def send_json(
        self,
        status: int,
        payload: Any,
        *,
        keep_alive: bool,
        extra: dict[str, str] | None = None,
    ) -> None:
        body = dumps(payload).encode()
        await self.send_full(status, body, "application/json", keep_alive=keep_alive, extra=extra)

    async def start_chunked(
        self,
        status: int,
        content_type: str,
        *,
        keep_alive: bool,
        extra: dict[str, str] | None = None,
    ) -> None:
        headers = {
            **self._base,
            "Content-Type": content_type,
            "Transfer-Encoding": "chunked",
            "Cache-Control": "no-cache",
            "Connection": "keep-alive" if keep_alive else "close",
            **(extra or {}),
        }
        await self._send(_head(status, headers))

    async def chunk(self, data: bytes) -> None:
        if data:
            await self._send(b"%x\r\n%s\r\n" % (len(data), data))

    async def end_chunked(self) -> None:
        await self._send(b"0\r\n\r\n")

    async def cut(self) -> None:
        """Close the socket after flushing what was written, leaving the body incomplete."""
        self._writer.close()
