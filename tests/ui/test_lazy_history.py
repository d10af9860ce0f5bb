"""Opening a long conversation mounts only its last messages; earlier ones load
on request (the "earlier messages" line, or scrolling to the top) in order and
without moving what the user is reading."""

from __future__ import annotations

from pathlib import Path

from deepseek_tui.store import Store
from deepseek_tui.testing import FakeDeepSeek
from deepseek_tui.ui.render.history import LATEST, EarlierMessages
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.conversation import ConversationView
from deepseek_tui.ui.widgets.message import AssistantMessage, UserMessage
from deepseek_tui.ui.widgets.message_actions import MessageActions

from .conftest import SIZE, make_app, screen_text, wait_for

EXCHANGES = 1_000  # 2,000 messages


def seed(home: Path) -> str:
    with Store.open(home / "conversations.db").store as store:
        c = store.create_conversation(title="long one", model="deepseek-v4-flash")
        for i in range(EXCHANGES):
            _, answer = store.begin_turn(
                c.id, user_content=f"question {i}", model="deepseek-v4-flash", params={}
            )
            store.finish_message(
                answer.id,
                content=f"answer {i}\n\nsome text",
                reasoning=None,
                status="complete",
                cost=0.001,
            )
        return c.id


def shown(screen: ChatScreen) -> list[str]:
    """The mounted messages, top to bottom."""
    out: list[str] = []
    for w in screen.query_one(ConversationView).children:
        if isinstance(w, UserMessage):
            out.append(w.text)
        elif isinstance(w, AssistantMessage):
            out.append(w.content.split("\n")[0])
    return out


def expected(first: int) -> list[str]:
    return [t for i in range(first, EXCHANGES) for t in (f"question {i}", f"answer {i}")]


ALL = expected(0)


def is_the_end(messages: list[str]) -> bool:
    """Whether ``messages`` are the conversation's last ones, in order."""
    return bool(messages) and messages == ALL[len(ALL) - len(messages) :]


async def test_long_conversation_opens_at_its_end_and_pages_back(
    server: FakeDeepSeek, home: Path
) -> None:
    cid = seed(home)
    app = make_app(resume=cid)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await wait_for(pilot, lambda: "answer 999" in screen_text(app))
        pane = screen.query_one(ConversationView)
        # Only the end is mounted: about a screenful, enough to fill the view
        # and no more than the cap, and it is what the screen shows.
        first = shown(screen)
        assert is_the_end(first)
        assert len(first) <= LATEST
        assert pane.virtual_size.height > pane.size.height
        assert pane.virtual_size.height < 4 * pane.size.height
        line = screen.query_one(EarlierMessages)
        assert line.display
        assert f"{len(ALL) - len(first):,} earlier messages" in str(line.render())
        # Costs and the last answer's actions cover the whole conversation.
        assert screen.cost is not None and abs(screen.cost - EXCHANGES * 0.001) < 1e-9
        assert len(screen.query(MessageActions)) == len(screen.query(AssistantMessage))

        # The line mounts the page before, in order, right under itself.
        line.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(shown(screen)) > len(first))
        paged = shown(screen)
        assert is_the_end(paged)
        assert pane.children[0] is line
        assert f"{len(ALL) - len(paged):,} earlier messages" in str(line.render())

        # Scrolling to the very top loads the next page and keeps the messages
        # the user was reading where they were on screen.
        top = next(w for w in pane.children if isinstance(w, UserMessage))
        assert top.text == (paged[0] if paged[0].startswith("question") else paged[1])
        offset = top.virtual_region.y  # where it is on screen when scrolled to the top
        pane.release_anchor()
        pane.scroll_home(animate=False, immediate=True)
        await wait_for(
            pilot,
            lambda: (
                len(shown(screen)) > len(paged)
                and pane.scroll_y > 0  # not left at the top, where it would load again
                and top.virtual_region.y - round(pane.scroll_y) == offset
            ),
        )
        assert is_the_end(shown(screen))


async def test_a_short_first_batch_is_topped_up_to_fill_the_screen(
    server: FakeDeepSeek, home: Path
) -> None:
    """The first batch is sized by line counts, which Markdown can make far
    smaller on screen (blank lines collapse): it is topped up until the view
    is full."""
    with Store.open(home / "conversations.db").store as store:
        c = store.create_conversation(title="wide", model="deepseek-v4-flash")
        for i in range(60):
            _, answer = store.begin_turn(
                c.id, user_content=f"question {i}", model="deepseek-v4-flash", params={}
            )
            # Forty lines to count, two on screen.
            store.finish_message(
                answer.id,
                content=f"answer {i}" + "\n" * 40 + "end",
                reasoning=None,
                status="complete",
            )
        cid = c.id
    app = make_app(resume=cid)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        pane = screen.query_one(ConversationView)
        await wait_for(pilot, lambda: pane.virtual_size.height > pane.size.height)
        assert screen.query_one(EarlierMessages).display  # not everything was needed
        assert "answer 59" in screen_text(app)


async def test_a_new_conversation_drops_the_window(server: FakeDeepSeek, home: Path) -> None:
    cid = seed(home)
    app = make_app(resume=cid)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.query(AssistantMessage))
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: not screen.query(AssistantMessage))
        assert not screen.query(EarlierMessages) or not screen.query_one(EarlierMessages).display
