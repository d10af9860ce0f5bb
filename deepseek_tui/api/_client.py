"""The async DeepSeek client: one ``httpx.AsyncClient``, typed events, typed errors.

Why it looks like this:

* Streaming is the product. ``stream_chat`` turns SSE bytes into typed events
  with our own incremental decoder, and enforces deadlines that DeepSeek's
  ``: keep-alive`` comments cannot defeat (see :class:`Timeouts`).
* A failure is always one :class:`APIError` subclass with a message a person can
  act on, the server's own words (sanitized, without the API key) and whatever
  text had arrived, so nothing received is lost.
* Retries happen only before the host accepted the request -- never after any
  byte of an answer, which would bill twice and duplicate text.
* Cancelling the consumer (``break``, task cancellation, ``aclose()``) closes the
  HTTP response, and with it the connection, at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from types import TracebackType
from typing import Any

import httpx

from deepseek_tui import __version__
from deepseek_tui.api._chunks import (
    ChunkReader,
    MalformedChunk,
    ServerErrorEvent,
    result_from_body,
)
from deepseek_tui.api._errors import (
    APIError,
    ConnectionFailed,
    HTTPStatusError,
    StreamError,
    Timeout,
    UnexpectedResponse,
)
from deepseek_tui.api._fold import collect
from deepseek_tui.api._retry import RETRY_STATUSES, RetryPolicy, parse_retry_after
from deepseek_tui.api._sse import DEFAULT_MAX_LINE, Comment, SSEDecoder
from deepseek_tui.api._status import (
    Host,
    error_from_payload,
    error_from_response,
    request_id_of,
    server_text,
    unexpected,
)
from deepseek_tui.api._timeouts import Timeouts
from deepseek_tui.api._types import (
    Balance,
    BalanceInfo,
    ChatRequest,
    ChatResult,
    ContentDelta,
    Finish,
    ModelInfo,
    Queued,
    ReasoningDelta,
    Started,
    StreamEvent,
    ToolCallDelta,
)
from deepseek_tui.sanitize import clean
from deepseek_tui.urls import normalize_base_url

__all__ = ["DEFAULT_USER_AGENT", "DeepSeekClient", "normalize_base_url"]

log = logging.getLogger("deepseek_tui.api")

DEFAULT_USER_AGENT = f"deepseek-tui/{__version__}"

#: Error bodies are read up to this size (they are short; a huge one is not the API).
_ERROR_BODY_LIMIT = 64 * 1024
#: Non-streaming bodies (answers, model lists) up to this size.
_BODY_LIMIT = 64 * 1024 * 1024
#: After ``[DONE]``, how long we wait for the end of the HTTP body so the
#: connection can be reused; past it we just close the connection.
_DRAIN_SECONDS = 0.25


def _check_key(api_key: str) -> str:
    key = api_key.strip()
    if any(not 33 <= ord(c) <= 126 for c in key):
        # Never echo the key: say what is wrong with it instead.
        raise ValueError(
            "the API key contains spaces, line breaks or non-ASCII characters "
            "and cannot be sent; paste it again"
        )
    return key


class _Expired(Exception):
    """One of our own deadlines passed."""


class _Call:
    """Clock of one API call: the total deadline and when the current attempt was sent."""

    __slots__ = ("sent_at", "total_deadline")

    def __init__(self, now: float, total: float) -> None:
        self.sent_at = now
        self.total_deadline = now + total


class _Body:
    """A response body read chunk by chunk, each read bounded by a deadline.

    Why not ``asyncio.timeout_at`` around every read: at full speed a stream is
    tens of thousands of tiny reads, and creating, scheduling and cancelling a
    timer for each costs more than parsing the data. Here one timer handle is
    kept and re-armed only when it fires before the (moving) deadline; moving
    the deadline is an attribute write. When the deadline really passes during
    a read, the reading task is cancelled and the read raises :class:`_Expired`
    -- the same cancel/uncancel protocol as ``asyncio.timeout``, so a genuine
    outside cancellation still propagates.
    """

    __slots__ = ("_armed", "_cancelling", "_fired", "_handle", "_it", "_loop", "_task", "_when")

    def __init__(self, response: httpx.Response) -> None:
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        # aiter_raw skips a decoding layer; compressed (or already read) bodies need aiter_bytes.
        raw = encoding in ("", "identity") and not response.is_stream_consumed
        chunks = response.aiter_raw() if raw else response.aiter_bytes()
        self._it = chunks.__aiter__()
        self._loop = asyncio.get_running_loop()
        self._handle: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[Any] | None = None
        self._when = 0.0
        self._armed = False
        self._fired = False
        self._cancelling = 0

    async def read(self, deadline: float) -> bytes | None:
        """The next chunk, or None at the end; raises :class:`_Expired` at ``deadline``."""
        loop = self._loop
        if loop.time() >= deadline:
            raise _Expired
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
            chunk: bytes | None = await self._it.__anext__()
        except StopAsyncIteration:
            chunk = None
        except asyncio.CancelledError:
            if self._fired:
                self._fired = False
                if task.uncancel() <= self._cancelling:
                    raise _Expired from None
            raise
        finally:
            self._armed = False
        if self._fired:  # the deadline passed just as the data arrived: keep the data
            self._fired = False
            task.uncancel()
        return chunk

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


class DeepSeekClient:
    """Async client for DeepSeek's OpenAI-format API (and compatible hosts).

    One ``httpx.AsyncClient`` per object; use it as ``async with
    DeepSeekClient(...) as client`` or call :meth:`aclose`. ``transport`` lets
    tests inject an ``httpx.MockTransport``; ``sleep`` and ``backoff_base`` make
    retry tests fast.

    The API key goes only into the ``Authorization`` header; it is never part
    of an error message, a ``repr`` or a log line.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeouts: Timeouts | None = None,
        max_retries: int = 2,
        transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        backoff_base: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        max_line: int = DEFAULT_MAX_LINE,
    ) -> None:
        self._base = normalize_base_url(base_url)
        self._host = Host.from_url(self._base)
        key = _check_key(api_key)
        self._scrub = _scrubber(key)
        self._timeouts = timeouts or Timeouts()
        self._retry = RetryPolicy(max_retries=max(0, max_retries), base=backoff_base)
        self._sleep = sleep or asyncio.sleep
        self._max_line = max_line
        headers = {"User-Agent": user_agent, "Accept": "application/json"}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        t = self._timeouts
        self._http = httpx.AsyncClient(
            transport=transport,
            headers=headers,
            timeout=httpx.Timeout(connect=t.connect, read=t.read, write=t.read, pool=t.connect),
            follow_redirects=False,
        )

    # --- lifecycle --------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The normalized base URL requests go to."""
        return self._base

    @property
    def timeouts(self) -> Timeouts:
        return self._timeouts

    def __repr__(self) -> str:
        return f"DeepSeekClient(base_url={self._base!r})"

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> DeepSeekClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- chat -------------------------------------------------------------------

    def stream_chat(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        """Stream one chat completion as typed events.

        Events: :class:`Started` (HTTP 200 with headers), :class:`Queued` for each
        ``: keep-alive`` before the first data event, then :class:`ReasoningDelta`,
        :class:`ContentDelta`, :class:`ToolCallDelta` as they arrive, and at the
        end the last non-null :class:`Usage` and :class:`Finish`.

        The generator returning normally means the answer is complete: a
        ``finish_reason`` arrived and then ``[DONE]``, a clean close, or
        ``Timeouts.finish_grace`` of silence. A host that sends ``[DONE]``
        without any ``finish_reason`` still counts as complete if it sent any
        text or tool call (there is then no :class:`Finish`); with nothing at all
        it is a :class:`StreamError`. Every other ending raises one
        :class:`APIError` carrying the partial text.

        Nothing is sent until iteration starts. Close the generator (``break``
        inside ``contextlib.aclosing``, ``aclose()``, or cancel the task) to stop:
        the connection is closed at once.
        """
        return self._stream(request.body_bytes(stream=True), request.model, None, None)

    async def complete(self, request: ChatRequest) -> ChatResult:
        """One non-streaming chat completion.

        DeepSeek may send blank lines before the JSON while the request is
        queued; they are skipped (and do not count toward the first-token
        deadline being met). A host that streams anyway is folded into a result.
        """
        body = request.body_bytes(stream=False)
        loop = asyncio.get_running_loop()
        call = _Call(loop.time(), self._timeouts.total)
        response = await self._open("POST", "/chat/completions", body, call, request.model)
        if _is_event_stream(response):
            return await collect(
                self._stream(body, request.model, call, response), model=request.model
            )
        request_id = request_id_of(response.headers, self._scrub)
        try:
            raw = await self._read_json_body(response, call)
            try:
                return result_from_body(raw, request_id=request_id)
            except ServerErrorEvent as exc:
                raise self._error_payload(exc.payload, request.model, request_id) from None
            except MalformedChunk as exc:
                raise StreamError(
                    f"{self._host.label} sent an answer that is not a chat completion "
                    f"({exc}); check the base URL",
                    request_id=request_id,
                ) from None
        finally:
            await response.aclose()

    async def _stream(
        self,
        body: bytes,
        model: str,
        call: _Call | None,
        response: httpx.Response | None,
    ) -> AsyncGenerator[StreamEvent, None]:
        loop = asyncio.get_running_loop()
        now = loop.time
        if call is None:
            call = _Call(now(), self._timeouts.total)
        if response is None:
            response = await self._open(
                "POST", "/chat/completions", body, call, model, accept="text/event-stream"
            )
        host = self._host
        timeouts = self._timeouts
        request_id = request_id_of(response.headers, self._scrub)
        reader = ChunkReader()
        source = _Body(response)
        try:
            yield Started(request_id)
            decoder = SSEDecoder(self._max_line)
            pending: list[str | Comment] = []
            if not _is_event_stream(response):
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
            loads = json.loads
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
                    except _Expired:
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
                had_data = False
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
                    elif not got_data:
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
                await _drain(source, now() + _DRAIN_SECONDS)
        finally:
            source.close()
            await response.aclose()

    # --- models and balance ---------------------------------------------------

    async def list_models(self) -> list[ModelInfo]:
        """``GET /models``: the model ids this host offers (in the host's order)."""
        raw = await self._get_json("/models")
        entries = raw.get("data") if isinstance(raw, dict) else raw
        if not isinstance(entries, list):
            raise UnexpectedResponse(
                f"unexpected response from {self._host.netloc} (HTTP 200, no model list): "
                "check the base URL",
                status=200,
            )
        models: list[ModelInfo] = []
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"]:
                owner = entry.get("owned_by")
                models.append(
                    ModelInfo(id=entry["id"], owned_by=owner if isinstance(owner, str) else None)
                )
            elif isinstance(entry, str) and entry:
                models.append(ModelInfo(id=entry))
        return models

    async def balance(self) -> Balance | None:
        """``GET /user/balance``; None when the host has no such endpoint.

        Only DeepSeek's own host has it; others answer 404/405 (or JSON that is
        not a balance), which is not an error here. An HTML page still is: it
        means the base URL points somewhere else.
        """
        try:
            raw = await self._get_json("/user/balance")
        except (HTTPStatusError, UnexpectedResponse) as exc:
            if exc.status in (404, 405, 501):
                return None
            raise
        if not isinstance(raw, dict) or not isinstance(raw.get("balance_infos"), list):
            return None
        infos: list[BalanceInfo] = []
        for info in raw["balance_infos"]:
            if not isinstance(info, dict):
                continue
            infos.append(
                BalanceInfo(
                    currency=_amount(info.get("currency")) or "?",
                    total=_amount(info.get("total_balance")) or "0",
                    granted=_amount(info.get("granted_balance")),
                    topped_up=_amount(info.get("topped_up_balance")),
                )
            )
        return Balance(is_available=raw.get("is_available") is not False, infos=tuple(infos))

    async def _get_json(self, path: str) -> Any:
        loop = asyncio.get_running_loop()
        call = _Call(loop.time(), min(self._timeouts.total, self._timeouts.first_token))
        response = await self._open("GET", path, None, call, None)
        try:
            return await self._read_json_body(response, call)
        finally:
            await response.aclose()

    # --- sending and retrying -----------------------------------------------------

    async def _open(
        self,
        method: str,
        path: str,
        body: bytes | None,
        call: _Call,
        model: str | None,
        *,
        accept: str = "application/json",
    ) -> httpx.Response:
        """Send until a 2xx arrives; returns the open (unread) response.

        Retries connection failures, timeouts before headers and the statuses in
        ``RETRY_STATUSES``, at most ``max_retries`` times and never past the
        total deadline.
        """
        loop = asyncio.get_running_loop()
        url = self._base + path
        headers = {"Accept": accept}
        if body is not None:
            headers["Content-Type"] = "application/json"
        policy = self._retry
        retry = 0
        while True:
            call.sent_at = loop.time()
            first_deadline = call.sent_at + self._timeouts.first_token
            deadline = min(first_deadline, call.total_deadline)
            phase = "total" if call.total_deadline <= first_deadline else "first_token"
            retry_after: float | None = None
            error: APIError
            retryable = True
            try:
                request = self._http.build_request(method, url, content=body, headers=headers)
                async with asyncio.timeout_at(deadline):
                    response = await self._http.send(request, stream=True)
            except TimeoutError:
                error = self._timeout(phase, None, None)
            except httpx.TimeoutException as exc:
                error = self._httpx_timeout(exc)
            except (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.ProxyError) as exc:
                error = self._connection_failed(exc)
                retryable = False
            except httpx.HTTPError as exc:
                error = self._connection_failed(exc)
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return response
                try:
                    raw = await _read_limited(response, deadline, _ERROR_BODY_LIMIT)
                except (_Expired, httpx.HTTPError):
                    raw = b""
                finally:
                    await response.aclose()
                retry_after = parse_retry_after(response.headers)
                error = error_from_response(
                    status,
                    response.headers,
                    raw,
                    host=self._host,
                    path=path,
                    model=model,
                    scrub=self._scrub,
                    retry_after=retry_after,
                )
                retryable = status in RETRY_STATUSES
            if not retryable or retry >= policy.max_retries:
                raise error
            delay = policy.delay(retry, retry_after)
            if loop.time() + delay >= call.total_deadline:
                raise error
            retry += 1
            log.info(
                "%s %s failed (%s); retry %d/%d in %.2fs",
                method,
                path,
                error.message,
                retry,
                policy.max_retries,
                delay,
            )
            await self._sleep(delay)

    # --- non-SSE bodies -----------------------------------------------------------

    async def _sniff(
        self,
        source: _Body,
        response: httpx.Response,
        call: _Call,
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
            except _Expired:
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
                if size > _ERROR_BODY_LIMIT:
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
            _content_type(response.headers),
            response.headers,
            host=self._host,
            request_id=request_id,
        )

    async def _read_rest_json(
        self,
        source: _Body,
        first: bytes,
        call: _Call,
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
            except _Expired:
                phase = "total" if deadline == call.total_deadline else "idle"
                raise self._timeout(phase, reader, request_id) from None
            except httpx.HTTPError as exc:
                raise self._cut(exc, reader, request_id) from None
            if chunk is None:
                break
            parts.append(chunk)
            size += len(chunk)
            if size > _BODY_LIMIT:
                raise self._stream_error(
                    f"{self._host.label} sent an answer larger than {_BODY_LIMIT} bytes",
                    reader,
                    request_id,
                )
        try:
            return json.loads(b"".join(parts))
        except (ValueError, RecursionError):
            raise self._stream_error(
                f"{self._host.label} sent an answer that is not valid JSON "
                "(it was cut or is not the API); try again",
                reader,
                request_id,
            ) from None

    async def _read_json_body(self, response: httpx.Response, call: _Call) -> Any:
        """A 2xx JSON body, skipping DeepSeek's queue blank lines."""
        request_id = request_id_of(response.headers, self._scrub)
        source = _Body(response)
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

    # --- error construction ---------------------------------------------------------

    def _error_payload(self, payload: Any, model: str | None, request_id: str | None) -> APIError:
        mapped = error_from_payload(
            payload,
            host=self._host,
            path="/chat/completions",
            model=model,
            scrub=self._scrub,
            request_id=request_id,
        )
        if mapped is not None:
            return mapped
        return StreamError(
            f"{self._host.label} answered with an error ({self._payload_text(payload)}); try again",
            request_id=request_id,
        )

    def _payload_text(self, payload: Any) -> str:
        err = payload.get("error") if isinstance(payload, dict) else payload
        if isinstance(err, dict):
            err = err.get("message") or err.get("type") or err.get("code") or ""
        if not isinstance(err, str):
            err = json.dumps(err, ensure_ascii=False)[:1000]
        return server_text(err, self._scrub) or "no message"

    def _partial(self, exc: APIError, reader: ChunkReader | None) -> APIError:
        if reader is not None:
            reader.flush()
            exc.partial_content = "".join(reader.content)
            exc.partial_reasoning = "".join(reader.reasoning)
        return exc

    def _stream_error(
        self, message: str, reader: ChunkReader | None, request_id: str | None
    ) -> APIError:
        return self._partial(StreamError(message, request_id=request_id), reader)

    def _error_event(self, payload: Any, reader: ChunkReader, request_id: str | None) -> APIError:
        return self._stream_error(
            f"{self._host.label} reported an error mid-stream ({self._payload_text(payload)}); "
            "try again",
            reader,
            request_id,
        )

    def _malformed(self, detail: str, reader: ChunkReader, request_id: str | None) -> APIError:
        return self._stream_error(
            f"{self._host.label} sent malformed data in the stream "
            f"({server_text(detail, self._scrub)[:80]}); try again",
            reader,
            request_id,
        )

    def _cut(self, exc: Exception, reader: ChunkReader, request_id: str | None) -> APIError:
        if isinstance(exc, httpx.TimeoutException):
            return self._partial(self._httpx_timeout(exc, request_id), reader)
        return self._stream_error(
            f"the connection to {self._host.label} broke before the answer was complete "
            f"({type(exc).__name__}); try again",
            reader,
            request_id,
        )

    def _timeout(self, phase: str, reader: ChunkReader | None, request_id: str | None) -> APIError:
        t = self._timeouts
        who = self._host.label
        if phase == "first_token":
            message = (
                f"{who} sent no answer within {t.first_token:g}s of the request "
                "(first_token timeout; it may be overloaded); try again later"
            )
        elif phase == "idle":
            message = (
                f"{who} stopped sending the answer: nothing for {t.idle:g}s "
                "(idle timeout); try again"
            )
        else:
            message = (
                f"the request took longer than {t.total:g}s (total timeout); "
                "try again or raise the limit"
            )
        return self._partial(Timeout(message, phase=phase, request_id=request_id), reader)

    def _httpx_timeout(self, exc: httpx.TimeoutException, request_id: str | None = None) -> Timeout:
        t = self._timeouts
        if isinstance(exc, httpx.ConnectTimeout):
            return Timeout(
                f"could not connect to {self._host.netloc} within {t.connect:g}s "
                "(connect timeout); check your network and the base URL",
                phase="connect",
                request_id=request_id,
            )
        if isinstance(exc, httpx.PoolTimeout):
            return Timeout(
                f"no free connection to {self._host.netloc} within {t.connect:g}s "
                "(pool timeout); try again",
                phase="pool",
                request_id=request_id,
            )
        phase = "write" if isinstance(exc, httpx.WriteTimeout) else "read"
        return Timeout(
            f"{self._host.label} sent nothing for {t.read:g}s ({phase} timeout); try again",
            phase=phase,
            request_id=request_id,
        )

    def _connection_failed(self, exc: Exception) -> ConnectionFailed:
        reason = server_text(str(exc), self._scrub) or type(exc).__name__
        return ConnectionFailed(
            f"could not reach {self._host.netloc} ({reason}); check your network and the base URL"
        )


def _scrubber(key: str) -> Callable[[str], str]:
    """A function that removes the API key (and its Bearer form) from text."""
    if not key:
        return lambda text: text
    tail = key[-4:] if len(key) >= 12 else ""
    masked = f"****{tail}"

    def scrub(text: str) -> str:
        return text.replace(key, masked) if key in text else text

    return scrub


def _content_type(headers: Any) -> str:
    value = headers.get("content-type", "") if headers is not None else ""
    return clean(str(value)).split(";")[0].strip().lower() or "no type"


def _is_event_stream(response: httpx.Response) -> bool:
    return "text/event-stream" in response.headers.get("content-type", "").lower()


def _amount(value: Any) -> str | None:
    if isinstance(value, str):
        return clean(value)[:40]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


async def _read_limited(response: httpx.Response, deadline: float, limit: int) -> bytes:
    source = _Body(response)
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


async def _drain(source: _Body, deadline: float) -> None:
    """Read the (usually empty) rest of a finished body so the connection can be reused."""
    try:
        while await source.read(deadline) is not None:
            pass
    except (_Expired, httpx.HTTPError):
        pass
