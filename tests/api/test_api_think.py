"""The inline ``<think>`` splitter: rules, and independence from chunking."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepseek_tui.api import ThinkSplitter, split_think


def reference(text: str) -> tuple[str, str]:
    stripped = text.lstrip()
    if not stripped.startswith("<think>"):
        return "", text
    body = stripped[len("<think>") :]
    end = body.find("</think>")
    if end < 0:
        return body.lstrip(), ""
    return body[:end].lstrip(), body[end + len("</think>") :].lstrip()


def feed_chunks(text: str, cuts: list[int]) -> tuple[str, str]:
    splitter = ThinkSplitter()
    reasoning, content = [], []
    start = 0
    for cut in sorted(cuts) + [len(text)]:
        r, c = splitter.feed(text[start:cut])
        reasoning.append(r)
        content.append(c)
        start = cut
    r, c = splitter.flush()
    return "".join(reasoning) + r, "".join(content) + c


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<think>\nabc\n</think>\n\nHello", ("abc\n", "Hello")),
        ("  \n<think>r</think>c", ("r", "c")),
        ("plain answer", ("", "plain answer")),
        ("  indented answer", ("", "  indented answer")),
        ("Use <think> tags like <think>x</think>", ("", "Use <think> tags like <think>x</think>")),
        ("<think>never closed", ("never closed", "")),
        ("<thi", ("", "<thi")),
        ("  <think", ("", "  <think")),
        ("<think></think>", ("", "")),
        ("<think>a</think>b</think>c", ("a", "b</think>c")),
        ("<think>a<think>b</think>c", ("a<think>b", "c")),
        ("", ("", "")),
    ],
)
def test_rules(text: str, expected: tuple[str, str]) -> None:
    assert split_think(text) == expected
    assert reference(text) == expected


def test_tag_split_at_every_character() -> None:
    text = "<think>\nreason here\n</think>\n\nanswer text"
    for cut in range(len(text) + 1):
        assert feed_chunks(text, [cut]) == ("reason here\n", "answer text")
    one_by_one = list(range(1, len(text)))
    assert feed_chunks(text, one_by_one) == ("reason here\n", "answer text")


def test_passthrough_after_decision() -> None:
    splitter = ThinkSplitter()
    assert splitter.feed("Hello") == ("", "Hello")
    assert splitter.passthrough
    assert splitter.feed("<think>not reasoning</think>") == ("", "<think>not reasoning</think>")


def test_partial_close_tag_is_held_back_only_as_long_as_needed() -> None:
    splitter = ThinkSplitter()
    assert splitter.feed("<think>abc</th") == ("abc", "")
    assert splitter.feed("is is not a tag") == ("</this is not a tag", "")


_pieces = st.sampled_from(
    ["<think>", "</think>", "<", "</", "think", ">", " ", "\n", "a", "b c", "<thi", "nk>", "思"]
)


@st.composite
def think_texts(draw: st.DrawFn) -> str:
    return "".join(draw(st.lists(_pieces | st.text(max_size=4), max_size=14)))


@settings(max_examples=300, deadline=None)
@given(text=think_texts(), data=st.data())
def test_any_chunking_matches_whole_text(text: str, data: st.DataObject) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(text)), max_size=10))
    assert feed_chunks(text, cuts) == reference(text)


@settings(max_examples=150, deadline=None)
@given(
    lead=st.sampled_from(["", " ", "\n", " \n\t"]),
    reasoning=st.text(max_size=20).filter(lambda t: "</think>" not in t),
    content=st.text(max_size=20),
    data=st.data(),
)
def test_well_formed_answers_split_exactly(
    lead: str, reasoning: str, content: str, data: st.DataObject
) -> None:
    text = f"{lead}<think>{reasoning}</think>{content}"
    cuts = data.draw(st.lists(st.integers(0, len(text)), max_size=10))
    assert feed_chunks(text, cuts) == (reasoning.lstrip(), content.lstrip())
