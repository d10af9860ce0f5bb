"""The "Tools (MCP)" part of the settings sidebar: each configured server with
its state (and why it failed), and a switch per tool for the conversation on
screen -- a tool switched off is not offered to the model; a tool the user
always allows in the conversation says so.

Attributes down (:meth:`ToolsPanel.show`), messages up
(:class:`ToolsPanel.Toggled`); names and errors from servers are shown inert.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import NamedTuple

from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Checkbox, Static

from deepseek_tui.sanitize import reveal

__all__ = ["ServerRow", "ToolRow", "ToolsPanel"]


class ToolRow(NamedTuple):
    wire_name: str
    name: str
    trusted: bool = False


class ServerRow(NamedTuple):
    """One server as the panel shows it."""

    name: str
    status: str
    """``starting``, ``ready``, ``stopped``, ``failed`` or ``disabled``."""
    error: str | None = None
    tools: tuple[ToolRow, ...] = ()


_MARK: dict[str, tuple[str, str]] = {
    "starting": ("… starting", "$text-muted"),
    "ready": ("● ready", "$success"),
    "stopped": ("○ stopped (restarts on use)", "$warning"),
    "failed": ("✕ failed", "$error"),
    "disabled": ("○ disabled", "$text-muted"),
}


class ToolsPanel(Vertical):
    """Servers and their tools, with an on/off checkbox per tool."""

    DEFAULT_CSS = """
    ToolsPanel {
        height: auto;
        margin-top: 1;
        .tools-title { text-style: bold; color: $accent; }
        .tools-server { margin-top: 1; }
        .tools-error { color: $error; }
        .tool-row { width: 100%; }
    }
    """

    class Toggled(Message):
        """A tool was switched on or off for the conversation on screen."""

        def __init__(self, panel: ToolsPanel, wire_name: str, on: bool) -> None:
            super().__init__()
            self.panel = panel
            self.wire_name = wire_name
            self.on = on

        @property
        def control(self) -> ToolsPanel:
            return self.panel

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: tuple[ServerRow, ...] = ()
        self._off: frozenset[str] = frozenset()
        self._allowed: frozenset[str] = frozenset()
        self._names: dict[str, str] = {}
        """Switch id -> wire name (ids must be safe; names come from servers)."""
        self._shown: tuple[tuple[ServerRow, ...], frozenset[str], frozenset[str]] | None = None

    def on_mount(self) -> None:
        self.call_later(self._render_rows)

    async def show(
        self, rows: Sequence[ServerRow], off: Collection[str], allowed: Collection[str] = ()
    ) -> None:
        """Show these servers, with the tools in ``off`` switched off and those
        in ``allowed`` marked as always allowed."""
        self._rows, self._off, self._allowed = tuple(rows), frozenset(off), frozenset(allowed)
        if self.is_mounted:
            await self._render_rows()

    async def _render_rows(self) -> None:
        if self._shown == (self._rows, self._off, self._allowed):
            return
        self._shown = (self._rows, self._off, self._allowed)
        widgets: list[Widget] = [Static("Tools (MCP)", classes="tools-title")]
        self._names = {}
        for server in self._rows:
            mark = _MARK.get(server.status, (server.status, "$text-muted"))
            widgets.append(
                Static(
                    Content.assemble((reveal(server.name), "bold"), "  ", mark),
                    classes="tools-server",
                )
            )
            if server.error:
                widgets.append(Static(Content(reveal(server.error)), classes="tools-error"))
            for tool in server.tools:
                switch_id = f"tool-{len(self._names)}"
                self._names[switch_id] = tool.wire_name
                label = reveal(tool.name)
                if tool.trusted:
                    label += "  (trusted)"
                elif tool.wire_name in self._allowed:
                    label += "  (always allowed)"
                widgets.append(
                    Checkbox(
                        Content(label),
                        tool.wire_name not in self._off,
                        id=switch_id,
                        compact=True,
                        classes="tool-row",
                    )
                )
        if not self._rows:
            widgets.append(Static("No [mcp.NAME] servers configured.", classes="field-help"))
        else:
            widgets.append(
                Static(
                    "Checked tools are offered to the model in this conversation,"
                    " from the next message.",
                    classes="field-help",
                )
            )
        with self.app.batch_update():
            await self.remove_children()
            await self.mount_all(widgets)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        wire = self._names.get(event.checkbox.id or "")
        if wire is None:
            return
        event.stop()
        off = set(self._off)
        if event.value:
            off.discard(wire)
        else:
            off.add(wire)
        self._off = frozenset(off)
        self._shown = (self._rows, self._off, self._allowed)
        self.post_message(self.Toggled(self, wire, event.value))
