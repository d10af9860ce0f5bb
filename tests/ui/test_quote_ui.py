"""Money in the TUI before it is spent: the quote in the status line while the
user types (and the cache-hit ratio when the prompt is empty), the ``[budget]``
caps refusing a send before any request with an offer to send it anyway once,
and one budget shared with ``ask`` — against the loopback server and a real
database. Prices are pinned by a ``[[models]]`` override without peak hours."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from deepseek_tui.money import short_cost
from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.screens.confirm import ConfirmScreen
from deepseek_tui.ui.widgets.message import AssistantMessage
from deepseek_tui.ui.widgets.status import StatusLine

from .conftest import SIZE, configure, make_app, rows, screen_text, wait_for

HIT, MISS, OUT = 0.5, 20.0, 100.0
FLAT_PRICE = f"""
[[models]]
host = "deepseek"
id = "deepseek-flash"
prices = [{{ since = "2020-01-01T00:00:00Z", currency = "USD", off_peak = [{HIT}, {MISS}, {OUT}] }}]
"""
FIRST = "Tell me about the prefix cache. " * 40


def status(app: Any) -> str:
    return str(app.screen.query_one(StatusLine).render())


def dialog(app: Any) -> str:
    """The confirm dialog's text as shown (it wraps on screen)."""
    return " ".join(str(w.render()) for w in app.screen.query(".dialog-text"))


def ended(screen: Any, n: int) -> bool:
    views = screen.query(AssistantMessage)
    return len(views) == n and views.last().state != "streaming"


async def test_status_line_quotes_the_typed_message_as_the_server_then_bills_it(
    server: FakeDeepSeek, home: Path
) -> None:
    configure(home, server.base_url, extra="[generation]\nmax_tokens = 500\n" + FLAT_PRICE)
    server.push(Reply(content="Short."), Reply(content="Hours."))
    second = "And how long does it keep a prefix?"
    app = make_app()
    async with app.run_test(size=(160, 32)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        screen.prompt.load_text(FIRST)
        await pilot.press("enter")
        await wait_for(pilot, lambda: ended(screen, 1))
        await wait_for(pilot, lambda: screen.cost is not None)
        assert "cached" not in status(app)  # the first request had nothing to hit
        await pilot.press(*second)
        q = await screen.quote.quote(second)
        assert q.low is not None and q.high is not None
        expected = f"next ≈ ${short_cost(q.low)}–{short_cost(q.high)} ("
        # once typing pauses, the whole text's quote (a pause mid-word quotes a part)
        await wait_for(pilot, lambda: screen.quote.shown.startswith(expected))
        assert screen.quote.shown in status(app)
        assert "cached)" in screen.quote.shown  # the first request and its answer
        assert len(server.chat_requests) == 1, "typing sends nothing"
        await pilot.press("enter")
        await wait_for(pilot, lambda: ended(screen, 2))
        await wait_for(
            pilot, lambda: "next" not in status(app) and " · 0% cached" not in status(app)
        )
        shown_after = status(app)
    (usage,) = rows(home, "SELECT usage FROM messages WHERE role='assistant' ORDER BY seq DESC")[0]
    usage = json.loads(usage)
    bill = (usage["cache_hit_tokens"] * HIT + usage["cache_miss_tokens"] * MISS) / 1e6
    quoted = (q.cached * HIT + q.new * MISS) / 1e6
    # within the loopback server's 64-token cache unit, the answer it does not
    # cache, and the estimate of the new text (see tests/cli/test_ask_money.py)
    assert abs(quoted - bill) <= (64 + 2 + 16) * (MISS - HIT) / 1e6
    assert abs(q.cached + q.new - usage["prompt_tokens"]) <= 16
    all_usage = [
        json.loads(u) for (u,) in rows(home, "SELECT usage FROM messages WHERE usage IS NOT NULL")
    ]
    hits = sum(u["cache_hit_tokens"] for u in all_usage)
    prompts = sum(u["prompt_tokens"] for u in all_usage)
    assert hits > 0
    assert f" · {hits / prompts:.0%} cached" in shown_after


async def test_a_cap_refuses_before_any_request_and_send_anyway_sends_one(
    server: FakeDeepSeek, home: Path
) -> None:
    budget = "[generation]\nmax_tokens = 1000\n" + FLAT_PRICE + "\n[budget]\nper_message = 0.01\n"
    configure(home, server.base_url, extra=budget)
    server.push(Reply(content="Sent anyway."), Reply(content="never"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"hello", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert (
            "Not sent: over the per-message cap of $0.0100: this message could cost up to $0.10"
            in dialog(app)
        )
        assert server.chat_requests == []
        await pilot.press("enter")  # a reflexive Enter spends nothing: Cancel has the focus
        await wait_for(pilot, lambda: app.screen is screen and screen.prompt.text == "hello")
        assert server.chat_requests == []
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("shift+tab", "enter")  # Send anyway
        await wait_for(pilot, lambda: ended(screen, 1))
        assert len(server.chat_requests) == 1
        assert "Sent anyway." in screen_text(app)
        # only that one: the next message is refused again
        await pilot.press(*"again", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen and screen.prompt.text == "again")
        assert len(server.chat_requests) == 1
    assert [c for (c,) in rows(home, "SELECT count(*) FROM messages WHERE role='assistant'")] == [1]


async def test_daily_cap_sums_ask_and_tui_spending(
    server: FakeDeepSeek, home: Path, run_cli: Any
) -> None:
    # each answer: 400 characters = 100 tokens at $100/1M = $0.01; a quote up to $0.02
    extra = "[generation]\nmax_tokens = 200\n" + FLAT_PRICE + "\n[budget]\ndaily = 0.035\n"
    configure(home, server.base_url, extra=extra)
    server.push(Reply(content="x" * 400), Reply(content="y" * 400), Reply(content="never"))
    r = await asyncio.to_thread(run_cli, "ask", "from ask")
    assert r.code == 0, r.stderr
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"from the TUI", "enter")  # $0.01 spent + up to $0.02: sent
        await wait_for(pilot, lambda: ended(screen, 1))
        assert len(server.chat_requests) == 2
        await pilot.press(*"third", "enter")  # $0.02 spent + up to $0.02: refused
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        spent = sum(c for (c,) in rows(home, "SELECT cost FROM messages WHERE role='assistant'"))
        assert 0.02 < spent < 0.025
        assert f"over the daily cap of $0.0350: spent ${spent:.4f} today" in dialog(app)
        assert len(server.chat_requests) == 2
        await pilot.press("escape")
    # and ask sees the TUI's spending too
    r = await asyncio.to_thread(run_cli, "ask", "from ask again")
    assert r.code == 1
    assert f"spent ${spent:.4f} today" in r.stderr
    assert len(server.chat_requests) == 2


async def test_unknown_price_shows_price_unknown_and_is_never_blocked(home: Path) -> None:
    async with FakeDeepSeek(api_key="sk-test-key-0123456789abcd", models=["mystery-1"]) as srv:
        configure(home, srv.base_url, extra="\n[budget]\nper_message = 0.000001\n")
        config = home / "config.toml"  # a top-level key goes before the tables
        config.write_text('model = "mystery-1"\n' + config.read_text())
        srv.push(Reply(content="Answered."))
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            screen = app.screen
            await pilot.press(*"hello")
            await wait_for(pilot, lambda: "next: price unknown" in status(app))
            await pilot.press("enter")
            await wait_for(pilot, lambda: ended(screen, 1))
            assert len(srv.chat_requests) == 1
            assert "Answered." in screen_text(app)
            assert any(
                "caps do not apply" in n.message
                for n in app._notifications  # type: ignore[attr-defined]
            )


async def test_a_message_typed_while_an_answer_streams_is_checked_when_queued(
    server: FakeDeepSeek, home: Path
) -> None:
    budget = "[generation]\nmax_tokens = 1000\n" + FLAT_PRICE + "\n[budget]\nper_message = 0.01\n"
    configure(home, server.base_url, extra=budget)
    server.push(Reply(content="first " * 20, chunk_chars=6, pauses=(3,)), Reply(content="Second."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"one", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("shift+tab", "enter")  # send the first anyway
        await wait_for(pilot, lambda: server.paused)  # it streams, held mid-answer
        await pilot.press(*"two", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "per-message cap" in dialog(app)
        await pilot.press("shift+tab", "enter")  # queued behind the answer streaming
        await wait_for(pilot, lambda: app.screen is screen)
        assert len(server.chat_requests) == 1
        server.resume()
        await wait_for(pilot, lambda: ended(screen, 2))
        assert len(server.chat_requests) == 2
        assert server.chat_requests[-1].body["messages"][-1]["content"] == "two"


async def test_a_cap_holds_by_lowering_max_tokens_for_that_message(
    server: FakeDeepSeek, home: Path
) -> None:
    # No max_tokens: the longest answer allowed would cost about $39; the cap
    # of $0.50 leaves room for about 5,000 answer tokens, and the message goes
    # with that limit instead of being refused.
    configure(home, server.base_url, extra=FLAT_PRICE + "\n[budget]\nper_message = 0.5\n")
    server.push(Reply(content="Within the cap."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"hello", "enter")
        await wait_for(pilot, lambda: ended(screen, 1))
        assert not isinstance(app.screen, ConfirmScreen)
        (sent,) = server.chat_requests
        limit = sent.body["max_tokens"]
        assert 4_900 < limit < 5_000
        shown = [n.message for n in app._notifications]
        assert any(
            f"max_tokens {limit:,} for this message, so that it stays under the per-message cap"
            in m
            for m in shown
        ), shown
        assert "Within the cap." in screen_text(app)
    (params,) = [p for (p,) in rows(home, "SELECT params FROM conversations")]
    assert "max_tokens" not in json.loads(params)
