"""Chatting in the TUI end to end: prompt, streamed answer, database rows."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Label, Select, Static, Switch

from deepseek_tui.testing import Fail, FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage, ErrorBlock, UserMessage
from deepseek_tui.ui.widgets.prompt import PromptInput
from deepseek_tui.ui.widgets.reasoning import ReasoningBlock
from deepseek_tui.ui.widgets.sidebar import SettingsSidebar
from deepseek_tui.ui.widgets.status import StatusLine

from .conftest import SIZE, make_app, notified, rows, screen_text, wait_for


async def test_send_streams_answer_and_saves_it(server: FakeDeepSeek, home: Path) -> None:
    server.push(Reply(content="Oslo is **Norway's** capital.", reasoning="Think of Norway."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press(*"Capital of Norway?")
        await pilot.press("enter")
        screen = app.screen
        await wait_for(
            pilot,
            lambda: (a := screen.query(AssistantMessage)) and a.first().state == "complete",
        )
        assert [u.text for u in screen.query(UserMessage)] == ["Capital of Norway?"]
        answer = screen.query_one(AssistantMessage)
        assert answer.content == "Oslo is **Norway's** capital."
        assert "Oslo is Norway's capital." in screen_text(app)  # rendered, not raw Markdown
        assert answer.model == "deepseek-flash"
        assert "tokens" in str(answer.footer.render())
        assert screen.query_one(PromptInput).text == ""
        status = str(screen.query_one(StatusLine).render())
        assert "deepseek-flash" in status and "thinking high" in status and "last" in status
    saved = rows(home, "SELECT role, content, reasoning, status FROM messages ORDER BY seq")
    assert saved == [
        ("user", "Capital of Norway?", None, "complete"),
        ("assistant", "Oslo is **Norway's** capital.", "Think of Norway.", "complete"),
    ]


async def test_reasoning_open_while_thinking_then_folded_and_ctrl_r_hides_it(
    server: FakeDeepSeek,
) -> None:
    server.push(
        Reply(content="Done.", reasoning="step " * 60, chunk_chars=5, delay=0.02, first_delay=0.1)
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press(*"think", "enter")
        screen = app.screen
        await wait_for(pilot, lambda: screen.query(ReasoningBlock))
        block = screen.query_one(ReasoningBlock)
        assert not block.collapsed
        assert block.title.startswith("Thinking")
        assert not screen.query_one(PromptInput).disabled  # typing goes on while it streams
        await wait_for(pilot, lambda: screen.query_one(AssistantMessage).state == "complete")
        assert block.collapsed
        assert block.text == "step " * 60
        assert block.title.startswith("Reasoning")
        assert not screen.query_one(PromptInput).disabled
        assert block.display
        # Ctrl+R: folded -> open -> hidden -> folded.
        await pilot.press("ctrl+r")
        assert block.display and not block.collapsed
        await pilot.press("ctrl+r")
        assert not block.display
        await pilot.press("ctrl+r")
        assert block.display and block.collapsed


async def test_esc_stops_and_keeps_partial_answer(server: FakeDeepSeek, home: Path) -> None:
    full = "word " * 400
    server.push(Reply(content=full, chunk_chars=5, delay=0.01))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press(*"go", "enter")
        screen = app.screen
        await wait_for(
            pilot, lambda: (a := screen.query(AssistantMessage)) and len(a.first().content) > 20
        )
        await pilot.press("escape")
        answer = screen.query_one(AssistantMessage)
        await wait_for(pilot, lambda: answer.state == "stopped")
        assert 0 < len(answer.content) < len(full)
        assert full.startswith(answer.content)
        assert "stopped" in str(answer.footer.render())
        assert not screen.query_one(PromptInput).disabled
    ((status, content),) = rows(
        home, "SELECT status, content FROM messages WHERE role = 'assistant'"
    )
    assert status == "stopped"
    assert content and full.startswith(content)


async def test_error_block_then_retry(server: FakeDeepSeek, home: Path) -> None:
    server.push(Fail(503, message="Server Overloaded"), Reply(content="Second time lucky."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press(*"hello", "enter")
        screen = app.screen
        await wait_for(pilot, lambda: screen.query(ErrorBlock))
        block = screen.query_one(ErrorBlock)
        assert "Overloaded" in block.message
        assert "F5" in block.hint
        assert not screen.query(AssistantMessage)  # nothing arrived: no empty answer
        text = screen_text(app)
        assert "Retry" in text and "Traceback" not in text
        await pilot.press("f5")
        await wait_for(
            pilot, lambda: (a := screen.query(AssistantMessage)) and a.first().state == "complete"
        )
        assert screen.query_one(AssistantMessage).content == "Second time lucky."
        assert not screen.query(ErrorBlock)
        assert len(screen.query(UserMessage)) == 1
    saved = rows(home, "SELECT role, status FROM messages ORDER BY seq")
    assert saved == [
        ("user", "complete"),
        ("assistant", "error"),
        ("user", "complete"),
        ("assistant", "complete"),
    ]
    assert len(server.chat_requests) == 2
    assert server.chat_requests[-1].body["messages"] == [{"role": "user", "content": "hello"}]


async def test_retired_model_offers_switch_to_successor(server: FakeDeepSeek, home: Path) -> None:
    (home / "config.toml").write_text(
        'model = "deepseek-chat"\n' + (home / "config.toml").read_text()
    )
    server.push(Reply(content="Hi from flash."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press(*"hi", "enter")
        screen = app.screen
        await wait_for(pilot, lambda: screen.query(ErrorBlock))
        block = screen.query_one(ErrorBlock)
        assert "retired" in block.message and "deepseek-flash" in block.message
        assert server.chat_requests == []
        await pilot.click("#retry")
        await wait_for(
            pilot, lambda: (a := screen.query(AssistantMessage)) and a.first().state == "complete"
        )
        assert screen.query_one(AssistantMessage).model == "deepseek-flash"
    body = server.chat_requests[-1].body
    assert body["model"] == "deepseek-flash"
    assert body["thinking"] == {"type": "disabled"}


async def test_model_switch_in_sidebar_applies_to_next_message(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content="one"), Reply(content="two"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"first", "enter")
        await wait_for(
            pilot, lambda: (a := screen.query(AssistantMessage)) and a.first().state == "complete"
        )
        await pilot.press("ctrl+s")
        sidebar = screen.query_one(SettingsSidebar)
        assert sidebar.display
        status = screen.query_one(StatusLine)
        sidebar.query_one("#model", Select).value = "deepseek-v4-pro"
        # the sidebar has adapted to the model (it sets thinking for it) and says so
        await wait_for(pilot, lambda: status.info.model == "deepseek-v4-pro")
        sidebar.query_one("#thinking", Switch).value = False
        await wait_for(pilot, lambda: "no thinking" in str(status.render()))
        await pilot.press("ctrl+s")
        await pilot.press(*"second", "enter")
        await wait_for(
            pilot,
            lambda: (
                len(screen.query(AssistantMessage)) == 2
                and screen.query(AssistantMessage).last().state == "complete"
            ),
        )
        assert [a.model for a in screen.query(AssistantMessage)] == [
            "deepseek-flash",
            "deepseek-v4-pro",
        ]
    assert server.chat_requests[0].body["model"] == "deepseek-flash"
    body = server.chat_requests[-1].body
    assert body["model"] == "deepseek-v4-pro"
    assert body["thinking"] == {"type": "disabled"}
    assert rows(home, "SELECT model FROM conversations") == [("deepseek-v4-pro",)]
    assert rows(home, "SELECT model FROM messages WHERE role='assistant' ORDER BY seq") == [
        ("deepseek-flash",),
        ("deepseek-v4-pro",),
    ]


async def test_sidebar_rejects_out_of_range_value(server: FakeDeepSeek) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press("ctrl+s")
        screen.query_one("#temperature", Input).focus()
        await pilot.press("5")
        error = screen.query_one("#temperature-error", Static)
        assert error.display
        assert "out of range; allowed: 0 to 2" in str(error.render())
        label = str(screen.query_one("#temperature-label", Label).render())
        assert "ignored" in label  # deepseek-flash thinks by default
        screen.query_one(PromptInput).focus()
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: notified(app, "Fix the settings first: Temperature"))
        assert server.chat_requests == []
        assert screen.query_one(PromptInput).text == "hi"
        screen.query_one("#temperature", Input).value = "0.7"
        await pilot.pause()
        assert not error.display


async def test_hostile_text_is_shown_literally(server: FakeDeepSeek, home: Path) -> None:
    hostile = "[bold]markup[/] \x1b[31mred\x1b[0m \x1b]52;c;cGF5bG9hZA==\x07end"
    server.push(Reply(content=hostile, reasoning="[red]think[/red]\x1b]0;title\x07"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"[i]me[/i]", "enter")
        await wait_for(
            pilot, lambda: (a := screen.query(AssistantMessage)) and a.first().state == "complete"
        )
        answer = screen.query_one(AssistantMessage)
        assert answer.content == "[bold]markup[/] red end"
        assert answer.reasoning is not None and answer.reasoning.text == "[red]think[/red]"
        await pilot.press("ctrl+r")  # opens the folded reasoning
        await wait_for(pilot, lambda: "[red]think[/red]" in screen_text(app))
        text = screen_text(app)
        assert "[bold]markup[/] red end" in text
        assert "[i]me[/i]" in text
        assert "[red]think[/red]" in text
        assert "\x1b" not in text


async def test_queued_by_server_in_status(server: FakeDeepSeek) -> None:
    server.push(Reply(content="finally here", keepalives=4, keepalive_interval=0.25, pauses=(3,)))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"q", "enter")
        status = screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "queued by server" in str(status.render()))
        # Text flows (the stream is held mid-answer): the server no longer queues.
        await wait_for(pilot, lambda: screen.query_one(AssistantMessage).content)
        await wait_for(pilot, lambda: "queued" not in str(status.render()))
        server.resume()
        await wait_for(pilot, lambda: screen.query_one(AssistantMessage).state == "complete")
        assert "queued" not in str(status.render())


async def test_up_recalls_previous_prompt_and_ctrl_j_adds_newline(server: FakeDeepSeek) -> None:
    server.push(Reply(content="ok"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        prompt = screen.query_one(PromptInput)
        await pilot.press(*"line one", "ctrl+j", *"line two")
        assert prompt.text == "line one\nline two"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.query_one(AssistantMessage).state == "complete")
        assert screen.query_one(UserMessage).text == "line one\nline two"
        assert prompt.text == ""
        await pilot.press("up")
        assert prompt.text == "line one\nline two"


async def test_new_conversation_with_ctrl_n(server: FakeDeepSeek, home: Path) -> None:
    server.push(Reply(content="a"), Reply(content="b"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"one", "enter")
        await wait_for(pilot, lambda: screen.query_one(AssistantMessage).state == "complete")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: not screen.query(AssistantMessage))
        await pilot.press(*"two", "enter")
        await wait_for(
            pilot, lambda: (a := screen.query(AssistantMessage)) and a.first().state == "complete"
        )
    assert len(rows(home, "SELECT id FROM conversations")) == 2
    assert server.chat_requests[-1].body["messages"] == [{"role": "user", "content": "two"}]
