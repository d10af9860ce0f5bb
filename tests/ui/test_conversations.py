"""Ctrl+O: list, search, open, rename, delete with undo, new."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from deepseek_tui.store import Store
from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.screens.confirm import ConfirmScreen
from deepseek_tui.ui.screens.conversations import ConversationsScreen
from deepseek_tui.ui.screens.rename import RenameScreen
from deepseek_tui.ui.widgets.message import AssistantMessage, UserMessage

from .conftest import SIZE, make_app, rows, screen_text, wait_for


def seed(home: Path) -> dict[str, str]:
    """Three saved conversations, oldest first: cooking, travel, zebra."""
    ids = {}
    with Store.open(home / "conversations.db").store as store:
        for title, question, answer in [
            ("Cooking rice", "How long do I boil rice?", "About 18 minutes."),
            ("Trip to Oslo", "What to see in Oslo?", "The opera house and fjords."),
            ("Zebras", "Why are zebras striped?", "Probably to deter biting flies."),
        ]:
            c = store.create_conversation(title=title, model="deepseek-flash")
            _, a = store.begin_turn(c.id, user_content=question, model="deepseek-flash", params={})
            store.finish_message(a.id, content=answer, reasoning=None, status="complete")
            ids[title] = c.id
    return ids


def listed(app: object) -> list[str]:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, ConversationsScreen)
    return [s.title for s in screen.summaries]


async def test_list_search_and_open(server: FakeDeepSeek, home: Path) -> None:
    seed(home)
    server.push(Reply(content="Also the Munch museum."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen))
        panel = app.screen
        await wait_for(pilot, lambda: len(panel.summaries) == 3)
        assert listed(app) == ["Zebras", "Trip to Oslo", "Cooking rice"]
        text = screen_text(app)
        assert "Trip to Oslo" in text and "deepseek-flash" in text and "2 messages" in text
        await pilot.press(*"fjord")  # only in an answer's text
        await wait_for(pilot, lambda: listed(app) == ["Trip to Oslo"])
        assert "1 conversation match" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is chat and chat.query(AssistantMessage))
        assert [u.text for u in chat.query(UserMessage)] == ["What to see in Oslo?"]
        assert "Trip to Oslo" in screen_text(app)
        await pilot.press(*"more?", "enter")
        await wait_for(pilot, lambda: len(chat.query(AssistantMessage)) == 2)
        await wait_for(pilot, lambda: chat.query(AssistantMessage).last().state == "complete")
    sent = server.chat_requests[-1].body["messages"]
    assert [m["content"] for m in sent] == [
        "What to see in Oslo?",
        "The opera house and fjords.",
        "more?",
    ]
    assert len(rows(home, "SELECT id FROM conversations")) == 3


async def test_rename_delete_undo_and_new(server: FakeDeepSeek, home: Path) -> None:
    ids = seed(home)
    app = make_app(continue_=True)  # Zebras is open
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        await wait_for(pilot, lambda: chat.query(AssistantMessage))
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen))
        panel = app.screen
        await wait_for(pilot, lambda: len(panel.summaries) == 3)
        await pilot.press("down")  # Trip to Oslo
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, RenameScreen))
        rename = app.screen.query_one(Input)
        assert rename.value == "Trip to Oslo"
        rename.value = ""
        await pilot.press(*"Norway notes", "enter")
        await wait_for(pilot, lambda: app.screen is panel and "Norway notes" in listed(app))
        assert rows(home, "SELECT title FROM conversations WHERE id = ?", ids["Trip to Oslo"]) == [
            ("Norway notes",)
        ]
        # A rename is not a use: the conversations keep their order.
        assert listed(app) == ["Zebras", "Norway notes", "Cooking rice"]
        # Delete the open conversation: confirm, it goes; undo brings it back.
        panel.options.highlighted = listed(app).index("Zebras")
        assert panel.selected == ids["Zebras"]
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Zebras" in screen_text(app)
        await pilot.press("escape")  # cancelled: still there
        await wait_for(pilot, lambda: app.screen is panel)
        assert len(rows(home, "SELECT id FROM conversations")) == 3
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await wait_for(pilot, lambda: app.screen is panel and len(panel.summaries) == 2)
        assert rows(home, "SELECT count(*) FROM conversations WHERE id = ?", ids["Zebras"]) == [
            (0,)
        ]
        assert rows(
            home, "SELECT count(*) FROM messages WHERE conversation_id = ?", ids["Zebras"]
        ) == [(0,)]
        await pilot.press("ctrl+z")
        await wait_for(pilot, lambda: len(panel.summaries) == 3)
        panel.options.highlighted = listed(app).index("Zebras")
        assert rows(home, "SELECT title FROM conversations WHERE id = ?", ids["Zebras"]) == [
            ("Zebras",)
        ]
        assert rows(
            home, "SELECT count(*) FROM messages WHERE conversation_id = ?", ids["Zebras"]
        ) == [(2,)]
        # Delete it again and close: the chat, which showed it, starts afresh.
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await wait_for(pilot, lambda: app.screen is panel and len(panel.summaries) == 2)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is chat and not chat.query(AssistantMessage))
        assert chat.conversation is None  # type: ignore[attr-defined]
        # ... and the command palette's undo still works while the app runs.
        await chat.run_action("undo_delete")
        await wait_for(pilot, lambda: len(rows(home, "SELECT id FROM conversations")) == 3)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen))
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: app.screen is chat)
        assert chat.conversation is None  # type: ignore[attr-defined]


async def test_continue_reopens_the_conversation_used_last_not_renamed_last(
    server: FakeDeepSeek, home: Path
) -> None:
    """Renaming an old conversation neither moves it up the list nor makes
    ``-c`` reopen it: both follow the last message."""
    ids = seed(home)  # Zebras was used last
    app = make_app(continue_=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen))
        panel = app.screen
        await wait_for(pilot, lambda: len(panel.summaries) == 3)
        panel.options.highlighted = listed(app).index("Cooking rice")
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, RenameScreen))
        app.screen.query_one(Input).value = "Rice, properly"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is panel and "Rice, properly" in listed(app))
        assert listed(app) == ["Zebras", "Trip to Oslo", "Rice, properly"]
    app = make_app(continue_=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        await wait_for(pilot, lambda: chat.query(AssistantMessage))
        assert [u.text for u in chat.query(UserMessage)] == ["Why are zebras striped?"]
        assert "Zebras" in screen_text(app)
    assert rows(home, "SELECT id FROM conversations ORDER BY updated DESC LIMIT 1") == [
        (ids["Zebras"],)
    ]
