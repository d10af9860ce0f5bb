"""The sidebar and the request agree on each model's limits on its host (issue 17,
items 2-4): a value above the model's range is shown with the bound it will be
sent as, goes out as that bound with a note, and the loopback hosts (which
reject what the real ones reject) answer."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Label, Select, Static

from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage

from .conftest import KEY, SIZE, make_app, notified, wait_for


def done(screen: object, n: int) -> bool:
    views = screen.query(AssistantMessage)  # type: ignore[attr-defined]
    return len(views) == n and views.last().state == "complete"


async def test_sidebar_max_tokens_above_max_output_is_sent_as_it(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content="Short answer."))
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: chat.query("#max_tokens"))
        label = chat.query_one("#max_tokens-label", Label)
        assert str(label.render()).startswith("Max tokens (1 to 393,216)")
        chat.query_one("#max_tokens", Input).value = "500000"
        warning = chat.query_one("#max_tokens-error", Static)
        await wait_for(pilot, lambda: warning.display)
        assert str(warning.render()) == "▲ this model takes 1 to 393,216 here; 393,216 is sent"
        chat.query_one("#prompt").focus()
        await pilot.press(*"hello", "enter")
        await wait_for(pilot, lambda: done(chat, 1))
        await wait_for(pilot, lambda: notified(app, "maximum output of 393,216 tokens"))
        assert chat.query(AssistantMessage).last().content == "Short answer."
    assert server.chat_requests[-1].body["max_tokens"] == 393_216


def _two_hosts(home: Path, aggregator: str, reseller: str) -> None:
    """The V3.2 aggregator (the default provider) and the R1 reseller."""
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "config.toml"
    cfg.write_text(
        'provider = "aggregator"\n'
        f'\n[providers.aggregator]\nbase_url = "{aggregator}"\n'
        f'kind = "openai-compatible"\napi_key = "{KEY}"\nmodel = "deepseek-v3.2"\n'
        f'\n[providers.reseller]\nbase_url = "{reseller}"\n'
        f'kind = "openai-compatible"\napi_key = "{KEY}"\nmodel = "deepseek-ai/DeepSeek-R1"\n'
        "\n[network]\nconnect_timeout = 5\nmax_retries = 0\n"
    )
    cfg.chmod(0o600)


async def test_aggregator_temperature_range_and_r1_default_in_the_sidebar(home: Path) -> None:
    async with (
        FakeDeepSeek(api_key=KEY, host="generic") as agg,
        FakeDeepSeek(api_key=KEY, host="r1") as r1,
    ):
        _two_hosts(home, agg.base_url, r1.base_url)
        agg.push(Reply(content="Warm enough."))
        app = make_app()
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            chat = app.screen
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: chat.query("#temperature"))
            label = chat.query_one("#temperature-label", Label)
            assert str(label.render()).startswith("Temperature (0 to 1)")
            chat.query_one("#temperature", Input).value = "1.5"
            warning = chat.query_one("#temperature-error", Static)
            await wait_for(pilot, lambda: warning.display)
            assert str(warning.render()) == "▲ this model takes 0 to 1 here; 1 is sent"
            chat.query_one("#prompt").focus()
            await pilot.press(*"hi", "enter")
            await wait_for(pilot, lambda: done(chat, 1))
            await wait_for(
                pilot, lambda: notified(app, "temperature 1.5 is above this host's maximum of 1")
            )
            assert agg.chat_requests[-1].body["temperature"] == 1.0
            assert "max_tokens" not in agg.chat_requests[-1].body

            # The R1 reseller: an empty Max tokens sends the catalog's default,
            # and the field says which (the host's own 512 would cut the answer).
            await pilot.press("ctrl+n")
            chat.query_one("#provider", Select).value = "reseller"
            await wait_for(pilot, lambda: notified(app, "Provider: reseller"))
            field = chat.query_one("#max_tokens", Input)
            await wait_for(pilot, lambda: field.placeholder == "default 8,192")
            answer = "A long, complete answer. " * 100
            r1.push(Reply(content=answer, reasoning="Thinking. " * 200))
            chat.query_one("#prompt").focus()
            await pilot.press(*"why", "enter")
            await wait_for(pilot, lambda: done(chat, 1))
            assert chat.query(AssistantMessage).last().content == answer
        assert r1.chat_requests[-1].body["max_tokens"] == 8_192
