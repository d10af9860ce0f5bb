"""Copying answers and code (keys, palette, the links under an answer) and
continuing an answer cut off at max_tokens."""

from __future__ import annotations

import json
from pathlib import Path

from textual.command import CommandPalette

from deepseek_tui.testing import Fail, FakeDeepSeek, Reply
from deepseek_tui.ui.chat.branches import CONTINUE_PROMPT
from deepseek_tui.ui.clipboard import code_blocks
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage, ErrorBlock

from .conftest import (
    KEY,
    SIZE,
    configure,
    make_app,
    notified,
    palette_offers,
    rows,
    screen_text,
    wait_for,
)

ANSWER = "Use this:\n\n```python\nprint('one')\n```\n\nor this:\n\n```sh\necho two\n```\n"


def done(screen: object, n: int) -> bool:
    views = screen.query(AssistantMessage)  # type: ignore[attr-defined]
    return len(views) == n and views.last().state == "complete"


def test_code_blocks_are_found_without_fences() -> None:
    assert code_blocks(ANSWER) == ["print('one')", "echo two"]
    assert code_blocks("~~~~\na\n```\nb\n~~~~\n") == ["a\n```\nb"]
    assert code_blocks("```\nunclosed\nstill") == ["unclosed\nstill"]
    assert code_blocks("no code") == []


async def test_copy_answer_and_code_by_key_and_by_click(server: FakeDeepSeek) -> None:
    server.push(Reply(content=ANSWER))
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press("f2")
        await wait_for(pilot, lambda: notified(app, "No answer to copy yet"))
        await pilot.press(*"how?", "enter")
        await wait_for(pilot, lambda: done(screen, 1))
        await pilot.press("f2")
        assert app.clipboard == ANSWER
        await wait_for(pilot, lambda: notified(app, "Copied the last answer (11 lines,"))
        await pilot.press("f3")
        assert app.clipboard == "echo two"
        await wait_for(pilot, lambda: notified(app, "Copied the last code block (1 line,"))
        app.copy_to_clipboard("")
        await pilot.click("#copy-code")
        assert app.clipboard == "echo two"
        await pilot.click("#copy-answer")
        assert app.clipboard == ANSWER


async def test_copy_warns_about_invisible_characters(server: FakeDeepSeek) -> None:
    sneaky = "rm -rf \u202e/ etc\u200b"
    server.push(Reply(content=sneaky))
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"x", "enter")
        await wait_for(pilot, lambda: done(screen, 1))
        assert "⟨RLO⟩" in screen_text(app)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"copy last answer")
        await wait_for(pilot, lambda: palette_offers(app, "Copy last answer"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.clipboard == sneaky)
        assert notified(app, "invisible or bidi")


def whole(screen: object, text: str) -> bool:
    """One answer on screen, finished, reading ``text``."""
    views = screen.query(AssistantMessage)  # type: ignore[attr-defined]
    return len(views) == 1 and views.last().state == "complete" and views.last().content == text


async def test_continue_on_deepseek_joins_the_answer(server: FakeDeepSeek, home: Path) -> None:
    """F8 on DeepSeek's API: prefix completion on /beta, one answer growing."""
    server.push(
        Reply(
            content="The first half of a long", reasoning="Plan: a story.", finish_reason="length"
        ),
        Fail(402, message="Insufficient Balance"),
        Reply(content=" story, and its end."),
    )
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"tell", "enter")
        await wait_for(pilot, lambda: "continue (cut off)" in screen_text(app))
        ((cut_usage, cut_cost),) = rows(home, "SELECT usage, cost FROM messages WHERE seq = 2")
        await pilot.press("f8")  # refused for money: the answer stays as it was
        await wait_for(pilot, lambda: screen.query(ErrorBlock))
        assert whole(screen, "The first half of a long")
        assert "continue (cut off)" in screen_text(app)
        await pilot.press("f5")  # retries the continuation, not a new message
        await wait_for(pilot, lambda: whole(screen, "The first half of a long story, and its end."))
        text = screen_text(app)
        assert "continue (cut off)" not in text and "cut off at max_tokens" not in text
        assert CONTINUE_PROMPT not in text and not screen.query(ErrorBlock)
    sent = server.chat_requests[-1]
    assert sent.path == "/beta/chat/completions"
    assert sent.body["messages"] == [
        {"role": "user", "content": "tell"},
        {
            "role": "assistant",
            "content": "The first half of a long",
            "prefix": True,
            "reasoning_content": "Plan: a story.",
        },
    ]
    assert sent.body["thinking"] == {"type": "enabled"}  # thinking allows prefix completion
    assert server.chat_requests[0].path == "/chat/completions"
    stored = rows(
        home,
        "SELECT role, content, reasoning, finish_reason, status, usage, cost"
        " FROM messages ORDER BY seq",
    )
    assert [r[:5] for r in stored] == [
        ("user", "tell", None, None, "complete"),
        (
            "assistant",
            "The first half of a long story, and its end.",
            "Plan: a story.",
            "stop",
            "complete",
        ),
    ]
    usage, cut_usage = json.loads(stored[1][5]), json.loads(cut_usage)
    # both requests' usage and cost, added up
    assert usage["completion_tokens"] > cut_usage["completion_tokens"] > 0
    assert usage["prompt_tokens"] > cut_usage["prompt_tokens"] > 0
    assert stored[1][6] > cut_cost > 0
    assert f"{usage['completion_tokens']:,} tokens" in text


async def test_continue_elsewhere_sends_a_continue_message(home: Path) -> None:
    """Other hosts have no prefix completion: F8 sends a "continue" message."""
    async with FakeDeepSeek(api_key=KEY, host="generic") as server:
        configure(home, server.base_url)
        config = home / "config.toml"  # a host of no particular kind
        config.write_text(config.read_text().replace('kind = "deepseek"\n', ""))
        server.push(
            Reply(content="The first half of a long", finish_reason="length"),
            Reply(content=" story, and its end."),
        )
        app = make_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            screen = app.screen
            await pilot.press(*"tell", "enter")
            await wait_for(
                pilot, lambda: screen.query(AssistantMessage).first().state != "streaming"
            )
            await wait_for(pilot, lambda: "continue (cut off)" in screen_text(app))
            assert "cut off at max_tokens" in screen_text(app)
            await pilot.click("#continue-answer")
            await wait_for(pilot, lambda: done(screen, 2))
            assert "story, and its end." in screen_text(app)
            assert "continue (cut off)" not in screen_text(app)
            sent = server.chat_requests[-1]
            assert sent.path == "/chat/completions"
            assert [m["content"] for m in sent.body["messages"]] == [
                "tell",
                "The first half of a long",
                CONTINUE_PROMPT,
            ]
            await pilot.press("f8")
            await wait_for(pilot, lambda: notified(app, "was not cut off"))
    assert rows(home, "SELECT finish_reason FROM messages WHERE role='assistant' ORDER BY seq") == [
        ("length",),
        ("stop",),
    ]


async def test_continue_from_palette_after_reopening(server: FakeDeepSeek, home: Path) -> None:
    server.push(Reply(content="cut here", finish_reason="length"), Reply(content=" and the rest"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"go", "enter")
        await wait_for(pilot, lambda: screen.query(AssistantMessage).first().state != "streaming")
    app = make_app(continue_=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await wait_for(pilot, lambda: "continue (cut off)" in screen_text(app))
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"continue the cut")
        await wait_for(pilot, lambda: palette_offers(app, "Continue the cut-off answer"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: whole(screen, "cut here and the rest"))
    assert server.chat_requests[-1].path == "/beta/chat/completions"
    assert rows(home, "SELECT content FROM messages WHERE role='assistant'") == [
        ("cut here and the rest",)
    ]
