"""A conversation whose every field holds terminal control sequences (a
database written by another tool, an old import) reaches the screen inert:
the chat, the conversations panel, the sidebar and every notification."""

from __future__ import annotations

import re
from pathlib import Path

from deepseek_tui.paths import Paths
from deepseek_tui.store import Store
from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.screens.conversations import ConversationsScreen
from deepseek_tui.ui.widgets.message import AssistantMessage

from .conftest import SIZE, make_app, screen_text, wait_for

# OSC 0 (window title), OSC 52 (clipboard), CSI (clear screen), BEL, C1 CSI,
# an unterminated OSC and a lone surrogate.
EVIL = "\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J\x9b31m\x07\x1b]8;;http://x"
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _hostile_conversation() -> str:
    store = Store.open(Paths.resolve().database).store
    try:
        conversation = store.create_conversation(
            title=f"title {EVIL}",
            model=f"deepseek-v4-pro{EVIL}",
            params={"temperature": 0.7},
            system=f"system {EVIL}",
        )
        user, answer = store.begin_turn(
            conversation.id,
            user_content=f"question {EVIL}",
            model=f"deepseek-v4-pro{EVIL}",
            params={},
        )
        store.finish_message(
            answer.id,
            content=f"answer {EVIL}\n\n```{EVIL}\ncode {EVIL}\n```",
            reasoning=f"reasoning {EVIL}",
            status="error",
            error=f"failed {EVIL}",
            model=f"deepseek-v4-pro{EVIL}",
        )
        store.rename(conversation.id, f"title {EVIL}")
        return conversation.id
    finally:
        store.close()


def _inert(text: str) -> bool:
    return UNSAFE.search(text.replace("\n", "")) is None


async def test_hostile_fields_reach_every_screen_inert(server: FakeDeepSeek, home: Path) -> None:
    ident = _hostile_conversation()
    server.push(Reply(content=f"new answer {EVIL}"))
    app = make_app(resume=ident)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await wait_for(pilot, lambda: "answer" in screen_text(app))
        await pilot.press("ctrl+r")  # the reasoning too
        await pilot.press(*"again", "enter")  # the host does not list the model: a notice
        await wait_for(
            pilot,
            lambda: (a := screen.query(AssistantMessage)) and a.last().state != "streaming",
        )
        await pilot.press("ctrl+s")  # the sidebar shows the model id
        await pilot.pause()
        chat = app.export_screenshot()
        await pilot.press("escape", "ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen))
        await wait_for(pilot, lambda: "title" in screen_text(app))
        panel = app.export_screenshot()
        notices = [n.message + n.title for n in app._notifications]
    assert notices, "expected at least the unlisted-model notice"
    for text in (chat, panel, *notices):
        assert _inert(text), repr(UNSAFE.search(text))
