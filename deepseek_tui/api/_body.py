"""Reading a response body under our own deadlines.

httpx's read timeout restarts with every byte, so a host that sends
``: keep-alive`` comments forever would never time out; and at full speed a
stream is tens of thousands of tiny reads. :class:`Body` enforces a moving
deadline per read with one re-armed timer, and decodes a compressed body
itself, a bounded piece per read (see ``_inflate``); the helpers read error
bodies up to a size and drain a finished one so the connection can be reused.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from deepseek_tui.api._inflate import Inflater, codings
from deepseek_tui.sanitize import clean

#: Error bodies are read up to this size (they are short; a huge one is not the API).
ERROR_BODY_LIMIT = 64 * 1024


class Expired(Exception):
    """One of our own deadlines passed."""


class Call:
    """Clock of one API call: the total deadline and when the current attempt was sent."""

    __slots__ = ("sent_at", "total_deadline")

    def __init__(self, now: float, total: float) -> None:
        self.sent_at = now
        self.total_deadline = now + total


class Body:
    """A response body read chunk by chunk, each read bounded by a deadline.

    Why not ``asyncio.timeout_at`` around every read: at full speed a stream is
    tens of thousands of tiny reads, and creating, scheduling and cancelling a
    timer for each costs more than parsing the data. Here one timer handle is
    kept and re-armed only when it fires before the (moving) deadline; moving
    the deadline is an attribute write. When the deadline really passes during
    a read, the reading task is cancelled and the read raises :class:`Expired`
    -- the same cancel/uncancel protocol as ``asyncio.timeout``, so a genuine
    outside cancellation still propagates.

    A compressed body is read raw and decoded here, at most ``_inflate.PIECE``
    bytes per read; a read served from what is already decoded first lets the
    event loop run, so a body that decodes to gigabytes neither holds up a
    cancellation nor freezes the screen. A coding we did not ask for fails the
    first read with :class:`httpx.DecodingError`.
    """

    __slots__ = (
        "_armed",
        "_cancelling",
        "_fired",
        "_handle",
        "_inflater",
        "_it",
        "_loop",
        "_refused",
        "_task",
        "_when",
    )

    def __init__(self, response: httpx.Response) -> None:
        self._inflater: Inflater | None = None
        self._refused: str | None = None
        if response.is_stream_consumed:  # already read (and decoded) whole by httpx
            chunks = response.aiter_bytes()
        else:
            chunks = response.aiter_raw()
            names = codings(response.headers.get("content-encoding", ""))
            if len(names) == 1 and names[0] in ("gzip", "deflate"):
                self._inflater = Inflater(names[0])
            elif names:
                self._refused = clean(", ".join(names))  # masked and cut by the caller
        self._it = chunks.__aiter__()
        self._loop = asyncio.get_running_loop()
        self._handle: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[Any] | None = None
        self._when = 0.0
        self._armed = False
        self._fired = False
        self._cancelling = 0

    async def read(self, deadline: float) -> bytes | None:
        """The next chunk, or None at the end; raises :class:`Expired` at ``deadline``."""
        loop = self._loop
        if loop.time() >= deadline:
            raise Expired
        task = asyncio.current_task()
        if task is None:  # pragma: no cover - always inside a task under asyncio
            raise RuntimeError("reading a response outside a task")
        self._task = task
        self._when = deadline
        self._cancelling = task.cancelling()
        handle = self._handle
        if handle is None or handle.when() > deadline:
            if handle is not None:
                handle.cancel()
            self._handle = loop.call_at(deadline, self._fire)
        self._armed = True
        try:
            if self._inflater is None:
                if self._refused is not None:
                    raise httpx.DecodingError(
                        f"the body came in an encoding we did not ask for ({self._refused})"
                    )
                chunk: bytes | None = await self._it.__anext__()
            else:
                chunk = await self._inflate(self._inflater)
        except StopAsyncIteration:
            chunk = None
        except asyncio.CancelledError:
            if self._fired:
                self._fired = False
                if task.uncancel() <= self._cancelling:
                    raise Expired from None
            raise
        finally:
            self._armed = False
        if self._fired:  # the deadline passed just as the data arrived: keep the data
            self._fired = False
            task.uncancel()
        return chunk

    async def _inflate(self, inflater: Inflater) -> bytes:
        """The next decoded piece; raises ``StopAsyncIteration`` at the end."""
        if inflater.pending:
            await asyncio.sleep(0)  # decoded without a network read: let the loop run first
            piece = inflater.take()
            if piece:
                return piece
        while True:
            try:
                raw = await self._it.__anext__()
            except StopAsyncIteration:
                rest = inflater.flush()
                if rest:
                    return rest
                raise
            inflater.feed(raw)
            piece = inflater.take()
            if piece:
                return piece

    def _fire(self) -> None:
        self._handle = None
        if not self._armed or self._task is None:
            return  # not reading now; the next read checks the deadline itself
        if self._loop.time() < self._when:
            self._handle = self._loop.call_at(self._when, self._fire)
            return
        self._fired = True
        self._task.cancel()

    def close(self) -> None:
        """Drop the timer (the response itself is closed by its owner)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


def is_event_stream(response: httpx.Response) -> bool:
    return "text/event-stream" in response.headers.get("content-type", "").lower()


async def read_limited(response: httpx.Response, deadline: float, limit: int) -> bytes:
    source = Body(response)
    parts: list[bytes] = []
    size = 0
    try:
        while size < limit:
            chunk = await source.read(deadline)
            if chunk is None:
                break
            parts.append(chunk)
            size += len(chunk)
    finally:
        source.close()
    return b"".join(parts)[:limit]


async def drain(source: Body, deadline: float) -> None:
    """Read the (usually empty) rest of a finished body so the connection can be reused."""
    try:
        while await source.read(deadline) is not None:
            pass
    except (Expired, httpx.HTTPError):
        pass
