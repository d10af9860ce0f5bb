"""Peak hours in the status line, and a message held for the off-peak window,
on a test clock (the app's ``now``): 2026-12-07 is a Monday, 09:00-10:00 UTC
is peak."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from deepseek_tui.config import load_settings
from deepseek_tui.launch import open_launch
from deepseek_tui.offpeak import clock_time
from deepseek_tui.paths import Paths
from deepseek_tui.testing import FakeDeepSeek
from deepseek_tui.ui.app import DeepSeekApp
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.status import StatusLine

from .conftest import SIZE, notified, rows, wait_for

OPENS = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


class SetClock:
    """Stands at ``start`` until :meth:`run`, then runs on from there: the
    test decides when time passes, however slowly the app starts."""

    def __init__(self, start: datetime) -> None:
        self.start = start
        self.began: float | None = None

    def __call__(self) -> datetime:
        if self.began is None:
            return self.start
        return self.start + timedelta(seconds=time.monotonic() - self.began)

    def run(self) -> None:
        self.began = time.monotonic()


def app_at(now: Callable[[], datetime]) -> DeepSeekApp:
    paths = Paths.resolve()
    settings = load_settings(paths)
    return DeepSeekApp(settings, paths, open_launch(settings, paths), now=now)


def status(app: DeepSeekApp) -> str:
    return str(app.screen.query_one(StatusLine).render())


async def test_peak_hours_show_in_the_status_line_until_the_window_opens(
    server: FakeDeepSeek,
) -> None:
    clock = SetClock(OPENS - timedelta(seconds=1))
    app = app_at(clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: "peak till" in status(app))
        assert f"peak till {clock_time(OPENS)}" in status(app)
        clock.run()
        await wait_for(pilot, lambda: "peak" not in status(app))  # 10:00: off-peak


async def test_off_peak_shows_nothing(server: FakeDeepSeek) -> None:
    app = app_at(lambda: datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: "deepseek-flash" in status(app))
        assert "peak" not in status(app)


async def _palette(pilot, app: DeepSeekApp, command: str) -> None:  # type: ignore[no-untyped-def]
    from textual.command import CommandPalette

    from .conftest import palette_offers

    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
    await pilot.press(*command)
    await wait_for(pilot, lambda: palette_offers(app, command))
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))


def held_lines(screen: ChatScreen) -> list[str]:
    from deepseek_tui.ui.widgets.queue import HeldPrompts

    return [str(line.render()) for held in screen.query(HeldPrompts) for line in held.children]


async def test_a_message_held_for_off_peak_waits_then_goes(
    server: FakeDeepSeek, home: Path
) -> None:
    from deepseek_tui.testing import Reply
    from deepseek_tui.ui.widgets.message import AssistantMessage

    server.push(Reply("Sent off-peak."))
    clock = SetClock(OPENS - timedelta(seconds=1))
    app = app_at(clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"cheap question")
        await _palette(pilot, app, "Send at off-peak")
        await wait_for(pilot, lambda: held_lines(screen))
        [line] = held_lines(screen)
        assert f"◷ at {clock_time(OPENS)} " in line and "cheap question" in line
        assert notified(app, f"Held for the off-peak window at {clock_time(OPENS)}")
        assert server.chat_requests == []  # held, not sent
        assert screen.prompt.text == ""
        clock.run()
        await wait_for(pilot, lambda: screen.query(AssistantMessage))  # 10:00: it goes
        await wait_for(pilot, lambda: screen.query(AssistantMessage).last().state == "complete")
        assert held_lines(screen) == []
    [request] = server.chat_requests
    assert request.body["messages"][-1]["content"] == "cheap question"
    assert rows(home, "SELECT content FROM messages ORDER BY seq") == [
        ("cheap question",),
        ("Sent off-peak.",),
    ]


async def test_a_held_message_taken_back_is_never_sent(server: FakeDeepSeek) -> None:
    from deepseek_tui.ui.widgets.queue import HeldPrompts

    clock = SetClock(OPENS - timedelta(seconds=1))
    app = app_at(clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        for text in ("never mind", "keep this"):
            await pilot.press(*text)
            await _palette(pilot, app, "Send at off-peak")
            await wait_for(pilot, lambda t=text: any(t in line for line in held_lines(screen)))
        await pilot.click("#held .queued")  # the first line
        await wait_for(pilot, lambda: notified(app, "Not sent: never mind"))
        assert len(held_lines(screen)) == 1
        clock.run()
        await wait_for(pilot, lambda: held_lines(screen) == [])  # the window opened
        held = screen.query_one(HeldPrompts)
        assert held.items == []
        await wait_for(pilot, lambda: len(server.chat_requests) == 1)
    assert [r.body["messages"][-1]["content"] for r in server.chat_requests] == ["keep this"]


async def test_off_peak_now_sends_at_once(server: FakeDeepSeek) -> None:
    from deepseek_tui.ui.widgets.message import AssistantMessage

    app = app_at(lambda: datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"now please")
        await _palette(pilot, app, "Send at off-peak")
        await wait_for(pilot, lambda: screen.query(AssistantMessage))
        assert notified(app, "Sending now: it is off-peak now")
    assert server.chat_requests[0].body["messages"][-1]["content"] == "now please"


async def test_quitting_with_a_held_message_asks_first(server: FakeDeepSeek) -> None:
    from deepseek_tui.ui.screens.confirm import ConfirmScreen

    from .conftest import screen_text

    app = app_at(SetClock(OPENS - timedelta(hours=1)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"tonight")
        await _palette(pilot, app, "Send at off-peak")
        await wait_for(pilot, lambda: held_lines(screen))
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        shown = screen_text(app)
        assert "1 message waits for off-peak" in shown
        assert "Messages held for off-peak are not sent" in shown
        await pilot.press("escape")  # stay
        await wait_for(pilot, lambda: app.screen is screen)
        assert len(held_lines(screen)) == 1
    assert server.chat_requests == []


async def test_budget_caps_apply_to_a_message_held_for_off_peak(
    server: FakeDeepSeek, home: Path
) -> None:
    from .conftest import configure

    # A per-message cap no answer of max_tokens 1,000 fits: the message is not held.
    configure(home, server.base_url, extra="[generation]\nmax_tokens = 1000\n[budget]\n")
    with (home / "config.toml").open("a") as f:
        f.write("per_message = 0.0000001\n")
    app = app_at(SetClock(OPENS - timedelta(seconds=1)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"too dear")
        await _palette(pilot, app, "Send at off-peak")
        await wait_for(pilot, lambda: notified(app, "Not held: over the per-message cap"))
        assert held_lines(screen) == [] and screen.prompt.text == "too dear"

    # Without max_tokens a cap with room holds it with the answer the cap allows.
    configure(home, server.base_url, extra="[budget]\nper_message = 0.01\n")
    clock = SetClock(OPENS - timedelta(seconds=1))
    app = app_at(clock)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"overnight")
        await _palette(pilot, app, "Send at off-peak")
        await wait_for(pilot, lambda: held_lines(screen))
        assert notified(app, "for this message, so that it stays under the per-message cap")
        clock.run()
        await wait_for(pilot, lambda: len(server.chat_requests) == 1)
    limit = server.chat_requests[0].body["max_tokens"]
    assert 1024 <= limit < 393_216
