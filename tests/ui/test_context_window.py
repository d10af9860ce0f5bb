"""The context window in the status line, and leaving the oldest exchanges out
of a request that would not fit (never out of the database)."""

from __future__ import annotations

from pathlib import Path

from deepseek_tui.context_window import check_fit, estimate
from deepseek_tui.request import drop_oldest_exchanges
from deepseek_tui.store import Store
from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.screens.confirm import ConfirmScreen
from deepseek_tui.ui.widgets.message import AssistantMessage
from deepseek_tui.ui.widgets.prompt import PromptInput
from deepseek_tui.ui.widgets.status import StatusLine

from .conftest import SIZE, configure, make_app, notified, rows, wait_for

TINY = '\n[[models]]\nhost = "deepseek"\nid = "deepseek-flash"\ncontext = 200\n'


def status(app: object) -> str:
    return str(app.screen.query_one(StatusLine).render())  # type: ignore[attr-defined]


def done(screen: object, n: int) -> bool:
    views = screen.query(AssistantMessage)  # type: ignore[attr-defined]
    return len(views) == n and views.last().state == "complete"


def test_fit_and_drop_plan(home: Path) -> None:
    with Store.open(home / "c.db").store as store:
        c = store.create_conversation(title="t", model="m")
        for q, a in [("a" * 100, "b" * 200), ("c" * 100, "d" * 200)]:
            _, m = store.begin_turn(c.id, user_content=q, model="m", params={})
            store.finish_message(m.id, content=a, reasoning=None, status="complete")
        history = store.messages(c.id)
    assert estimate(10) == 3
    assert check_fit(history, prompt="x", system="", window=1000) is None
    assert check_fit(history, prompt="x", system="", window=None) is None
    o = check_fit(history, prompt="x" * 10, system="", window=150)
    assert o is not None and (o.drop, o.exchanges) == (1, 2) and o.after <= 150
    assert [m.content for m in drop_oldest_exchanges(history, 1)] == ["c" * 100, "d" * 200]
    assert drop_oldest_exchanges(history, 0) == history
    assert drop_oldest_exchanges(history, 5) == []


async def test_status_shows_fill_and_overflow_drops_oldest(
    server: FakeDeepSeek, home: Path
) -> None:
    configure(home, server.base_url, extra=TINY)
    server.push(Reply(content="A" * 400), Reply(content="B" * 300), Reply(content="short"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        await pilot.press(*"first", "enter")
        await wait_for(pilot, lambda: done(chat, 1))
        assert "/200 (" in status(app)
        await pilot.press(*"second", "enter")
        await wait_for(pilot, lambda: done(chat, 2))
        # The next request would outgrow 200 tokens: asked first, nothing sent yet.
        sent_before = len(server.chat_requests)
        await pilot.press(*"third " * 20, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert len(server.chat_requests) == sent_before
        await pilot.click("#no")
        await wait_for(pilot, lambda: notified(app, "Not sent"))
        assert chat.query_one(PromptInput).text == "third " * 20
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await wait_for(pilot, lambda: done(chat, 3))
    sent = [m["content"] for m in server.chat_requests[-1].body["messages"]]
    assert sent == ["second", "B" * 300, "third " * 20]
    assert len(rows(home, "SELECT id FROM messages")) == 6  # nothing left the store


async def test_estimate_before_the_first_answer(server: FakeDeepSeek, home: Path) -> None:
    with Store.open(home / "conversations.db").store as store:
        c = store.create_conversation(title="Imported", model="deepseek-flash")
        _, m = store.begin_turn(c.id, user_content="q" * 1000, model="deepseek-flash", params={})
        store.finish_message(m.id, content="a" * 1000, reasoning=None, status="complete")
    app = make_app(continue_=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: "context ≈600/1M (0%)" in status(app))
