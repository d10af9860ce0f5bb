"""What answers cost, as the user sees it: per answer (tokens, cached tokens,
cost; "cost unknown" where the host billed without saying how much), in the
price table's currency next to the balance in its own, and the 402 message."""

from __future__ import annotations

import json
from pathlib import Path

from deepseek_tui.money import format_cost
from deepseek_tui.testing import Fail, FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage, ErrorBlock
from deepseek_tui.ui.widgets.status import StatusLine

from .conftest import SIZE, configure, make_app, rows, wait_for


def footer(view: AssistantMessage) -> str:
    return str(view.footer.render())


def status(app: object) -> str:
    return str(app.screen.query_one(StatusLine).render())  # type: ignore[attr-defined]


def ended(screen: object, n: int) -> bool:
    views = screen.query(AssistantMessage)  # type: ignore[attr-defined]
    return len(views) == n and views.last().state != "streaming"


async def test_cut_answer_shows_its_cached_tokens_and_cost(
    server: FakeDeepSeek, home: Path
) -> None:
    system = "You answer briefly. " * 60  # a prefix long enough for the cache to hit
    configure(home, server.base_url, extra=f'[generation]\nsystem_prompt = "{system}"\n')
    server.push(Reply(content="First answer."), Reply(content="Cut off", finish_reason="length"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"one", "enter")
        await wait_for(pilot, lambda: ended(screen, 1))
        await pilot.press(*"two", "enter")
        await wait_for(pilot, lambda: ended(screen, 2))
        shown = footer(screen.query(AssistantMessage).last())
    ((usage, cost),) = rows(
        home, "SELECT usage, cost FROM messages WHERE role='assistant' ORDER BY seq DESC LIMIT 1"
    )
    usage = json.loads(usage)
    cached = usage["cache_hit_tokens"]
    assert cached > 0  # the second request repeats the first one's prefix
    share = f"{cached / usage['prompt_tokens']:.0%} cached"
    assert f"{usage['completion_tokens']:,} tokens · ${cost:.6f} · {share}" in shown
    assert "cut off at max_tokens" in shown


async def test_stopped_before_usage_says_cost_unknown(server: FakeDeepSeek, home: Path) -> None:
    server.push(Reply(content="word " * 100, chunk_chars=5, pauses=(6,)))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"go", "enter")
        await wait_for(
            pilot,
            lambda: server.paused and (a := screen.query(AssistantMessage)) and a.first().content,
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: ended(screen, 1))
        assert footer(screen.query_one(AssistantMessage)) == "■ stopped · cost unknown"
    assert rows(home, "SELECT status, usage, cost FROM messages WHERE role='assistant'") == [
        ("stopped", None, None)
    ]
    app = make_app(continue_=True)  # the same when it is opened again
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: ended(app.screen, 1))
        assert footer(app.screen.query_one(AssistantMessage)) == "■ stopped · cost unknown"


CNY_PRICES = """
[[models]]
host = "deepseek"
id = "deepseek-flash"

[[models.prices]]
since = "2026-01-01T00:00:00Z"
currency = "CNY"
off_peak = [0.02, 1, 4]
"""


async def test_cost_in_the_price_tables_currency_beside_the_balance(home: Path) -> None:
    balance = {
        "is_available": True,
        "balance_infos": [{"currency": "CNY", "total_balance": "110.00"}],
    }
    async with FakeDeepSeek(api_key="sk-test-key-0123456789abcd", balance=balance) as server:
        configure(home, server.base_url, extra=CNY_PRICES)
        server.push(Reply(content="Priced in yuan."))
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            screen = app.screen
            await pilot.press(*"hi", "enter")
            await wait_for(pilot, lambda: ended(screen, 1))
            await wait_for(pilot, lambda: "balance ¥110.00" in status(app))
            ((cost,),) = rows(home, "SELECT cost FROM messages WHERE role='assistant'")
            line = status(app)
            shown = format_cost(cost, "CNY")
            assert shown.startswith("¥0.0000")
            assert f"{shown} · balance ¥110.00" in line and "$" not in line
            assert shown in footer(screen.query_one(AssistantMessage))


async def test_402_says_top_up_once_and_shows_the_balance_parts(server: FakeDeepSeek) -> None:
    server.push(Fail(402, message="Insufficient Balance"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: app.screen.query(ErrorBlock))
        block = app.screen.query_one(ErrorBlock)
        said = f"{block.message}\n{block.hint}"
    assert said.lower().count("top up") == 1, said
    assert "balance $7.42 (granted $0.50, topped up $6.92)" in said
