"""Reading a 2xx body whose type we do not trust: JSON or SSE, skipping
DeepSeek's queue blank lines; and replaying a one-JSON answer to a streaming
request as events.

Hosts differ: some answer a streaming request with one JSON body, some send
``text/plain`` SSE, and a wrong base URL gives an HTML page. The body is
sniffed rather than trusted, and anything that is not the API is an
:class:`UnexpectedResponse` that says to check the base URL.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from deepseek_tui.api._body import ERROR_BODY_LIMIT, Body, Call, Expired
from deepseek_tui.api._chunks import ChunkReader, MalformedChunk, ServerErrorEvent, result_from_body
from deepseek_tui.api._errors import StreamError
from deepseek_tui.api._json import loads as wire_json
from deepseek_tui.api._send import Sender
from deepseek_tui.api._status import request_id_of, unexpected
from deepseek_tui.api._types import ContentDelta, Finish, ReasoningDelta, StreamEvent, ToolCallDelta

#: Non-streaming bodies (answers, model lists) up to this size.
BODY_LIMIT = 64 * 1024 * 1024


class Responses(Sender):
    """The body-reading methods of :class:`~deepseek_tui.api.DeepSeekClient`."""

    async def _sniff(
        self,
        source: Body,
        response: httpx.Response,
        call: Call,
        reader: ChunkReader,
        request_id: str | None,
        *,
        allow_sse: bool,
    ) -> tuple[str, bytes]:
        """Look at the start of a body whose type we do not trust: JSON or SSE?

        Leading whitespace is skipped (DeepSeek's queue blank lines); anything
        else (an HTML page, plain text) is an :class:`UnexpectedResponse`.
        """
        deadline = min(call.sent_at + self._timeouts.first_token, call.total_deadline)
        phase = "total" if deadline == call.total_deadline else "first_token"
        seen: list[bytes] = []
        size = 0
        while True:
            try:
                chunk = await source.read(deadline)
            except Expired:
                raise self._timeout(phase, reader, request_id) from None
            except httpx.HTTPError as exc:
                raise self._cut(exc, reader, request_id) from None
            if chunk is None:
                if size:
                    break  # only whitespace
                raise self._stream_error(
                    f"{self._host.label} sent an empty answer; try again", reader, request_id
                )
            seen.append(chunk)
            size += len(chunk)
            head = b"".join(seen)
            stripped = head.lstrip()
            if not stripped:
                if size > ERROR_BODY_LIMIT:
                    break
                continue
            if stripped[:1] in (b"{", b"[", b'"'):
                return "json", head
            if allow_sse:
                if stripped.startswith((b"data", b":", b"event", b"id", b"retry")):
                    return "sse", head
                if len(stripped) < 5 and b"data".startswith(stripped):
                    continue  # too short to tell yet
            break
        raise unexpected(
            response.status_code,
            response.headers,
            host=self._host,
            request_id=request_id,
            scrub=self._scrub,
        )

    async def _read_rest_json(
        self,
        source: Body,
        first: bytes,
        call: Call,
        reader: ChunkReader,
        request_id: str | None,
    ) -> Any:
        parts = [first]
        size = len(first)
        now = asyncio.get_running_loop().time
        while True:
            deadline = min(now() + self._timeouts.idle, call.total_deadline)
            try:
                chunk = await source.read(deadline)
            except Expired:
                phase = "total" if deadline == call.total_deadline else "idle"
                raise self._timeout(phase, reader, request_id) from None
            except httpx.HTTPError as exc:
                raise self._cut(exc, reader, request_id) from None
            if chunk is None:
                break
            parts.append(chunk)
            size += len(chunk)
            if size > BODY_LIMIT:
                raise self._stream_error(
                    f"{self._host.label} sent an answer larger than {BODY_LIMIT} bytes",
                    reader,
                    request_id,
                )
        try:
            return wire_json(b"".join(parts))
        except (ValueError, RecursionError):
            raise self._stream_error(
                f"{self._host.label} sent an answer that is not valid JSON "
                "(it was cut or is not the API); try again",
                reader,
                request_id,
            ) from None

    async def _read_json_body(self, response: httpx.Response, call: Call) -> Any:
        """A 2xx JSON body, skipping DeepSeek's queue blank lines."""
        request_id = request_id_of(response.headers, self._scrub)
        source = Body(response)
        reader = ChunkReader()
        try:
            _, first = await self._sniff(
                source, response, call, reader, request_id, allow_sse=False
            )
            return await self._read_rest_json(source, first, call, reader, request_id)
        finally:
            source.close()

    def _events_from_body(self, raw: Any, model: str, request_id: str | None) -> list[StreamEvent]:
        """A host answered a streaming request with one JSON body: replay it as events."""
        try:
            result = result_from_body(raw, request_id=request_id)
        except ServerErrorEvent as exc:
            raise self._error_payload(exc.payload, model, request_id) from None
        except MalformedChunk as exc:
            raise StreamError(
                f"{self._host.label} answered with JSON that is not a chat completion ({exc}); "
                "check the base URL",
                request_id=request_id,
            ) from None
        events: list[StreamEvent] = []
        if result.reasoning:
            events.append(ReasoningDelta(result.reasoning))
        if result.content:
            events.append(ContentDelta(result.content))
        for index, call in enumerate(result.tool_calls):
            function = call.get("function")
            if not isinstance(function, dict):
                function = {}
            call_id, name, args = call.get("id"), function.get("name"), function.get("arguments")
            events.append(
                ToolCallDelta(
                    index=call["index"] if isinstance(call.get("index"), int) else index,
                    id=call_id if isinstance(call_id, str) else None,
                    name=name if isinstance(name, str) else None,
                    arguments=args if isinstance(args, str) else json.dumps(args or {}),
                )
            )
        if result.usage is not None:
            events.append(result.usage)
        if result.finish_reason is not None:
            events.append(Finish(result.finish_reason, result.model))
        elif not (result.content or result.reasoning or result.tool_calls):
            raise StreamError(
                f"{self._host.label} answered without any text; try again", request_id=request_id
            )
        return events
