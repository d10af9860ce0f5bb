"""long_markdown: deterministic, realistic, about the requested size."""

from __future__ import annotations

import re

import pytest

from deepseek_tui.testing import long_markdown


@pytest.mark.parametrize("tokens", [300, 2_000, 20_000])
def test_size_is_about_four_characters_per_token(tokens: int) -> None:
    text = long_markdown(tokens)
    assert tokens * 4 <= len(text) <= tokens * 4 * 1.25 + 600


def test_has_every_kind_of_block() -> None:
    text = long_markdown(2_000)
    assert text.startswith("# ")
    assert re.search(r"^## ", text, re.M)
    assert re.search(r"^- ", text, re.M)
    assert re.search(r"^1\. ", text, re.M)
    assert re.search(r"^```\w+\n", text, re.M)
    assert re.search(r"^\|---\|---:\|---\|$", text, re.M)
    assert re.search(r"^> ", text, re.M)
    assert "`" in text and "**" in text


def test_fences_are_always_closed() -> None:
    for tokens in range(50, 1_500, 37):
        assert long_markdown(tokens).count("```") % 2 == 0


def test_deterministic_per_seed() -> None:
    assert long_markdown(1_000, seed=3) == long_markdown(1_000, seed=3)
    assert long_markdown(1_000, seed=3) != long_markdown(1_000, seed=4)
