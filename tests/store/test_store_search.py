"""Full-text search over titles and message text: matches, index upkeep, hostile input."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deepseek_tui.store import Store
from deepseek_tui.store._search import plan


def ids(store: Store, query: str) -> list[str]:
    return [s.id for s in store.list_conversations(search=query)]


@pytest.fixture
def filled(store: Store) -> dict[str, str]:
    """Three conversations; returns their ids by name."""
    made = {}
    weather = store.create_conversation(title="Weather in Bergen")
    store.begin_turn(weather.id, user_content="Does it rain a lot?", model="m", params={})
    made["weather"] = weather.id
    bread = store.create_conversation()
    _, a = store.begin_turn(bread.id, user_content="How to bake bread", model="m", params={})
    store.finish_message(
        a.id, content="Sourdough needs a starter and time.", reasoning=None, status="complete"
    )
    made["bread"] = bread.id
    cafe = store.create_conversation(title="Café ideas")
    store.begin_turn(cafe.id, user_content="naïve latte art (with foam)", model="m", params={})
    made["cafe"] = cafe.id
    return made


def test_matches_titles_and_message_text(store: Store, filled: dict[str, str]) -> None:
    assert ids(store, "bergen") == [filled["weather"]]  # title only
    assert ids(store, "rain") == [filled["weather"]]  # user message
    assert ids(store, "SOURDOUGH") == [filled["bread"]]  # assistant message, any case
    assert ids(store, "zeppelin") == []


def test_all_terms_must_match_and_the_last_is_a_prefix(store: Store, filled: dict) -> None:
    assert ids(store, "sourdough starter") == [filled["bread"]]
    assert ids(store, "sourdough rain") == []
    assert ids(store, "sourd") == [filled["bread"]]  # still typing
    assert ids(store, "sourd starter") == []  # only the last term is a prefix


def test_diacritics_are_folded(store: Store, filled: dict[str, str]) -> None:
    assert ids(store, "cafe") == [filled["cafe"]]
    assert ids(store, "naive") == [filled["cafe"]]
    assert ids(store, "Café") == [filled["cafe"]]


def test_results_are_newest_first_and_limited(store: Store) -> None:
    made = [store.create_conversation(title=f"topic {i}").id for i in range(5)]
    assert ids(store, "topic") == made[::-1]
    assert [s.id for s in store.list_conversations(search="topic", limit=2)] == made[:2:-1][:2]
    result = store.list_conversations(search="topic")[0]
    assert result.title == "topic 4" and result.message_count == 0


def test_operators_are_taken_literally(store: Store, filled: dict[str, str]) -> None:
    or_conv = store.create_conversation(title="either OR neither")
    assert ids(store, "rain OR sourdough") == []  # OR is a word here, not an operator
    assert ids(store, "either OR") == [or_conv.id]
    assert ids(store, "(with") == [filled["cafe"]]
    assert ids(store, '"latte art"') == [filled["cafe"]]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        '"unbalanced',
        "AND",
        "OR",
        "NOT",
        "a AND",
        "NEAR(",
        "NEAR(a b",
        "*",
        "**",
        "rain*",
        "^rain",
        "title:rain",
        "content:x",
        "{title}: rain",
        "-rain",
        "+",
        "(",
        ")",
        "'",
        "\\",
        "%",
        "_",
        "\x00",
        "rain\x00",
        "日本語",
        "🙂",
        "ß",
        "\u202e",
        " ",
        "",
        "x" * 10_000,
        " ".join(["w"] * 500),
    ],
)
def test_hostile_queries_do_not_crash(store: Store, filled: dict[str, str], query: str) -> None:
    result = store.list_conversations(search=query)
    assert isinstance(result, list)


def test_punctuation_only_matches_nothing(store: Store, filled: dict[str, str]) -> None:
    for query in ("*", '"', "()", "---", "\x00"):
        assert ids(store, query) == []


def test_blank_search_lists_everything(store: Store, filled: dict[str, str]) -> None:
    assert ids(store, "") == ids(store, "  \t") == [s.id for s in store.list_conversations()]
    assert len(ids(store, "")) == 3


def test_cjk_text_is_found_by_substring(store: Store) -> None:
    zh = store.create_conversation()
    store.begin_turn(zh.id, user_content="请解释一下量子计算的基本原理", model="m", params={})
    ja = store.create_conversation(title="東京の天気")
    odd = store.create_conversation(title="東京 100x sureXthing")
    assert ids(store, "量子计算") == [zh.id]
    assert ids(store, "计算 原理") == [zh.id]
    assert ids(store, "天気") == [ja.id]
    assert ids(store, "天気 量子") == []
    assert ids(store, "東京") == [odd.id, ja.id]
    assert ids(store, "100x 東京") == [odd.id]
    # LIKE wildcards in a CJK query are literal.
    assert ids(store, "100% 東京") == []
    assert ids(store, "sure_thing 東京") == []


def test_index_follows_edits_renames_and_deletes(store: Store, db_path: Path) -> None:
    conv = store.create_conversation(title="alpha")
    _, a = store.begin_turn(conv.id, user_content="first words", model="m", params={})
    store.checkpoint(a.id, "streaming partial", None)
    assert ids(store, "streaming") == [conv.id]  # partial answers are searchable
    store.finish_message(a.id, content="final answer", reasoning=None, status="complete")
    assert ids(store, "streaming") == []
    assert ids(store, "final") == [conv.id]

    store.rename(conv.id, "beta")
    assert ids(store, "alpha") == []
    assert ids(store, "beta") == [conv.id]

    store.delete_message(a.id)
    assert ids(store, "final") == []
    store.delete_conversation(conv.id)
    assert ids(store, "beta") == [] and ids(store, "first") == []

    with sqlite3.connect(db_path) as raw:
        raw.execute("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")
        assert raw.execute("SELECT count(*) FROM conversations_fts").fetchone() == (0,)


def test_plan_quotes_every_term() -> None:
    assert plan("foo bar").match == '"foo" "bar"*'
    assert plan('say "hi"').match == '"say" """hi"""*'
    assert plan("* ( )").empty
    assert plan("天気").like == ("%天気%",)
    assert plan("天 100%").like == ("%天%", "%100\\%%")


def test_any_query_is_safe(store: Store, filled: dict[str, str]) -> None:
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.text(max_size=80))
    def check(query: str) -> None:
        assert isinstance(store.list_conversations(search=query), list)

    check()


def test_any_stored_word_is_found(store: Store) -> None:
    words = st.text(alphabet=st.characters(categories=("Lu", "Ll", "Nd")), min_size=1, max_size=12)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(title=st.text(max_size=100), word=words)
    def check(title: str, word: str) -> None:
        conv = store.create_conversation(title=title)
        store.begin_turn(conv.id, user_content=f"before {word} after", model="m", params={})
        assert conv.id in ids(store, word)
        expected = title.strip() or f"before {word} after"
        assert store.get_conversation(conv.id).title == expected

    check()
