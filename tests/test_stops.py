"""Stop sequences as typed in the sidebar and on the command line."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from deepseek_tui import stops


def test_one_per_line_with_escapes() -> None:
    text = "END\n\n\\n\\n\n \n###\\tx\nC:\\\\dir\nEND\n\\q\n"
    expected = ("END", "\n\n", " ", "###\tx", "C:\\dir", "\\q")
    assert stops.parse_lines(text) == (expected, None)
    assert stops.parse_lines("") == ((), None)


def test_more_than_deepseek_takes_is_refused() -> None:
    text = "\n".join(f"s{i}" for i in range(17))
    assert stops.parse_lines(text) == ((), "17 stop sequences; DeepSeek takes at most 16")
    assert stops.check(["a", ""]) == "a stop sequence cannot be empty"


@given(st.lists(st.text(min_size=1), max_size=16, unique=True))
def test_shown_sequences_read_back_exactly(sequences: list[str]) -> None:
    shown = stops.show_lines(sequences)
    assert stops.parse_lines(shown) == (tuple(sequences), None)
    assert [stops.decode(stops.encode(s)) for s in sequences] == sequences
