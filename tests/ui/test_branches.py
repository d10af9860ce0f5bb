"""Regenerate the last answer, flip between alternatives, edit and resend."""

from __future__ import annotations

from pathlib import Path

from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage, UserMessage

from .conftest import SIZE, make_app, rows, wait_for


def answers(screen: ChatScreen) -> list[str]:
    return [a.content for a in screen.query(AssistantMessage)]


async def test_regenerate_and_flip_between_answers(server: FakeDeepSeek, home: Path) -> None:
    server.push(Reply(content="one"), Reply(content="first"), Reply(content="second"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        assert isinstance(chat, ChatScreen)

        def done(n: int) -> bool:
            views = chat.query(AssistantMessage)
            return len(views) == n and views.last().state == "complete"

        await pilot.press(*"q1", "enter")
        await wait_for(pilot, lambda: done(1))
        await pilot.press(*"q2", "enter")
        await wait_for(pilot, lambda: done(2))
        assert answers(chat) == ["one", "first"]
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: done(2) and answers(chat)[-1] == "second")
        assert [u.text for u in chat.query(UserMessage)] == ["q1", "q2"]
        # The regenerated request replays the same history, without the old answer.
        assert [m["content"] for m in server.chat_requests[-1].body["messages"]] == [
            "q1",
            "one",
            "q2",
        ]
        await pilot.press("alt+left")
        await wait_for(pilot, lambda: answers(chat) == ["one", "first"])
        await pilot.press("alt+right")
        await wait_for(pilot, lambda: answers(chat) == ["one", "second"])
    assert rows(home, "SELECT content FROM messages WHERE role = 'assistant' ORDER BY seq") == [
        ("one",),
        ("first",),
        ("second",),
    ]


async def test_edit_last_prompt_branches_and_old_branch_stays(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content="a1"), Reply(content="a2"), Reply(content="a2 edited"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        assert isinstance(chat, ChatScreen)

        def done(n: int) -> bool:
            views = chat.query(AssistantMessage)
            return len(views) == n and views.last().state == "complete"

        await pilot.press(*"q1", "enter")
        await wait_for(pilot, lambda: done(1))
        await pilot.press(*"q2 typo", "enter")
        await wait_for(pilot, lambda: done(2))
        await pilot.press("f4")
        await wait_for(pilot, lambda: chat.prompt.text == "q2 typo")
        await pilot.press("backspace", "backspace", "backspace", "backspace", "backspace")
        await pilot.press(*" fixed", "enter")
        await wait_for(pilot, lambda: done(2) and answers(chat)[-1] == "a2 edited")
        assert [u.text for u in chat.query(UserMessage)] == ["q1", "q2 fixed"]
        assert [m["content"] for m in server.chat_requests[-1].body["messages"]] == [
            "q1",
            "a1",
            "q2 fixed",
        ]
        await pilot.press("alt+left")
        await wait_for(pilot, lambda: [u.text for u in chat.query(UserMessage)][-1] == "q2 typo")
        assert answers(chat) == ["a1", "a2"]
    assert len(rows(home, "SELECT id FROM messages")) == 6
