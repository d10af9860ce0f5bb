"""DeepSeek's peak hours in the chat: ``peak till 10:00`` in the status line
(the time the off-peak window opens, in the computer's time zone) while the
model's price is at its peak rate, looked at again when the window opens and
every minute; and "Send at off-peak" (command palette), which holds a message
above the prompt (``at 10:00``) and sends it when the window opens."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from deepseek_tui.offpeak import clock_time, window
from deepseek_tui.sanitize import reveal

if TYPE_CHECKING:
    from deepseek_tui.ui.screens.chat import ChatScreen
    from deepseek_tui.ui.widgets.queue import Held, HeldPrompts

#: Seconds between looks when no change is due sooner.
LOOK_EVERY = 60.0


def show(screen: ChatScreen) -> None:
    """Show whether it is peak for the sidebar's model now, and look again later."""
    now = screen.session.now()
    w = window(screen.session.spec(screen.sidebar.values().model), now)
    status = screen.status
    status.set(peak=clock_time(w.opens) if w.peak and w.opens is not None else "")
    if status.peak_timer is not None:
        status.peak_timer.stop()
    delay = LOOK_EVERY
    if w.opens is not None:
        delay = min(max((w.opens - now).total_seconds() + 0.5, 0.5), LOOK_EVERY)
    status.peak_timer = screen.set_timer(delay, partial(show, screen))


async def hold(screen: ChatScreen) -> None:
    """ "Send at off-peak": hold the prompt's message (and attachments) until
    the off-peak window opens, shown above the prompt as ``at 10:00``; sent at
    once when it is off-peak now or the model has no peak prices."""
    from deepseek_tui.ui.chat.sending import submitted
    from deepseek_tui.ui.live import QueuedSend
    from deepseek_tui.ui.widgets.queue import Held

    text, attachments = screen.prompt.text, tuple(screen.tray.items)
    if not text.strip():
        screen.notify("Type the message first, then choose Send at off-peak", timeout=4)
        return
    problems = screen.sidebar.problems()
    if problems:
        screen.notify(
            "Fix the settings first: " + "; ".join(problems), severity="error", markup=False
        )
        return
    values, now = screen.sidebar.values(), screen.session.now()
    w = window(screen.session.spec(values.model), now)
    if w.opens is None:
        screen.prompt.load_text("")
        why = "it is off-peak now" if w.scheduled else "this model has no off-peak price here"
        screen.notify(f"Sending now: {why}", timeout=4, markup=False)
        await submitted(screen, text)
        return
    # The [budget] caps at this hour's price (the off-peak one is no higher).
    verdict = await screen.quote.over_cap(text, attachments)
    if verdict.refusal is not None:
        screen.notify(f"Not held: {reveal(verdict.refusal)}", severity="error", markup=False)
        return
    screen.prompt.load_text("")
    send = QueuedSend(text, attachments, values.turn(), values.system, verdict.answer_limit)
    if verdict.note is not None:
        screen.notify(reveal(verdict.note), timeout=5, markup=False)
    when = clock_time(w.opens)
    held = await _held(screen)
    held.items.append(Held(send, w.opens, f"at {when}", screen.conversation))
    await screen.tray.clear()
    await held.show_items()
    screen.set_timer((w.opens - now).total_seconds() + 0.5, partial(due, screen))
    screen.notify(
        f"Held for the off-peak window at {when}; click it above the prompt to take it back",
        timeout=5,
    )


async def due(screen: ChatScreen) -> None:
    """The off-peak window opened: send what was held for it."""
    from deepseek_tui.ui.widgets.queue import HeldPrompts

    found = screen.query(HeldPrompts)
    if not found:
        return
    held, now = found.first(), screen.session.now()
    ready = [h for h in held.items if h.at <= now]
    held.items = [h for h in held.items if h.at > now]
    if held.items:  # the timer ran early by the clock (a clock that was set): look again
        wait = (min(h.at for h in held.items) - now).total_seconds()
        screen.set_timer(min(max(wait + 0.5, 0.5), LOOK_EVERY), partial(due, screen))
    if not ready:
        return
    await held.show_items()
    for h in ready:
        await _send(screen, h)


async def _send(screen: ChatScreen, h: Held) -> None:
    """Send ``h`` into its conversation: on screen, behind the answer that
    streams there, or behind the scenes when another one is shown."""
    from deepseek_tui.ui.widgets.message import UserMessage

    turns, send = screen.turns, h.send
    target = h.conversation.id if h.conversation is not None else None
    shown = screen.conversation.id if screen.conversation is not None else None
    live = turns.shown if target == shown else turns.live.get(target) if target else None
    if live is not None:
        live.queue.append(send)
        await turns.show_queue()
        return
    if target != shown:
        await turns.start(
            send.text,
            attachments=send.attachments,
            queued=send,
            conversation=h.conversation,
            shown=False,
        )
        return
    await turns.clear_failure()
    records = [a.record() for a in send.attachments]
    await screen.pane.mount(UserMessage(reveal(send.text), attachments=records))
    screen.pane.follow()
    await turns.start(send.text, attachments=send.attachments, queued=send)


def held_count(screen: ChatScreen) -> int:
    """How many messages wait for the off-peak window (quitting drops them)."""
    from deepseek_tui.ui.widgets.queue import HeldPrompts

    return sum(len(held.items) for held in screen.query(HeldPrompts))


async def _held(screen: ChatScreen) -> HeldPrompts:
    """The held messages' lines (mounted when first needed)."""
    from deepseek_tui.ui.widgets.queue import HeldPrompts

    found = screen.query(HeldPrompts)
    if found:
        return found.first()
    held = HeldPrompts(id="held")
    await screen.query_one("#chat").mount(held, before=screen.tray)
    return held
