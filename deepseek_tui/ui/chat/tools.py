"""The TUI's MCP servers: one :class:`~deepseek_tui.tools.host.ToolHost` for
the app, started in the background after the first frame, and what the user
chose per conversation (tools switched off, tools always allowed), kept with
the conversation in the store.

Choices are read when a conversation is first used here (:meth:`ChatTools.load`,
before its tools are shown or offered) and written through at every change; a
new conversation keeps them in memory until its first send stores it
(:meth:`ChatTools.adopt`).

Nothing here imports the ``mcp`` SDK (most of a second): :meth:`ChatTools.start`
imports the host when it runs, in a worker, once the first frame is out.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from deepseek_tui.tools.choices import Choices, OfferedTools

if TYPE_CHECKING:
    from deepseek_tui.store import Store
    from deepseek_tui.tools import McpServerConfig, ServerState, ToolsConfig
    from deepseek_tui.tools.host import ToolHost

__all__ = ["ChatTools", "Choices", "OfferedTools"]


class ChatTools:
    """The app's MCP servers and the per-conversation choices about them."""

    def __init__(
        self,
        servers: Sequence[McpServerConfig],
        config: ToolsConfig,
        store: Store | None = None,
        report: Callable[[str], None] | None = None,
    ) -> None:
        """``store`` keeps the choices (``None``: for this run only); ``report``
        shows a one-line problem (a choice that could not be read or saved)."""
        self.servers = tuple(servers)
        self.config = config
        self.host: ToolHost | None = None
        self.started = False
        self._store = store
        self._report = report
        self._choices: dict[str, Choices] = {}
        self._io = asyncio.Lock()
        """Reads and writes of choices, one at a time and in order."""
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

    def choices(self, conversation_id: str | None) -> Choices:
        """The choices of a conversation (``None``: a new one, not stored yet:
        fresh ones, kept once it has an id -- see :meth:`adopt`). A stored
        conversation's are read by :meth:`load`."""
        if conversation_id is None:
            return Choices()
        found = self._choices.get(conversation_id)
        if found is None:
            found = Choices(conversation_id=conversation_id, loaded=self._store is None)
            self._choices[conversation_id] = found
        return found

    async def load(self, choices: Choices) -> Choices:
        """Read the stored choices into ``choices`` unless that was done."""
        if choices.loaded:
            return choices
        store, ident = self._store, choices.conversation_id
        async with self._io:
            if not choices.loaded and ident is not None and store is not None:
                from deepseek_tui.store import NotFoundError, StoreError

                try:
                    stored = await asyncio.to_thread(store.tool_choices, ident)
                except NotFoundError:
                    pass  # deleted meanwhile: the defaults
                except StoreError as error:
                    self._tell(f"{error}; this conversation's tools are as configured")
                else:
                    choices.off = set(stored.off)
                    choices.allowed = set(stored.allowed)
            choices.loaded = True
        return choices

    async def switch(self, choices: Choices, wire_name: str, on: bool) -> None:
        """Switch a tool on or off in a conversation, and keep that."""
        await self.load(choices)
        if on:
            choices.off.discard(wire_name)
        else:
            choices.off.add(wire_name)
        await self._save(choices)

    async def allow(self, choices: Choices, wire_names: Iterable[str], allow: bool = True) -> None:
        """Always allow these tools in a conversation ("Always allow"), or
        (``allow=False``) ask again before they run; and keep that."""
        await self.load(choices)
        names = set(wire_names)
        changed = names - choices.allowed if allow else names & choices.allowed
        if changed:
            if allow:
                choices.allowed |= changed
            else:
                choices.allowed -= changed
            await self._save(choices)

    async def adopt(self, conversation_id: str, choices: Choices) -> None:
        """A turn's conversation is stored: a new one's choices are kept (and
        stored) under its id. Nothing to do for one stored before."""
        if choices.conversation_id is not None:
            return
        choices.conversation_id = conversation_id
        choices.loaded = True
        self._choices[conversation_id] = choices
        if choices.off or choices.allowed:
            await self._save(choices)

    async def _save(self, choices: Choices) -> None:
        if choices.conversation_id is None or self._store is None:
            return  # a new conversation: stored with it (adopt)
        from deepseek_tui.store import NotFoundError, StoreError

        async with self._io:  # in order; each write is the whole state at its turn
            try:
                await asyncio.to_thread(
                    self._store.set_tool_choices,
                    choices.conversation_id,
                    off=frozenset(choices.off),
                    allowed=frozenset(choices.allowed),
                )
            except NotFoundError:
                pass  # deleted meanwhile: nothing to keep them with
            except StoreError as error:
                self._tell(f"{error}; the tool choice holds until the app ends")

    def _tell(self, text: str) -> None:
        if self._report is not None:
            self._report(text)

    async def box(self, choices: Choices) -> OfferedTools | None:
        """The tools a turn offers (``None`` when no server is ready), with the
        conversation's stored choices read first."""
        if not self.ready():
            return None
        await self.load(choices)
        if self.host is None:
            return None
        return OfferedTools(self.host, choices)

    async def aclose(self) -> None:
        """Stop every server (their processes end); safe to call twice."""
        self._closed = True
        host, self.host = self.host, None
        if host is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(host.aclose())
