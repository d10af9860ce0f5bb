"""The streaming renderer: linear by construction, and the same as a one-shot render.

A tiny host app mounts one :class:`StreamingMarkdown` (or text) widget, so these
run in well under a second each and never touch the network.
"""

from __future__ import annotations

import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from textual.app import App, ComposeResult
from textual.strip import Strip

from deepseek_tui.markdown_blocks import BlockSplitter, split_blocks
from deepseek_tui.testing import long_markdown
from deepseek_tui.ui.render import view
from deepseek_tui.ui.render.history import HistoryWindow
from deepseek_tui.ui.render.lines import RenderedLines
from deepseek_tui.ui.render.markdown import render_markdown
from deepseek_tui.ui.render.view import StreamingMarkdown, StreamingText

from .conftest import wait_for

WIDTH = 80


class Host(App[None]):
    def __init__(self, widget: StreamingMarkdown | StreamingText) -> None:
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


def shown(widget: StreamingMarkdown | StreamingText) -> list[str]:
    """The widget's lines as plain text, blank runs collapsed (spacing is layout's)."""
    lines: list[str] = []
    for child in widget.query_children(RenderedLines):
        if not child.display:
            continue
        if lines and child.styles.margin.top:
            lines.append("")
        lines += [child.render_line(y).text.rstrip() for y in range(child.size.height)]
    return collapse(lines)


def collapse(lines: list[str]) -> list[str]:
    text = "\n".join(line.rstrip() for line in lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n").split("\n")


def one_shot(text: str, width: int = WIDTH) -> list[str]:
    """Rich's render of the whole document at once: the reference."""
    console = Console(width=width, force_terminal=True, color_system="truecolor")
    strips = render_markdown(text, width, console, console.options)
    return collapse([s.text for s in strips])


def fragments(text: str, seed: int, most: int = 40) -> list[str]:
    rng = random.Random(seed)
    out, i = [], 0
    while i < len(text):
        n = rng.randint(1, most)
        out.append(text[i : i + n])
        i += n
    return out


async def stream(text: str, parts: list[str]) -> tuple[list[str], list[str], Strip]:
    """What the widget shows after streaming ``parts``, the one-shot render at
    the same width, and the first line as drawn (with its styles)."""
    widget = StreamingMarkdown()
    async with Host(widget).run_test(size=(WIDTH, 40)) as pilot:
        for i, part in enumerate(parts):
            widget.append(part)
            if i % 7 == 0:  # let some frames happen mid-stream
                await pilot.pause(view.FRAME)
        widget.finish()
        await pilot.pause()
        assert widget.text == text
        first = widget.query(RenderedLines).first().render_line(0)
        return shown(widget), one_shot(text, widget.size.width), first


MIXED = long_markdown(1_500, seed=3)


async def test_streaming_equals_one_shot_for_random_splits() -> None:
    for seed in range(3):
        lines, reference, _ = await stream(MIXED, fragments(MIXED, seed))
        assert lines == reference


MARKDOWNISH = st.lists(
    st.sampled_from(
        [
            "para text",
            "# Head",
            "- item",
            "1. one",
            "```py",
            "```",
            "> quote",
            "| a | b |",
            "|---|---|",
            "    indented",
            "",
            "",
            "---",
            "*em* **strong** `code`",
            "Title",
            "===",
        ]
    ),
    max_size=30,
).map(lambda lines: "\n".join(lines) + "\n")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=MARKDOWNISH, cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=25))
def test_splitter_settles_the_same_blocks_as_a_whole_parse(text: str, cuts: list[int]) -> None:
    """Settled blocks never change: any split gives the one-shot blocks."""
    splitter = BlockSplitter()
    blocks: list[str] = []
    last = 0
    for cut in sorted({min(c, len(text)) for c in cuts}):
        splitter.feed(text[last:cut])
        last = cut
        blocks += splitter.settle()
    splitter.feed(text[last:])
    blocks += splitter.finish()
    assert blocks == split_blocks(text)


async def test_code_fence_split_across_fragments_stays_one_block() -> None:
    text = "Intro\n\n```python\ndef f():\n\n    return '# not a heading'\n```\n\nAfter\n"
    cut = text.index("turn")
    lines, reference, _ = await stream(text, [text[:5], text[5:cut], text[cut:]])
    assert lines == reference
    assert sum("# not a heading" in line for line in lines) == 1
    assert not any(line.startswith("# not") for line in lines)


async def test_open_fence_shows_its_code_before_it_closes() -> None:
    widget = StreamingMarkdown()
    async with Host(widget).run_test(size=(WIDTH, 20)) as pilot:
        widget.append("```\nprint('hi')\n")
        # Within a few frames; the first render of a session can be slow (it
        # imports the highlighter), so wait for it rather than a fixed time.
        await wait_for(pilot, lambda: any("print('hi')" in line for line in shown(widget)))


async def test_table_streams_in_and_ends_as_a_table() -> None:
    table = "| Setting | Value |\n|---|---:|\n| alpha | 1 |\n| beta | 22 |\n"
    text = "Before\n\n" + table + "\nAfter\n"
    widget = StreamingMarkdown()
    async with Host(widget).run_test(size=(WIDTH, 30)) as pilot:
        for ch in text:
            widget.append(ch)
            if ch == "\n":
                await pilot.pause(view.FRAME)
        widget.finish()
        await pilot.pause()
        lines = shown(widget)
        reference = one_shot(text, widget.size.width)
    assert lines == reference
    assert not any("|---" in line for line in lines)  # rendered as a table, not text
    assert any("alpha" in line and "1" in line for line in lines)


async def test_widget_count_stays_bounded_for_a_long_answer() -> None:
    text = long_markdown(20_000)
    widget = StreamingMarkdown()
    async with Host(widget).run_test(size=(WIDTH, 40)) as pilot:
        for i, part in enumerate(fragments(text, 1, most=400)):
            widget.append(part)
            if i % 50 == 0:
                await pilot.pause(view.FRAME)
        widget.finish()
        await pilot.pause()
        descendants = len(list(widget.walk_children()))
    # one part per PART_CHARS of text, plus the tail: ~11 for 80,000 characters
    assert widget.part_count <= len(text) // view.PART_CHARS + 1
    assert descendants <= widget.part_count + 1


async def test_full_parts_draw_only_what_is_seen_after_a_resize() -> None:
    """A stream's full parts are sealed: after a width change only the lines
    on screen are drawn again, not the whole answer; the text is unchanged."""
    text = long_markdown(20_000)
    widget = StreamingMarkdown()
    async with Host(widget).run_test(size=(WIDTH, 40)) as pilot:
        for i, part in enumerate(fragments(text, 1, most=400)):
            widget.append(part)
            if i % 50 == 0:
                await pilot.pause(view.FRAME)
        widget.finish()
        await pilot.pause()
        parts = list(widget.query_children(RenderedLines))
        blocks = sum(len(p.blocks) for p in parts)
        assert widget.part_count >= len(text) // view.PART_CHARS
        await pilot.resize_terminal(WIDTH - 20, 40)
        await wait_for(pilot, lambda: widget.size.width <= WIDTH - 20)
        await pilot.pause()
        drawn = sum(p.rendered_blocks for p in parts[: widget.part_count - 1])
        assert drawn <= blocks // 10  # the full parts: only what is on screen
        assert widget.text == text


async def test_markup_and_escape_sequences_stay_literal() -> None:
    text = "[bold]not bold[/bold] [link=https://x.y]x[/link] \x1b[31mred?\x1b[0m $accent\n"
    lines, _, first = await stream(text, [text[:3], text[3:20], text[20:]])
    joined = "\n".join(lines)
    assert "[bold]not bold[/bold]" in joined
    assert "[link=https://x.y]x[/link]" in joined
    assert "\x1b" not in joined and "␛[31mred?" in joined
    assert not any(seg.style and seg.style.bold for seg in first)


async def test_links_are_shown_and_only_click_through_the_app() -> None:
    opened: list[str] = []
    widget = StreamingMarkdown()

    class LinkHost(Host):
        def open_url(self, url: str, *, new_tab: bool = True) -> None:
            opened.append(url)

    async with LinkHost(widget).run_test(size=(WIDTH, 10)) as pilot:
        widget.append("See [docs](https://example.com/a).\n")
        widget.finish()
        await pilot.pause()
        part = widget.query(RenderedLines).first()
        line = part.render_line(0)
        assert "docs" in line.text
        assert not any(seg.style and seg.style.link for seg in line)  # no OSC 8
        assert opened == []
        await pilot.click(RenderedLines, offset=(5, 0))
        await pilot.pause()
    assert opened == ["https://example.com/a"]


async def test_reasoning_text_streams_line_by_line_as_plain_text() -> None:
    text = "# not a heading\n\nthinking **about** it\nstill going"
    widget = StreamingText()
    async with Host(widget).run_test(size=(WIDTH, 20)) as pilot:
        for part in fragments(text, 4, most=5):
            widget.append(part)
            await pilot.pause(0)
        await wait_for(pilot, lambda: shown(widget)[-1:] == ["still going"])
        widget.finish()
        await pilot.pause()
        lines = [line.rstrip() for line in _raw(widget)]
    assert lines == text.split("\n")


def _raw(widget: StreamingText) -> list[str]:
    out: list[str] = []
    for child in widget.query_children(RenderedLines):
        if child.display:
            out += [child.render_line(y).text for y in range(child.size.height)]
    return out


def test_history_window_mounts_the_end_first_then_pages_back() -> None:
    window = HistoryWindow(list(range(250)), latest=40, page=100)
    assert list(window.latest()) == list(range(210, 250))
    assert window.hidden == 210
    assert list(window.earlier()) == list(range(110, 210))
    assert list(window.earlier()) == list(range(10, 110))
    assert list(window.earlier()) == list(range(10))
    assert window.hidden == 0 and list(window.earlier()) == []
