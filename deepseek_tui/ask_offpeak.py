"""``ask --off-peak``: send in DeepSeek's off-peak window (half price).

Off-peak now: the message goes at once. Peak: ``--off-peak`` waits for the
window, saying on stderr when it opens -- a countdown on a terminal, one line
otherwise -- and Ctrl+C while waiting ends ``ask`` with nothing sent (exit
130); ``--off-peak=fail`` exits 2 with one line saying when it opens. A model
whose price has no peak schedule (other hosts, unknown prices) is sent at
once, with a note. The clock is :mod:`deepseek_tui.clock`'s, so tests choose
the time.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta
from typing import TextIO

from deepseek_tui.clock import Clock
from deepseek_tui.errors import UsageError
from deepseek_tui.models import ModelSpec
from deepseek_tui.offpeak import clock_time, until, window
from deepseek_tui.sanitize import clean

__all__ = ["wait_for_off_peak"]


async def wait_for_off_peak(
    spec: ModelSpec, mode: str, now: Clock, err: TextIO | None = None
) -> None:
    """Return when ``spec`` is off-peak (at once when it has no schedule);
    with ``mode`` ``fail`` raise :class:`UsageError` at peak instead."""
    err = sys.stderr if err is None else err
    model = clean(spec.id)
    w = window(spec, now())
    if not w.scheduled:
        print(
            f"deepseek-tui: note: --off-peak: {model} has no off-peak price on this host;"
            " sending now",
            file=err,
        )
        return
    if w.opens is None:
        return
    opens = w.opens
    when = clock_time(opens, zone=True)
    if mode == "fail":
        raise UsageError(
            f"peak hours for {model}: the off-peak window opens at {when}"
            f" (in {until(opens - now())}); not sent"
        )
    tty = err.isatty()
    if not tty:
        print(
            f"deepseek-tui: peak hours for {model}: waiting for the off-peak window at {when}"
            f" (in {until(opens - now())}); Ctrl+C cancels",
            file=err,
            flush=True,
        )
    while True:
        left = opens - now()
        if left <= timedelta(0):
            later = window(spec, now())  # the window opened (a later one on a holiday eve)
            if later.opens is None:
                break
            opens = later.opens
            continue
        if tty:
            err.write(
                f"\r\x1b[Kdeepseek-tui: waiting for the off-peak window at {when}:"
                f" {until(left)} (Ctrl+C cancels)"
            )
            err.flush()
        seconds = left.total_seconds()
        await asyncio.sleep(min(seconds, (seconds % 1) or 1.0))
    if tty:
        err.write("\r\x1b[K")
    print("deepseek-tui: off-peak now: sending", file=err, flush=True)
