"""Small terminals (80x24, 60x15): what a user sees of the conversations panel,
the settings sidebar, the help, the status line and the footer."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from deepseek_tui.store import Store
from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.app import DeepSeekApp
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.screens.conversations import ConversationsScreen
from deepseek_tui.ui.screens.help import HelpScreen
from deepseek_tui.ui.widgets.message import AssistantMessage
from deepseek_tui.ui.widgets.prompt import PromptInput
from deepseek_tui.ui.widgets.sidebar import SettingsSidebar

from .conftest import make_app, screen_text, wait_for

#: Twelve titles, the newest last; one is longer than any row at these sizes.
TITLES = [
    "Cooking rice",
    "Trip to Oslo",
    "Zebra stripes",
    "Python packaging",
    "The history of the Byzantine empire and of its many emperors, told briefly",
    "Tax return questions",
    "Sourdough starter",
    "Garden planning",
    "Rust lifetimes",
    "Birthday gift ideas",
    "Learning Norwegian",
    "Fixing a leaking tap",
]
LONG = TITLES[4]
#: A date and time as rows show them (in the local time zone).
DATE = r"2026-09-\d\d \d\d:\d\d"
#: When the first of them was written; each one is an hour later.
SEEDED = datetime(2026, 9, 28, 9, 30, tzinfo=UTC)


def seed(home: Path) -> None:
    """The twelve conversations, one exchange each, at fixed times."""
    moments = iter(SEEDED + timedelta(minutes=10 * n) for n in range(len(TITLES) * 10))
    with Store.open(home / "conversations.db", clock=lambda: next(moments)).store as store:
        for title in TITLES:
            c = store.create_conversation(title=title, model="deepseek-flash")
            _, a = store.begin_turn(
                c.id, user_content=f"About {title}", model="deepseek-flash", params={}
            )
            store.finish_message(a.id, content="An answer.", reasoning=None, status="complete")


async def open_panel(pilot: Pilot[Any]) -> ConversationsScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
    await pilot.press("ctrl+o")
    await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen))
    panel = app.screen
    assert isinstance(panel, ConversationsScreen)
    await wait_for(pilot, lambda: len(panel.summaries) == len(TITLES))
    return panel


def titles_on_screen(app: DeepSeekApp) -> list[str]:
    """The seeded titles a user can read on screen, each whole, top to bottom."""
    lines = screen_text(app).splitlines()
    return [t for line in lines for t in TITLES if t in line]


@pytest.mark.parametrize(("size", "at_least"), [((80, 24), 8), ((60, 15), 3)])
async def test_conversations_panel_lists_many_on_a_small_terminal(
    server: FakeDeepSeek, home: Path, size: tuple[int, int], at_least: int
) -> None:
    seed(home)
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await open_panel(pilot)
        await wait_for(pilot, lambda: "Fixing a leaking tap" in screen_text(app))
        shown = titles_on_screen(app)
        assert len(shown) >= at_least, screen_text(app)
        assert shown[0] == "Fixing a leaking tap"  # newest first
        text = screen_text(app)
        assert "12 conversations" in text
        assert "Enter open" in text and "Esc close" in text
        # the long title is cut with an ellipsis, never wrapped onto a second row
        cut = [line for line in text.splitlines() if LONG[:18] in line]
        assert not cut or "…" in cut[0]


async def test_conversation_rows_show_more_when_the_terminal_grows(
    server: FakeDeepSeek, home: Path
) -> None:
    seed(home)
    app = make_app()
    async with app.run_test(size=(60, 15)) as pilot:
        await open_panel(pilot)
        await wait_for(pilot, lambda: "Fixing a leaking tap" in screen_text(app))
        row = next(line for line in screen_text(app).splitlines() if "Fixing a leaking" in line)
        assert re.search(DATE, row) and "deepseek-flash" not in row
        await pilot.resize_terminal(120, 40)
        await wait_for(pilot, lambda: "deepseek-flash ·" in screen_text(app))
        assert titles_on_screen(app) == [t for t in reversed(TITLES) if t != LONG]
        row = next(line for line in screen_text(app).splitlines() if "Fixing a leaking" in line)
        assert re.search(rf"deepseek-flash · {DATE} · 2 messages", row), row
        row = next(line for line in screen_text(app).splitlines() if LONG[:20] in line)
        assert "…" in row and "2 messages" in row  # cut, and still one row


async def test_sidebar_covers_the_chat_below_100_columns_and_esc_closes_it(
    server: FakeDeepSeek,
) -> None:
    app = make_app()
    async with app.run_test(size=(60, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        chat, sidebar = screen.query_one("#chat"), screen.query_one(SettingsSidebar)
        prompt = screen.query_one(PromptInput)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: sidebar.display and sidebar.query("#model"))
        await wait_for(pilot, lambda: sidebar.region.width > 0)
        # the chat keeps the terminal's width; the sidebar is drawn over its right
        assert chat.region.width == 60
        assert sidebar.region.right == 60 and sidebar.region.x > 0
        assert chat.region.overlaps(sidebar.region)
        assert "Model" in screen_text(app) and "Settings" in screen_text(app)
        assert app.focused is sidebar.query_one("#model")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not sidebar.display)
        assert app.focused is prompt
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: sidebar.display)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not sidebar.display)
        assert app.focused is prompt

        # opened on a wide terminal it sits beside the chat; narrowed, it covers it
        await pilot.resize_terminal(120, 30)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: sidebar.display and chat.region.width < 120)
        assert chat.region.right <= sidebar.region.x
        assert chat.region.width == 120 - sidebar.region.width
        await pilot.press("escape")  # beside the chat Esc means "stop", not "close"
        await pilot.pause()
        assert sidebar.display
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: chat.region.width == 80)
        assert sidebar.display and chat.region.overlaps(sidebar.region)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not sidebar.display)
        assert app.focused is prompt


def _cursor_to(pilot: Pilot[Any], table: DataTable[Any], row: int) -> bool:
    table.move_cursor(row=row, animate=False)
    return table.cursor_row == row


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_help_shows_every_label_whole(server: FakeDeepSeek, size: tuple[int, int]) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        rows = app.key_rows()
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: "Remap as [keys] id" in screen_text(app))
        for n, (action, key, binding_id) in enumerate(rows):
            await wait_for(pilot, lambda n=n: _cursor_to(pilot, table, n))
            await pilot.pause()
            lines = screen_text(app).splitlines()
            whole = [line for line in lines if re.search(_row(action, key, binding_id), line)]
            assert whole, (action, key, binding_id, screen_text(app))


def _row(*labels: str) -> str:
    """A pattern for labels side by side on one line, each whole (a border may
    touch a label: the screen's text keeps no spaces around some fragments)."""
    return r"\s+".join(rf"(?<![\w+^-]){re.escape(label)}(?![\w+-])" for label in labels)


async def test_help_at_60_columns_puts_each_id_under_its_action(server: FakeDeepSeek) -> None:
    app = make_app()
    async with app.run_test(size=(60, 15)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        rows = app.key_rows()
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: "Action / Remap as [keys] id" in screen_text(app))
        for n, (action, key, binding_id) in enumerate(rows):
            await wait_for(pilot, lambda n=n: _cursor_to(pilot, table, n))
            await pilot.pause()
            lines = screen_text(app).splitlines()
            at = [i for i, line in enumerate(lines) if re.search(_row(action, key), line)]
            assert any(
                re.search(_row(binding_id), lines[i + 1]) for i in at if i + 1 < len(lines)
            ), (action, key, binding_id, screen_text(app))
        await pilot.resize_terminal(100, 40)  # wider: back to three columns
        await wait_for(pilot, lambda: "Action / Remap" not in screen_text(app))
        assert re.search(_row("Action", "Key", "Remap as [keys] id"), screen_text(app))


async def test_status_line_and_footer_say_less_on_a_narrow_terminal(
    server: FakeDeepSeek,
) -> None:
    server.push(Reply(content="A short answer.", reasoning="Short."))
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"hello", "enter")
        await wait_for(
            pilot,
            lambda: (a := screen.query(AssistantMessage)) and a.last().state == "complete",
        )
        await wait_for(pilot, lambda: "balance $7.42" in screen_text(app))
        wide = screen_text(app).splitlines()
        status = next(line for line in wide if "deepseek-flash · thinking high" in line)
        assert "last " in status and "context " in status and "(0%)" in status
        assert "$0.0000" in status
        assert all(k in wide[-1] for k in ("⏎ Send", "^r Reasoning", "f1 Help", "^p Palette"))

        await pilot.resize_terminal(60, 15)
        await wait_for(pilot, lambda: "balance" not in screen_text(app))
        narrow = screen_text(app).splitlines()
        status = next(line for line in narrow if "deepseek-flash" in line and "ctx" in line)
        # the model, its mode, how full the context is and the cost, none cut
        assert re.search(r"deepseek-flash · thinking high · ctx \S+ · \$0\.0000\d+\s*$", status)
        footer = narrow[-1]
        assert "f1 Help" in footer and "^o Conversations" in footer and "^s Settings" in footer
        # whole keys only: every word is a key or a word of a description shown
        words = {"^n", "New", "^o", "Conversations", "^s", "Settings", "^q", "Quit", "f1", "Help"}
        words |= {"⏎", "Send", "^r", "Reasoning", "^p", "Palette", "▏"}
        assert set(footer.split()) <= words, footer

        await pilot.resize_terminal(120, 30)  # and back
        await wait_for(pilot, lambda: "balance $7.42" in screen_text(app))
        assert "^p Palette" in screen_text(app).splitlines()[-1]


def test_a_conversation_row_fits_any_width_and_keeps_the_streaming_mark() -> None:
    from deepseek_tui.store import ConversationSummary
    from deepseek_tui.ui.screens.conversations import describe

    summary = ConversationSummary(
        id="c1",
        title=LONG,
        created="2026-09-28T09:30:00.000Z",
        updated="2026-09-28T09:30:00.000Z",
        model="deepseek-flash",
        message_count=1,
    )
    row = describe(summary, streaming=True)
    for width in range(14, 140):
        line = row.line(width)
        assert line.cell_length <= width, (width, line.plain)
        assert "● streaming" in line.plain, (width, line.plain)
        if width >= 30:
            assert line.plain.startswith("The history of"), (width, line.plain)
    assert row.line(139).plain.startswith(LONG + "  ● streaming")  # room for all of it
    assert re.search(r" \d\d:\d\d · 1 message$", row.line(80).plain)  # not "1 messages"
    assert "…" in row.line(60).plain


async def test_an_answer_that_folds_its_reasoning_stays_followed_to_its_end(
    server: FakeDeepSeek,
) -> None:
    # Folding the reasoning when the answer starts must not pull the view up
    # to the reasoning's header (Textual's Collapsible scrolls itself into view
    # on every fold): on a short terminal the conversation would then let go
    # of the end, and the rest of the answer and its footer stream out of view.
    reasoning = "".join(f"step {i} of the plan\n" for i in range(20))
    answer = "".join(f"line {i} of the answer\n\n" for i in range(12)) + "LAST-LINE"
    # the answer arrives in one piece, as a fast host sends a short one
    server.push(Reply(content=answer, reasoning=reasoning, chunk_chars=len(answer)))
    app = make_app()
    async with app.run_test(size=(60, 15)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await pilot.press(*"plan it", "enter")

        def done() -> bool:
            views = screen.query(AssistantMessage)
            return bool(views) and views.last().state == "complete"

        await wait_for(pilot, done)
        await wait_for(pilot, lambda: "LAST-LINE" in screen_text(app))
        await wait_for(pilot, lambda: " tokens · " in screen_text(app))
        assert screen.pane.following
