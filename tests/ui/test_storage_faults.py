"""The TUI on a disk that fills up: it says so, keeps what was saved, shows
the answer it is paying for, and stays usable once there is room again.

The database is a real SQLite file; ``PRAGMA max_page_count`` makes it as
full as a full disk makes it (SQLite answers SQLITE_FULL the same way).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage
from deepseek_tui.ui.widgets.prompt import PromptInput

from .conftest import SIZE, make_app, notified, rows, screen_text, wait_for

LONG = "word " * 2000  # more than the pages left once the disk is "full"


def _disk_full(app: object, full: bool) -> None:
    """Fill the database's "disk" (cap it at its size, then use up its free
    pages with a filler table), or make room again. Under the store's lock, so
    none of the app's own writes is half-way."""
    store = app.session.store  # type: ignore[attr-defined]
    with store._lock:
        conn: sqlite3.Connection = store._conn
        assert not conn.in_transaction
        if not full:
            conn.execute("PRAGMA max_page_count = 1073741823")
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE name LIKE 'filler_%'"
            ).fetchall():
                conn.execute(f"DROP TABLE {name}")
            return
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        for table in range(8):
            free = conn.execute("PRAGMA freelist_count").fetchone()[0]
            if not free:  # every page is in use: nothing left to fill
                break
            conn.execute(f"CREATE TABLE filler_{table} (x BLOB)")  # takes a free page
            for size in (1000, 100, 10):  # smaller and smaller, into every gap
                try:
                    while True:
                        conn.execute(f"INSERT INTO filler_{table} VALUES (zeroblob({size}))")
                except sqlite3.OperationalError as exc:
                    assert "full" in str(exc)
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0


async def test_disk_full_mid_answer_shows_it_whole_and_says_it_was_not_saved(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content=LONG, chunk_chars=50, pauses=(2,)), Reply(content="Fine again."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        await pilot.press(*"first", "enter")
        await wait_for(pilot, lambda: server.paused == 1)
        _disk_full(app, True)
        server.resume()
        await wait_for(
            pilot,
            lambda: (a := screen.query(AssistantMessage)) and a.last().state != "streaming",
        )
        answer = screen.query(AssistantMessage).last()
        assert answer.content.rstrip() == LONG.rstrip()  # all of it, on screen
        assert answer.state == "complete"  # it did arrive whole; only saving failed
        await wait_for(pilot, lambda: notified(app, "could not save the answer: the disk is full"))
        assert "Retry" not in screen_text(app)  # asking again would pay again
        # Room again: the app carries on as if nothing happened.
        _disk_full(app, False)
        await pilot.press(*"second", "enter")
        await wait_for(pilot, lambda: "Fine again." in screen_text(app))
    assert ("second", "complete") in rows(home, "SELECT content, status FROM messages")


async def test_disk_full_before_sending_sends_nothing_and_f5_sends_it_later(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content="One."), Reply(content="Sent at last."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press(*"warm up", "enter")  # the database exists and has a conversation
        await wait_for(pilot, lambda: "One." in screen_text(app))
        _disk_full(app, True)
        message = "a long message " * 300  # more than the gaps left on the "disk"
        app.screen.query_one(PromptInput).text = message
        await pilot.press("enter")
        await wait_for(pilot, lambda: "the disk is full" in screen_text(app))
        text = screen_text(app)
        assert "not sent" in text and "Nothing was sent" in text
        assert "a long message a long message" in text  # the message is still there
        assert len(server.chat_requests) == 1  # nothing went out that could not be saved
        _disk_full(app, False)
        await pilot.press("f5")
        await wait_for(pilot, lambda: "Sent at last." in screen_text(app))
        assert "the disk is full" not in screen_text(app)
    assert (message, "complete") in rows(home, "SELECT content, status FROM messages")
