"""The chat screen's side of the MCP servers: starting them after the first
frame, saying once which failed and why, and the sidebar's (and palette's)
list of servers and tools with an on/off per conversation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deepseek_tui.ui.screens.chat import ChatScreen
    from deepseek_tui.ui.widgets.tools_panel import ServerRow

#: Seconds between looks at the servers while they start (the sidebar shows each
#: as it gets ready, not only when the slowest one is).
POLL = 0.5


async def start(screen: ChatScreen) -> None:
    """Start the configured servers; one notification per server that failed."""
    tools = screen.tools
    if not tools.enabled or tools.started:
        await refresh(screen)
        return
    task = asyncio.ensure_future(tools.start())
    try:
        while not task.done():
            await refresh(screen)
            await asyncio.wait({task}, timeout=POLL)
        states = task.result()
    finally:
        if not task.done():  # the screen went away: stop what started
            task.cancel()
            await asyncio.wait({task})
    await refresh(screen)
    for state in states:
        if state.status == "failed":
            screen.notify(
                f"{state.error or f'MCP server {state.name} failed to start'}"
                " — the chat goes on without it.",
                severity="warning",
                timeout=15,
                markup=False,
            )


def rows(screen: ChatScreen) -> list[ServerRow]:
    """The servers as the sidebar shows them."""
    from deepseek_tui.ui.widgets.tools_panel import ServerRow, ToolRow

    host = screen.tools.host
    out = []
    for state in screen.tools.states():
        tools = tuple(
            ToolRow(t.wire_name, t.name, host is not None and host.trusted(t.wire_name))
            for t in state.tools
        )
        out.append(ServerRow(state.name, state.status, state.error, tools))
    return out


async def refresh(screen: ChatScreen) -> None:
    """Show the servers' states and this conversation's switches in the sidebar."""
    if not screen.tools.configured:
        return
    while not screen.tool_choices.loaded:  # the stored ones, of the conversation on screen
        await screen.tools.load(screen.tool_choices)
    choices = screen.tool_choices
    await screen.sidebar.tools_panel().show(rows(screen), choices.off, choices.allowed)


async def toggled(screen: ChatScreen, wire_name: str, on: bool) -> None:
    """A tool switched on or off for the conversation on screen (and kept with it)."""
    await screen.tools.switch(screen.tool_choices, wire_name, on)
    await refresh(screen)


def palette_entries(screen: ChatScreen) -> list[tuple[str, Callable[[], object], str]]:
    """(title, callback, help) per tool: switch it on or off from the palette."""
    out: list[tuple[str, Callable[[], object], str]] = []
    from deepseek_tui.sanitize import reveal

    for row in rows(screen):
        for tool in row.tools:
            off = tool.wire_name in screen.tool_choices.off
            title = f"Tool {'on' if off else 'off'}: {reveal(row.name)} · {reveal(tool.name)}"
            help_text = "Offer it to the model in this conversation" if off else "Stop offering it"

            def flip(wire: str = tool.wire_name, now_on: bool = off) -> None:
                screen.run_worker(toggled(screen, wire, now_on), group="tools-toggle")

            out.append((title, flip, help_text))
            if tool.wire_name in screen.tool_choices.allowed and not tool.trusted:

                def ask_again(wire: str = tool.wire_name) -> None:
                    screen.run_worker(allowed(screen, wire, False), group="tools-toggle")

                out.append(
                    (
                        f"Tool asks again: {reveal(row.name)} · {reveal(tool.name)}",
                        ask_again,
                        "Stop always allowing it in this conversation: its calls wait for you",
                    )
                )
    return out


async def allowed(screen: ChatScreen, wire_name: str, allow: bool) -> None:
    """A tool always allowed in the conversation on screen, or asking again."""
    await screen.tools.allow(screen.tool_choices, (wire_name,), allow)
    await refresh(screen)


async def show_panel(screen: ChatScreen) -> None:
    """Open the sidebar at its tools (the palette's "Tools (MCP)")."""
    if not screen.tools.configured:
        screen.notify("No MCP servers configured: add [mcp.NAME] to config.toml", timeout=5)
        return
    if not screen.sidebar.display:
        await screen.action_sidebar()
    await refresh(screen)
    panel = screen.sidebar.tools_panel()

    def reach() -> None:  # once laid out: the panel is at the sidebar's end
        screen.sidebar.scroll_to_widget(panel, top=True, animate=False)
        switches = panel.query("Checkbox")
        if switches:
            switches.first().focus(scroll_visible=False)

    screen.sidebar.call_after_refresh(reach)
