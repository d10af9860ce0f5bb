"""Tools the model may call: MCP servers and what passes between them and a turn.

This module holds the plain values every layer shares -- the configured
servers, a tool as the model sees it, the result of a call -- and imports
nothing heavy. :mod:`deepseek_tui.tools.host` (the MCP runtime) imports the
``mcp`` SDK only when a server starts, after the TUI's first frame.

A call's life: the model proposes it (``tool_calls`` in its answer); the user
runs it once, allows the tool for the conversation, or declines; its
:class:`ToolResult` is stored whole and sent to the model cut to
``result_limit`` characters; the answer continues.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "NOT_RUN",
    "McpServerConfig",
    "ServerState",
    "ServerStatus",
    "ToolResult",
    "ToolSpec",
    "ToolStatus",
    "ToolsConfig",
    "wire_name",
]

ToolStatus = Literal["ok", "error", "timeout", "invalid", "declined", "not_run"]
"""How a call ended: ``ok`` (the tool's result), ``error`` (the tool or its
server failed; the text says how), ``timeout``, ``invalid`` (arguments that are
not JSON or do not match the schema: not run), ``declined`` (by the user, or
untrusted under ``ask`` without ``--yes``), ``not_run`` (the app ended first)."""

NOT_RUN = "The tool was not run: the app ended before it could run."
"""The result replayed for a stored call that has no stored result (a crash
in the middle of a tool loop), so the history stays valid."""


@dataclass(frozen=True, slots=True)
class McpServerConfig:
    """One ``[mcp.NAME]`` table of ``config.toml``: a stdio ``command`` or a
    streamable-HTTP ``url`` (exactly one), extra ``env``, ``enabled``, and the
    tool names in ``trust`` that run without asking."""

    name: str
    command: tuple[str, ...] | None = None
    url: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    enabled: bool = True
    trust: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ToolsConfig:
    """``[tools]`` of ``config.toml``: limits of the tool loop."""

    max_rounds: int = 10
    """Tool rounds one answer may take before the loop is ended with a message."""
    call_timeout: float = 60.0
    """Seconds a call may take before its result says it timed out."""
    result_limit: int = 20_000
    """Characters of a result sent to the model (the whole result is stored)."""


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A tool as the model sees it, and where it lives."""

    server: str
    name: str
    wire_name: str
    """``server__tool``, limited to ``[a-zA-Z0-9_-]{1,64}`` and unique."""
    description: str
    parameters: Mapping[str, Any]
    """The tool's JSON schema for its arguments (an object schema)."""

    def to_wire(self) -> dict[str, Any]:
        """The entry of the request's ``tools`` list."""
        return {
            "type": "function",
            "function": {
                "name": self.wire_name,
                "description": self.description,
                "parameters": dict(self.parameters),
            },
        }


ServerStatus = Literal["starting", "ready", "stopped", "failed", "disabled"]
"""Where a configured server is: ``starting``; ``ready`` (its tools are
offered); ``stopped`` (it ended after being ready -- its tools are still
offered and the next call restarts it); ``failed`` (it could not start, or
could not be restarted: ``error`` says why); ``disabled`` (``enabled =
false``)."""


@dataclass(frozen=True, slots=True)
class ServerState:
    """What the UI shows of one configured server."""

    name: str
    status: ServerStatus
    error: str | None = None
    """One line naming the server and what went wrong, already made inert
    (it may quote the server's own stderr); ``None`` when nothing did."""
    tools: tuple[ToolSpec, ...] = ()
    """The tools offered now: those of a ``ready`` or ``stopped`` server."""


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What a call gave back: stored whole, sent cut to a limit."""

    status: ToolStatus
    content: str

    def for_model(self, limit: int) -> str:
        """The text sent to the model: at most ``limit`` characters, with a note
        saying how much was left out."""
        if len(self.content) <= limit:
            return self.content
        left = len(self.content) - limit
        return f"{self.content[:limit]}\n[… {left:,} more characters not shown]"


_UNSAFE = re.compile(r"[^a-zA-Z0-9_-]+")


def wire_name(server: str, tool: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """``server__tool`` made safe for the API (``[a-zA-Z0-9_-]{1,64}``) and
    different from every name in ``taken`` (a numbered suffix when needed)."""
    base = f"{_UNSAFE.sub('_', server).strip('_') or 'server'}__{_UNSAFE.sub('_', tool) or 'tool'}"
    base = base[:64]
    name, n = base, 2
    while name in taken:
        suffix = f"_{n}"
        name, n = base[: 64 - len(suffix)] + suffix, n + 1
    return name
