"""The conversation core through the real app: typing while an answer streams,
retrying a failed turn, leaving a conversation while it streams, quitting,
one owner of the settings, one choice of model. Pilot against the loopback
server and a real database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select

from deepseek_tui.config import load_settings
from deepseek_tui.models import Catalog
from deepseek_tui.paths import Paths
from deepseek_tui.session import choose_model
from deepseek_tui.store import Store
from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.screens.confirm import ConfirmScreen
from deepseek_tui.ui.widgets.message import AssistantMessage, ErrorBlock, UserMessage
from deepseek_tui.ui.widgets.prompt import PromptInput
from deepseek_tui.ui.widgets.queue import QueuedPrompts
from deepseek_tui.ui.widgets.sidebar import SettingsSidebar

from .conftest import KEY, SIZE, configure, make_app, notified, rows, screen_text, wait_for
from .test_save_default import _press_save, _sidebar

#: An answer held after a few words until the test calls ``server.resume()``:
#: the test acts while it streams, whatever the machine's speed.
HELD = Reply(content="word " * 200, chunk_chars=5, pauses=(4,))


async def _answering(pilot: Pilot[Any], text: str) -> ChatScreen:
    """Open the chat, send ``text`` and wait until its answer has started."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChatScreen))
    screen = pilot.app.screen
    assert isinstance(screen, ChatScreen)
    await pilot.press(*text, "enter")
    await wait_for(pilot, lambda: screen.query(AssistantMessage))
    return screen


def _done(screen: object, n: int) -> bool:
    views = screen.query(AssistantMessage)  # type: ignore[attr-defined]
    return len(views) >= n and all(v.state != "streaming" for v in views)


async def test_typing_while_an_answer_streams_queues_and_sends_it_after(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(HELD, Reply(content="Second answer."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _answering(pilot, "first")
        prompt = screen.query_one(PromptInput)
        assert not prompt.disabled
        await pilot.press(*"my next question", "enter")
        await wait_for(pilot, lambda: screen.query(QueuedPrompts))
        queue = screen.query_one(QueuedPrompts)
        await wait_for(pilot, lambda: queue.display and "my next question" in screen_text(app))
        assert "queued" in screen_text(app)
        await pilot.press(*"draft I keep")  # typed, not sent: must survive the answer
        server.resume()
        await wait_for(pilot, lambda: _done(screen, 2))
        assert [u.text for u in screen.query(UserMessage)] == ["first", "my next question"]
        assert screen.query(AssistantMessage).last().content == "Second answer."
        assert prompt.text == "draft I keep"
        assert not queue.display
    assert len(server.chat_requests) == 2
    last = server.chat_requests[-1].body["messages"]
    assert last[-1] == {"role": "user", "content": "my next question"}
    assert [r[0] for r in rows(home, "SELECT content FROM messages WHERE role='user'")] == [
        "first",
        "my next question",
    ]


async def test_a_queued_message_can_be_taken_back(server: FakeDeepSeek) -> None:
    server.push(HELD)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _answering(pilot, "first")
        await pilot.press(*"never mind", "enter")
        await wait_for(pilot, lambda: "never mind" in screen_text(app))
        await pilot.press("up")  # in the empty prompt: the queued message comes back
        prompt = screen.query_one(PromptInput)
        await wait_for(pilot, lambda: prompt.text == "never mind")
        await pilot.press("escape")  # stops the answer; nothing queued goes out
        await wait_for(pilot, lambda: _done(screen, 1))
        assert screen.query_one(AssistantMessage).state == "stopped"
        assert not any(q.display for q in screen.query(QueuedPrompts))
        server.resume()
    assert len(server.chat_requests) == 1


async def test_f5_after_a_mid_stream_failure_asks_the_question_once(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(
        Reply(content="half an answer that breaks", chunk_chars=4, fault="cut", fault_after=3),
        Reply(content="A whole answer."),
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"Q?", "enter")
        await wait_for(pilot, lambda: screen.query(ErrorBlock))
        assert "failed" in str(screen.query_one(AssistantMessage).footer.render())
        await pilot.press("f5")
        await wait_for(
            pilot, lambda: (a := screen.query(AssistantMessage)) and a.last().state == "complete"
        )
        assert [u.text for u in screen.query(UserMessage)] == ["Q?"]
        assert [a.content for a in screen.query(AssistantMessage)] == ["A whole answer."]
    assert server.chat_requests[-1].body["messages"] == [{"role": "user", "content": "Q?"}]
    # Reopened, the question is there once, and the failed answer is an alternative.
    with Store.open(home / "conversations.db").store as store:
        conversation = store.latest_conversation()
        assert conversation is not None
        path = store.messages(conversation.id)
        assert [(m.role, m.content) for m in path] == [
            ("user", "Q?"),
            ("assistant", "A whole answer."),
        ]
        alternatives = store.alternatives(path[0].id)
        assert len(alternatives) == 2
        failed = store.messages(conversation.id)  # the current branch only
        assert all(m.status != "error" for m in failed)


async def test_leaving_a_conversation_keeps_its_answer_streaming(
    server: FakeDeepSeek, home: Path
) -> None:
    full = "word " * 200
    server.push(Reply(content=full, chunk_chars=5, pauses=(8, 16)))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"long one", "enter")
        await wait_for(
            pilot, lambda: (a := screen.query(AssistantMessage)) and len(a.first().content) > 20
        )
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: not screen.query(AssistantMessage))
        assert screen.turns.streaming()  # still going, with nothing on screen
        server.resume()  # it goes on while another conversation is shown
        await wait_for(pilot, lambda: server.paused == 1)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: "streaming" in screen_text(app))
        await pilot.press("enter")  # reopen it: the answer is live again
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: screen.query(AssistantMessage))
        assert screen.query(AssistantMessage).last().state == "streaming"
        server.resume()
        await wait_for(
            pilot,
            lambda: (a := app.screen.query(AssistantMessage)) and a.last().state == "complete",
        )
        assert app.screen.query(AssistantMessage).last().content == full
    ((status, content),) = rows(home, "SELECT status, content FROM messages WHERE role='assistant'")
    assert (status, content) == ("complete", full)


async def test_quitting_while_an_answer_streams_asks_first(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content="word " * 400, chunk_chars=5, pauses=(4,)))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _answering(pilot, "go")
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "still streaming" in screen_text(app)
        await pilot.press("escape")  # no: the answer goes on
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await wait_for(pilot, lambda: not app.is_running)
    ((status,),) = rows(home, "SELECT status FROM messages WHERE role='assistant'")
    assert status == "interrupted"


async def test_save_as_default_survives_a_provider_switch(server: FakeDeepSeek, home: Path) -> None:
    async with FakeDeepSeek(api_key="sk-other-key-000000000000", host="deepseek") as other:
        configure(
            home,
            server.base_url,
            extra=(
                f'\n[providers.other]\nbase_url = "{other.base_url}"\nkind = "deepseek"\n'
                'api_key = "sk-other-key-000000000000"\n'
            ),
        )
        app = make_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            sidebar = await _sidebar(pilot)
            sidebar.query_one("#temperature", Input).value = "0.3"
            await pilot.pause()
            await _press_save(pilot, sidebar, until="Saved as the default")
            sidebar.query_one("#provider", Select).value = "other"
            await wait_for(pilot, lambda: app.session.settings.provider == "other")
            assert app.session.settings.generation.temperature == 0.3
            await pilot.press("ctrl+n")
            await pilot.pause()
            assert sidebar.values().temperature == 0.3  # new conversations still use it


def test_one_choice_of_model_understands_aliases_and_never_a_retired_id(home: Path) -> None:
    configure(home, "http://127.0.0.1:9")
    settings = load_settings(Paths.resolve())
    catalog = Catalog.load(settings.models)
    # The host lists the default only under its alias: keep the default.
    assert choose_model(settings, catalog, ["deepseek-v4-flash"]).model == "deepseek-flash"
    assert choose_model(settings, catalog, None).model == "deepseek-flash"  # what ask uses
    # Only retired ids and an unknown one listed: never the retired id.
    picked = choose_model(settings, catalog, ["deepseek-chat", "deepseek-v4-pro"])
    assert picked.model == "deepseek-v4-pro" and "using deepseek-v4-pro" in picked.note


async def test_tui_keeps_the_default_the_host_lists_under_an_alias(home: Path) -> None:
    async with FakeDeepSeek(api_key=KEY, host="deepseek", models=["deepseek-v4-flash"]) as srv:
        configure(home, srv.base_url)
        app = make_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            screen = app.screen
            await wait_for(pilot, lambda: srv.requests)  # the model list was fetched
            await pilot.pause(0.3)
            assert screen.query_one(SettingsSidebar).model == "deepseek-flash"
            assert not notified(app, "deepseek-chat")
            assert "deepseek-flash" in screen_text(app)  # what ask uses too


async def test_a_database_that_cannot_be_written_fails_the_turn_not_the_app(
    server: FakeDeepSeek, home: Path
) -> None:
    import sqlite3

    with Store.open(home / "conversations.db").store as store:
        store.create_conversation(title="from the future")
    with sqlite3.connect(home / "conversations.db") as conn:
        conn.execute("PRAGMA user_version = 99")  # written by a newer deepseek-tui
    server.push(Reply(content="never asked"))
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"hello", "enter")
        await wait_for(pilot, lambda: screen.query(ErrorBlock))
        message = screen.query_one(ErrorBlock).message
        assert "not sent" in message and "read-only" in message
        assert app.is_running and "Traceback" not in screen_text(app)
        await pilot.press(*"still here")  # the app goes on
        assert screen.query_one(PromptInput).text == "still here"
    assert server.chat_requests == []


async def test_a_failure_stays_with_its_conversation(server: FakeDeepSeek) -> None:
    from deepseek_tui.testing import Fail

    server.push(Fail(503, message="Server Overloaded"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"Q?", "enter")
        await wait_for(pilot, lambda: screen.query(ErrorBlock))
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: not screen.query(ErrorBlock))
        await pilot.press("f5")  # nothing failed in the new conversation: nothing to retry
        await pilot.pause(0.2)
        assert not screen.query(UserMessage)
    assert len(server.chat_requests) == 1


@pytest.mark.parametrize(
    ("model", "warned"),
    [("deepseek-flash", False), ("deepseek-v4-pro", True)],  # listed as an alias / not listed
)
async def test_a_resumed_conversation_is_warned_only_when_the_host_lacks_its_model(
    home: Path, model: str, warned: bool
) -> None:
    async with FakeDeepSeek(api_key=KEY, host="deepseek", models=["deepseek-v4-flash"]) as srv:
        configure(home, srv.base_url)
        with Store.open(home / "conversations.db").store as store:
            store.create_conversation(title="earlier", model=model)
        app = make_app(continue_=True)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            await wait_for(pilot, lambda: any(r.path.endswith("/models") for r in srv.requests))
            await wait_for(pilot, lambda: "balance" in screen_text(app))  # fetched after it
            if warned:
                await wait_for(pilot, lambda: notified(app, f"does not list {model}"))
            else:
                await pilot.pause(0.3)
                assert not notified(app, "does not list")
