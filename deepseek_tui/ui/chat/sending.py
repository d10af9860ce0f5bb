"""Sending from the prompt: checks before anything goes out (the settings,
the attachments the model takes, the context window), then the user's message
on screen and the turn started. Run by the chat screen."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from deepseek_tui.sanitize import reveal

if TYPE_CHECKING:
    from deepseek_tui.attachments import Attachment
    from deepseek_tui.context_window import Overflow
    from deepseek_tui.ui.screens.chat import ChatScreen


async def submitted(screen: ChatScreen, text: str) -> None:
    """Enter in the prompt: send ``text`` now, queue it behind a streaming
    answer, or say why not (the text goes back into the prompt)."""
    problems = screen.sidebar.problems()
    if problems:
        screen.prompt.load_text(text)
        screen.notify(
            "Fix the settings first: " + "; ".join(problems), severity="error", markup=False
        )
        return
    attachments = tuple(screen.tray.items)
    problem = refused(screen, attachments)
    if problem:
        screen.prompt.load_text(text)
        screen.prompt.move_cursor(screen.prompt.document.end)
        screen.notify(f"Not sent: {reveal(problem)}", severity="error", markup=False)
        return
    verdict = await screen.quote.over_cap(text, attachments)
    if verdict.refusal is not None:
        screen.background(send_over_cap(screen, text, verdict.refusal, attachments), "budget")
        return
    if verdict.note is not None:
        screen.notify(reveal(verdict.note), timeout=5, markup=False)
    await send_or_queue(screen, text, attachments, verdict.answer_limit)


async def send_or_queue(
    screen: ChatScreen,
    text: str,
    attachments: tuple[Attachment, ...],
    answer_limit: int | None = None,
) -> None:
    """Send ``text`` now (asking first when it would outgrow the context), or
    queue it behind the answer streaming. ``answer_limit``: a ``[budget]``
    cap's lower ``max_tokens`` for this message."""
    if screen.turns.shown is not None:  # an answer streams: send this when it ends
        from deepseek_tui.ui.live import QueuedSend

        values = screen.sidebar.values()
        queued = QueuedSend(text, attachments, values.turn(), values.system, answer_limit)
        screen.turns.shown.queue.append(queued)
        await screen.tray.clear()
        await screen.turns.show_queue()
        return
    too_big = await overflow(screen, text, attachments)
    if too_big is not None:
        dropping = ask_to_drop(screen, text, too_big, attachments, answer_limit)
        screen.background(dropping, "overflow")
        return
    await send_text(screen, text, attachments=attachments, answer_limit=answer_limit)


async def send_over_cap(
    screen: ChatScreen, text: str, refusal: str, attachments: tuple[Attachment, ...]
) -> None:
    """A cap refused the message: send it anyway only if the user says so."""
    from deepseek_tui.ui.chat.quote import confirm_over_cap

    if await confirm_over_cap(screen, text, refusal):
        await send_or_queue(screen, text, attachments)


async def send_text(
    screen: ChatScreen,
    text: str,
    drop: int = 0,
    attachments: tuple[Attachment, ...] = (),
    answer_limit: int | None = None,
) -> None:
    from deepseek_tui.ui.chat.branches import branch_from
    from deepseek_tui.ui.widgets.message import UserMessage

    await screen.turns.clear_failure()
    if screen.editing is not None:
        editing, screen.editing = screen.editing, None
        await branch_from(screen, editing)
    await screen.pane.mount(
        UserMessage(reveal(text), attachments=[a.record() for a in attachments])
    )
    screen.pane.follow()
    await screen.tray.clear()
    await screen.turns.start(text, drop, attachments, answer_limit=answer_limit)


def refused(screen: ChatScreen, attachments: tuple[Attachment, ...]) -> str:
    """Why the chosen model cannot take these attachments (``""`` when it can)."""
    from deepseek_tui.attachments import AttachmentError, check_attachments

    if not attachments:
        return ""
    spec = screen.session.spec(screen.sidebar.values().model)
    try:
        check_attachments(
            attachments, spec, catalog=screen.session.catalog, host=screen.session.host
        )
    except AttachmentError as exc:
        return str(exc)
    return ""


async def overflow(
    screen: ChatScreen, prompt: str, attachments: tuple[Attachment, ...]
) -> Overflow | None:
    """Whether the request for ``prompt`` would outgrow the model's context."""
    from deepseek_tui.context_window import check_fit

    prompt += "".join(a.text or "" for a in attachments)  # text files are inlined
    values = screen.sidebar.values()
    window = screen.session.spec(values.model).context
    if not window:
        return None
    fit = partial(check_fit, prompt=prompt, system=values.system, window=window)
    if screen.conversation is None or fit((), measured=screen.measured) is None:
        return None  # nothing before it, or it fits by the host's own count
    history = await asyncio.to_thread(screen.store.messages, screen.conversation.id)
    return fit(history, measured=screen.measured)


async def ask_to_drop(
    screen: ChatScreen,
    text: str,
    o: Overflow,
    attachments: tuple[Attachment, ...],
    answer_limit: int | None = None,
) -> None:
    """The request would not fit: offer to leave the oldest exchanges out of it."""
    from deepseek_tui.ui.screens.confirm import ConfirmScreen

    fits = o.after <= o.window
    detail = (
        f"Leave the {o.drop} oldest of {o.exchanges} exchanges out of this request "
        f"(≈{o.after:,} tokens). They stay saved in the conversation."
        if fits
        else f"Even without all {o.exchanges} earlier exchanges it is ≈{o.after:,} tokens;"
        " shorten the message or pick a model with a larger context (Ctrl+S)."
    )
    drop = await screen.app.push_screen_wait(
        ConfirmScreen(
            "This message would not fit the model's context",
            f"The request would be ≈{o.tokens:,} tokens; the model takes {o.window:,}.",
            detail=detail,
            yes=f"Drop {o.drop} oldest and send" if fits else "Send anyway",
        )
    )
    if not drop:
        screen.prompt.load_text(text)
        screen.prompt.move_cursor(screen.prompt.document.end)
        screen.notify("Not sent; the message is back in the prompt", timeout=3)
        return
    await send_text(screen, text, o.drop if fits else 0, attachments, answer_limit)
