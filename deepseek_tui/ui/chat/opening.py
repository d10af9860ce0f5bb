"""Opening a stored conversation in the chat screen: its messages (a page at a
time, see :class:`~deepseek_tui.ui.widgets.conversation.ConversationView`),
what it cost and how full its context is, and -- when an answer is streaming
into it -- that answer, live, at the end."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from deepseek_tui.sanitize import reveal

if TYPE_CHECKING:
    from deepseek_tui.store import Conversation, Message
    from deepseek_tui.ui.screens.chat import ChatScreen


async def load(
    screen: ChatScreen, conversation: Conversation, messages: list[Message] | None
) -> None:
    """Show ``conversation`` (its ``messages`` when already read) and, when an
    answer is streaming into it, that answer live at the end."""
    if messages is None:
        messages = await asyncio.to_thread(screen.store.messages, conversation.id)
    live = screen.turns.live.get(conversation.id)
    if live is not None:  # its answer (and that answer's calls) are shown live, not as stored
        placeholder = live.turn.outcome.assistant_message_id
        at = next((i for i, m in enumerate(messages) if m.id == placeholder), None)
        messages = messages[:at] if at is not None else messages
    await show_path(screen, messages)
    if screen.conversation is None or screen.conversation.id != conversation.id:
        return  # another conversation was opened meanwhile
    if live is not None and screen.turns.live.get(conversation.id) is live:
        from deepseek_tui.ui.widgets.message import AssistantMessage

        view = AssistantMessage(reveal(live.turn.settings.model))
        await screen.pane.mount(view)
        await live.attach(view)
        screen.turns.show(live)
        if live.answer_closed:  # it asked for tool calls: show them (and the decision)
            from deepseek_tui.ui.chat import toolturn

            await toolturn.show_round(screen, live)
    elif live is not None:  # it ended while we were reading: show it as stored
        await load(screen, conversation, None)
    held = screen.turns.held.pop(conversation.id, None)
    if held:
        screen.turns.unqueue_into_prompt(held)


async def show_path(screen: ChatScreen, messages: Sequence[Message]) -> None:
    """Show these stored messages as the conversation, with its cost and
    context use in the status line."""
    from deepseek_tui.context_window import estimate, exchange_chars

    for m in messages:
        if m.role == "user":
            screen.prompt.remember(m.content)
    await screen.pane.show(messages, rows=max(screen.app.size.height, 24))
    costs = [m.cost for m in messages if m.role == "assistant" and m.cost is not None]
    screen.cost = sum(costs) if costs else None
    last = next((m for m in reversed(messages) if m.role == "assistant" and m.usage), None)
    screen.measured = None
    if messages and messages[-1] is last and last.usage:
        screen.measured = last.usage.get("total_tokens")
        screen.status.set(
            last_tokens=last.usage.get("completion_tokens"),
            context_tokens=screen.measured,
            context_estimated=False,
        )
    elif messages:
        chars = sum(exchange_chars(list(messages)))
        screen.status.set(context_tokens=estimate(chars), context_estimated=True)
    screen.status.set(cost=screen.cost)
    screen.quote.loaded(messages)  # the cache-hit ratio (or the quote of a prompt typed)
    from deepseek_tui.ui.chat.branches import mark_alternatives

    screen.background(mark_alternatives(screen, messages), "alternatives", exclusive=True)
