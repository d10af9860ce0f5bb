"""Storage failures surface as one typed, one-line :class:`StoreError`: a full
disk (:class:`DiskFullError`) and a database a newer deepseek-tui wrote
(:class:`NewerSchemaError`), even when that newer schema no longer has what
this version reads.

The full disk is real: SQLite's ``PRAGMA max_page_count`` caps how far the
database may grow, and SQLite then fails exactly as on a full disk
(``SQLITE_FULL``, "database or disk is full"). The cap is per connection, so
``sqlite3.connect`` is wrapped to set it on the store's own connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from deepseek_tui.store import (
    DiskFullError,
    NewerSchemaError,
    ReadOnlyError,
    Store,
    StoreError,
)


@pytest.fixture
def cap(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """``cap(pages)``: connections opened from now on cannot grow the database past
    ``pages`` (at least its size when opened)."""

    def apply(pages: int) -> None:
        connect = sqlite3.connect

        def capped(*args: object, **kwargs: object) -> sqlite3.Connection:
            conn = connect(*args, **kwargs)  # type: ignore[call-overload]
            conn.execute(f"PRAGMA max_page_count = {pages}")
            return conn

        monkeypatch.setattr(sqlite3, "connect", capped)

    return apply


def _one_line(error: StoreError, path: Path) -> str:
    text = str(error)
    assert "\n" not in text and str(path) in text
    return text


def test_a_full_disk_is_one_typed_error_and_keeps_what_was_saved(
    db_path: Path, cap: Callable[[int], None]
) -> None:
    with Store.open(db_path).store as s:
        kept = s.create_conversation(title="kept")
        s.begin_turn(kept.id, user_content="short question", model="m", params={})
    cap(1)  # no room to grow at all
    with Store.open(db_path).store as s:
        big = "x" * 200_000
        with pytest.raises(DiskFullError) as info:
            s.import_json({"title": "too big", "messages": [{"role": "user", "content": big}]})
        text = _one_line(info.value, db_path)
        assert text.startswith("could not import the conversation: the disk is full; ")
        assert "free some space and try again; what was saved is kept" in text
        with pytest.raises(DiskFullError):
            s.begin_turn(kept.id, user_content=big, model="m", params={})
        # Nothing half-written, and everything before is still there and readable.
        assert [c.title for c in s.list_conversations()] == ["kept"]
        assert [m.content for m in s.messages(kept.id)] == ["short question", ""]


def test_a_full_disk_while_creating_the_database(db_path: Path, cap: Callable[[int], None]) -> None:
    cap(1)
    with pytest.raises(DiskFullError) as info:
        Store.open(db_path)
    text = _one_line(info.value, db_path)
    assert "could not upgrade the conversation database to schema v1: the disk is full" in text
    assert "left unchanged at v0" in text


def test_a_newer_schema_this_version_cannot_read_says_so(db_path: Path) -> None:
    with Store.open(db_path).store as s:
        conv = s.create_conversation(title="from the future")
        s.begin_turn(conv.id, user_content="q", model="m", params={})
    with sqlite3.connect(db_path) as conn:
        conn.execute("ALTER TABLE conversations RENAME COLUMN title TO name")
        conn.execute("ALTER TABLE messages DROP COLUMN reasoning")
        conn.execute("PRAGMA user_version = 99")
    opened = Store.open(db_path)
    assert opened.read_only
    with opened.store as s:
        reads: list[Callable[[], object]] = [
            s.list_conversations,
            lambda: s.get_conversation(conv.id),
            lambda: s.messages(conv.id),
            lambda: s.export_json(conv.id),
        ]
        for read in reads:
            with pytest.raises(NewerSchemaError) as info:
                read()
            text = _one_line(info.value, db_path)
            assert "written by a newer deepseek-tui (schema v99;" in text
            assert "upgrade deepseek-tui, or set DEEPSEEK_TUI_HOME to use another" in text
            assert isinstance(info.value, ReadOnlyError)
