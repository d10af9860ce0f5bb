"""A stored answer of any length opens at its end at once: only what is on
screen (and near it) is rendered, the rest when the user scrolls there, with
what they read staying put; the whole text is still the message's."""

from __future__ import annotations

from pathlib import Path

from deepseek_tui.store import Store
from deepseek_tui.testing import FakeDeepSeek, Reply, long_markdown
from deepseek_tui.ui.app import DeepSeekApp
from deepseek_tui.ui.render.lines import RenderedLines
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.screens.confirm import ConfirmScreen
from deepseek_tui.ui.widgets.conversation import ConversationView
from deepseek_tui.ui.widgets.message import AssistantMessage

from .conftest import SIZE, make_app, screen_text, wait_for

FIRST = "The very first paragraph of the long answer."
LAST = "The very last paragraph of the long answer."
ANSWER = f"{FIRST}\n\n{long_markdown(20_000, seed=5)}\n{LAST}\n"


def seed(home: Path, answer: str = ANSWER) -> str:
    with Store.open(home / "conversations.db").store as store:
        c = store.create_conversation(title="long answer", model="deepseek-v4-flash")
        _, reply = store.begin_turn(
            c.id, user_content="write a lot", model="deepseek-v4-flash", params={}
        )
        store.finish_message(reply.id, content=answer, reasoning=None, status="complete")
        return c.id


def body_lines(app: DeepSeekApp) -> list[RenderedLines]:
    """The widgets holding the answer's text."""
    body = app.screen.query_one(AssistantMessage).body
    return [w for w in body.query_children(RenderedLines) if w.blocks]


def pane_rows(app: DeepSeekApp, pane: ConversationView) -> list[str]:
    """The conversation's rows on screen, top to bottom."""
    rows = screen_text(app).split("\n")
    region = pane.scrollable_content_region
    # Without the scrollbar's thumb, which moves on its own.
    return [row.rstrip(" ▁▂▃▄▅▆▇█▔") for row in rows[region.y : region.bottom]]


async def test_a_long_answer_opens_at_its_end_rendering_only_what_is_near(
    server: FakeDeepSeek, home: Path
) -> None:
    cid = seed(home)
    app = make_app(resume=cid)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: LAST in screen_text(app))
        screen = app.screen
        pane = screen.query_one(ConversationView)
        answer = screen.query_one(AssistantMessage)
        assert answer.content == ANSWER  # the whole text, for copy and find
        assert FIRST not in screen_text(app)
        (body,) = body_lines(app)
        total = len(body.blocks)
        # What is drawn is bounded by the screen, not by the answer's length.
        assert total > 300
        assert body.rendered_blocks <= total // 8
        assert body.rendered_lines <= 5 * pane.size.height

        # The top renders when the user gets there.
        pane.release_anchor()
        pane.scroll_home(animate=False, immediate=True)
        await wait_for(pilot, lambda: FIRST in screen_text(app))
        assert body.rendered_lines <= 10 * pane.size.height
        # Back at the end: still there, nothing re-rendered needlessly.
        pane.scroll_end(animate=False, immediate=True)
        await wait_for(pilot, lambda: LAST in screen_text(app))
        assert body.rendered_blocks <= total // 4


async def test_scrolling_up_through_a_long_answer_never_jumps(
    server: FakeDeepSeek, home: Path
) -> None:
    """Blocks drawn as the user scrolls up may be taller or shorter than
    their estimate: the view makes up for it, so each step up moves the text
    by exactly that step, and every line seen on the way is real text."""
    cid = seed(home)
    app = make_app(resume=cid)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: LAST in screen_text(app))
        pane = app.screen.query_one(ConversationView)
        (body,) = body_lines(app)
        pane.release_anchor()
        step = 7
        before = pane_rows(app, pane)
        drawn = body.rendered_blocks
        for _ in range(40):
            pane.scroll_to(y=pane.scroll_y - step, animate=False, immediate=True)
            await pilot.pause()
            after = pane_rows(app, pane)
            assert after[step:] == before[: len(before) - step], (
                "\n".join(before) + "\n=====\n" + "\n".join(after)
            )
            before = after
        assert body.rendered_blocks > drawn  # it did draw blocks on the way up
        # The same when each step glides (as Page Up does).
        animator = app.animator
        for _ in range(10):
            pane.scroll_to(y=pane.scroll_y - step, animate=True, duration=0.2)
            await wait_for(pilot, lambda: not animator.is_being_animated(pane, "scroll_y"))
            await pilot.pause()
            after = pane_rows(app, pane)
            assert after[step:] == before[: len(before) - step]
            before = after


async def test_links_and_themes_in_a_stored_answer(server: FakeDeepSeek, home: Path) -> None:
    url = "https://example.com/docs"
    answer = f"{long_markdown(3_000, seed=2)}\nSee [the docs]({url}).\n"
    cid = seed(home, answer)
    app = make_app(resume=cid)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "See the docs." in screen_text(app))
        chat = app.screen
        (body,) = body_lines(app)
        region = body.region
        on_screen = range(max(0, -region.y), body.size.height)  # drawing no more
        row = next(y for y in on_screen if "See the docs" in body.render_line(y).text)
        column = body.render_line(row).text.index("the docs")
        await pilot.click(offset=(region.x + column + 2, region.y + row))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert url in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is chat)
        first = body.render_line(row)
        other = "deepseek-light" if app.current_theme.dark else "deepseek-dark"
        await wait_for(pilot, lambda: other in app.available_themes)
        app.theme = other
        await wait_for(pilot, lambda: body.render_line(row) != first)
        assert "See the docs." in screen_text(app)
        assert body.rendered_lines <= 5 * app.size.height


async def test_text_streamed_while_the_user_reads_above_is_drawn_only_when_seen(
    server: FakeDeepSeek,
) -> None:
    text = f"{FIRST}\n\n{long_markdown(8_000, seed=4)}\n{LAST}\n"
    server.push(Reply(content=text, chunk_chars=400, pauses=(6,)))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press(*"write a lot", "enter")
        await wait_for(pilot, lambda: server.paused and app.screen.query(AssistantMessage))
        pane = app.screen.query_one(ConversationView)
        pane.release_anchor()
        pane.scroll_home(animate=False, immediate=True)
        await wait_for(pilot, lambda: not pane.following and FIRST in screen_text(app))
        server.resume()
        answer = app.screen.query_one(AssistantMessage)
        await wait_for(pilot, lambda: answer.state == "complete")
        await pilot.pause()
        assert answer.content == text
        parts = body_lines(app)
        blocks = sum(len(p.blocks) for p in parts)
        assert sum(p.rendered_blocks for p in parts) <= blocks // 4
        assert FIRST in screen_text(app)  # where the user is, nothing moved
        # Back at the end, it is all there.
        await pilot.press("ctrl+end")
        await wait_for(pilot, lambda: LAST in screen_text(app))


async def test_find_marks_a_match_in_a_long_answer_where_it_is_drawn(
    server: FakeDeepSeek, home: Path
) -> None:
    # The answer's text is one tall lazy widget: a match far below its top must
    # be marked on its own row, and no mark may be left over the text that
    # scrolled under an earlier match (it would show words that are not there).
    answer = f"{FIRST}\n\nNEEDLE one.\n\n{long_markdown(6_000, seed=7)}\n\nNEEDLE two.\n\n{LAST}\n"
    cid = seed(home, answer)
    app = make_app(resume=cid)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: LAST in screen_text(app))
        await pilot.press("ctrl+f", *"NEEDLE")
        await wait_for(pilot, lambda: "/2" in screen_text(app))

        def rows_with_needle() -> list[str]:
            return [r.strip(" █▌│▁▂▃▄▅▆▇▔") for r in screen_text(app).split("\n") if "NEEDLE" in r]

        def marked() -> list[tuple[str, bool]]:
            return [
                (str(m.content), m.has_class("-current")) for m in app.screen.query(".find-hit")
            ]

        for count in ("1/2", "2/2", "1/2"):
            if count not in screen_text(app):
                await pilot.press("enter")
            await wait_for(pilot, lambda c=count: c in screen_text(app))  # type: ignore[misc]
            await wait_for(pilot, lambda: marked() == [("NEEDLE", True)])
            rows = [r for r in rows_with_needle() if not r.startswith("Find")]
            # the mark sits on the match: no row shows the word over other text
            assert rows in (["NEEDLE one."], ["NEEDLE two."]), rows
