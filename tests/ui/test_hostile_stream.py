"""A hostile host cannot freeze the TUI: a gzip stream of keep-alives that
inflates to gigabytes leaves the app drawing and Esc stopping at once."""

from __future__ import annotations

from pathlib import Path

from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage

from .conftest import SIZE, make_app, screen_text, wait_for


async def test_esc_stops_a_keepalive_bomb_and_the_app_stays_live(
    server: FakeDeepSeek, home: Path
) -> None:
    # 64 MB on the wire: tens of gigabytes of keep-alives once inflated.
    server.push(
        Reply("never", encoding="gzip", fault="keepalive_bomb", bomb_bytes=64 * 1024 * 1024),
        Reply(content="Fine again."),
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"hello", "enter")
        await wait_for(pilot, lambda: screen.query(AssistantMessage))
        # The loop keeps running while the bomb inflates: timers still fire.
        ticks = 0

        def tick() -> None:
            nonlocal ticks
            ticks += 1

        timer = app.set_interval(0.05, tick)
        await wait_for(pilot, lambda: ticks >= 5)
        timer.stop()
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.query(AssistantMessage).last().state == "stopped")
        await pilot.press(*"again", "enter")
        await wait_for(pilot, lambda: "Fine again." in screen_text(app))
