"""The TUI's requests are append-only too (see tests/cli/test_append_only.py):
regenerating replays the same bytes, the reasoning toggle and a resumed
conversation (a new app on the same database) change nothing that was sent."""

from __future__ import annotations

from pathlib import Path

from deepseek_tui.testing import FakeDeepSeek, RecordedRequest, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage

from .conftest import SIZE, make_app, wait_for


def assert_append_only(requests: list[RecordedRequest]) -> None:
    for n, (a, b) in enumerate(zip(requests, requests[1:], strict=False), start=1):
        before, after = a.raw_value("messages"), b.raw_value("messages")
        assert before is not None and after is not None
        assert after.startswith(before[:-1]), f"request {n + 1} rewrote request {n}"
        assert after[len(before) - 1 : len(before)] in (b",", b"]")


def done(screen: ChatScreen, n: int) -> bool:
    views = screen.query(AssistantMessage)
    return len(views) == n and views.last().state == "complete"


async def test_regenerate_and_resume_in_the_tui_keep_the_prefix(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(
        Reply("One ✓", reasoning="first thought"),
        Reply("Two", reasoning="second thought"),
        Reply("Two again", reasoning="another thought"),
        Reply("Three"),
        Reply("Four, after reopening"),
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"q1 ünïcode", "enter")
        await wait_for(pilot, lambda: done(screen, 1))
        await pilot.press(*"q2", "enter")
        await wait_for(pilot, lambda: done(screen, 2))
        await pilot.press("ctrl+g")  # regenerate: the same request again
        await wait_for(pilot, lambda: len(server.chat_requests) == 3 and done(screen, 2))
        await pilot.press("ctrl+r")  # hide the reasoning: a view change only
        await pilot.press(*"q3", "enter")
        await wait_for(pilot, lambda: done(screen, 3))
    assert server.chat_requests[1].raw_value("messages") == server.chat_requests[2].raw_value(
        "messages"
    )
    reopened = make_app(continue_=True)
    async with reopened.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(reopened.screen, ChatScreen))
        screen = reopened.screen
        await wait_for(pilot, lambda: done(screen, 3))
        await pilot.press(*"q4", "enter")
        await wait_for(pilot, lambda: done(screen, 4))
    assert len(server.chat_requests) == 5
    assert_append_only(server.chat_requests)
