"""Writing one answer to a chat request: the stream or the completion, and each fault."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from . import _encoding, _frames
from ._encoding import EncodedBody
from ._http import ResponseWriter, dumps
from ._scenarios import Reply

LONG_LINE_BYTES = 9 * 1024 * 1024


async def until_gone(reader: asyncio.StreamReader) -> None:
    """Wait until the client closes its side (or the task is cancelled by ``stop``)."""
    with contextlib.suppress(ConnectionError):
        while await reader.read(65536):
            pass


async def _keepalives_until_gone(
    reader: asyncio.StreamReader, body: EncodedBody, interval: float, line: bytes
) -> None:
    while True:
        await body.chunk(line)
        try:
            await asyncio.wait_for(until_gone(reader), interval or 0.5)
        except TimeoutError:
            continue
        return


async def stream(
    reply: Reply,
    meta: _frames.Meta,
    include_usage: bool,
    reader: asyncio.StreamReader,
    out: ResponseWriter,
    keep: bool,
    hold: Callable[[], Awaitable[None]],
) -> bool:
    events = _frames.stream_events(reply, meta, include_usage=include_usage)
    if reply.done and reply.fault != "no_done":
        events.append("[DONE]")
    fault = None if reply.fault == "no_done" else reply.fault
    fault_at = min(reply.fault_after, len(events) - (1 if events[-1] == "[DONE]" else 0))
    body = EncodedBody(out, reply.encoding)
    await out.start_chunked(
        200,
        "text/event-stream; charset=utf-8",
        keep_alive=keep,
        extra=_encoding.headers(reply.encoding),
    )
    for _ in range(reply.keepalives):
        await body.chunk(b": keep-alive\n\n")
        if reply.keepalive_interval:
            await asyncio.sleep(reply.keepalive_interval)
    if reply.first_delay:
        await asyncio.sleep(reply.first_delay)
    for index in range(len(events) + 1):
        for pause in reply.pauses:
            if min(pause, len(events)) == index:
                await hold()
        if fault is not None and index == fault_at:
            outcome = await _stream_fault(fault, reply, reader, body)
            if outcome is not None:
                return outcome
        if index == len(events):
            break
        if index and reply.delay:
            await asyncio.sleep(reply.delay)
        await body.chunk(f"data: {events[index]}\n\n".encode())
    await body.end()
    return True


async def _stream_fault(
    fault: str, reply: Reply, reader: asyncio.StreamReader, body: EncodedBody
) -> bool | None:
    """Apply a fault; ``None`` to go on with the stream, else whether to keep the connection."""
    if fault == "malformed":
        await body.chunk(b"data: {not json\n\n")
        return None
    if fault == "cut":
        await body.cut()
        return False
    if fault == "clean_close":
        await body.end()
        return True
    if fault == "stall":
        await until_gone(reader)
        return False
    if fault == "keepalive_stall":
        await _keepalives_until_gone(reader, body, reply.keepalive_interval, b": keep-alive\n\n")
        return False
    if fault == "error_event":
        await body.chunk(f"data: {_frames.error_event()}\n\n".encode())
        await body.end()
        return True
    if fault == "long_line":
        await body.chunk(b'data: {"choices":[{"index":0,"delta":{"content":"')
        piece = b"x" * (1024 * 1024)
        for _ in range(LONG_LINE_BYTES // len(piece)):
            await body.chunk(piece)
        await body.end()
        return True
    if fault == "keepalive_bomb":
        await body.bomb(b": keep-alive\n\n", reply.bomb_bytes)
        await body.cut()
        return False
    if fault == "line_bomb":
        await body.chunk(b'data: {"choices":[{"index":0,"delta":{"content":"')
        await body.bomb(b"x", reply.bomb_bytes)
        await body.cut()
        return False
    raise ValueError(f"unknown fault {fault!r}")


async def complete(
    reply: Reply,
    meta: _frames.Meta,
    reader: asyncio.StreamReader,
    out: ResponseWriter,
    keep: bool,
) -> bool:
    """The non-streaming answer; faults map to their closest non-streaming form."""
    if reply.first_delay:
        await asyncio.sleep(reply.first_delay)
    payload = dumps(_frames.completion(reply, meta)).encode()
    fault = reply.fault
    encoding = reply.encoding
    extra = _encoding.headers(encoding)

    async def whole(data: bytes) -> None:
        data = _encoding.encode(data, encoding)
        await out.send_full(200, data, "application/json", keep_alive=keep, extra=extra)

    if fault == "malformed":
        await whole(b"{not json")
        return True
    if fault == "error_event":
        await whole(_frames.error_event().encode())
        return True
    if fault == "long_line":
        await whole(b'{"choices":"' + b"x" * LONG_LINE_BYTES)
        return True
    if not reply.keepalives and fault in (None, "no_done"):
        await whole(payload)
        return True
    body = EncodedBody(out, encoding)
    await out.start_chunked(200, "application/json", keep_alive=keep, extra=extra)
    for _ in range(reply.keepalives):
        await body.chunk(b"\n")
        if reply.keepalive_interval:
            await asyncio.sleep(reply.keepalive_interval)
    if fault == "stall":
        await until_gone(reader)
        return False
    if fault == "keepalive_stall":
        await _keepalives_until_gone(reader, body, reply.keepalive_interval, b"\n")
        return False
    if fault in ("keepalive_bomb", "line_bomb"):
        if fault == "line_bomb":
            await body.chunk(b'{"choices":"')
        await body.bomb(b"\n" if fault == "keepalive_bomb" else b"x", reply.bomb_bytes)
        await body.cut()
        return False
    if fault in ("cut", "clean_close"):
        await body.chunk(payload[: len(payload) // 2])
        if fault == "cut":
            await body.cut()
            return False
    else:
        await body.chunk(payload)
    await body.end()
    return True
