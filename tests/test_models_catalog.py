"""The model catalog: lookups by host, retirement, thinking, prices by the hour."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from deepseek_tui.api import Usage
from deepseek_tui.models import Catalog, CatalogError


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_todays_deepseek_default_is_flash_with_thinking(catalog: Catalog) -> None:
    model = catalog.default_model("deepseek")
    spec = catalog.lookup(model, "deepseek")
    assert model == "deepseek-flash"
    assert spec.thinking == "switchable" and spec.thinks(None)
    assert spec.effort(None) == "high"
    assert spec.context == 1_000_000
    assert spec.passback == "v4"


def test_legacy_v4_ids_are_aliases(catalog: Catalog) -> None:
    assert (
        catalog.lookup("deepseek-v4-flash", "deepseek").label
        == catalog.lookup("deepseek-flash", "deepseek").label
    )


def test_old_ids_retired_on_deepseek_alive_elsewhere(catalog: Catalog) -> None:
    after = datetime(2026, 8, 1, tzinfo=UTC)
    before = datetime(2026, 7, 24, 15, 0, tzinfo=UTC)
    chat = catalog.lookup("deepseek-chat", "deepseek")
    reasoner = catalog.lookup("deepseek-reasoner", "deepseek")
    assert chat.is_retired(after) and not chat.is_retired(before)
    assert chat.retirement_message() == (
        "deepseek-chat was retired on 2026-07-24; use deepseek-flash with thinking off"
    )
    assert reasoner.retirement_message().endswith("use deepseek-flash with thinking on")
    assert not catalog.lookup("deepseek-chat", "*").is_retired(after)
    assert catalog.lookup("deepseek-reasoner", "*").thinks(None)
    assert "deepseek-chat" not in catalog.ids("deepseek")
    assert "deepseek-chat" in catalog.ids("*")


@pytest.mark.parametrize(
    "model_id", ["deepseek-ai/DeepSeek-R1", "DeepSeek-R1-0528", "Pro/deepseek-ai/deepseek-r1"]
)
def test_r1_style_ids_never_get_reasoning_back(catalog: Catalog, model_id: str) -> None:
    spec = catalog.lookup(model_id, "*")
    assert spec.id == model_id
    assert spec.passback == "never" and spec.thinks(False), "R1 always thinks"
    assert "temperature" in spec.ignored(True)


def test_unknown_ids_get_visible_safe_defaults(catalog: Catalog) -> None:
    elsewhere = catalog.lookup("qwen-something", "*")
    assert not elsewhere.known and elsewhere.passback == "never" and elsewhere.thinking == "off"
    new_on_deepseek = catalog.lookup("deepseek-v5-preview", "deepseek")
    assert not new_on_deepseek.known and new_on_deepseek.passback == "v4"


def test_sampling_params_are_ignored_only_when_thinking(catalog: Catalog) -> None:
    spec = catalog.lookup("deepseek-flash", "deepseek")
    assert {"temperature", "top_p", "logprobs"} <= spec.ignored(True)
    assert spec.ignored(False) == frozenset()


def test_peak_and_off_peak_prices(catalog: Catalog) -> None:
    spec = catalog.lookup("deepseek-flash", "deepseek")
    thursday_peak = datetime(2026, 11, 26, 2, 30, tzinfo=UTC)
    thursday_gap = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)
    saturday = datetime(2026, 11, 28, 2, 30, tzinfo=UTC)
    assert spec.price_at(thursday_peak).peak  # type: ignore[union-attr]
    assert not spec.price_at(thursday_gap).peak  # type: ignore[union-attr]
    assert not spec.price_at(saturday).peak  # type: ignore[union-attr]
    usage = Usage(
        1_000_000, 1_000_000, 2_000_000, cache_hit_tokens=400_000, cache_miss_tokens=600_000
    )
    # off-peak 0.003 / 0.15 / 0.60 per 1M: 0.4*0.003 + 0.6*0.15 + 1*0.60
    assert spec.cost(usage, saturday) == pytest.approx(0.0012 + 0.09 + 0.60)
    assert spec.cost(usage, thursday_peak) == pytest.approx(2 * (0.0012 + 0.09 + 0.60))
    # Before 2026-09-10 the older single rate applies.
    assert spec.cost(usage, datetime(2026, 8, 1, tzinfo=UTC)) == pytest.approx(
        0.4 * 0.0028 + 0.6 * 0.14 + 0.28
    )


def test_missing_cache_split_counts_prompt_as_miss(catalog: Catalog) -> None:
    spec = catalog.lookup("deepseek-v4-pro", "deepseek")
    at = datetime(2026, 11, 28, tzinfo=UTC)
    assert spec.cost(Usage(1_000_000, 0, 1_000_000), at) == pytest.approx(0.66)
    assert catalog.lookup("deepseek-chat", "*").cost(Usage(10, 10, 20), at) is None


def test_user_overrides_and_additions() -> None:
    catalog = Catalog.load(
        [
            {"host": "deepseek", "id": "deepseek-flash", "context": 500_000},
            {"id": "my-distill", "thinking": "on", "passback": "never", "context": 32_000},
        ]
    )
    assert catalog.lookup("deepseek-flash", "deepseek").context == 500_000
    assert catalog.lookup("deepseek-flash", "deepseek").thinking == "switchable"
    mine = catalog.lookup("my-distill", "*")
    assert mine.known and mine.thinks(None) and mine.context == 32_000


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"id": "x", "thinking": "sometimes"}, "thinking must be"),
        ({"id": "x", "passback": "always"}, "passback must be"),
        ({"id": "x", "context": -1}, "positive whole number"),
        ({"id": "x", "colour": "red"}, "unknown field 'colour'"),
        ({"label": "no id"}, "needs an id"),
        ({"id": "x", "prices": [{"off_peak": [1, 2]}]}, "cache_hit, cache_miss, output"),
        ({"id": "x", "retired": "someday"}, "ISO 8601"),
        ({"id": "x", "default_max_tokens": 0}, "positive whole number"),
        ({"id": "x", "max_output": 8, "default_max_tokens": 9}, "above max_output"),
        ({"id": "x", "ranges": [0, 1]}, "ranges must be a table"),
        ({"id": "x", "ranges": {"temperature": [0, 3]}}, r"within 0 to 2"),
        ({"id": "x", "ranges": {"temperature": [1, 0]}}, r"\[low, high\]"),
        ({"id": "x", "ranges": {"max_tokens": [1, 9]}}, "not a ranged parameter"),
    ],
)
def test_bad_override_is_a_clear_error(entry: dict[str, object], message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        Catalog.load([entry])


def test_catalog_markdown_table(catalog: Catalog) -> None:
    from deepseek_tui.models import catalog_markdown

    lines = catalog_markdown(catalog).splitlines()
    assert lines[0].startswith(
        "| Model id | Host | Aliases | Context | Max output | Sent when unset | Ranges | Thinking |"
    )
    assert all(line.count("|") == lines[0].count("|") for line in lines), "one cell per column"
    flash = next(line for line in lines if line.startswith("| `deepseek-flash` |"))
    assert "| DeepSeek API | `deepseek-v4-flash`, `deepseek-v4-flash-vision-exp` | 1M | 384K |" in (
        flash
    )
    assert "$0.003 / $0.15 / $0.6 | $0.006 / $0.3 / $1.2 |" in flash
    chat = next(line for line in lines if line.startswith("| `deepseek-chat` | DeepSeek API"))
    assert chat.endswith("| 2026-07-24 → `deepseek-flash` (thinking off) |")
    r1 = next(line for line in lines if line.startswith("| `*deepseek-r1*` (pattern) |"))
    assert "| 64K | 8K | max_tokens 8K | — | on |" in r1
    v32 = next(line for line in lines if line.startswith("| `deepseek-v3.2` | other hosts |"))
    assert "| temperature 0–1 |" in v32
    assert len(lines) == 2 + len(catalog.entries)


def test_models_that_take_images_or_files(catalog: Catalog) -> None:
    assert catalog.ids_with("images", "deepseek") == ["deepseek-flash"]
    assert catalog.ids_with("files", "deepseek") == []
    assert catalog.ids_with("files", "*") == ["deepseek-v3.2"]


def test_max_output_is_the_hosts_max_tokens_range(catalog: Catalog) -> None:
    """DeepSeek's API: "the valid range of max_tokens is [1, 393216]" for every
    V4 id, known or not; the R1 reseller and V3.x hosts: 8192."""
    for model in ("deepseek-flash", "deepseek-v4-flash", "deepseek-v4-pro", "deepseek-v9"):
        assert catalog.lookup(model, "deepseek").max_output == 393_216
    assert catalog.lookup("deepseek-ai/DeepSeek-R1", "*").max_output == 8_192
    assert catalog.lookup("deepseek-chat", "*").max_output == 8_192


def test_default_max_tokens_and_ranges_per_host_and_model(catalog: Catalog) -> None:
    r1 = catalog.lookup("deepseek-ai/DeepSeek-R1", "*")
    assert r1.default_max_tokens == 8_192, "the reseller's own default (512) cuts answers"
    assert catalog.lookup("deepseek-flash", "deepseek").default_max_tokens is None
    v32 = catalog.lookup("deepseek-v3.2", "*")
    assert v32.range_of("temperature") == (("temperature", 0.0, 1.0))
    assert v32.range_of("top_p") is None
    assert catalog.lookup("deepseek-flash", "deepseek").ranges == ()
    mine = Catalog.load(
        [{"host": "*", "id": "deepseek-v3.2", "ranges": {"temperature": [0, 0.8]}}]
    ).lookup("deepseek-v3.2", "*")
    assert mine.range_of("temperature") == ("temperature", 0.0, 0.8)
    assert mine.images, "an override keeps the shipped entry's other fields"


def test_chinese_public_holidays_are_off_peak_in_the_shipped_prices() -> None:
    """DeepSeek's peak hours exclude Chinese public holidays (wire reference §2.1)."""
    spec = Catalog.load().lookup("deepseek-flash", "deepseek")

    def at(day: int) -> datetime:  # 02:30 UTC: inside a peak window on weekdays
        return datetime(2026, 10, day, 2, 30, tzinfo=UTC)

    assert not spec.price_at(at(5)).peak  # Monday of the National Day week
    assert not spec.price_at(at(7)).peak  # its last day
    assert spec.price_at(at(8)).peak  # Thursday after it: peak again
    mid_autumn = datetime(2026, 9, 25, 7, 0, tzinfo=UTC)  # a Friday, Mid-Autumn Festival
    assert spec.price_at(mid_autumn) == spec.price_at(datetime(2026, 9, 26, 7, 0, tzinfo=UTC))
    assert spec.cost(Usage(prompt_tokens=1_000_000, cache_miss_tokens=1_000_000), at(5)) == 0.15


def test_holiday_ranges_are_checked() -> None:
    def schedule(holidays: list[str]) -> dict[str, object]:
        return {"peak_schedules": {"x": {"days": ["mon"], "windows": [], "holidays": holidays}}}

    assert Catalog.from_data(schedule(["2026-01-01..2026-01-03", "2026-05-01"])) is not None
    for bad in (["2026-13-01"], ["2026-01-03..2026-01-01"], ["next friday"]):
        with pytest.raises(CatalogError, match="holiday"):
            Catalog.from_data(schedule(bad))
