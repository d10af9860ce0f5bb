"""Untrusted text is made inert: no escape sequence survives, whole or streamed."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from deepseek_tui.sanitize import StreamSanitizer, clean, has_invisible, json_text, reveal

HOSTILE = [
    "\x1b]52;c;aGVsbG8=\x07",  # OSC 52: write the clipboard
    "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x1b]0;pwned title\x07",  # window title
    "\x1b[2J\x1b[H",  # clear screen, home
    "\x1b[31mred\x1b[0m",  # SGR
    "\x1bP1$qm\x1b\\",  # DCS request
    "\x1b_apc payload\x1b\\",  # APC
    "\x9b31m",  # 8-bit CSI
    "\x9d0;title\x9c",  # 8-bit OSC
    "\x1b7\x1b8\x1bc",  # save/restore cursor, full reset
    "a\rb",  # carriage return overwrite
    "bell\x07 backspace\x08 nul\x00 del\x7f",
]


def test_hostile_corpus_loses_every_control() -> None:
    for text in HOSTILE:
        out = clean(text)
        assert "\x1b" not in out and "\x07" not in out and "\r" not in out
        assert not any(0x80 <= ord(c) <= 0x9F or (ord(c) < 0x20 and c not in "\n\t") for c in out)


def test_visible_text_is_kept() -> None:
    assert clean("\x1b[31mred\x1b[0m") == "red"
    assert clean("\x1b]8;;https://x\x1b\\link\x1b]8;;\x1b\\") == "link"
    assert clean("line one\r\nline two\ttab") == "line one\nline two\ttab"
    assert clean("日本語 — ok ✓") == "日本語 — ok ✓"


def test_reveal_makes_bidi_and_zero_width_visible() -> None:
    tricky = "admin\u202e\u2066txt.exe\u200b"
    assert has_invisible(tricky)
    shown = reveal(tricky)
    assert "⟨RLO⟩" in shown and "⟨LRI⟩" in shown and "⟨ZWSP⟩" in shown
    assert not has_invisible(shown)


_pieces = st.lists(
    st.one_of(
        st.sampled_from(HOSTILE),
        st.text(alphabet=st.characters(max_codepoint=0x3000), max_size=12),
        st.sampled_from(["\x1b", "\x1b[", "\x1b]", "\r", "\n", "\x07", "\x1b\\", "\x9b", "\x9d"]),
    ),
    max_size=20,
)


@settings(max_examples=300, deadline=None)
@given(_pieces, st.data())
def test_stream_sanitizer_matches_whole_text_for_any_split(
    pieces: list[str], data: st.DataObject
) -> None:
    text = "".join(pieces)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=8)))
    fragments = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    s = StreamSanitizer()
    streamed = "".join(s.feed(f) for f in fragments) + s.flush()
    assert "\x1b" not in streamed
    assert streamed == clean(text)


def test_unterminated_osc_is_not_buffered_forever() -> None:
    s = StreamSanitizer()
    out = s.feed("\x1b]52;c;" + "A" * (StreamSanitizer.MAX_PENDING + 10))
    out += s.feed("visible") + s.flush()
    assert "\x1b" not in out
    assert out.endswith("visible")


def test_json_text_escapes_what_a_terminal_would_act_on() -> None:
    value = {"t\x9bitle": ["CSI \x9b31m", "OSC \x9d0;x\x9c", "DEL \x7f", "ok é ✓", "\ud800"]}
    text = json_text(value, indent=2)
    assert not any(0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) <= 0xDFFF for c in text)
    assert "\\u009b" in text and "\\u007f" in text and "ok é ✓" in text
    assert json.loads(text) == value
    text.encode("utf-8")  # no lone surrogate left to fail on


def test_name_bidi_names_only_the_controls_that_reorder_text() -> None:
    from deepseek_tui.sanitize import BIDI_CONTROLS, name_bidi

    assert name_bidi("a\u202eb\u2066c\u2069") == "a⟨RLO⟩b⟨LRI⟩c⟨PDI⟩"
    kept = "\U0001f469\u200d\U0001f4bb \u200f\u200b"
    assert name_bidi(kept) == kept
    assert all(name_bidi(c).startswith("⟨") for c in BIDI_CONTROLS)
    text = json_text({"t": "x\u202ey"})
    assert text == '{"t": "x\\u202ey"}'
    assert json.loads(text) == {"t": "x\u202ey"}
