"""Tool rounds on the chat screen: the calls of an answer shown as blocks, the
user's decision about the ones that are not trusted, each result folded under
its call, and the next answer streaming below.

The state lives in the :class:`~deepseek_tui.ui.live.LiveTurn` (calls,
results, the pending decision), so a turn whose conversation is not on
screen goes on: trusted calls run, calls that need the user *wait* (the user
is told once) and their blocks and decision bar appear when the conversation
is opened again. Esc stops the answer at any point; calls not run are stored
as ``not_run``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from deepseek_tui.sanitize import reveal

if TYPE_CHECKING:
    from deepseek_tui.turn_events import (
        NextRound,
        ProposedCall,
        ToolCallDone,
        ToolCallsProposed,
    )
    from deepseek_tui.ui.live import LiveTurn
    from deepseek_tui.ui.screens.chat import ChatScreen
    from deepseek_tui.ui.widgets.toolcall import ToolDecisionBar


def _shown(screen: ChatScreen, live: LiveTurn) -> bool:
    return live is screen.turns.shown


async def proposed(screen: ChatScreen, live: LiveTurn, event: ToolCallsProposed) -> None:
    """The answer ended asking for calls: close it and show them."""
    live.calls, live.results, live.answer_closed = event.calls, {}, True
    if _shown(screen, live):
        await show_round(screen, live)
        screen.new_text()


def _state(live: LiveTurn, call: ProposedCall) -> str | None:
    if call.server is None:
        return None
    if live.pending is not None and call in live.pending.calls:
        return "waiting"
    return "trusted" if call.trusted else "running"


async def show_round(screen: ChatScreen, live: LiveTurn) -> None:
    """Show the calls of the answer that just ended (and the decision they
    wait for) under it: right away, or when its conversation is reopened."""
    from deepseek_tui.ui.widgets.message import AnswerFooter
    from deepseek_tui.ui.widgets.toolcall import ToolCallBlock

    view = live.view
    if view is not None and view.is_attached:
        if not view.content.strip() and view.reasoning is None:
            await view.remove()  # calls alone: no empty bubble above them
        else:
            out = live.turn.outcome
            usage = out.usage
            await view.close(
                "complete",
                AnswerFooter(
                    completion_tokens=usage.completion_tokens if usage else None,
                    cached_tokens=usage.cache_hit_tokens if usage else None,
                    cost=out.cost,
                    currency=screen.turns.currency(live),
                ),
            )
    live.view = None  # closed: what follows is the next answer's
    blocks = []
    for call in live.calls:
        waiting = live.pending.calls if live.pending is not None else ()
        block = ToolCallBlock(
            call.id,
            call.server,
            call.tool,
            call.arguments,
            state=_state(live, call),
            pick=len(waiting) > 1,
        )
        result = live.results.get(call.id)
        if result is not None:
            block.stored_result(result.status, result.content)
        blocks.append(block)
    live.blocks = {b.call_id: b for b in blocks}
    await screen.pane.mount_all(blocks)
    if live.pending is not None:
        await _show_bar(screen, live)


async def _show_bar(screen: ChatScreen, live: LiveTurn) -> None:
    from deepseek_tui.ui.widgets.toolcall import ToolDecisionBar

    pending = live.pending
    assert pending is not None
    bar = ToolDecisionBar(len(pending.calls))
    pending.bar = bar
    await screen.pane.mount(bar)
    screen.pane.follow()
    if not screen.prompt.text.strip():  # never take the keys from someone typing
        bar.focus_run()


async def approve(screen: ChatScreen, live: LiveTurn, calls: Sequence[ProposedCall]) -> list[bool]:
    """Ask the user about ``calls`` (one decision for the group) and wait.
    Cancelled by Esc: the turn stores them as not run."""
    from deepseek_tui.ui.live import Pending

    pending = Pending(tuple(calls))
    live.pending = pending
    try:
        for call in calls:
            block = live.blocks.get(call.id)
            if block is not None:
                block.set_state("waiting")
                if len(calls) > 1:
                    await block.offer_pick()
        if _shown(screen, live):
            if live.blocks:
                await _show_bar(screen, live)
        elif not live.told_waiting:
            live.told_waiting = True
            c = live.turn.conversation
            title = reveal(c.title) if c is not None and c.title else "another conversation"
            screen.notify(
                f"Tool calls in {title} wait for your decision; open it to decide.",
                severity="warning",
                timeout=10,
                markup=False,
            )
        answer = await pending.answer
        picked = [(b := live.blocks.get(c.id)) is None or b.picked for c in calls]
    finally:
        live.pending = None
        bar = pending.bar
        if bar is not None and bar.is_attached:
            await bar.remove()
    if answer is None:  # always allow these tools (the ones checked) in this conversation
        if live.choices is not None:
            await screen.tools.allow(
                live.choices, (c.wire_name for c, p in zip(calls, picked, strict=True) if p)
            )
            if screen.tools.configured and live.choices is screen.tool_choices:
                from deepseek_tui.ui.chat import servers

                screen.background(servers.refresh(screen), "tools-panel")
        answer = True
    runs = [answer and p for p in picked]
    for call, run in zip(calls, runs, strict=True):
        block = live.blocks.get(call.id)
        if block is not None:
            block.set_state("running" if run else None)
    if _shown(screen, live):
        screen.prompt.focus()
    return runs


def decided(screen: ChatScreen, bar: ToolDecisionBar, decision: str) -> None:
    """The user pressed Run, Always allow or Decline on the bar."""
    live = screen.turns.shown
    if live is None or live.pending is None or live.pending.bar is not bar:
        return
    future = live.pending.answer
    if not future.done():
        future.set_result({"run": True, "always": None}.get(decision, False))


async def done(screen: ChatScreen, live: LiveTurn, event: ToolCallDone) -> None:
    """One call ended: its result, folded, under it."""
    live.results[event.call.id] = event.result
    block = live.blocks.get(event.call.id)
    if block is not None and block.is_attached:
        await block.set_result(event.result.status, event.result.content)
        screen.new_text()
    if event.result.status == "error":  # maybe its server stopped (or came back)
        from deepseek_tui.ui.chat import servers

        await servers.refresh(screen)


async def next_round(screen: ChatScreen, live: LiveTurn, event: NextRound) -> None:
    """The results went back: the next answer streams in a new message below."""
    from deepseek_tui.ui.widgets.message import AssistantMessage

    live.next_round()
    if _shown(screen, live):
        view = AssistantMessage(reveal(live.turn.settings.model))
        await screen.pane.mount(view)
        await live.attach(view)
        screen.new_text()


async def ended(screen: ChatScreen, live: LiveTurn) -> None:
    """The turn ended (maybe stopped while calls waited): every block shown
    gets the result the turn recorded for it."""
    for call, result in live.turn.outcome.calls:
        block = live.blocks.get(call.id)
        if block is not None and block.is_attached and block.status is None:
            await block.set_result(result.status, result.content)
