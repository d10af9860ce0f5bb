"""The sidebar's JSON mode and stop sequences, and what it says about thinking,
against the loopback server (which refuses JSON mode the way DeepSeek does)."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import Static, Switch, TextArea

from deepseek_tui.request import JSON_INSTRUCTION
from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage, ErrorBlock
from deepseek_tui.ui.widgets.prompt import PromptInput
from deepseek_tui.ui.widgets.sidebar import SettingsSidebar

from .conftest import KEY, SIZE, make_app, notified, rows, screen_text, wait_for

JSON_NOTE = 'JSON mode needs the word "json"'


def _answers(screen: ChatScreen, n: int) -> bool:
    found = screen.query(AssistantMessage)
    return len(found) == n and found.last().state == "complete"


async def test_json_mode_without_json_adds_the_instruction_and_says_so_once(
    server: FakeDeepSeek,
) -> None:
    server.push(Reply(content='{"colours": 3}'), Reply(content='{"more": 2}'))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press("ctrl+s")
        await screen.query_one(SettingsSidebar).build()
        screen.query_one("#json_mode", Switch).value = True
        screen.query_one(PromptInput).focus()
        await pilot.press(*"three colours", "enter")
        await wait_for(pilot, lambda: _answers(screen, 1))
        assert notified(app, JSON_NOTE)
        await pilot.press(*"more colours", "enter")
        await wait_for(pilot, lambda: _answers(screen, 2))
        await pilot.pause()
        assert sum(JSON_NOTE in n.message for n in app._notifications) == 1
    for request in server.chat_requests:
        assert request.body["response_format"] == {"type": "json_object"}
        assert request.body["messages"][0] == {"role": "system", "content": JSON_INSTRUCTION}


async def test_an_empty_json_answer_is_a_failure_to_retry_not_an_empty_bubble(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content="   "), Reply(content='{"ok": true}'))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press("ctrl+s")
        await screen.query_one(SettingsSidebar).build()
        screen.query_one("#json_mode", Switch).value = True
        await pilot.press("ctrl+s")
        screen.query_one(PromptInput).focus()
        await pilot.press(*"give me json", "enter")
        await wait_for(pilot, lambda: screen.query(ErrorBlock))
        assert not screen.query(AssistantMessage)  # no empty bubble
        assert "the model sent an empty answer" in screen_text(app)
        await pilot.press("f5")
        await wait_for(pilot, lambda: _answers(screen, 1))
        assert screen.query_one(AssistantMessage).content == '{"ok": true}'
        assert not screen.query(ErrorBlock)
    statuses = rows(home, "SELECT status FROM messages WHERE role = 'assistant' ORDER BY id")
    assert statuses == [("error",), ("complete",)]


async def test_stop_sequences_are_a_setting_remembered_with_the_conversation(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content="one"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press("ctrl+s")
        await screen.query_one(SettingsSidebar).build()
        field = screen.query_one("#stop", TextArea)
        error = screen.query_one("#stop-error", Static)
        field.load_text("\n".join(f"s{i}" for i in range(17)))
        await wait_for(pilot, lambda: error.display)
        assert "DeepSeek takes at most 16" in str(error.render())
        screen.query_one(PromptInput).focus()
        await pilot.press(*"count", "enter")
        await wait_for(pilot, lambda: notified(app, "Fix the settings first: Stop sequences"))
        assert server.chat_requests == []
        field.load_text("\\n\\n\nEND\n")
        await wait_for(pilot, lambda: not error.display)
        screen.query_one(PromptInput).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: _answers(screen, 1))
    assert server.chat_requests[-1].body["stop"] == ["\n\n", "END"]
    (params,) = rows(home, "SELECT params FROM conversations")[0]
    assert json.loads(params)["stop"] == ["\n\n", "END"]

    app = make_app(continue_=True)  # shown again as typed
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press("ctrl+s")
        await app.screen.query_one(SettingsSidebar).build()
        assert app.screen.query_one("#stop", TextArea).text == "\\n\\n\nEND"


def _configure_other_host(home: Path, base_url: str, *, model: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    config = home / "config.toml"
    config.write_text(
        f'model = "{model}"\n\n[providers.deepseek]\nbase_url = "{base_url}"\n'
        f'kind = "openai-compatible"\napi_key = "{KEY}"\n'
    )
    config.chmod(0o600)


async def test_the_sidebar_says_why_a_model_has_no_thinking_switch(home: Path) -> None:
    models = ("deepseek-chat", "deepseek-reasoner")
    async with FakeDeepSeek(api_key=KEY, host="r1", models=models) as host:
        _configure_other_host(home, host.base_url, model="deepseek-chat")
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            screen = app.screen
            await pilot.press("ctrl+s")
            sidebar = screen.query_one(SettingsSidebar)
            await sidebar.build()
            await wait_for(pilot, lambda: not screen.query_one("#thinking-row").display)
            info = str(screen.query_one("#model-info", Static).render())
            assert "cannot think" in info
            sidebar.set_model("deepseek-reasoner")
            await wait_for(
                pilot,
                lambda: "always thinks" in str(screen.query_one("#model-info", Static).render()),
            )
            assert not screen.query_one("#thinking-row").display
