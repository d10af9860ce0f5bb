"""The quote of the next message and the ``[budget]`` caps, UI-free: token
estimates, the cached / new split from stored usage, the peak and off-peak
prices from the shipped catalog, the spending the caps sum from a real
database, and the config lines a bad cap earns."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from deepseek_tui import budget
from deepseek_tui.config import ConfigError, load_settings
from deepseek_tui.models import Catalog
from deepseek_tui.money import format_cost, short_cost
from deepseek_tui.paths import Paths
from deepseek_tui.quote import (
    MESSAGE_OVERHEAD,
    Basis,
    basis,
    estimate_tokens,
    make_quote,
    quote_json,
    quote_lines,
    status_text,
)
from deepseek_tui.store import Store

CATALOG = Catalog.load()
FLASH = CATALOG.lookup("deepseek-flash", "deepseek")
OFF_PEAK = datetime(2026, 10, 10, 12, 0, tzinfo=UTC)  # a Saturday
PEAK = datetime(2026, 10, 12, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing


def test_estimate_counts_cjk_higher_than_latin() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("a" * 100) == 30
    assert estimate_tokens("中" * 100) == 60
    assert estimate_tokens("ab中文") == 2  # 0.6 + 1.2, rounded up
    # deterministic and linear: twice the text, twice the tokens
    assert estimate_tokens("word " * 2000) == 2 * estimate_tokens("word " * 1000)


def test_short_amounts_keep_two_significant_digits() -> None:
    cases = {0.0000362: "0.000036", 0.00311: "0.0031", 0.0123: "0.012", 0.47: "0.47"}
    cases |= {1.25: "1.2", 1.0: "1", 12.3: "12", 0.0: "0"}
    assert {x: short_cost(x) for x in cases} == cases


def store_with(tmp_path: Path, answers: list[dict[str, Any]]) -> tuple[Store, str]:
    store = Store.open(tmp_path / "c.db").store
    c = store.create_conversation(title="t", model="deepseek-flash", params={}, system=None)
    for i, usage in enumerate(answers):
        _, a = store.begin_turn(c.id, user_content=f"q{i}", model="deepseek-flash", params={})
        store.finish_message(
            a.id,
            content="A" * 40,
            reasoning="r" * 20 if usage.get("reasoning_tokens") else None,
            status="complete",
            usage=usage,
            cost=0.001,
        )
    return store, c.id


def usage(
    prompt: int, completion: int, hit: int = 0, reasoning: int | None = None
) -> dict[str, Any]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "cache_hit_tokens": hit,
        "cache_miss_tokens": prompt - hit,
        "reasoning_tokens": reasoning,
    }


def test_basis_takes_the_last_request_and_answer_exactly(tmp_path: Path) -> None:
    store, cid = store_with(
        tmp_path, [usage(100, 30), usage(200, 50, hit=64), usage(900, 120, hit=640, reasoning=20)]
    )
    with store:
        b = basis(store.messages(cid))
    # the last prompt plus the answer as it is sent back (its reasoning is not)
    assert b.cached == 900 + 120 - 20
    assert b.uncounted == 0
    assert b.answers == (30, 50, 120)
    assert b.model == "deepseek-flash"
    assert b.hit_ratio == pytest.approx((64 + 640) / (100 + 200 + 900))


def test_basis_without_usage_estimates_everything(tmp_path: Path) -> None:
    store, cid = store_with(tmp_path, [{}])
    with store:
        b = basis(store.messages(cid), system="Be brief.")
    assert b.cached == 0
    assert (
        b.uncounted
        == (estimate_tokens("Be brief.") + estimate_tokens("q0") + estimate_tokens("A" * 40))
        + 3 * MESSAGE_OVERHEAD
    )
    assert b.hit_ratio is None


def test_quote_prices_cached_new_and_answer_at_this_hour() -> None:
    b = Basis(cached=812_000, answers=(300, 900))
    q = make_quote(b, "x" * 1000, FLASH, PEAK, max_tokens=4000)
    assert (q.cached, q.new) == (812_000, 300 + MESSAGE_OVERHEAD)
    assert (q.answer_low, q.answer_high) == (300, 4000)
    assert q.peak and q.currency == "USD"
    prompt = 812_000 * 0.006 + 304 * 0.30
    assert q.low == pytest.approx((prompt + 300 * 1.20) / 1e6)
    assert q.high == pytest.approx((prompt + 4000 * 1.20) / 1e6)
    # the other window is half price
    assert not q.other_peak
    assert q.other_low == pytest.approx(q.low / 2)
    assert q.other_high == pytest.approx(q.high / 2)
    assert status_text(q) == "next ≈ $0.0053–0.0098 (812K cached) · off-peak $0.0027–0.0049"


def test_quote_off_peak_names_the_peak_price() -> None:
    q = make_quote(Basis(), "hello", FLASH, OFF_PEAK, max_tokens=1000)
    assert not q.peak and q.other_peak
    assert "· peak $" in status_text(q)
    lines = quote_lines(q)
    assert (
        lines[0].startswith("next message to deepseek-flash ≈ $") and "(off-peak price)" in lines[0]
    )
    assert any(line.startswith("peak: ≈ $") for line in lines)


def test_without_max_tokens_the_answer_may_run_to_the_models_maximum() -> None:
    q = make_quote(Basis(), "hello", FLASH, OFF_PEAK)
    assert q.answer_high == FLASH.max_output == 393_216
    assert q.answer_low == 0


def test_another_model_finds_nothing_in_the_cache() -> None:
    b = Basis(cached=50_000, model="deepseek-v4-pro")
    q = make_quote(b, "hi", FLASH, OFF_PEAK, max_tokens=100)
    assert q.cached == 0 and q.new >= 50_000
    alias = make_quote(Basis(cached=50_000, model="deepseek-v4-flash"), "hi", FLASH, OFF_PEAK)
    assert alias.cached == 50_000  # an alias of the same model shares its cache


def test_unknown_price_is_a_quote_that_says_so() -> None:
    spec = CATALOG.lookup("someone-elses-model", "*")
    q = make_quote(Basis(cached=10), "hi", spec, OFF_PEAK)
    assert not q.known
    assert status_text(q) == "next: price unknown"
    assert quote_lines(q)[0] == "next message to someone-elses-model: price unknown"
    assert quote_json(q)["cost"] is None
    caps = budget.Budget(per_message=0.0001, daily=0.0001)
    assert budget.check(caps, q, budget.Spent(100.0, 100.0)).refusal is None
    note = budget.unpriced_note(caps, q)
    assert note is not None and "do not apply" in note


def test_caps_name_the_cap_the_spending_and_the_quote() -> None:
    q = make_quote(Basis(), "hi", FLASH, OFF_PEAK, max_tokens=1000)
    assert q.high is not None
    assert budget.check(budget.Budget(per_message=1.0), q, budget.Spent()).refusal is None
    per = budget.check(budget.Budget(per_message=q.high / 2), q, budget.Spent())
    assert per.cap == "per_message"
    assert per.refusal is not None and "per-message cap" in per.refusal
    daily = budget.check(budget.Budget(daily=0.50), q, budget.Spent(today=0.4999, month=3))
    assert daily.refusal == (
        "over the daily cap of $0.5000: spent $0.4999 today, and this message could cost "
        f"up to {format_cost(q.high)}"
    )
    assert daily.cap == "daily" and "spent $0.4999 today" in (daily.refusal or "")
    monthly = budget.check(budget.Budget(daily=5, monthly=3.0), q, budget.Spent(0.1, 3.0))
    assert monthly.cap == "monthly" and "spent $3.0000 this month" in (monthly.refusal or "")


def test_spent_since_sums_stored_costs_by_local_day(tmp_path: Path) -> None:
    times = iter(
        [
            datetime(2026, 9, 30, 12, tzinfo=UTC),  # conversation
            datetime(2026, 9, 30, 12, tzinfo=UTC),  # last month
            datetime(2026, 9, 30, 12, tzinfo=UTC),
            datetime(2026, 10, 2, 12, tzinfo=UTC),  # this month
            datetime(2026, 10, 2, 12, tzinfo=UTC),
            datetime(2026, 10, 5, 9, tzinfo=UTC),  # today
            datetime(2026, 10, 5, 9, tzinfo=UTC),
        ]
    )
    last = [datetime(2026, 10, 5, 9, tzinfo=UTC)]

    def clock() -> datetime:
        last[0] = next(times, last[0])
        return last[0]

    with Store.open(tmp_path / "c.db", clock=clock).store as store:
        c = store.create_conversation(title="t", model="m", params={}, system=None)
        for cost in (1.0, 0.25, 0.125):
            _, a = store.begin_turn(c.id, user_content="q", model="m", params={})
            store.finish_message(a.id, content="a", reasoning=None, status="complete", cost=cost)
        _, a = store.begin_turn(c.id, user_content="q", model="m", params={})
        store.finish_message(a.id, content="a", reasoning=None, status="complete", cost=None)
        now = datetime(2026, 10, 5, 18, tzinfo=UTC)
        spent = budget.spent(store, now)
        day, month = budget.period_starts(now)
        assert day.astimezone().hour == 0 and month.day == 1
        assert spent.today == pytest.approx(0.125)
        assert spent.month == pytest.approx(0.375)
        assert store.spent_since(now - timedelta(days=365)) == pytest.approx((1.375,))
        assert store.spent_since() == ()


def write(home: Path, text: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    path.chmod(0o600)


def test_budget_config_is_read(home: Path) -> None:
    write(home, "[budget]\nper_message = 0.05\ndaily = 1\nmonthly = 20.5\n")
    s = load_settings(Paths.resolve(), env={})
    assert s.budget == budget.Budget(0.05, 1.0, 20.5)
    assert s.budget.any


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[budget]\ndaily = -1\n", "budget.daily: -1 is not allowed here; expected an amount"),
        ("[budget]\ndaily = 0\n", "budget.daily: 0 is not allowed here"),
        ('[budget]\nmonthly = "5"\n', "budget.monthly: '5' is not allowed here"),
        ("[budget]\nmonthly = true\n", "budget.monthly: True is not allowed here"),
        ("[budget]\nper_mesage = 1\n", "did you mean 'per_message'?"),
        ("budget = 3\n", "budget: must be a table"),
    ],
)
def test_a_bad_cap_is_one_clear_line(home: Path, text: str, expected: str) -> None:
    write(home, text)
    with pytest.raises(ConfigError) as err:
        load_settings(Paths.resolve(), env={})
    message = str(err.value)
    assert "\n" not in message
    assert expected in message
