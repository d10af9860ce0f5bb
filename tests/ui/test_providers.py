"""Switching providers in the sidebar: a new client for the other host, the
conversation remembers it; the provider's temperature cap and its note."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Select, Switch

from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage

from .conftest import KEY, SIZE, configure, make_app, notified, rows, wait_for


def done(screen: object, n: int) -> bool:
    views = screen.query(AssistantMessage)  # type: ignore[attr-defined]
    return len(views) == n and views.last().state == "complete"


async def test_switch_provider_live_and_remember_it(server: FakeDeepSeek, home: Path) -> None:
    async with FakeDeepSeek(api_key="sk-other-key-000000000000", host="deepseek") as other:
        configure(
            home,
            server.base_url,
            extra=(
                f'\n[providers.other]\nbase_url = "{other.base_url}"\nkind = "deepseek"\n'
                'api_key = "sk-other-key-000000000000"\ntemperature_max = 1.0\n'
                '\n[providers.nokey]\nbase_url = "http://127.0.0.1:9"\napi_key_env = "NOPE_KEY"\n'
            ),
        )
        server.push(Reply(content="from the first"))
        other.push(Reply(content="from the other"))
        app = make_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            chat = app.screen
            await pilot.press(*"one", "enter")
            await wait_for(pilot, lambda: done(chat, 1))
            await pilot.press("ctrl+s")
            provider = chat.query_one("#provider", Select)
            provider.value = "nokey"
            await wait_for(pilot, lambda: notified(app, "no API key for nokey"))
            assert provider.value == "deepseek"
            provider.value = "other"
            await wait_for(pilot, lambda: notified(app, "Provider: other"))
            chat.query_one("#thinking", Switch).value = False
            chat.query_one("#temperature", Input).value = "1.5"
            await pilot.pause()
            chat.query_one("#prompt").focus()
            await pilot.press(*"two", "enter")
            await wait_for(pilot, lambda: done(chat, 2))
            await wait_for(pilot, lambda: notified(app, "above this host's maximum of 1"))
            assert chat.query(AssistantMessage).last().content == "from the other"
        assert len(server.chat_requests) == 1
        body = other.chat_requests[-1].body
        assert body["temperature"] == 1.0
        assert [m["content"] for m in body["messages"]] == ["one", "from the first", "two"]
        assert (
            other.chat_requests[-1].headers["authorization"] == "Bearer sk-other-key-000000000000"
        )
        assert rows(home, "SELECT provider FROM conversations") == [("other",)]
        # Reopened, the conversation goes back to its provider.
        other.push(Reply(content="again other"))
        app = make_app(continue_=True)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            chat = app.screen
            await wait_for(pilot, lambda: chat.query(AssistantMessage))
            assert chat.session.settings.provider == "other"
            await pilot.press("ctrl+s")
            assert chat.query_one("#provider", Select).value == "other"
            # It keeps its own model and settings rather than the provider's default.
            [(model,)] = rows(home, "SELECT model FROM conversations")
            assert chat.query_one("#model", Select).value == model
            assert chat.query_one("#thinking", Switch).value is False
            assert chat.query_one("#temperature", Input).value == "1.5"
    assert KEY not in str(other.chat_requests[-1].headers)
