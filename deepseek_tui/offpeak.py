"""DeepSeek's peak and off-peak windows for one model, UI-free.

The windows are catalog data (``[peak_schedules.*]`` in ``models.toml``,
holidays included); this module answers the questions ``ask --off-peak`` and
the status line ask: is it peak now, and when does the off-peak window open.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from deepseek_tui.models import ModelSpec, PeakSchedule

__all__ = [
    "Window",
    "clock_time",
    "next_off_peak",
    "schedule_of",
    "until",
    "window",
]


class Window(NamedTuple):
    """Where ``at`` falls for one model."""

    scheduled: bool
    """The model's price in force has peak and off-peak rates."""
    peak: bool
    opens: datetime | None
    """When the off-peak window opens (UTC); ``None`` when it is open now or
    the model has no schedule."""


def schedule_of(spec: ModelSpec, at: datetime) -> PeakSchedule | None:
    """The peak schedule of the price in force at ``at``, if it has one."""
    current = spec.period_at(at)
    if current is None or current.peak is None:
        return None
    return current.schedule


def next_off_peak(schedule: PeakSchedule, at: datetime) -> datetime:
    """The first moment at or after ``at`` that is off-peak."""
    moment = at.astimezone(UTC)
    for _ in range(64):  # a schedule that is peak all week would loop for ever
        if not schedule.is_peak(moment):
            return moment
        now = moment.time().replace(tzinfo=None)
        end = next(end for start, end in schedule.windows if start <= now < end)
        moment = datetime.combine(moment.date(), end, tzinfo=UTC)
    raise ValueError("the peak schedule has no off-peak time")


def window(spec: ModelSpec, at: datetime) -> Window:
    """Whether ``at`` is peak for ``spec``, and when off-peak opens."""
    schedule = schedule_of(spec, at)
    if schedule is None:
        return Window(False, False, None)
    if not schedule.is_peak(at):
        return Window(True, False, None)
    return Window(True, True, next_off_peak(schedule, at))


def clock_time(moment: datetime, *, zone: bool = False) -> str:
    """``10:00`` in the computer's time zone (``10:00 UTC`` with ``zone``)."""
    local = moment.astimezone()
    return local.strftime("%H:%M %Z" if zone else "%H:%M").strip()


def until(delta: timedelta) -> str:
    """``2h 03m``, ``4m 05s``, ``9s``: a countdown, to the second."""
    seconds = max(int(delta.total_seconds() + 0.999), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"
