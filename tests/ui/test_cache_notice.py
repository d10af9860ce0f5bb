"""Before the prompt cache is thrown away, the user is told what the next
message costs instead: switching to a model that does not share the cache,
or changing the system prompt. The real app against the loopback server; the
last answer's usage (812K tokens) comes from the server, the prices from the
catalog at the tests' fixed (off-peak) time."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Select, TextArea

from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage
from deepseek_tui.ui.widgets.sidebar import SettingsSidebar

from .conftest import SIZE, make_app, notified, wait_for

BIG = {
    "prompt_tokens": 800_000,
    "completion_tokens": 12_000,
    "total_tokens": 812_000,
    "prompt_cache_hit_tokens": 790_000,
    "prompt_cache_miss_tokens": 10_000,
}
#: Off-peak: deepseek-v4-pro misses at $0.66 per 1M, deepseek-flash hits at $0.003.
TO_PRO = "the next message re-reads 812K tokens: ≈ $0.5359 instead of $0.0024"
#: deepseek-flash itself: misses at $0.15.
NEW_SYSTEM = "the next message re-reads 812K tokens: ≈ $0.1218 instead of $0.0024"


def choose(sidebar: SettingsSidebar, model: str) -> None:
    """Pick ``model`` in the sidebar's list, as the user does."""
    sidebar.query_one("#model", Select).value = model


async def _one_answer(pilot, app) -> tuple[ChatScreen, SettingsSidebar]:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
    screen = app.screen
    await pilot.press(*"hello", "enter")
    await wait_for(
        pilot,
        lambda: (
            screen.query(AssistantMessage)
            and screen.query(AssistantMessage).last().state != "streaming"
            and screen.measured == 812_000
        ),
    )
    sidebar = screen.query_one(SettingsSidebar)
    await pilot.press("ctrl+s")  # the sidebar's fields are built when first shown
    await wait_for(pilot, lambda: sidebar.query("#system"))
    return screen, sidebar


async def test_switching_to_a_model_without_the_cache_says_what_it_costs(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply("Hi.", usage=BIG))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        _, sidebar = await _one_answer(pilot, app)
        choose(sidebar, "deepseek-v4-pro")
        await wait_for(pilot, lambda: notified(app, TO_PRO))
        assert notified(app, "Model deepseek-v4-pro does not share deepseek-flash's prompt cache")
        app.clear_notifications()
        choose(sidebar, "deepseek-v4-flash")  # an alias of deepseek-flash: same cache
        await pilot.pause()
        choose(sidebar, "deepseek-flash")
        await pilot.pause()
        assert not app._notifications


async def test_a_new_system_prompt_says_what_the_next_message_costs_once(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply("Hi.", usage=BIG))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        _, sidebar = await _one_answer(pilot, app)
        system = sidebar.query_one("#system", TextArea)
        system.insert("Be terse.")
        await wait_for(pilot, lambda: notified(app, NEW_SYSTEM))
        assert notified(app, "A new system prompt empties the prompt cache")
        app.clear_notifications()
        system.insert(" Very.")  # typing on: said once, not per keystroke
        await pilot.pause()
        assert not app._notifications


async def test_nothing_is_said_before_anything_was_cached(server: FakeDeepSeek) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        sidebar = app.screen.query_one(SettingsSidebar)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: sidebar.query("#system"))
        choose(sidebar, "deepseek-v4-pro")
        await pilot.pause()
        assert not any("re-reads" in n.message for n in app._notifications)


async def test_editing_the_last_prompt_says_the_conversation_before_it_stays_cached(
    server: FakeDeepSeek,
) -> None:
    server.push(Reply("Hi.", usage=BIG), Reply("Again."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await _one_answer(pilot, app)
        screen.prompt.focus()
        await pilot.press(*"second", "enter")
        await wait_for(
            pilot,
            lambda: (
                len(screen.query(AssistantMessage)) == 2
                and screen.query(AssistantMessage).last().state == "complete"
            ),
        )
        await pilot.press("f4")
        await wait_for(pilot, lambda: notified(app, "Editing your last message"))
        assert notified(app, "The 812K tokens before it stay in DeepSeek's prompt cache.")
