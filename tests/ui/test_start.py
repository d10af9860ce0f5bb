"""Starting the TUI: resuming a conversation, the first-run key dialog, keys, demo."""

from __future__ import annotations

import stat
from pathlib import Path

from textual.widgets import Input, Select

from deepseek_tui.config import load_settings
from deepseek_tui.paths import Paths
from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.screens.first_run import FirstRunScreen
from deepseek_tui.ui.screens.help import HelpScreen
from deepseek_tui.ui.widgets.message import AssistantMessage, UserMessage
from deepseek_tui.ui.widgets.reasoning import ReasoningBlock
from deepseek_tui.ui.widgets.sidebar import SettingsSidebar
from deepseek_tui.ui.widgets.status import StatusLine

from .conftest import KEY, SIZE, configure, make_app, notified, screen_text, wait_for


async def test_continue_shows_stored_messages_and_settings(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content="Stored answer.", reasoning="Stored thought."), Reply(content="more"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press("ctrl+s")
        screen.query_one(SettingsSidebar).query_one("#model", Select).value = "deepseek-v4-pro"
        await wait_for(pilot, lambda: screen.query_one(StatusLine).info.model == "deepseek-v4-pro")
        await pilot.press("ctrl+s")
        await pilot.press(*"remember me", "enter")
        await wait_for(
            pilot, lambda: (a := screen.query(AssistantMessage)) and a.first().state == "complete"
        )
    app = make_app(continue_=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.query(AssistantMessage))
        assert [u.text for u in screen.query(UserMessage)] == ["remember me"]
        answer = screen.query_one(AssistantMessage)
        assert answer.content == "Stored answer."
        assert answer.model == "deepseek-v4-pro"
        assert screen.query_one(ReasoningBlock).text == "Stored thought."
        assert screen.query_one(SettingsSidebar).model == "deepseek-v4-pro"
        await pilot.press(*"and again", "enter")
        await wait_for(
            pilot,
            lambda: (
                len(screen.query(AssistantMessage)) == 2
                and screen.query(AssistantMessage).last().state == "complete"
            ),
        )
    body = server.chat_requests[-1].body
    assert body["model"] == "deepseek-v4-pro"
    assert [m["content"] for m in body["messages"]] == [
        "remember me",
        "Stored answer.",
        "and again",
    ]


async def test_first_run_dialog_checks_and_saves_key(home: Path) -> None:
    async with FakeDeepSeek(api_key=KEY, host="deepseek") as srv:
        configure(home, srv.base_url, key=None)
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen))
            field = app.screen.query_one("#api-key", Input)
            assert field.password
            await pilot.press(*"sk-wrong-key-000000", "enter")
            await wait_for(pilot, lambda: "rejected" in screen_text(app))
            assert isinstance(app.screen, FirstRunScreen)
            field.value = ""
            await pilot.press(*KEY, "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            assert KEY not in screen_text(app)
        config = home / "config.toml"
        assert stat.S_IMODE(config.stat().st_mode) == 0o600
        assert load_settings(Paths.resolve()).api_key() == KEY


async def test_first_run_dialog_saves_a_key_it_cannot_check_offline(home: Path) -> None:
    """No network: the key is saved all the same, and the app says it was not
    checked (a host that answers 401 still refuses it: the test above)."""
    async with FakeDeepSeek(api_key=KEY, host="deepseek") as srv:
        unreachable = srv.base_url  # nothing listens there once the server stops
    configure(home, unreachable, key=None)
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen))
        assert "saved unchecked" in screen_text(app)
        await pilot.press(*KEY, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: notified(app, "API key saved without being checked"))
        (notice,) = [n for n in app._notifications if "without being checked" in n.message]
        assert "could not reach" in notice.message
        assert notice.severity == "warning"
        assert not notified(app, "API key saved.")
        assert KEY not in screen_text(app)
    assert load_settings(Paths.resolve()).api_key() == KEY


async def test_help_lists_bindings_and_keymap_applies(server: FakeDeepSeek, home: Path) -> None:
    cfg = home / "config.toml"
    cfg.write_text(cfg.read_text() + '\n[keys]\nsidebar = "f2"\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press("f2")
        assert app.screen.query_one(SettingsSidebar).display
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await wait_for(pilot, lambda: "Newline" in screen_text(app))  # the help is drawn
        text = screen_text(app)
        for action in ("Send", "Newline", "Stop", "New", "Settings", "Reasoning", "Quit", "Help"):
            assert action in text
        assert "f2" in text.lower()
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)


async def test_unknown_key_id_is_shown_once_and_the_rest_applies(
    server: FakeDeepSeek, home: Path
) -> None:
    cfg = home / "config.toml"
    cfg.write_text(cfg.read_text() + '\n[keys]\nsidebr = "f3"\nsidebar = "f2"\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        shown = [n.message for n in app._notifications if "keys.sidebr" in n.message]
        assert len(shown) == 1
        assert "did you mean 'sidebar'?" in shown[0] and "the ids are" in shown[0]
        await pilot.press("f2")
        assert app.screen.query_one(SettingsSidebar).display


def test_every_binding_id_can_be_remapped_from_the_config() -> None:
    """``config.KEY_IDS`` (the config cannot import the TUI) lists exactly the
    ids of the TUI's bindings, so a real id is never reported as unknown."""
    import importlib
    import inspect
    import pkgutil

    from textual.binding import Binding

    import deepseek_tui.ui
    from deepseek_tui.config import KEY_IDS

    found: set[str] = set()
    for info in pkgutil.walk_packages(deepseek_tui.ui.__path__, "deepseek_tui.ui."):
        module = importlib.import_module(info.name)
        for cls in vars(module).values():
            if inspect.isclass(cls) and cls.__module__ == module.__name__:
                for binding in vars(cls).get("BINDINGS", ()):
                    if isinstance(binding, Binding) and binding.id:
                        found.add(binding.id)
    assert sorted(found) == list(KEY_IDS)


async def test_demo_runs_offline_with_marker_and_saves_nothing(home: Path) -> None:
    app = make_app(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        assert "DEMO" in screen_text(app)
        await pilot.press(*"hello", "enter")
        await wait_for(
            pilot,
            lambda: (a := screen.query(AssistantMessage)) and a.first().state == "complete",
        )
        assert "demo mode" in screen.query_one(AssistantMessage).content
    assert not (home / "conversations.db").exists()
    assert not (home / "config.toml").exists()
