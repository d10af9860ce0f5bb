"""Links in answers need a confirmation and http(s); the view follows new text
until the user scrolls up, and offers the way back down."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from textual.screen import Screen
from textual.widgets import Button, Markdown

from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.screens.confirm import ConfirmScreen
from deepseek_tui.ui.widgets.conversation import ConversationView
from deepseek_tui.ui.widgets.message import AssistantMessage

from .conftest import SIZE, make_app, screen_text, wait_for


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    urls: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: urls.append(url) or True)
    return urls


async def test_link_opens_only_after_confirmation(server: FakeDeepSeek, opened: list[str]) -> None:
    url = "https://example.com/a?b=1"
    server.push(Reply(content=f"See [the docs]({url}) and [this](file:///etc/passwd)."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        await pilot.press(*"links", "enter")
        await wait_for(pilot, lambda: chat.query_one(AssistantMessage).state == "complete")
        body = chat.query_one(AssistantMessage).body
        body.post_message(Markdown.LinkClicked(body, url))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert url in screen_text(app)
        await pilot.press("escape")  # cancel: nothing opens
        await wait_for(pilot, lambda: app.screen is chat)
        assert opened == []
        body.post_message(Markdown.LinkClicked(body, url))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await wait_for(pilot, lambda: app.screen is chat and opened)
        assert opened == [url]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "this one is file"),
        ("javascript:alert(1)", "this one is javascript"),
        ("https://exa\u202emple.com", "invisible characters"),
    ],
)
async def test_other_links_are_refused_with_a_reason(
    server: FakeDeepSeek, opened: list[str], url: str, reason: str
) -> None:
    server.push(Reply(content="[x](https://example.com)"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: chat.query_one(AssistantMessage).state == "complete")
        body = chat.query_one(AssistantMessage).body
        body.post_message(Markdown.LinkClicked(body, url))
        await wait_for(pilot, lambda: app._notifications)
        await pilot.pause()  # refused in the same step: no dialog follows
        assert app.screen is chat
        messages = [n.message for n in app._notifications]
        assert any("Not opened" in m and reason in m for m in messages), messages
    assert opened == []


def _follow_shown(chat: Screen[object]) -> bool:
    """Whether the way back down is on screen."""
    return any(b.display for b in chat.query("#follow").results(Button))


def _line(n: int) -> str:
    return f"line {n:03}"


#: A long answer, one line per stream event (after the role event), held after
#: lines 40 and 60 so that each step of a test happens while it streams.
LONG = Reply(
    content="".join(f"{_line(n)}\n\n" for n in range(1, 81)), chunk_chars=10, pauses=(41, 61)
)


async def test_follows_new_text_until_scrolled_up_then_offers_way_back(
    server: FakeDeepSeek,
) -> None:
    server.push(LONG)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        pane = chat.query_one(ConversationView)
        assert not chat.query("#follow")  # mounted when first needed
        follow_shown = partial(_follow_shown, chat)
        await pilot.press(*"long", "enter")
        await wait_for(pilot, lambda: pane.max_scroll_y > 40 and _line(40) in screen_text(app))
        assert pane.following
        assert pane.scroll_y >= pane.max_scroll_y - 2  # following the end
        assert not follow_shown()
        pane.scroll_to(y=0, animate=False)  # the user scrolls up to read
        await wait_for(pilot, lambda: not pane.following)
        grown = pane.max_scroll_y
        answer = chat.query_one(AssistantMessage)
        server.resume()  # lines 41 to 60
        await wait_for(
            pilot,
            lambda: _line(60) in answer.content and pane.max_scroll_y > grown + 10,
        )
        await wait_for(pilot, follow_shown)
        assert not pane.following
        assert pane.scroll_y < 5  # left where the user put it
        text = screen_text(app)
        assert _line(1) in text and "new text" in text
        await pilot.press("ctrl+end")
        await wait_for(pilot, lambda: not follow_shown())
        assert pane.following
        await wait_for(pilot, lambda: _line(60) in screen_text(app))
        server.resume()  # the rest, followed again
        await wait_for(pilot, lambda: answer.state == "complete")
        await wait_for(pilot, lambda: _line(80) in screen_text(app))
        assert pane.scroll_y >= pane.max_scroll_y - 1


async def test_follow_button_goes_back_to_the_end(server: FakeDeepSeek, home: Path) -> None:
    server.push(LONG)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        pane = chat.query_one(ConversationView)
        assert not chat.query("#follow")  # mounted when first needed
        follow_shown = partial(_follow_shown, chat)
        await pilot.press(*"long", "enter")
        await wait_for(pilot, lambda: pane.max_scroll_y > 40 and _line(40) in screen_text(app))
        pane.scroll_to(y=0, animate=False)
        await wait_for(pilot, lambda: not pane.following)
        server.resume()  # new text while the user reads above
        await wait_for(pilot, follow_shown)
        await pilot.click("#follow")
        await wait_for(pilot, lambda: not follow_shown() and pane.following)
        await wait_for(pilot, lambda: _line(60) in screen_text(app))
        server.resume()
        await wait_for(pilot, lambda: chat.query_one(AssistantMessage).state == "complete")
        await wait_for(pilot, lambda: _line(80) in screen_text(app))
