"""The loopback server: routing, auth, scenario queue, streaming and faults."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self

from . import _frames, _protocol, _tokens
from ._http import BadRequest, ClientGone, Request, ResponseWriter, dumps, read_request
from ._protocol import Host
from ._replies import complete, stream, until_gone
from ._scenarios import Drop, Fail, Hang, Reply, Scenario

_NAMESPACE = uuid.UUID("6f3c1c9e-5d2b-4e59-9a55-2f0d7f7f2a10")

Responder = Callable[[dict[str, Any]], Scenario]
"""Makes the scenario for a chat request when the queue is empty (gets the JSON body)."""


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it, so a test can assert what the client sent.

    ``headers`` has lower-case keys; ``body`` is the parsed JSON (``None`` when the
    body is empty or not JSON); ``raw`` is the body bytes exactly as sent;
    ``path`` is the request target as sent (query string included).
    """

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes
    connection: int = 0
    """Sequence number of the TCP connection it came on (1, 2, …): shows keep-alive reuse."""

    def raw_value(self, key: str) -> bytes | None:
        """The bytes of top-level field ``key`` of the JSON body exactly as sent
        (``None`` when absent): what a test of byte-identical prefixes compares.
        Fields are searched in order, so text inside an earlier field that looks
        like a key is never taken for one."""
        if not isinstance(self.body, dict) or key not in self.body:
            return None
        text = self.raw.decode("utf-8")
        decoder = json.JSONDecoder()
        pos = text.index("{") + 1
        while True:
            name, pos = decoder.raw_decode(text, _skip(text, pos))
            pos = _skip(text, pos) + 1  # the colon
            start = _skip(text, pos)
            _, end = decoder.raw_decode(text, start)
            if name == key:
                return text[start:end].encode("utf-8")
            pos = _skip(text, end) + 1  # the comma


def _skip(text: str, pos: int) -> int:
    """The index of the first character at or after ``pos`` that is not JSON blank."""
    while text[pos] in " \t\r\n":
        pos += 1
    return pos


class FakeDeepSeek:
    """A real HTTP/1.1 server on 127.0.0.1 that speaks the DeepSeek wire protocol.

    Why: the client is tested through real sockets (connection reuse, chunked
    streams, cuts, stalls, timeouts), not through a mocked transport, and the same
    server drives the ``--demo`` mode and screenshots. Scripted :class:`Reply`,
    :class:`Fail`, :class:`Hang` and :class:`Drop` scenarios are consumed FIFO, one
    per accepted ``POST /chat/completions``; requests refused by authentication or
    the host's protocol checks consume none. With the queue empty the answer comes
    from ``responder`` (default: a short echo of the last user message, with
    reasoning when the model thinks).

    ``host`` picks the rules (``deepseek``, ``r1``, ``generic``; see
    ``_protocol``); ``models`` defaults to that host's ids. ``api_key=None``
    disables the key check. ``strict_passback`` (default: on for ``deepseek``)
    also rejects assistant messages that lack ``reasoning_content`` while thinking.
    ``temperature_max`` replaces the host's own temperature bound for every model
    (by default 2, and 1 for ``deepseek-v3.2`` on ``generic``).

    Use ``async with server:`` inside a running loop, or
    ``with server.run_in_thread():`` from synchronous code.
    """

    def __init__(
        self,
        api_key: str | None = "sk-test-key",
        *,
        models: Sequence[str] | None = None,
        host: Host = "deepseek",
        balance: Mapping[str, Any] | None = None,
        strict_passback: bool | None = None,
        temperature_max: float | None = None,
        responder: Responder | None = None,
        port: int = 0,
        log: Callable[[str], None] | None = None,
    ) -> None:
        if host not in _protocol.HOSTS:
            raise ValueError(f"unknown host {host!r}; expected one of {_protocol.HOSTS}")
        self.api_key = api_key
        self.host: Host = host
        self.models: tuple[str, ...] = tuple(models or _protocol.DEFAULT_MODELS[host])
        self.balance: Mapping[str, Any] = (
            balance if balance is not None else _protocol.DEFAULT_BALANCE
        )
        self.strict_passback = host == "deepseek" if strict_passback is None else strict_passback
        self.temperature_max = temperature_max
        self._responder = responder
        self._port_wanted = port
        self._log = log
        self._lock = threading.Lock()
        self._queue: deque[Scenario] = deque()
        self._requests: list[RecordedRequest] = []
        self._ids = itertools.count(1)
        self._connection_ids = itertools.count(1)
        self._cache = _tokens.PrefixCache()
        self._server: asyncio.Server | None = None
        self._port: int | None = None
        self._connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._resumes: asyncio.Semaphore | None = None
        self._paused = 0

    # --- public API ------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeDeepSeek is not running")
        return self._port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no ``/v1``; both forms are served)."""
        return f"http://127.0.0.1:{self.port}"

    def push(self, *scenarios: Scenario) -> None:
        """Queue scenarios for the next chat requests, in order (thread-safe)."""
        for scenario in scenarios:
            if not isinstance(scenario, Reply | Fail | Hang | Drop):
                raise TypeError(f"not a scenario: {scenario!r}")
        with self._lock:
            self._queue.extend(scenarios)

    @property
    def pending(self) -> int:
        """How many pushed scenarios have not been consumed yet."""
        with self._lock:
            return len(self._queue)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far (a snapshot copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """Only the ``/chat/completions`` requests (with or without ``/v1``, and
        DeepSeek's ``/beta/chat/completions``); ``path`` tells them apart."""
        return [r for r in self.requests if _route(r.path) in _CHAT_ROUTES]

    @property
    def paused(self) -> int:
        """How many streams are held at one of their ``Reply.pauses`` now."""
        return self._paused

    def resume(self) -> None:
        """Let a stream held at a pause go on; with none held, the next pause
        goes straight through (thread-safe)."""
        loop, resumes = self._loop, self._resumes
        if loop is None or resumes is None:
            raise RuntimeError("FakeDeepSeek is not running")
        loop.call_soon_threadsafe(resumes.release)

    async def start(self) -> None:
        """Start listening in the running event loop."""
        if self._server is not None:
            raise RuntimeError("FakeDeepSeek is already running")
        self._stopping = False
        self._loop, self._resumes = asyncio.get_running_loop(), asyncio.Semaphore(0)
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", self._port_wanted)
        self._port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Stop listening and close every open connection, stalled ones included."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping = True
        server.close()
        tasks = list(self._connections)
        for task, writer in list(self._connections.items()):
            writer.transport.abort()
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(0)
        await server.wait_closed()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    @contextlib.contextmanager
    def run_in_thread(self) -> Iterator[Self]:
        """Serve from a background thread with its own event loop, for sync code."""
        ready = threading.Event()
        state: dict[str, Any] = {}

        async def serve() -> None:
            stop = asyncio.Event()
            state["loop"], state["stop"] = asyncio.get_running_loop(), stop
            try:
                await self.start()
            except BaseException as exc:
                state["error"] = exc
                ready.set()
                return
            ready.set()
            try:
                await stop.wait()
            finally:
                await self.stop()

        thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
        thread.name = "FakeDeepSeek"
        thread.start()
        ready.wait()
        if "error" in state:
            thread.join()
            raise state["error"]
        try:
            yield self
        finally:
            state["loop"].call_soon_threadsafe(state["stop"].set)
            thread.join(timeout=30)

    # --- connections -----------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if self._stopping or task is None:
            writer.transport.abort()
            return
        self._connections[task] = writer
        connection = next(self._connection_ids)
        try:
            while True:
                trace_id = uuid.uuid5(_NAMESPACE, f"trace/{next(self._ids)}").hex
                out = ResponseWriter(writer, {"Server": "fake-deepseek", "x-ds-trace-id": trace_id})
                try:
                    request = await read_request(reader, writer)
                except BadRequest as exc:
                    body = _protocol.error_body(exc.message, _protocol.error_type_for(exc.status))
                    await out.send_json(exc.status, body, keep_alive=False)
                    break
                if request is None:
                    break
                keep = await self._respond(request, connection, reader, writer, out)
                if not (keep and request.keep_alive):
                    break
        except (ClientGone, ConnectionError):
            pass
        except asyncio.CancelledError:
            # ``stop`` (or loop shutdown) cancels handlers. This is the task's outermost
            # frame, so end normally: Python 3.11's StreamReaderProtocol calls
            # ``task.exception()`` on the finished task, which fails loudly if cancelled.
            pass
        except Exception:
            logging.getLogger(__name__).exception("FakeDeepSeek: connection handler failed")
        finally:
            self._connections.pop(task, None)
            writer.close()

    def _record(self, request: Request, connection: int) -> Any:
        body: Any = None
        if request.body:
            try:
                body = json.loads(request.body)
            except ValueError:
                body = None
        recorded = RecordedRequest(
            request.method, request.target, dict(request.headers), body, request.body, connection
        )
        with self._lock:
            self._requests.append(recorded)
        return body

    async def _respond(
        self,
        request: Request,
        connection: int,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        out: ResponseWriter,
    ) -> bool:
        """Answer one request; ``False`` when the connection must close afterwards."""
        body = self._record(request, connection)
        route = _route(request.path)
        keep = request.keep_alive
        if self._log is not None:
            self._log(f"{request.method} {request.target}")
        methods = {
            "/chat/completions": "POST",
            "/beta/chat/completions": "POST",
            "/models": "GET",
            "/user/balance": "GET",
        }
        deepseek_only = ("/beta/chat/completions",) if self.host != "deepseek" else ()
        if (
            route not in methods
            or (route == "/user/balance" and self.host == "generic")
            or route in deepseek_only
        ):
            message = f"Not Found: {request.path}"
            await out.send_json(404, _protocol.error_body(message), keep_alive=keep)
            return True
        if request.method != methods[route]:
            message = f"Method Not Allowed: {request.method} {request.path}"
            await out.send_json(405, _protocol.error_body(message), keep_alive=keep)
            return True
        if not self._authorized(request.headers.get("authorization")):
            message = _protocol.auth_failure(request.headers.get("authorization"))
            payload = _protocol.error_body(message, "authentication_error")
            await out.send_json(401, payload, keep_alive=keep)
            return True
        if route == "/models":
            data = [{"id": m, "object": "model", "owned_by": "deepseek"} for m in self.models]
            await out.send_json(200, {"object": "list", "data": data}, keep_alive=keep)
            return True
        if route == "/user/balance":
            await out.send_json(200, dict(self.balance), keep_alive=keep)
            return True
        return await self._chat(
            request, body, reader, writer, out, beta=route != "/chat/completions"
        )

    def _authorized(self, authorization: str | None) -> bool:
        if self.api_key is None:
            return True
        scheme, _, key = (authorization or "").partition(" ")
        return scheme.lower() == "bearer" and key.strip() == self.api_key

    # --- chat ------------------------------------------------------------------

    async def _chat(
        self,
        request: Request,
        body: Any,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        out: ResponseWriter,
        *,
        beta: bool = False,
    ) -> bool:
        keep = request.keep_alive
        if body is None:
            detail = _json_error(request.body)
            message = f"Failed to deserialize the JSON body into the target type: {detail}"
            await out.send_json(400, _protocol.error_body(message), keep_alive=keep)
            return True
        rejection = _protocol.validate_chat(
            body,
            host=self.host,
            models=self.models,
            strict_passback=self.strict_passback,
            temperature_max=self.temperature_max,
            beta=beta,
        )
        if rejection is not None:
            payload = _protocol.error_body(rejection.message, rejection.error_type)
            await out.send_json(rejection.status, payload, keep_alive=keep)
            return True
        scenario = self._next_scenario(body)
        if isinstance(scenario, Drop):
            writer.close()
            return False
        if isinstance(scenario, Hang):
            await until_gone(reader)
            return False
        if isinstance(scenario, Fail):
            await self._fail(scenario, out, keep)
            return True
        return await self._reply(scenario, body, reader, out, keep)

    def _next_scenario(self, body: dict[str, Any]) -> Scenario:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self._responder is not None:
            return self._responder(body)
        return _protocol.default_reply(body, thinking=_protocol.thinking_on(self.host, body))

    async def _fail(self, fail: Fail, out: ResponseWriter, keep: bool) -> None:
        if fail.body is not None:
            raw = fail.body.encode()
        else:
            message = fail.message or _protocol.STATUS_MESSAGES.get(fail.status)
            if message is None:
                try:
                    message = HTTPStatus(fail.status).phrase
                except ValueError:
                    message = f"HTTP {fail.status}"
            error_type = fail.error_type or _protocol.error_type_for(fail.status)
            raw = dumps(_protocol.error_body(message, error_type)).encode()
        await out.send_full(
            fail.status, raw, fail.content_type, keep_alive=keep, extra=dict(fail.headers)
        )

    async def _reply(
        self,
        reply: Reply,
        body: dict[str, Any],
        reader: asyncio.StreamReader,
        out: ResponseWriter,
        keep: bool,
    ) -> bool:
        if self.host == "deepseek" and _protocol.thinking_disabled(body) and reply.reasoning:
            reply = replace(reply, reasoning="")
        reply = _protocol.cut_to(reply, _protocol.token_limit(self.host, body))
        prompt_tokens = _tokens.prompt_tokens(body)
        meta = _frames.Meta(
            id=str(uuid.uuid5(_NAMESPACE, f"completion/{next(self._ids)}")),
            created=int(time.time()),
            model=reply.model or str(body["model"]),
            prompt_tokens=prompt_tokens,
            cache_hit_tokens=self._cache.hit_tokens(_tokens.prompt_text(body), prompt_tokens),
        )
        if body.get("stream") is True:
            options = body.get("stream_options")
            asked = isinstance(options, dict) and options.get("include_usage") is True
            usage = asked if reply.include_usage is None else reply.include_usage
            return await stream(reply, meta, usage, reader, out, keep, self._hold)
        return await complete(reply, meta, reader, out, keep)

    async def _hold(self) -> None:
        """Wait at a pause for :meth:`resume`."""
        assert self._resumes is not None
        self._paused += 1
        try:
            await self._resumes.acquire()
        finally:
            self._paused -= 1


_CHAT_ROUTES = ("/chat/completions", "/beta/chat/completions")


def _route(target: str) -> str:
    path = target.split("?", 1)[0].rstrip("/") or "/"
    if path == "/v1" or path.startswith("/v1/"):
        path = path[3:] or "/"
    return path


def _json_error(raw: bytes) -> str:
    try:
        json.loads(raw)
    except ValueError as exc:
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        line = exc.lineno if isinstance(exc, json.JSONDecodeError) else 1
        col = exc.colno if isinstance(exc, json.JSONDecodeError) else 1
        return f"{message.lower()} at line {line} column {col}"
    return "EOF while parsing a value at line 1 column 0"
