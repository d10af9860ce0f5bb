"""The streaming loop: SSE bytes in, typed events out, under deadlines.

One loop, written for speed (a fast host sends thousands of chunks a second):
it reads with a moving deadline -- first token, then idle, then a short grace
after the finish reason -- that DeepSeek's ``: keep-alive`` comments cannot
defeat, decodes SSE incrementally, and raises one :class:`APIError` carrying
the partial text for every ending that is not a complete answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import httpx

from deepseek_tui.api._body import Body, Call, Expired, drain, is_event_stream
from deepseek_tui.api._chunks import ChunkReader, MalformedChunk, ServerErrorEvent
from deepseek_tui.api._errors import StreamError
from deepseek_tui.api._json import loads as wire_json
from deepseek_tui.api._responses import Responses
from deepseek_tui.api._sse import Comment, SSEDecoder
from deepseek_tui.api._status import request_id_of
from deepseek_tui.api._types import Finish, Queued, Started, StreamEvent
from deepseek_tui.urls import beta_base_url

#: After ``[DONE]``, how long we wait for the end of the HTTP body so the
#: connection can be reused; past it we just close the connection.
DRAIN_SECONDS = 0.25


class Streaming(Responses):
    """``_stream`` of :class:`~deepseek_tui.api.DeepSeekClient` (see ``stream_chat``)."""

    _max_line: int

    async def _stream(
        self,
        body: bytes,
        model: str,
        call: Call | None,
        response: httpx.Response | None,
        *,
        beta: bool = False,
    ) -> AsyncGenerator[StreamEvent, None]:
        loop = asyncio.get_running_loop()
        now = loop.time
        if call is None:
            call = Call(now(), self._timeouts.total)
        if response is None:
            response = await self._open(
                "POST",
                "/chat/completions",
                body,
                call,
                model,
                accept="text/event-stream",
                base=beta_base_url(self._base) if beta else None,
            )
        host = self._host
        timeouts = self._timeouts
        request_id = request_id_of(response.headers, self._scrub)
        reader = ChunkReader()
        source = Body(response)
        try:
            yield Started(request_id)
            decoder = SSEDecoder(self._max_line)
            pending: list[str | Comment] = []
            if not is_event_stream(response):
                kind, first = await self._sniff(
                    source, response, call, reader, request_id, allow_sse=True
                )
                if kind == "json":
                    raw = await self._read_rest_json(source, first, call, reader, request_id)
                    for event in self._events_from_body(raw, model, request_id):
                        yield event
                    return
                pending = decoder.feed(first)

            sent_at = call.sent_at
            total_deadline = call.total_deadline
            first_token_deadline = sent_at + timeouts.first_token
            idle = timeouts.idle
            got_data = False
            done = False
            eof = False
            finish_at: float | None = None
            last_data = sent_at
            loads = wire_json
            read = reader.read
            while True:
                if pending:
                    items, pending = pending, []
                else:
                    if finish_at is not None:
                        phase, deadline = "finish_grace", finish_at + timeouts.finish_grace
                    elif got_data:
                        phase, deadline = "idle", last_data + idle
                    else:
                        phase, deadline = "first_token", first_token_deadline
                    if total_deadline < deadline:
                        phase, deadline = "total", total_deadline
                    try:
                        chunk = await source.read(deadline)
                    except Expired:
                        if finish_at is not None:
                            break  # finished; the usage chunk / [DONE] never came
                        raise self._timeout(phase, reader, request_id) from None
                    except httpx.HTTPError as exc:
                        raise self._cut(exc, reader, request_id) from None
                    try:
                        if chunk is None:
                            eof = True
                            items = decoder.close()
                        else:
                            items = decoder.feed(chunk)
                    except StreamError as exc:
                        raise self._partial(exc, reader) from None
                had_data = queued = False
                for item in items:
                    if type(item) is str:
                        got_data = had_data = True
                        if item == "[DONE]":
                            done = True
                            break
                        try:
                            events = read(loads(item))
                        except (ValueError, RecursionError):
                            raise self._malformed(item, reader, request_id) from None
                        except MalformedChunk as exc:
                            raise self._malformed(str(exc), reader, request_id) from None
                        except ServerErrorEvent as exc:
                            raise self._error_event(exc.payload, reader, request_id) from None
                        for event in events:
                            yield event
                    elif not (got_data or queued):
                        queued = True  # one per read: a read may hold thousands
                        yield Queued(now() - sent_at)
                if done or eof:
                    break
                if had_data:
                    last_data = now()
                    if finish_at is None and reader.finish is not None:
                        finish_at = last_data

            for event in reader.flush():
                yield event
            if reader.finish is None:
                if eof:
                    raise self._stream_error(
                        f"{host.label} closed the stream before the answer was complete "
                        "(no finish reason); try again",
                        reader,
                        request_id,
                    )
                if not reader.has_answer:
                    raise self._stream_error(
                        f"{host.label} ended the stream without an answer; try again",
                        reader,
                        request_id,
                    )
            if reader.usage is not None:
                yield reader.usage
            if reader.finish is not None:
                yield Finish(reader.finish, reader.model)
            if done:
                await drain(source, now() + DRAIN_SECONDS)
        finally:
            source.close()
            await response.aclose()
