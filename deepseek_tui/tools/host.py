"""The MCP runtime: start the configured servers, list their tools, run calls.

:class:`ToolHost` runs every enabled ``[mcp.NAME]`` server through the
official ``mcp`` SDK -- a subprocess over stdio, or a streamable-HTTP
endpoint -- and turns everything that can go wrong into a value: a server
that cannot start is a :class:`~deepseek_tui.tools.ServerState` with one line
saying why, and a call always ends as a :class:`~deepseek_tui.tools.ToolResult`
(``ok``, ``error``, ``timeout`` or ``invalid``), never as an exception. A
cancelled start or call still raises ``CancelledError``: that is how Esc and
quitting work.

The SDK costs most of a second to import, so it is imported inside the methods
that start a server, never when this module is imported. Each server lives in
a task of its own that holds the SDK's transport and session open (their
cancel scopes must be entered and left by one task) until :meth:`aclose`, a
restart, or the server's end. A stdio server's stderr never reaches the
terminal the TUI draws on: it goes into a pipe whose last few kilobytes are
kept, and the last line is quoted when the server fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from deepseek_tui.sanitize import clean
from deepseek_tui.tools import (
    McpServerConfig,
    ServerState,
    ServerStatus,
    ToolResult,
    ToolsConfig,
    ToolSpec,
    wire_name,
)
from deepseek_tui.tools.arguments import object_schema, parse_arguments
from deepseek_tui.tools.content import tool_result, valid_text

if TYPE_CHECKING:
    from types import TracebackType

    from mcp import ClientSession
    from mcp.client.session import IncomingMessage
    from mcp.shared.message import SessionMessage

__all__ = ["ServerState", "ToolHost"]

START_TIMEOUT = 30.0
"""Seconds a server has to start, answer the handshake and list its tools."""
STDERR_KEPT = 8192
"""Bytes of a server's stderr kept for failure messages (the rest is dropped)."""
DESCRIPTION_LIMIT = 4096
"""Characters of a tool's description sent to the model; it is in every request."""
_MAX_PAGES = 50


@dataclass(frozen=True, slots=True)
class _Tool:
    name: str
    description: str
    parameters: dict[str, Any]


class ToolHost:
    """The configured MCP servers of one app run (or one ``ask``)."""

    def __init__(
        self,
        servers: Sequence[McpServerConfig],
        config: ToolsConfig,
        *,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        self.config = config
        self._servers = [_Server(s, start_timeout) for s in servers]
        self._wire: dict[tuple[str, str], str] = {}
        """(server, tool) -> wire name; once given, a name stays (across restarts)."""

    # --- life ---------------------------------------------------------------

    async def start(self) -> None:
        """Start every enabled server at once; each ends ``ready`` or ``failed``.

        Never raises but ``CancelledError``; a cancelled start stops what it
        started (no process is left behind) and marks those servers failed."""
        waiting = [s for s in self._servers if s.status == "starting" and s.runner is None]
        if not waiting:
            return
        _quiet_sdk_logging()
        async with asyncio.TaskGroup() as group:
            for server in waiting:
                group.create_task(server.connect())
        self._name_tools()

    async def aclose(self) -> None:
        """Stop every server: ends their subprocesses (and reaps them)."""
        await asyncio.gather(*(s.close() for s in self._servers))

    async def __aenter__(self) -> ToolHost:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- what there is -------------------------------------------------------

    def states(self) -> list[ServerState]:
        """Every configured server, in config order, as the UI shows it."""
        return [
            ServerState(s.name, s.status, s.error, tuple(self._specs_of(s))) for s in self._servers
        ]

    def specs(self) -> list[ToolSpec]:
        """The tools to offer the model: those of ``ready`` and ``stopped`` servers."""
        return [spec for s in self._servers for spec in self._specs_of(s)]

    def find(self, wire_name: str) -> ToolSpec | None:
        """The offered tool called ``wire_name`` on the wire, if any."""
        return next((spec for spec in self.specs() if spec.wire_name == wire_name), None)

    def trusted(self, wire_name: str) -> bool:
        """Whether the tool may run without asking (its server's ``trust`` list)."""
        found = self._lookup(wire_name)
        return found is not None and found[1].name in found[0].config.trust

    # --- calls ---------------------------------------------------------------

    async def call(self, wire_name: str, arguments: str) -> ToolResult:
        """Run one call; every ending is a :class:`ToolResult`, never an exception.

        Arguments are checked first (``invalid``: not run); a stopped server is
        restarted first (once per call); the call may take ``call_timeout``
        seconds (``timeout``)."""
        try:
            return await self._call(wire_name, arguments)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug of ours or the SDK's: still a result
            return ToolResult("error", f"The call failed: {_one_line(exc)}")

    async def _call(self, wire_name: str, arguments: str) -> ToolResult:
        found = self._lookup(wire_name)
        if found is None:
            known = ", ".join(spec.wire_name for spec in self.specs()) or "none"
            return ToolResult(
                "invalid", f"There is no tool named {wire_name!r}, so nothing ran. Tools: {known}."
            )
        server, tool = found
        args, problem = parse_arguments(arguments, tool.parameters)
        if args is None:
            return ToolResult(
                "invalid",
                f"The tool was not run: {problem}. Its parameters are: "
                f"{json.dumps(tool.parameters, ensure_ascii=False)}",
            )
        async with server.lock:
            if not server.ready:
                await server.restart()
                self._name_tools()
                if not server.ready:
                    return ToolResult("error", f"The tool was not run: {server.error}")
        session = server.session
        if session is None:  # closed meanwhile
            return ToolResult("error", f"The tool was not run: MCP server {server.name} stopped.")
        timeout = self.config.call_timeout
        try:
            async with asyncio.timeout(timeout):
                result = await session.call_tool(tool.name, args)
        except TimeoutError:
            return ToolResult(
                "timeout",
                f"The tool {tool.name} did not finish within {timeout:g} seconds;"
                " the call was abandoned.",
            )
        except Exception as exc:
            if not _is_transport_failure(exc):
                return ToolResult("error", valid_text(_error_message(exc)))
            detail = await server.lose()
            return ToolResult(
                "error",
                f"The MCP server {server.name} stopped while running {tool.name}{detail};"
                " it will be restarted at the next call.",
            )
        return tool_result(result)

    # --- names ---------------------------------------------------------------

    def _name_tools(self) -> None:
        """Give each listed tool its wire name, in config order; keep old ones."""
        taken = set(self._wire.values())
        for server in self._servers:
            for tool in server.tools:
                key = (server.name, tool.name)
                if key not in self._wire:
                    self._wire[key] = name = wire_name(server.name, tool.name, taken)
                    taken.add(name)

    def _specs_of(self, server: _Server) -> Iterator[ToolSpec]:
        if server.status not in ("ready", "stopped"):
            return
        for tool in server.tools:
            name = self._wire.get((server.name, tool.name))
            if name is not None:
                yield ToolSpec(server.name, tool.name, name, tool.description, tool.parameters)

    def _lookup(self, wire: str) -> tuple[_Server, _Tool] | None:
        """The tool behind a wire name, whatever its server's state (a call to
        a server that failed after it was ready tries a restart)."""
        for server in self._servers:
            for tool in server.tools:
                if self._wire.get((server.name, tool.name)) == wire:
                    return server, tool
        return None


class _Server:
    """One configured server: its state, and the task that keeps it open."""

    def __init__(self, config: McpServerConfig, start_timeout: float) -> None:
        self.config = config
        self.name = config.name
        self.start_timeout = start_timeout
        self.status: ServerStatus = "starting" if config.enabled else "disabled"
        self.error: str | None = None
        self.tools: tuple[_Tool, ...] = ()
        self.session: ClientSession | None = None
        self.runner: asyncio.Task[None] | None = None
        self.lock = asyncio.Lock()
        self._ready = asyncio.Event()
        self._end = asyncio.Event()
        self._closing = False
        self._failure: Exception | None = None
        self._tail: _Tail | None = None
        self._noise = False
        """The server wrote something that is not JSON-RPC to stdout."""

    @property
    def ready(self) -> bool:
        return self.status == "ready"

    async def connect(self) -> None:
        """Start the server and wait until it is ready or has failed; never
        raises but ``CancelledError`` (after stopping what it started)."""
        self.status, self.error, self._failure, self._noise = "starting", None, None, False
        self._ready, self._end, self._closing = asyncio.Event(), asyncio.Event(), False
        self.runner = asyncio.create_task(self._run(), name=f"mcp server {self.name}")
        done = asyncio.create_task(self._ready.wait())
        try:
            finished, _ = await asyncio.wait(
                {done, self.runner}, timeout=self.start_timeout, return_when=asyncio.FIRST_COMPLETED
            )
        except asyncio.CancelledError:
            done.cancel()
            await self.halt()
            self._fail("start-up was cancelled")
            raise
        done.cancel()
        if self._ready.is_set() and self.session is not None:
            self.status = "ready"
            return
        if not finished:
            await self.halt()
            noise = "; what it wrote to stdout is not MCP" if self._noise else ""
            self._fail(f"did not finish starting within {self.start_timeout:g} seconds{noise}")
        else:
            await self.halt()
            self._fail(self._reason(self._failure))

    async def restart(self) -> None:
        await self.halt()
        await self.connect()

    async def close(self) -> None:
        self._closing = True
        await self.halt()
        if self.status == "ready":
            self.status = "stopped"

    async def halt(self) -> None:
        """End the runner task and wait for it: the SDK then stops the process."""
        runner = self.runner
        if runner is None:
            return
        runner.cancel()
        await asyncio.wait({runner})
        self.runner = None

    async def lose(self) -> str:
        """The connection broke under a call: let the runner end (it marks the
        server stopped) and return what the server last said, for the message."""
        self._end.set()
        if self.runner is not None:
            await asyncio.wait({self.runner}, timeout=5)
        line = self._tail.last_line() if self._tail else None
        return f" (it said: {line})" if line else ""

    def _fail(self, reason: str) -> None:
        self.status = "failed"
        self.session = None
        line = self._tail.last_line() if self._tail else None
        said = f"; it said: {line}" if line and line not in reason else ""
        self.error = _one_line(f"MCP server {self.name}: {reason}{said}", limit=400)

    async def _run(self) -> None:
        try:
            async with contextlib.AsyncExitStack() as stack:
                session = await self._open(stack)
                await session.initialize()
                self.tools = await _list_tools(session)
                self.session = session
                self._ready.set()
                await self._end.wait()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # handed to connect() or ends a ready server
            self._failure = exc
        finally:
            self.session = None
            if self._ready.is_set() and not self._closing and self.status == "ready":
                self.status = "stopped"
                line = self._tail.last_line() if self._tail else None
                said = f" (it said: {line})" if line else ""
                self.error = _one_line(
                    f"MCP server {self.name} stopped{said}; it restarts at the next call", 400
                )

    async def _open(self, stack: contextlib.AsyncExitStack) -> ClientSession:
        from mcp import ClientSession

        if self.config.command:
            from mcp.client.stdio import StdioServerParameters, stdio_client

            command = self.config.command
            params = StdioServerParameters(
                command=command[0], args=list(command[1:]), env=dict(self.config.env) or None
            )
            errlog = await self._capture_stderr(stack)
            try:
                read, write = await stack.enter_async_context(stdio_client(params, errlog=errlog))
            finally:
                errlog.close()  # the child has its copy
        else:
            from mcp.client.streamable_http import streamable_http_client

            assert self.config.url is not None
            read, write = await stack.enter_async_context(streamable_http_client(self.config.url))
        session = ClientSession(_Watched(read, self._end), write, message_handler=self._on_message)
        return await stack.enter_async_context(session)

    async def _capture_stderr(self, stack: contextlib.AsyncExitStack) -> TextIO:
        """A pipe for the child's stderr; its tail is kept in memory."""
        read_fd, write_fd = os.pipe()
        tail = self._tail = _Tail()
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.connect_read_pipe(lambda: tail, os.fdopen(read_fd, "rb", 0))
        except BaseException:
            os.close(write_fd)
            raise

        async def finish() -> None:  # after the process ended: read what it wrote last
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1):
                    await tail.closed.wait()
            transport.close()

        stack.push_async_callback(finish)
        return os.fdopen(write_fd, "w")

    async def _on_message(self, message: IncomingMessage) -> None:
        if isinstance(message, Exception):  # a line of stdout that is not JSON-RPC
            self._noise = True

    def _reason(self, exc: Exception | None) -> str:
        leaf = _leaf(exc) if exc is not None else None
        command = self.config.command
        program = command[0] if command else ""
        if isinstance(leaf, FileNotFoundError) and command:
            return f"command not found: {program} (is it installed and on PATH?)"
        if isinstance(leaf, PermissionError) and command:
            return f"cannot run {program}: permission denied"
        if leaf is not None and _is_transport_failure(leaf):
            if command:
                reason = "the server exited during start-up"
            else:
                reason = f"cannot connect to {self.config.url} ({_one_line(_error_message(leaf))})"
            return reason + ("; what it wrote to stdout is not MCP" if self._noise else "")
        if leaf is None:
            return "the server ended during start-up"
        return f"the MCP handshake failed: {_one_line(_error_message(leaf))}"


class _Tail(asyncio.Protocol):
    """The last :data:`STDERR_KEPT` bytes a server wrote to stderr."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.closed = asyncio.Event()

    def data_received(self, data: bytes) -> None:
        self.data += data
        if len(self.data) > 2 * STDERR_KEPT:
            del self.data[:-STDERR_KEPT]

    def eof_received(self) -> bool | None:
        self.closed.set()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set()

    def last_line(self) -> str | None:
        text = clean(bytes(self.data[-STDERR_KEPT:]).decode("utf-8", "replace"))
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return _one_line(lines[-1], limit=200) if lines else None


class _Watched:
    """The session's read stream, passed through; sets ``end`` when the server
    closes it (its process exited), so a dead server is noticed while idle."""

    def __init__(self, inner: Any, end: asyncio.Event) -> None:
        self._inner = inner
        self._end = end

    @property
    def last_context(self) -> Any:
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> SessionMessage | Exception:
        import anyio

        try:
            item: SessionMessage | Exception = await self._inner.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            self._end.set()
            raise
        return item

    def __aiter__(self) -> _Watched:
        return self

    async def __anext__(self) -> SessionMessage | Exception:
        import anyio

        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> _Watched:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


async def _list_tools(session: ClientSession) -> tuple[_Tool, ...]:
    tools: list[_Tool] = []
    cursor: str | None = None
    for _ in range(_MAX_PAGES):
        if cursor is None:
            listing = await session.list_tools()
        else:
            from mcp_types import PaginatedRequestParams

            listing = await session.list_tools(params=PaginatedRequestParams(cursor=cursor))
        for tool in listing.tools:
            description = clean(tool.description or tool.title or "")[:DESCRIPTION_LIMIT]
            tools.append(_Tool(tool.name, description, object_schema(tool.input_schema)))
        cursor = listing.next_cursor
        if not cursor:
            break
    return tuple(tools)


def _leaf(exc: BaseException) -> BaseException:
    """The first real error inside (nested) exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _error_message(exc: BaseException) -> str:
    exc = _leaf(exc)
    message = getattr(exc, "message", None)
    if isinstance(message, str) and message:
        return message
    return str(exc) or type(exc).__name__


def _is_transport_failure(exc: BaseException) -> bool:
    """Whether ``exc`` means the connection to the server is gone."""
    import anyio
    from mcp import MCPError
    from mcp_types import CONNECTION_CLOSED

    exc = _leaf(exc)
    if isinstance(exc, MCPError):
        return exc.code == CONNECTION_CLOSED
    if isinstance(exc, anyio.ClosedResourceError | anyio.BrokenResourceError | OSError):
        return True
    return type(exc).__module__.split(".")[0] in ("httpx", "httpx2", "httpcore")


def _one_line(value: object, limit: int = 300) -> str:
    text = clean(str(value) if not isinstance(value, BaseException) else _error_message(value))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quiet_sdk_logging() -> None:
    """The SDK logs through :mod:`logging`; with no handler configured Python
    would print its warnings on stderr, over the TUI. A NullHandler on its
    logger stops that and still lets an app that configures logging see them."""
    logger = logging.getLogger("mcp")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())
