"""What the next message costs when the prompt cache is lost, from the
shipped catalog's prices; which ids share a cache; the off-peak windows."""

from __future__ import annotations

from datetime import UTC, datetime

from deepseek_tui.cache_cost import reread_cost, shares_cache
from deepseek_tui.models import Catalog
from deepseek_tui.offpeak import window

PEAK = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC
OFF_PEAK = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_a_new_system_prompt_rereads_the_cached_tokens_at_the_miss_price() -> None:
    flash = Catalog.load().lookup("deepseek-flash", "deepseek")
    peak = reread_cost(812_000, cached_by=flash, answered_by=flash, at=PEAK)
    assert peak.text() == "the next message re-reads 812K tokens: ≈ $0.2436 instead of $0.0049"
    off = reread_cost(812_000, cached_by=flash, answered_by=flash, at=OFF_PEAK)
    assert off.text() == "the next message re-reads 812K tokens: ≈ $0.1218 instead of $0.0024"


def test_an_unknown_price_says_the_token_count_only() -> None:
    catalog = Catalog.load()
    flash = catalog.lookup("deepseek-flash", "deepseek")
    local = catalog.lookup("my-local-model", "*")
    cost = reread_cost(4_321, cached_by=flash, answered_by=local, at=PEAK)
    assert cost.text() == "the next message re-reads 4.3K tokens without the cache (price unknown)"


def test_aliases_share_a_cache_other_ids_do_not_unless_the_catalog_says() -> None:
    catalog = Catalog.load()
    flash = catalog.lookup("deepseek-flash", "deepseek")
    assert shares_cache(flash, catalog.lookup("deepseek-v4-flash", "deepseek"))
    assert not shares_cache(flash, catalog.lookup("deepseek-v4-pro", "deepseek"))
    grouped = Catalog.load(
        [
            {"host": "deepseek", "id": "deepseek-flash", "cache_group": "v4"},
            {"host": "deepseek", "id": "deepseek-v4-pro", "cache_group": "v4"},
        ]
    )
    assert shares_cache(
        grouped.lookup("deepseek-flash", "deepseek"), grouped.lookup("deepseek-v4-pro", "deepseek")
    )


def test_the_off_peak_window_opens_after_each_peak_window_and_on_holidays() -> None:
    flash = Catalog.load().lookup("deepseek-flash", "deepseek")
    assert window(flash, PEAK) == (True, True, datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
    early = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
    assert window(flash, early).opens == datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
    assert window(flash, OFF_PEAK) == (True, False, None)
    saturday = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert not window(flash, saturday).peak
    for holiday in ("2026-10-01", "2026-10-07", "2026-09-25", "2026-02-16", "2026-01-02"):
        day = datetime.fromisoformat(holiday).replace(hour=9, tzinfo=UTC)
        assert not window(flash, day).peak, holiday
    the_day_after = datetime(2026, 10, 8, 9, 0, tzinfo=UTC)  # a Thursday back at work
    assert window(flash, the_day_after).peak
    assert window(Catalog.load().lookup("deepseek-chat", "*"), PEAK) == (False, False, None)
