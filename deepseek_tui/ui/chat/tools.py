"""The TUI's MCP servers: one :class:`~deepseek_tui.tools.host.ToolHost` for
the app, started in the background after the first frame, and what the user
chose per conversation (tools switched off, tools always allowed).

Nothing here imports the ``mcp`` SDK (most of a second): :meth:`ChatTools.start`
imports the host when it runs, in a worker, once the first frame is out.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deepseek_tui.tools import McpServerConfig, ServerState, ToolResult, ToolsConfig, ToolSpec
    from deepseek_tui.tools.host import ToolHost

__all__ = ["ChatTools", "Choices", "OfferedTools"]


@dataclass
class Choices:
    """What the user chose about tools in one conversation (for this run)."""

    off: set[str] = field(default_factory=set)
    """Wire names of tools switched off: not offered to the model."""
    allowed: set[str] = field(default_factory=set)
    """Wire names of tools the user allowed for the conversation ("Always allow")."""


class OfferedTools:
    """The host as one conversation's turn sees it: without the tools the user
    switched off, and with the tools they always allow counted as trusted.
    Reads the choices at every use, so a change applies at the next call."""

    def __init__(self, host: ToolHost, choices: Choices) -> None:
        self._host = host
        self.choices = choices

    def specs(self) -> list[ToolSpec]:
        return [s for s in self._host.specs() if s.wire_name not in self.choices.off]

    def find(self, wire_name: str) -> ToolSpec | None:
        if wire_name in self.choices.off:
            return None
        return self._host.find(wire_name)

    def trusted(self, wire_name: str) -> bool:
        return self._host.trusted(wire_name) or wire_name in self.choices.allowed

    async def call(self, wire_name: str, arguments: str) -> ToolResult:
        return await self._host.call(wire_name, arguments)


class ChatTools:
    """The app's MCP servers and the per-conversation choices about them."""

    def __init__(self, servers: Sequence[McpServerConfig], config: ToolsConfig) -> None:
        self.servers = tuple(servers)
        self.config = config
        self.host: ToolHost | None = None
        self.started = False
        self._choices: dict[str, Choices] = {}
        self._closed = False

    @property
    def configured(self) -> bool:
        """Whether any ``[mcp.NAME]`` server is configured (enabled or not)."""
        return bool(self.servers)

    @property
    def enabled(self) -> bool:
        return any(s.enabled for s in self.servers)

    async def start(self) -> list[ServerState]:
        """Start the enabled servers (all at once); return their states. Never
        raises but ``CancelledError``."""
        if self.host is None and not self._closed:
            from deepseek_tui.tools.host import ToolHost

            self.host = ToolHost(self.servers, self.config)
        if self.host is not None:
            await self.host.start()
        self.started = True
        return self.states()

    def states(self) -> list[ServerState]:
        """Every configured server as the sidebar shows it."""
        if self.host is not None:
            return self.host.states()
        from deepseek_tui.tools import ServerState

        return [ServerState(s.name, "starting" if s.enabled else "disabled") for s in self.servers]

    def ready(self) -> bool:
        """Whether any tool can be offered now."""
        return self.host is not None and bool(self.host.specs())

    def choices(self, conversation_id: str | None, draft: Choices | None = None) -> Choices:
        """The choices of a conversation (``None``: a new one, not stored yet:
        ``draft`` or fresh ones, kept once it has an id -- see :meth:`adopt`)."""
        if conversation_id is None:
            return draft if draft is not None else Choices()
        return self._choices.setdefault(conversation_id, Choices())

    def adopt(self, conversation_id: str, choices: Choices) -> None:
        """A new conversation got its id: its choices are kept under it."""
        self._choices.setdefault(conversation_id, choices)

    def box(self, choices: Choices) -> OfferedTools | None:
        """The tools a turn offers (``None`` when no server is ready)."""
        if not self.ready():
            return None
        assert self.host is not None
        return OfferedTools(self.host, choices)

    async def aclose(self) -> None:
        """Stop every server (their processes end); safe to call twice."""
        self._closed = True
        host, self.host = self.host, None
        if host is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(host.aclose())
