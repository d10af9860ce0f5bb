"""``ask --quote`` and the ``[budget]`` caps end to end: a real subprocess, the
loopback server (its request log proves what was sent) and a real database.

Prices are pinned with a ``[[models]]`` override without peak hours, so the
figures do not depend on the hour the tests run (the peak / off-peak split is
tested in tests/test_quote.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deepseek_tui.quote import estimate_tokens
from deepseek_tui.testing import FakeDeepSeek, Reply

from .conftest import KEY, configure, rows

#: USD per 1M tokens: cache hit, miss, output.
HIT, MISS, OUT = 0.5, 20.0, 100.0
FLAT_PRICE = f"""
[[models]]
host = "deepseek"
id = "deepseek-flash"
prices = [{{ since = "2020-01-01T00:00:00Z", currency = "USD", off_peak = [{HIT}, {MISS}, {OUT}] }}]
"""
FIRST = "Tell me about the prefix cache. " * 40  # long enough for the cache to hit


def price(home: Path, server: FakeDeepSeek, budget: str = "") -> None:
    configure(home, server.base_url, extra=FLAT_PRICE + budget)


def quote(run_cli, *args: str) -> dict:  # type: ignore[no-untyped-def]
    r = run_cli("ask", "--quote", "--json", *args)
    assert r.code == 0, r.stderr
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def test_quote_of_the_second_message_is_the_bill_for_its_prompt(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    price(home, server)
    server.push(Reply(content="Short."))
    first = run_cli("ask", "--json", FIRST)
    assert first.code == 0, first.stderr
    cid = json.loads(first.stdout)["conversation_id"]
    second = "And how long does it keep a prefix?"

    q = quote(run_cli, "--resume", cid, "--max-tokens", "500", second)
    assert len(server.chat_requests) == 1, "a quote sends nothing"
    server.push(Reply(content="Hours."))
    sent = run_cli("ask", "--json", "--resume", cid, "--max-tokens", "500", second)
    assert sent.code == 0, sent.stderr
    usage = json.loads(sent.stdout)["usage"]

    # The cached part is exact (the first request and its answer, as counted);
    # only the new text is estimated.
    assert abs(q["cached_tokens"] + q["new_tokens"] - usage["prompt_tokens"]) <= slack(second)
    bill = (usage["cache_hit_tokens"] * HIT + usage["cache_miss_tokens"] * MISS) / 1e6
    quoted = (q["cached_tokens"] * HIT + q["new_tokens"] * MISS) / 1e6
    # The server caches in 64-token units and only what earlier requests sent
    # (not answers): the quote may count up to 64 + the answer's tokens as hits
    # that it bills as misses, and the new text is an estimate.
    answer = json.loads(first.stdout)["usage"]["completion_tokens"]
    margin = (64 + answer + slack(second)) * (MISS - HIT) / 1e6
    assert abs(quoted - bill) <= margin
    # the answer's range: from the shortest recent answer up to max_tokens
    assert q["answer_tokens"] == [answer, 500]
    low, high = q["cost"]
    assert low == pytest.approx(quoted + answer * OUT / 1e6)
    assert high == pytest.approx(quoted + 500 * OUT / 1e6)
    assert q["currency"] == "USD" and q["other_window"] is None


def slack(text: str) -> int:
    """How far the quote's estimate of ``text`` may be from the loopback
    server's count (4 characters a token; the quote takes 0.3 tokens a
    character), plus the few tokens of message joiners and overhead."""
    return abs(estimate_tokens(text) - len(text) // 4) + 8


def test_quote_prints_the_range_and_sends_nothing(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    price(home, server)
    r = run_cli("ask", "--quote", "--max-tokens", "1000", "What is a prefix cache?")
    assert r.code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("next message to deepseek-flash ≈ $")
    assert "new ≈" in r.stdout and "answer 0–1,000 tokens" in r.stdout
    assert server.chat_requests == []
    assert not (home / "conversations.db").exists() or rows(home, "SELECT * FROM messages") == []


def test_per_message_cap_refuses_before_any_request(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    price(home, server, "\n[budget]\nper_message = 0.01\n")
    server.push(Reply(content="never sent"))
    r = run_cli("ask", "--max-tokens", "1000", "hello")  # up to 1,000 × $100/1M = $0.10
    assert r.code == 1
    assert r.stdout == ""
    (line,) = r.stderr.splitlines()
    assert line.startswith("deepseek-tui: not sent: over the per-message cap of $0.0100:")
    assert "could cost up to $0.10" in line
    assert server.chat_requests == []
    # a smaller max_tokens fits under the cap and is sent
    r = run_cli("ask", "--max-tokens", "50", "hello")
    assert r.code == 0, r.stderr
    assert len(server.chat_requests) == 1


def test_a_cap_holds_by_lowering_max_tokens_for_that_message_only(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    # No max_tokens: the longest answer the model allows would cost about $39,
    # far over the cap; the message goes with the answer the cap has room for.
    price(home, server, "\n[budget]\nper_message = 0.5\n")
    server.push(Reply(content="Fine."))
    r = run_cli("ask", "--json", "hello")
    assert r.code == 0, r.stderr
    (sent,) = server.chat_requests
    limit = sent.body["max_tokens"]
    assert 4_900 < limit < 5_000  # $0.50 / ($100 per 1M) = 5,000, less the prompt's cost
    assert f"note: max_tokens {limit:,} for this message, so that it stays under the " in r.stderr
    assert "per-message cap of $0.5000" in r.stderr
    # the conversation keeps the user's settings, not the cap's limit
    (params,) = [p for (p,) in rows(home, "SELECT params FROM conversations")]
    assert "max_tokens" not in json.loads(params)
    # a max_tokens under what the cap has room for is sent as it is, without a note
    server.push(Reply(content="Fine."))
    r = run_cli("ask", "--max-tokens", "700", "hello")
    assert r.code == 0, r.stderr
    assert server.chat_requests[-1].body["max_tokens"] == 700
    assert "note" not in r.stderr


def test_daily_cap_counts_what_was_spent_today(run_cli, server: FakeDeepSeek, home: Path) -> None:
    # each answer: 400 characters = 100 tokens × $100/1M = $0.01 (plus a little prompt)
    price(home, server, "\n[budget]\ndaily = 0.035\n")
    server.push(Reply(content="x" * 400), Reply(content="x" * 400))
    for _ in range(2):
        r = run_cli("ask", "--max-tokens", "200", "hi")  # up to $0.02 each
        assert r.code == 0, r.stderr
    spent = sum(c for (c,) in rows(home, "SELECT cost FROM messages WHERE role='assistant'"))
    assert 0.02 < spent < 0.03
    r = run_cli("ask", "--max-tokens", "200", "hi")
    assert r.code == 1
    (line,) = r.stderr.splitlines()
    assert line.startswith(
        f"deepseek-tui: not sent: over the daily cap of $0.0350: spent ${spent:.4f} today"
    )
    assert len(server.chat_requests) == 2
    q = quote(run_cli, "--max-tokens", "200", "hi")  # the quote says it would be refused
    assert q["refused"] is not None and "daily cap" in q["refused"]


def test_unknown_price_is_never_blocked(run_cli, home: Path) -> None:
    with FakeDeepSeek(api_key=KEY, models=["deepseek-v9-preview"]).run_in_thread() as server:
        configure(home, server.base_url, extra="\n[budget]\nper_message = 0.000001\n")
        unknown_price_is_never_blocked(run_cli, server)


def unknown_price_is_never_blocked(run_cli, server: FakeDeepSeek) -> None:  # type: ignore[no-untyped-def]
    r = run_cli("ask", "--quote", "--model", "deepseek-v9-preview", "hello")
    assert r.code == 0, r.stderr
    assert r.stdout.splitlines()[0] == "next message to deepseek-v9-preview: price unknown"
    assert "caps do not apply" in r.stderr
    server.push(Reply(content="Hello."))
    r = run_cli("ask", "--model", "deepseek-v9-preview", "hello")
    assert r.code == 0, r.stderr
    assert r.stdout == "Hello.\n"
    assert "deepseek-v9-preview has no known price here; the [budget] caps do not apply" in r.stderr
    assert len(server.chat_requests) == 1
