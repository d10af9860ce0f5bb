"""SVG snapshot of peak hours: the status line's ``peak till`` and a message
held for the off-peak window above the prompt (a fixed peak time, TZ UTC)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from deepseek_tui.config import load_settings
from deepseek_tui.launch import open_launch
from deepseek_tui.paths import Paths
from deepseek_tui.testing import FakeDeepSeek
from deepseek_tui.ui.app import DeepSeekApp
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.prompt import PromptInput
from deepseek_tui.ui.widgets.queue import HeldPrompts

from .conftest import KEY, configure, wait_for

SnapCompare = Callable[..., bool]
PEAK = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday; off-peak opens at 10:00


@pytest.fixture
def thread_server(home: Path) -> Iterator[FakeDeepSeek]:
    with FakeDeepSeek(api_key=KEY, host="deepseek").run_in_thread() as srv:
        configure(home, srv.base_url)
        yield srv


@pytest.fixture
def utc() -> Iterator[None]:
    """The times shown are local: make local time UTC for the test."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_peak_hours_and_a_held_message(
    thread_server: FakeDeepSeek, utc: None, snap_compare: SnapCompare
) -> None:
    paths = Paths.resolve()
    settings = load_settings(paths)
    app = DeepSeekApp(
        settings, paths, open_launch(settings, paths), now=lambda: PEAK, clock=lambda: 0.0
    )

    async def run(pilot: Pilot[Any]) -> None:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChatScreen))
        screen = pilot.app.screen
        screen.query_one(PromptInput).cursor_blink = False
        await pilot.press(*"Summarise the report overnight")
        await screen.run_action("send_off_peak")
        await wait_for(pilot, lambda: screen.query(HeldPrompts))
        pilot.app.clear_notifications()
        await wait_for(pilot, lambda: all(w.is_finished for w in pilot.app.workers))

    assert snap_compare(app, terminal_size=(100, 30), run_before=run)
