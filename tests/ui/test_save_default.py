""" "Save as default" in the settings sidebar writes config.toml for new conversations."""

from __future__ import annotations

import functools
import stat
import tomllib
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Switch, TextArea

from deepseek_tui.config import Generation, load_settings
from deepseek_tui.paths import Paths
from deepseek_tui.testing import FakeDeepSeek
from deepseek_tui.ui import demo
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.sidebar import SettingsSidebar, SidebarValues
from deepseek_tui.ui.widgets.status import StatusLine

from .conftest import SIZE, make_app, notified, wait_for


async def _sidebar(pilot: Pilot[Any]) -> SettingsSidebar:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChatScreen))
    await pilot.press("ctrl+s")
    sidebar = pilot.app.screen.query_one(SettingsSidebar)
    await wait_for(pilot, lambda: sidebar.display)
    return sidebar


async def _choose_model(pilot: Pilot[Any], sidebar: SettingsSidebar, model: str) -> None:
    """Pick ``model`` and wait until the sidebar has adapted to it (the status
    line names it then); thinking and effort are set for the model meanwhile."""
    sidebar.query_one("#model", Select).value = model
    await wait_for(pilot, lambda: pilot.app.screen.query_one(StatusLine).info.model == model)


async def _press_save(pilot: Pilot[Any], sidebar: SettingsSidebar, *, until: str) -> None:
    """Press "Save as default" and wait for the notification saying ``until``."""
    button = sidebar.query_one("#save-default", Button)
    sidebar.scroll_to_widget(button, animate=False)
    await pilot.pause()
    await pilot.click(button)
    await wait_for(pilot, lambda: notified(pilot.app, until))


async def test_save_as_default_writes_config_and_new_chats_use_it(
    server: FakeDeepSeek, home: Path
) -> None:
    config = home / "config.toml"
    # an earlier default that the sidebar now leaves at the model's default
    config.write_text(config.read_text() + "\n[generation]\ntop_p = 0.5\n")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = await _sidebar(pilot)
        await _choose_model(pilot, sidebar, "deepseek-v4-pro")
        sidebar.query_one("#thinking", Switch).value = False
        sidebar.query_one("#top_p", Input).value = ""
        sidebar.query_one("#temperature", Input).value = "0.7"
        sidebar.query_one("#max_tokens", Input).value = "2048"
        sidebar.query_one("#presence_penalty", Input).value = "0.5"
        sidebar.query_one("#system", TextArea).load_text("Be brief.")
        sidebar.query_one("#json_mode", Switch).value = True
        await pilot.pause()
        await _press_save(pilot, sidebar, until="Saved as the default for new conversations")
        wanted = SidebarValues(
            model="deepseek-v4-pro",
            thinking=False,
            temperature=0.7,
            max_tokens=2048,
            presence_penalty=0.5,
            json_mode=True,
            system="Be brief.",
        )
        assert sidebar.values() == wanted

        # Ctrl+N: a new conversation in this session starts with them
        sidebar.query_one("#temperature", Input).value = "1.5"
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: sidebar.values() == wanted)

    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    raw = tomllib.loads(config.read_text())
    assert raw["model"] == "deepseek-v4-pro"
    assert raw["generation"] == {
        "thinking": False,
        "temperature": 0.7,
        "max_tokens": 2048,
        "presence_penalty": 0.5,
        "system_prompt": "Be brief.",
        "json_mode": True,
    }  # top_p, effort, frequency_penalty: at the model's default, so not written
    assert raw["providers"]["deepseek"]["base_url"] == server.base_url  # the rest is kept
    settings = load_settings(Paths.resolve())
    assert settings.model == "deepseek-v4-pro"
    assert settings.generation == Generation(
        temperature=0.7,
        max_tokens=2048,
        presence_penalty=0.5,
        system_prompt="Be brief.",
        thinking=False,
        json_mode=True,
    )

    # the next start opens a new conversation with them
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = await _sidebar(pilot)
        assert sidebar.values() == wanted


async def test_model_defaults_are_removed_not_written(server: FakeDeepSeek, home: Path) -> None:
    config = home / "config.toml"
    config.write_text(
        'model = "deepseek-v4-pro"\n'
        + config.read_text()
        + '\n[generation]\ntemperature = 0.3\neffort = "max"\nsystem_prompt = "old"\n'
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = await _sidebar(pilot)
        await _choose_model(pilot, sidebar, "deepseek-flash")
        sidebar.query_one("#temperature", Input).value = ""
        sidebar.query_one("#effort", Select).value = "high"
        sidebar.query_one("#system", TextArea).load_text("")
        await pilot.pause()
        await _press_save(pilot, sidebar, until="Saved as the default")
    raw = tomllib.loads(config.read_text())
    assert "generation" not in raw  # everything at the model's default
    assert "model" not in raw  # the catalog's default model
    assert load_settings(Paths.resolve()).generation == Generation()


async def test_invalid_value_is_not_saved(server: FakeDeepSeek, home: Path) -> None:
    config = home / "config.toml"
    before = config.read_bytes()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        sidebar = await _sidebar(pilot)
        sidebar.query_one("#temperature", Input).value = "5"
        await pilot.pause()
        await _press_save(
            pilot, sidebar, until="Not saved; fix the settings first: Temperature: out of range"
        )
    assert config.read_bytes() == before


async def test_demo_never_saves(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(demo, "demo_server", functools.partial(demo.demo_server, pace=0.3))
    app = make_app(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        sidebar = await _sidebar(pilot)
        sidebar.query_one("#temperature", Input).value = "0.7"
        await pilot.pause()
        await _press_save(
            pilot, sidebar, until="Not saved: the demo never changes your config file"
        )
        # also from the command palette action
        app.clear_notifications()
        await app.screen.run_action("save_default")
        await pilot.pause()
        assert notified(app, "the demo never changes your config file")
    assert not (home / "config.toml").exists()


def test_save_default_is_in_the_palette() -> None:
    from deepseek_tui.ui.palette import ACTIONS

    assert any(action == "save_default" for _, action, _ in ACTIONS)
