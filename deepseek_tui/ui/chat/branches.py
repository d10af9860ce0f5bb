"""Acting on messages: regenerate an answer, flip between alternatives, edit a
prompt, copy an answer or its code, continue a cut answer. Each acts on the
message marked with Alt+Up / Alt+Down (see :mod:`.focus`), else on the last
one. Branches live in the store (nothing is deleted); each function reads the
conversation path it needs on a thread and re-shows it. A prompt with
alternatives says so under its answer ("‹ 1/2 ›", see :func:`mark_alternatives`).

A prompt on screen is matched to its stored message from the end: the view
shows the end of the conversation's path (earlier pages above), so the n-th
prompt from the end is the path's n-th user message from the end, checked by
its text (a prompt that was never stored is skipped)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from deepseek_tui.sanitize import reveal

if TYPE_CHECKING:
    from textual.widget import Widget

    from deepseek_tui.attachments import Attachment
    from deepseek_tui.store import Message
    from deepseek_tui.ui.screens.chat import ChatScreen
    from deepseek_tui.ui.widgets.message_actions import MessageActions

#: What "Continue" sends after an answer cut off at max_tokens.
CONTINUE_PROMPT = "Continue exactly where your last answer stopped, without repeating anything."


async def last_prompt(screen: ChatScreen) -> Message | None:
    """The focused message's prompt (see :mod:`.focus`), else the last prompt."""
    return (await _last_prompt(screen))[0]


async def _last_prompt(screen: ChatScreen) -> tuple[Message | None, list[Message]]:
    """:func:`last_prompt`, and the conversation's path it was read from."""
    from deepseek_tui.ui.chat import focus

    if screen.conversation is None:
        return None, []
    path = await asyncio.to_thread(screen.store.messages, screen.conversation.id)
    shown = focus.prompt_of(screen, focus.focused(screen))
    if shown is not None:
        return stored_prompts(screen, path).get(id(shown)), path
    return next((m for m in reversed(path) if m.role == "user"), None), path


def stored_prompts(screen: ChatScreen, path: Sequence[Message]) -> dict[int, Message]:
    """The stored message of each prompt on screen, by ``id()`` of its widget."""
    from deepseek_tui.ui.widgets.message import UserMessage

    shown = [w for w in screen.pane.children if isinstance(w, UserMessage)]
    stored = [m for m in path if m.role == "user"]
    out: dict[int, Message] = {}
    while shown and stored:
        if shown[-1].text == reveal(stored[-1].content):
            out[id(shown[-1])] = stored.pop()
        shown.pop()
    return out


def prompt_widget(screen: ChatScreen, path: Sequence[Message], message_id: int) -> Widget | None:
    """The prompt on screen that shows stored message ``message_id``."""
    from deepseek_tui.ui.widgets.message import UserMessage

    by_widget = stored_prompts(screen, path)
    for w in screen.pane.children:
        m = by_widget.get(id(w))
        if isinstance(w, UserMessage) and m is not None and m.id == message_id:
            return w
    return None


async def mark_alternatives(screen: ChatScreen, path: Sequence[Message] | None = None) -> None:
    """Say "‹ i/n ›" under each answer whose prompt has alternatives (``path``:
    the conversation's messages, when they were just read)."""
    from deepseek_tui.ui.chat import focus

    c = screen.conversation
    if c is None:
        return
    await screen.status.drawn.wait()  # never in the way of the first frame
    if path is None:
        path = await asyncio.to_thread(screen.store.messages, c.id)
    prompts = stored_prompts(screen, path)  # only the prompts on screen are looked up

    def places() -> dict[int, tuple[int, int]]:
        out: dict[int, tuple[int, int]] = {}
        for m in prompts.values():
            alts = screen.store.alternatives(m.id)
            if len(alts) > 1:
                at = next(i for i, a in enumerate(alts) if a.id == m.id)
                out[m.id] = (at + 1, len(alts))
        return out

    found = await asyncio.to_thread(places)
    widgets = {id(w): w for w in screen.pane.children}
    for widget_id, m in prompts.items():
        answer = focus.answer_of(screen, widgets.get(widget_id))
        row = focus.actions_of(screen, answer) if answer is not None else None
        if row is not None:
            row.set_alternatives(*found.get(m.id, (0, 0)))


async def branch_from(screen: ChatScreen, message_id: int) -> None:
    """Show the conversation up to just before ``message_id``; the next turn
    becomes an alternative to it (the old branch stays in the database)."""
    screen.conversation = await asyncio.to_thread(screen.store.rewind, message_id)
    path = await asyncio.to_thread(screen.store.messages, screen.conversation.id)
    await screen.show_path(path)


async def regenerate(screen: ChatScreen) -> None:
    """Ask again for the last answer; the earlier one stays as an alternative."""
    from deepseek_tui.ui.widgets.message import UserMessage

    if screen.busy:
        return
    last = await last_prompt(screen)
    if last is None:
        screen.notify("Nothing to regenerate yet", timeout=3)
        return
    attachments, lost = await reattach(screen, last)
    if lost:  # sent once and not kept (too big to keep, or from an older version)
        await edit(screen, last, attachments)
        it = "them" if len(lost) > 1 else "it"
        screen.notify(
            f"To regenerate, attach {', '.join(lost)} again (Ctrl+T), then press Enter: "
            f"{it} went with the message but {it} {'were' if len(lost) > 1 else 'was'} "
            "not kept with the conversation.",
            severity="warning",
            timeout=8,
            markup=False,
        )
        return
    await screen.turns.clear_failure()
    await branch_from(screen, last.id)
    await screen.pane.mount(UserMessage(reveal(last.content), attachments=last.attachments))
    screen.pane.follow()
    await screen.turns.start(last.content, attachments=tuple(attachments))


async def alternative(screen: ChatScreen, step: int) -> None:
    """Show the previous / next alternative of the focused (else the last) exchange."""
    from deepseek_tui.ui.chat import focus

    if screen.busy:
        return
    mark = focus.focused(screen)
    on_answer = mark is not None and focus.prompt_of(screen, mark) is not mark
    last = await last_prompt(screen)
    if last is None:
        return
    alts = await asyncio.to_thread(screen.store.alternatives, last.id)
    index = next(i for i, m in enumerate(alts) if m.id == last.id)
    target = index + step
    if not 0 <= target < len(alts):
        screen.notify(f"Alternative {index + 1} of {len(alts)}; no more", timeout=2)
        return
    screen.conversation = await asyncio.to_thread(screen.store.select_branch, alts[target].id)
    path = await asyncio.to_thread(screen.store.messages, screen.conversation.id)
    await screen.show_path(path)
    if mark is not None:  # keep the mark on the same exchange
        shown = prompt_widget(screen, path, alts[target].id)
        again = focus.answer_of(screen, shown) if on_answer else shown
        screen.call_after_refresh(focus.set_focus, screen, again)
    screen.notify(f"Alternative {target + 1} of {len(alts)}", timeout=2)


async def edit_last(screen: ChatScreen) -> None:
    """Put the focused (else the last) prompt back in the editor; sending it
    starts a branch."""
    from deepseek_tui.ui.chat import focus

    if screen.busy:
        return
    last, path = await _last_prompt(screen)
    if last is None:
        screen.notify("Nothing to edit yet", timeout=3)
        return
    attachments, lost = await reattach(screen, last)
    await edit(screen, last, attachments)
    note = _kept(path, last.id)
    if lost:
        it, was = ("them", "were") if len(lost) > 1 else ("it", "was")
        note += f" {', '.join(lost)} {was} not kept: attach {it} again (Ctrl+T) to send {it}."
    which = "this" if focus.focused(screen) is not None else "your last"
    screen.notify(
        f"Editing {which} message: Enter sends it as a new branch "
        "(Alt+Left/Right switch between branches); Ctrl+N or clearing it cancels." + note,
        timeout=8 if lost else 5,
        markup=False,
    )


def _kept(path: Sequence[Message], message_id: int) -> str:
    """What an edit keeps of the prompt cache (the conversation before it)."""
    from deepseek_tui.cache_cost import cached_before, kept_text

    text = kept_text(cached_before(path, message_id))
    return f" {text}" if text else ""


async def edit(screen: ChatScreen, message: Message, attachments: Sequence[Attachment]) -> None:
    """Put ``message`` and the attachments that can go again back for editing."""
    screen.editing = message.id
    screen.prompt.load_text(message.content)
    screen.prompt.move_cursor(screen.prompt.document.end)
    await screen.tray.clear()
    for a in attachments:
        await screen.tray.add(a)
    screen.prompt.focus()


def answers(screen: ChatScreen) -> list[MessageActions]:
    from deepseek_tui.ui.widgets.message_actions import MessageActions

    return list(screen.pane.query(MessageActions))


def copy_answer(screen: ChatScreen) -> None:
    """Copy the focused message (else the last answer) as it was written."""
    from deepseek_tui.ui.chat import focus
    from deepseek_tui.ui.clipboard import copy_text

    mark = focus.focused(screen)
    answer = focus.answer_of(screen, mark)
    if mark is not None and mark is not answer:  # a prompt
        copy_text(screen.app, getattr(mark, "text", ""), "the prompt")
        return
    if answer is not None:
        row = focus.actions_of(screen, answer)
        copy_text(screen.app, row.text if row is not None else answer.content, "the answer")
        return
    rows = answers(screen)
    if not rows:
        screen.notify("No answer to copy yet", timeout=3)
        return
    copy_text(screen.app, rows[-1].text, "the last answer")


def copy_code(screen: ChatScreen) -> None:
    """Copy the last code block of the focused answer (else of the conversation)."""
    from deepseek_tui.ui.chat import focus
    from deepseek_tui.ui.clipboard import code_blocks, copy_text

    answer = focus.answer_of(screen, focus.focused(screen))
    if answer is not None:
        row = focus.actions_of(screen, answer)
        blocks = code_blocks(row.text if row is not None else answer.content)
        if blocks:
            copy_text(screen.app, blocks[-1], "the code block")
        else:
            screen.notify("No code block in this answer", timeout=3)
        return
    for row in reversed(answers(screen)):
        blocks = code_blocks(row.text)
        if blocks:
            copy_text(screen.app, blocks[-1], "the last code block")
            return
    screen.notify("No code block in the answers yet", timeout=3)


async def actions_pressed(screen: ChatScreen, event: MessageActions.Pressed) -> None:
    from deepseek_tui.ui.clipboard import code_blocks, copy_text

    row = event.actions
    if event.action == "copy":
        copy_text(screen.app, row.text, "the answer")
    elif event.action == "code":
        blocks = code_blocks(row.text)
        if blocks:
            copy_text(screen.app, blocks[-1], "the code block")
    elif event.action == "continue":
        await continue_answer(screen)


async def continue_answer(screen: ChatScreen, *, again: bool = False) -> None:
    """Ask the model to go on with an answer cut off at max_tokens.

    On DeepSeek's own API: chat prefix completion (its ``/beta`` base, the
    partial answer as a prefix), so the answer goes on mid-sentence and the
    pieces are one answer, in the store and on screen. Elsewhere (no host but
    DeepSeek's offers it) an ordinary user message, :data:`CONTINUE_PROMPT`,
    which works on every host and model. ``again``: F5 after a continuation
    failed, whatever the answer's state now.
    """
    from deepseek_tui.ui.widgets.message import UserMessage

    if screen.busy:
        return
    rows = answers(screen)
    if not again and (not rows or not rows[-1].cut):
        screen.notify("The last answer was not cut off; nothing to continue", timeout=3)
        return
    await screen.turns.clear_failure()
    if screen.session.continues_in_place and screen.conversation is not None:
        path = await asyncio.to_thread(screen.store.messages, screen.conversation.id)
        last = path[-1] if path else None
        if last is not None and last.role == "assistant" and last.content:
            await screen.turns.continue_in_place(last)
            return
    await screen.pane.mount(UserMessage(CONTINUE_PROMPT))
    screen.pane.follow()
    await screen.turns.start(CONTINUE_PROMPT)


async def reattach(screen: ChatScreen, message: Message) -> tuple[list[Attachment], list[str]]:
    """The attachments of a stored user message that can be sent again (text
    files, and images and documents whose bytes were kept), and the names of
    those that cannot."""
    from deepseek_tui.attachments import Attachment, stored_keys

    keys = stored_keys([message])
    stored = await asyncio.to_thread(screen.store.attachment_data, keys) if keys else {}
    again: list[Attachment] = []
    lost: list[str] = []
    for record in message.attachments or ():
        attachment = Attachment.from_record(record, stored)
        if attachment is not None:
            again.append(attachment)
        elif isinstance(record, dict):
            lost.append(reveal(str(record.get("name", "an attachment"))))
    return again, lost
