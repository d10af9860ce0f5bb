"""The incremental SSE decoder: framing, line endings, comments, caps, chunking."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepseek_tui.api import Comment, SSEDecoder, StreamError


def decode_all(data: bytes, cuts: list[int] | None = None, max_line: int = 1 << 20) -> list:
    decoder = SSEDecoder(max_line)
    out: list = []
    start = 0
    for cut in sorted(cuts or []):
        out += decoder.feed(data[start:cut])
        start = cut
    out += decoder.feed(data[start:])
    out += decoder.close()
    return out


def reference(data: bytes) -> list:
    """A slow, obviously-correct decoder to compare against."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    out: list = []
    buf: list[str] = []
    for line in re.split(rb"\r\n|\r|\n", data) + [b""]:
        text = line.decode("utf-8", "replace")
        if text == "":
            if buf:
                out.append("\n".join(buf))
                buf = []
        elif text.startswith(":"):
            out.append(Comment(text[1:].strip()))
        else:
            name, colon, value = text.partition(":")
            if name == "data":
                if colon and value.startswith(" "):
                    value = value[1:]
                buf.append(value)
    return out


def test_basic_events_and_done() -> None:
    data = b'data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n'
    assert decode_all(data) == ['{"a":1}', '{"b":2}', "[DONE]"]


def test_data_without_space_and_multiline() -> None:
    data = b"data:x\ndata: y\ndata\n\n"
    assert decode_all(data) == ["x\ny\n"]


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_every_line_ending(eol: bytes) -> None:
    data = b"data: one" + eol + eol + b": keep-alive" + eol + eol + b"data: two" + eol + eol
    assert decode_all(data) == ["one", Comment("keep-alive"), "two"]


def test_crlf_split_across_chunks_is_one_line_end() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\n\r") == ["a"]
    assert decoder.feed(b"\ndata: b\r\n\r\n") == ["b"]


def test_comments_are_reported_and_unknown_fields_ignored() -> None:
    data = b": keep-alive\n\nevent: message\nid: 7\nretry: 10\nfoo: bar\ndata: x\n\n"
    assert decode_all(data) == [Comment("keep-alive"), "x"]


def test_event_without_data_is_not_dispatched() -> None:
    assert decode_all(b"event: ping\n\n\n\n") == []


def test_utf8_split_inside_a_character() -> None:
    data = 'data: {"content":"思考 ✓ 🎉"}\n\n'.encode()
    for cut in range(1, len(data)):
        assert decode_all(data, [cut]) == ['{"content":"思考 ✓ 🎉"}']


def test_invalid_utf8_is_replaced_not_raised() -> None:
    assert decode_all(b"data: \xff\xfe\n\n") == ["\ufffd\ufffd"]


def test_bom_is_skipped_even_when_split() -> None:
    assert decode_all(b"\xef\xbb\xbfdata: x\n\n", [1, 2]) == ["x"]


def test_unterminated_last_event_is_dispatched_on_close() -> None:
    assert decode_all(b"data: a\n\ndata: [DONE]") == ["a", "[DONE]"]


def test_line_over_cap_raises_stream_error_in_one_chunk() -> None:
    decoder = SSEDecoder(max_line=100)
    with pytest.raises(StreamError, match="longer than 100 bytes"):
        decoder.feed(b"data: " + b"x" * 200 + b"\n\n")


def test_line_over_cap_raises_when_fed_in_pieces() -> None:
    decoder = SSEDecoder(max_line=100)
    decoder.feed(b"data: ")
    with pytest.raises(StreamError):
        for _ in range(50):
            decoder.feed(b"xxxx")


def test_line_at_cap_is_fine() -> None:
    line = b"data: " + b"x" * 94
    assert decode_all(line + b"\n\n", max_line=100) == ["x" * 94]


def test_long_line_in_many_pieces_is_linear() -> None:
    # 4 MiB in 4-byte pieces would be quadratic with naive concatenation.
    decoder = SSEDecoder()
    decoder.feed(b"data: ")
    piece = b"abcd" * 4096
    for _ in range(256):
        assert decoder.feed(piece) == []
    assert decoder.feed(b"\n\n") == ["abcd" * 4096 * 256]


_frame_text = st.text(
    alphabet=st.sampled_from(list('ab{}":,[] é思🎉\t')) | st.characters(), max_size=30
)
_line = st.one_of(
    _frame_text.map(lambda t: "data: " + t.replace("\r", "").replace("\n", "")),
    _frame_text.map(lambda t: "data:" + t.replace("\r", "").replace("\n", "")),
    st.just("data: [DONE]"),
    st.just(": keep-alive"),
    st.just(""),
    st.just("data"),
    st.sampled_from(["event: x", "id: 1", "retry: 5", "bogus"]),
)
_eol = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def sse_streams(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.tuples(_line, _eol), max_size=25))
    text = "".join(line + eol for line, eol in lines)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data += draw(st.binary(max_size=20))  # trailing garbage, maybe invalid UTF-8
    return data


@settings(max_examples=150, deadline=None)
@given(data=sse_streams(), seed=st.data())
def test_chunking_does_not_matter(data: bytes, seed: st.DataObject) -> None:
    cuts = seed.draw(st.lists(st.integers(0, len(data)), max_size=12))
    assert decode_all(data, cuts) == decode_all(data)


@settings(max_examples=150, deadline=None)
@given(data=sse_streams())
def test_matches_reference_decoder(data: bytes) -> None:
    # A lone CR at the very end followed by a LF in the next chunk is the only
    # place where the incremental decoder needs memory; the reference sees it whole.
    assert decode_all(data) == reference(data)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=300), seed=st.data())
def test_arbitrary_bytes_only_raise_stream_error(data: bytes, seed: st.DataObject) -> None:
    cuts = seed.draw(st.lists(st.integers(0, len(data)), max_size=8))
    try:
        out = decode_all(data, cuts, max_line=64)
    except StreamError:
        return
    assert all(isinstance(item, str | Comment) for item in out)
