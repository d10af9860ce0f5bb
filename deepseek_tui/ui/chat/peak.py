"""DeepSeek's peak hours in the status line: ``peak till 10:00`` (the time the
off-peak window opens, in the computer's time zone) while the model's price is
at its peak rate, nothing otherwise. Looked at again when the window opens,
and every minute (a peak window may begin)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from deepseek_tui.offpeak import clock_time, window

if TYPE_CHECKING:
    from deepseek_tui.ui.screens.chat import ChatScreen

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
