"""Peak hours in the status line, and a message held for the off-peak window,
on a test clock (the app's ``now``): 2026-12-07 is a Monday, 09:00-10:00 UTC
is peak."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from deepseek_tui.config import load_settings
from deepseek_tui.launch import open_launch
from deepseek_tui.offpeak import clock_time
from deepseek_tui.paths import Paths
from deepseek_tui.testing import FakeDeepSeek
from deepseek_tui.ui.app import DeepSeekApp
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.status import StatusLine

from .conftest import SIZE, wait_for

OPENS = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def running_from(start: datetime) -> Callable[[], datetime]:
    """A clock that starts at ``start`` and runs on."""
    began = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)


def app_at(now: Callable[[], datetime]) -> DeepSeekApp:
    paths = Paths.resolve()
    settings = load_settings(paths)
    return DeepSeekApp(settings, paths, open_launch(settings, paths), now=now)


def status(app: DeepSeekApp) -> str:
    return str(app.screen.query_one(StatusLine).render())


async def test_peak_hours_show_in_the_status_line_until_the_window_opens(
    server: FakeDeepSeek,
) -> None:
    app = app_at(running_from(OPENS - timedelta(seconds=2)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: "peak till" in status(app))
        assert f"peak till {clock_time(OPENS)}" in status(app)
        await wait_for(pilot, lambda: "peak" not in status(app))  # 10:00: off-peak


async def test_off_peak_shows_nothing(server: FakeDeepSeek) -> None:
    app = app_at(lambda: datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: "deepseek-flash" in status(app))
        assert "peak" not in status(app)
