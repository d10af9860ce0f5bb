"""A host that does not serve the catalog's default model: the first model it
lists that the catalog knows is used instead, unless the user chose one."""

from __future__ import annotations

from pathlib import Path

from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage
from deepseek_tui.ui.widgets.sidebar import SettingsSidebar

from .conftest import KEY, SIZE, make_app, notified, screen_text, wait_for


def plain_config(home: Path, base_url: str, extra: str = "") -> None:
    """A provider given only a URL and a key: nothing says it is DeepSeek's."""
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "config.toml"
    cfg.write_text(
        f'{extra}[providers.deepseek]\nbase_url = "{base_url}"\napi_key = "{KEY}"\n'
        "\n[network]\nconnect_timeout = 5\nmax_retries = 0\n"
    )
    cfg.chmod(0o600)


async def test_unlisted_default_gives_way_to_a_listed_model(home: Path) -> None:
    async with FakeDeepSeek(api_key=KEY, host="deepseek") as server:
        plain_config(home, server.base_url)
        server.push(Reply(content="hello"))
        app = make_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            screen = app.screen
            sidebar = screen.query_one(SettingsSidebar)
            # deepseek-chat is the catalog's default for any host; this one lacks it.
            await wait_for(
                pilot, lambda: notified(app, "does not list deepseek-chat; using deepseek-flash")
            )
            assert sidebar.model == "deepseek-flash"
            assert "deepseek-flash" in screen_text(app)  # the status line says so too
            await pilot.press(*"hi", "enter")
            await wait_for(
                pilot,
                lambda: (a := screen.query(AssistantMessage)) and a.last().state == "complete",
            )
        assert server.chat_requests[0].body["model"] == "deepseek-flash"


async def test_a_chosen_model_is_kept_and_flagged(home: Path) -> None:
    async with FakeDeepSeek(api_key=KEY, host="deepseek") as server:
        plain_config(home, server.base_url, extra='model = "deepseek-chat"\n')
        app = make_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            await wait_for(pilot, lambda: notified(app, "does not list deepseek-chat; pick"))
            assert app.screen.query_one(SettingsSidebar).model == "deepseek-chat"
