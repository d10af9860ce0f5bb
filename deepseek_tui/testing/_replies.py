"""Writing one answer to a chat request: the stream or the completion, and each fault."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable

from . import _frames
from ._http import ResponseWriter
from ._scenarios import Reply

LONG_LINE_BYTES = 9 * 1024 * 1024


async def until_gone(reader: asyncio.StreamReader) -> None:
    """Wait until the client closes its side (or the task is cancelled by ``stop``)."""
    with contextlib.suppress(ConnectionError):
        while await reader.read(65536):
            pass


async def _keepalives_until_gone(
    reader: asyncio.StreamReader, out: ResponseWriter, interval: float, line: bytes
) -> None:
    while True:
        await out.chunk(line)
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
    await out.start_chunked(200, "text/event-stream; charset=utf-8", keep_alive=keep)
    for _ in range(reply.keepalives):
        await out.chunk(b": keep-alive\n\n")
        if reply.keepalive_interval:
            await asyncio.sleep(reply.keepalive_interval)
    if reply.first_delay:
        await asyncio.sleep(reply.first_delay)
    for index in range(len(events) + 1):
        for pause in reply.pauses:
            if min(pause, len(events)) == index:
                await hold()
        if fault is not None and index == fault_at:
            outcome = await _stream_fault(fault, reply, reader, out)
            if outcome is not None:
                return outcome
        if index == len(events):
            break
        if index and reply.delay:
            await asyncio.sleep(reply.delay)
        await out.chunk(f"data: {events[index]}\n\n".encode())
    await out.end_chunked()
    return True


async def _stream_fault(
    fault: str, reply: Reply, reader: asyncio.StreamReader, out: ResponseWriter
) -> bool | None:
    """Apply a fault; ``None`` to go on with the stream, else whether to keep the connection."""
    if fault == "malformed":
        await out.chunk(b"data: {not json\n\n")
        return None
    if fault == "cut":
        await out.cut()
        return False
    if fault == "clean_close":
        await out.end_chunked()
        return True
    if fault == "stall":
        await until_gone(reader)
        return False
    if fault == "keepalive_stall":
        await _keepalives_until_gone(reader, out, reply.keepalive_interval, b": keep-alive\n\n")
        return False
    if fault == "error_event":
        await out.chunk(f"data: {_frames.error_event()}\n\n".encode())
        await out.end_chunked()
        return True
    if fault == "long_line":
        await out.chunk(b'data: {"choices":[{"index":0,"delta":{"content":"')
        piece = b"x" * (1024 * 1024)
        for _ in range(LONG_LINE_BYTES // len(piece)):
            await out.chunk(piece)
        await out.end_chunked()
        return True
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
    payload = _frames.dumps(_frames.completion(reply, meta)).encode()
    fault = reply.fault
    if fault == "malformed":
        await out.send_full(200, b"{not json", "application/json", keep_alive=keep)
        return True
    if fault == "error_event":
        await out.send_json(200, json.loads(_frames.error_event()), keep_alive=keep)
        return True
    if fault == "long_line":
        body = b'{"choices":"' + b"x" * LONG_LINE_BYTES
        await out.send_full(200, body, "application/json", keep_alive=keep)
        return True
    if not reply.keepalives and fault in (None, "no_done"):
        await out.send_full(200, payload, "application/json", keep_alive=keep)
        return True
    await out.start_chunked(200, "application/json", keep_alive=keep)
    for _ in range(reply.keepalives):
        await out.chunk(b"\n")
        if reply.keepalive_interval:
            await asyncio.sleep(reply.keepalive_interval)
    if fault == "stall":
        await until_gone(reader)
        return False
    if fault == "keepalive_stall":
        await _keepalives_until_gone(reader, out, reply.keepalive_interval, b"\n")
        return False
    if fault in ("cut", "clean_close"):
        await out.chunk(payload[: len(payload) // 2])
        if fault == "cut":
            await out.cut()
            return False
    else:
        await out.chunk(payload)
    await out.end_chunked()
    return True
