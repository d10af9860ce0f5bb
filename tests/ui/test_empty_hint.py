"""An empty conversation says what to type and which keys matter (the demo:
how to start the tour), in muted text that goes with the first message and
comes back with Ctrl+N; a stored conversation never shows it."""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

import pytest

from deepseek_tui.store import Store
from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui import demo
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.screens.conversations import ConversationsScreen
from deepseek_tui.ui.widgets.message import AssistantMessage

from .conftest import SIZE, WAIT_LIMIT, make_app, screen_text, wait_for

DEMO_HINT = "Type anything below (say, hello) and press ⏎ to start the tour."
HINT = "Type a message below and press ⏎ to send it."


def finished(app: object, n: int) -> bool:
    views = app.screen.query(AssistantMessage)  # type: ignore[attr-defined]
    return len(views) == n and views.last().state == "complete"


async def test_demo_opens_on_a_hint_of_what_to_type(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "demo_server", functools.partial(demo.demo_server, pace=0.1))
    app = make_app(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: DEMO_HINT in screen_text(app))
        text = screen_text(app)
        assert "This is the demo: canned answers from a server inside the app." in text
        assert "^s settings · ^p commands · f1 keys · ^q quit" in text
        assert app.screen.focused is app.screen.query_one("#prompt")  # typing goes there
        await pilot.press(*"hello", "enter")
        await wait_for(pilot, lambda: finished(app, 1))
        assert "start the tour" not in screen_text(app)
        await pilot.press("ctrl+n")  # a new conversation: the hint is back
        await wait_for(pilot, lambda: DEMO_HINT in screen_text(app))


async def test_a_new_conversation_shows_the_keys_in_force(server: FakeDeepSeek, home: Path) -> None:
    cfg = home / "config.toml"
    cfg.write_text(cfg.read_text() + '\n[keys]\nhelp = "f10"\n')
    server.push(Reply(content="Hi there."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: HINT in screen_text(app))
        text = screen_text(app)
        assert "New conversation" in text
        assert "^s model and settings · ^o conversations" in text
        assert "^t attach a file · f10 every key" in text
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: "hi" in [u.text for u in app.screen.query("UserMessage")])
        assert HINT not in screen_text(app)  # gone with the first message, not the answer
        await wait_for(pilot, lambda: finished(app, 1))
        assert HINT not in screen_text(app)


async def test_a_stored_conversation_being_opened_does_not_show_the_hint(
    server: FakeDeepSeek, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While Ctrl+O's pick is read from the database the view is empty, yet it
    is not a new conversation: no hint then."""
    with Store.open(home / "conversations.db").store as store:
        c = store.create_conversation(title="Stored one", model="deepseek-flash")
        _, a = store.begin_turn(c.id, user_content="keep me", model="deepseek-flash", params={})
        store.finish_message(a.id, content="Stored.", reasoning=None, status="complete")
    release = threading.Event()
    reading = threading.Event()
    messages = Store.messages

    def held(self: Store, conversation_id: str) -> Any:
        reading.set()
        release.wait(WAIT_LIMIT)
        return messages(self, conversation_id)

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        await wait_for(pilot, lambda: HINT in screen_text(app))
        monkeypatch.setattr(Store, "messages", held)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen))
        await wait_for(pilot, lambda: "Stored one" in screen_text(app))
        await pilot.press("enter")
        try:
            await wait_for(pilot, lambda: app.screen is chat and reading.is_set())
            await pilot.pause()
            assert not chat.query(AssistantMessage)  # still reading
            assert "New conversation" not in screen_text(app)
        finally:
            release.set()
        await wait_for(pilot, lambda: finished(app, 1))
        assert "Stored." in screen_text(app) and HINT not in screen_text(app)
