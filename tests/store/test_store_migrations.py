"""Schema upgrades from a real version-1 database, failed upgrades, newer databases."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
from pathlib import Path

import pytest

from deepseek_tui.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    Migration,
    NewerSchemaError,
    ReadOnlyError,
    Store,
    StoreError,
)


def raw_query(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def build_v1(path: Path) -> dict[str, str]:
    """A version-1 database (base tables only, no search) with some history,
    written with plain SQL as a version-1 program would have."""
    opened = Store.open(path, migrations=MIGRATIONS[:1])
    assert opened.notices == ()
    opened.store.close()
    now = "2026-01-01T00:00:00.000000Z"
    conn = sqlite3.connect(path)
    with conn:
        for ident, title, model in [
            ("c1weather", "Norwegian weather", "old-model"),
            ("c2bread", "Bake bread", None),
        ]:
            conn.execute(
                "INSERT INTO conversations (id, title, created, updated, model, params) "
                "VALUES (?, ?, ?, ?, ?, '{}')",
                (ident, title, now, now, model),
            )
        rows = [
            ("c1weather", 1, "user", "Does Bergen get rain?", None, "complete", None),
            ("c1weather", 2, "assistant", "Constantly, fjords.", "r", "complete", "{}"),
            ("c2bread", 1, "user", "Bake bread", None, "complete", None),
            ("c2bread", 2, "assistant", "Knead the dough", None, "streaming", '{"t": 1}'),
        ]
        for cid, seq, role, content, reasoning, status, params in rows:
            conn.execute(
                "INSERT INTO messages (conversation_id, seq, role, content, reasoning, model, "
                "params, status, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    cid,
                    seq,
                    role,
                    content,
                    reasoning,
                    "m" if role == "assistant" else None,
                    params,
                    status,
                    now,
                    now,
                ),
            )
    conn.close()
    first_id, second_id = "c1weather", "c2bread"
    assert raw_query(path, "PRAGMA user_version") == [(1,)]
    names = {r[0] for r in raw_query(path, "SELECT name FROM sqlite_schema")}
    assert "messages_fts" not in names and "conversations" in names
    return {"weather": first_id, "bread": second_id}


def test_upgrade_from_v1_keeps_data_backfills_search_and_backs_up(db_path: Path) -> None:
    made = build_v1(db_path)
    opened = Store.open(db_path)
    assert len(opened.notices) == 1 and f"v1 to v{SCHEMA_VERSION}" in opened.notices[0]
    with opened.store as s:
        assert raw_query(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
        assert [c.id for c in s.list_conversations()] == [made["bread"], made["weather"]]
        assert s.get_conversation(made["weather"]).title == "Norwegian weather"
        bread = s.messages(made["bread"])
        assert bread[1].content == "Knead the dough" and bread[1].status == "streaming"
        # Backfilled: old titles and old message text are searchable.
        assert [c.id for c in s.list_conversations(search="norwegian")] == [made["weather"]]
        assert [c.id for c in s.list_conversations(search="fjords")] == [made["weather"]]
        assert [c.id for c in s.list_conversations(search="knead")] == [made["bread"]]
        # And new writes keep the index in sync.
        _, a = s.begin_turn(made["bread"], user_content="Rye instead?", model="m", params={})
        assert [c.id for c in s.list_conversations(search="rye")] == [made["bread"]]

    backups = list(db_path.parent.glob("conversations.db.bak-v1-*"))
    assert len(backups) == 1
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    assert raw_query(backups[0], "PRAGMA user_version") == [(1,)]
    assert raw_query(backups[0], "SELECT count(*) FROM messages") == [(4,)]

    # Opening again: nothing pending, no new backup, no notice.
    again = Store.open(db_path)
    again.store.close()
    assert again.notices == ()
    assert len(list(db_path.parent.glob("conversations.db.bak-*"))) == 1


def test_fresh_database_gets_no_backup(db_path: Path) -> None:
    opened = Store.open(db_path)
    opened.store.close()
    assert opened.notices == ()
    assert list(db_path.parent.glob("*.bak-*")) == []


def _snapshot(path: Path) -> tuple[object, ...]:
    return (
        raw_query(path, "PRAGMA user_version"),
        raw_query(path, "SELECT type, name, sql FROM sqlite_schema ORDER BY name"),
        raw_query(path, "SELECT * FROM conversations ORDER BY id"),
        raw_query(path, "SELECT * FROM messages ORDER BY id"),
    )


def test_failing_migration_rolls_back_and_leaves_the_database_as_it_was(db_path: Path) -> None:
    build_v1(db_path)
    before = _snapshot(db_path)

    def half_done_then_fail(conn: sqlite3.Connection) -> None:
        MIGRATIONS[1].apply(conn)  # creates the FTS tables and triggers…
        conn.execute("UPDATE conversations SET title = 'clobbered'")
        raise RuntimeError("disk gremlins")  # …then dies

    broken = [MIGRATIONS[0], Migration(2, "search", half_done_then_fail)]
    with pytest.raises(StoreError) as info:
        Store.open(db_path, migrations=broken)
    message = str(info.value)
    assert "schema v2" in message and "disk gremlins" in message
    assert "left unchanged at v1" in message and "backup" in message
    assert str(db_path) in message and "Traceback" not in message
    assert _snapshot(db_path) == before

    # The real migrations still work afterwards.
    with Store.open(db_path).store as s:
        assert len(s.list_conversations(search="norwegian")) == 1


def test_a_later_step_failing_keeps_the_earlier_ones(db_path: Path) -> None:
    build_v1(db_path)
    last = SCHEMA_VERSION
    bad_sql = Migration(last + 1, "bad", lambda conn: conn.execute("SELECT * FROM nowhere"))
    with pytest.raises(
        StoreError, match=f"schema v{last + 1}.*no such table: nowhere.*unchanged at v{last}"
    ):
        Store.open(db_path, migrations=[*MIGRATIONS, bad_sql])
    assert raw_query(db_path, "PRAGMA user_version") == [(last,)]
    with Store.open(db_path).store as s:
        assert len(s.list_conversations()) == 2


def test_newer_database_opens_read_only(db_path: Path) -> None:
    with Store.open(db_path).store as s:
        conv = s.create_conversation(title="from the future")
        _, a = s.begin_turn(conv.id, user_content="q", model="m", params={})
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = _snapshot(db_path)

    opened = Store.open(db_path)
    assert opened.read_only and opened.store.read_only
    assert len(opened.notices) == 1
    notice = opened.notices[0]
    assert "written by a newer deepseek-tui (schema v99;" in notice and "read-only" in notice
    assert "upgrade deepseek-tui, or set DEEPSEEK_TUI_HOME" in notice and str(db_path) in notice
    with opened.store as s:
        assert [c.title for c in s.list_conversations()] == ["from the future"]
        assert len(s.messages(conv.id)) == 2
        assert s.export_json(conv.id)["title"] == "from the future"
        assert s.recover_interrupted() == 0
        writes = [
            lambda: s.create_conversation(title="x"),
            lambda: s.begin_turn(conv.id, user_content="q", model="m", params={}),
            lambda: s.checkpoint(a.id, "x", None),
            lambda: s.finish_message(a.id, content="x", reasoning=None, status="complete"),
            lambda: s.rename(conv.id, "y"),
            lambda: s.delete_conversation(conv.id),
            lambda: s.import_json({"messages": []}),
            lambda: s.set_tool_choices(conv.id, off=["a__b"], allowed=[]),
        ]
        for write in writes:
            with pytest.raises(NewerSchemaError, match="newer deepseek-tui") as info:
                write()
            assert isinstance(info.value, ReadOnlyError) and str(db_path) in str(info.value)
            assert "upgrade deepseek-tui" in str(info.value)
    assert _snapshot(db_path) == before
    assert list(db_path.parent.glob("*.bak-*")) == []


def build_v3(path: Path) -> None:
    """A version-3 database written with plain SQL as a version-3 program would
    have: Esc stored as ``interrupted`` with the error "stopped", next to
    answers that really were interrupted or failed. The newest message was
    deleted, so the id counter is ahead of the largest id."""
    opened = Store.open(path, migrations=MIGRATIONS[:3])
    opened.store.close()
    now = "2026-01-01T00:00:00.000000Z"
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO conversations (id, title, created, updated, params) "
            "VALUES ('c3', 'Stops and crashes', ?, ?, '{}')",
            (now, now),
        )
        rows = [
            ("user", "Tell me about fjords", "complete", None),
            ("assistant", "Fjords are glacial", "interrupted", "stopped"),
            ("user", "And lakes?", "complete", None),
            ("assistant", "Lakes are", "interrupted", None),
            ("user", "Rivers?", "complete", None),
            ("assistant", "Rivers", "interrupted", "connection reset"),
            ("user", "Seas?", "complete", None),
            ("assistant", "", "error", "HTTP 500"),
            ("user", "Oceans?", "complete", None),
            ("assistant", "Oceans hold", "streaming", None),
            ("user", "Gone", "complete", None),
        ]
        parent = None
        for seq, (role, content, status, error) in enumerate(rows, 1):
            cursor = conn.execute(
                "INSERT INTO messages (conversation_id, seq, role, content, status, error, "
                "created, updated, parent_id) VALUES ('c3', ?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, role, content, status, error, now, now, parent),
            )
            parent = cursor.lastrowid
        conn.execute("DELETE FROM messages WHERE content = 'Gone'")
        conn.execute(
            "UPDATE conversations SET head_id = (SELECT max(id) FROM messages) WHERE id = 'c3'"
        )
    conn.close()
    assert raw_query(path, "PRAGMA user_version") == [(3,)]


def test_upgrade_to_v4_names_stopped_answers_and_keeps_everything_else(db_path: Path) -> None:
    build_v3(db_path)
    before = raw_query(
        db_path, "SELECT id, seq, role, content, parent_id, created FROM messages ORDER BY id"
    )
    opened = Store.open(db_path, migrations=MIGRATIONS[:4])
    assert len(opened.notices) == 1 and "v3 to v4" in opened.notices[0]
    with opened.store as s:
        assert raw_query(db_path, "PRAGMA user_version") == [(4,)]
        ending = [(m.content, m.status, m.error) for m in s.messages("c3") if m.role != "user"]
        assert ending == [
            ("Fjords are glacial", "stopped", None),  # was: interrupted, "stopped"
            ("Lakes are", "interrupted", None),
            ("Rivers", "interrupted", "connection reset"),
            ("", "error", "HTTP 500"),
            ("Oceans hold", "streaming", None),
        ]
        after = raw_query(
            db_path, "SELECT id, seq, role, content, parent_id, created FROM messages ORDER BY id"
        )
        assert after == before  # same ids, same chain
        # The search index still points at the right rows, and stays in sync.
        assert [c.id for c in s.list_conversations(search="glacial")] == ["c3"]
        _, a = s.begin_turn("c3", user_content="Glaciers, then?", model="m", params={})
        assert a.id > int(str(before[-1][0])) + 1  # the deleted message's id is not reused
        s.finish_message(a.id, content="Ice that moves", reasoning=None, status="stopped")
        assert s.get_message(a.id).status == "stopped"
        assert [c.id for c in s.list_conversations(search="moves")] == ["c3"]
        assert s.list_conversations()[0].last_status == "stopped"
        # The new CHECK still refuses what is not a status.
        with pytest.raises(sqlite3.IntegrityError):
            raw_query(db_path, "UPDATE messages SET status = 'done' WHERE id = 1")
        assert s.recover_interrupted() == 1
    assert raw_query(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert raw_query(db_path, "PRAGMA foreign_key_check") == []
    raw_query(db_path, "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')")

    backups = list(db_path.parent.glob("conversations.db.bak-v3-*"))
    assert len(backups) == 1
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    assert raw_query(backups[0], "PRAGMA user_version") == [(3,)]
    assert raw_query(backups[0], "SELECT status, error FROM messages WHERE id = 2") == [
        ("interrupted", "stopped")
    ]


def test_v4_schema_is_the_same_whether_upgraded_or_new(db_path: Path, tmp_path: Path) -> None:
    build_v3(db_path)
    Store.open(db_path).store.close()
    fresh = tmp_path / "fresh.db"
    Store.open(fresh).store.close()
    schema = (
        "SELECT type, name, tbl_name, sql FROM sqlite_schema "
        "WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name"  # PRAGMA optimize's
    )
    assert raw_query(db_path, schema) == raw_query(fresh, schema)
    names = {r[1] for r in raw_query(fresh, schema)}
    assert {"messages_streaming", "messages_parent", "messages_fts_insert"} <= names
    assert {"messages_fts_delete", "messages_fts_update"} <= names
    assert "messages_v4" not in names
    assert raw_query(fresh, "SELECT name FROM sqlite_sequence ORDER BY name") == [("messages",)]


def test_deleting_after_v4_still_cascades_and_cleans_the_index(db_path: Path) -> None:
    build_v3(db_path)
    with Store.open(db_path).store as s:
        s.delete_conversation("c3")
        assert s.list_conversations(search="glacial") == []
    assert raw_query(db_path, "SELECT count(*) FROM messages") == [(0,)]
    raw_query(db_path, "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')")


def test_stopped_is_refused_by_a_v3_database(db_path: Path) -> None:
    """Why v4 exists: the old CHECK has no room for the new status."""
    build_v3(db_path)
    with pytest.raises(sqlite3.IntegrityError):
        raw_query(db_path, "UPDATE messages SET status = 'stopped' WHERE id = 2")


def test_upgrade_to_v5_keeps_attachment_records_and_adds_their_bytes_table(
    db_path: Path, tmp_path: Path
) -> None:
    """Records from before v5 name no bytes: they stay as they were (replayed as
    a note); new messages keep their bytes; the schema matches a new database."""
    with Store.open(db_path, migrations=MIGRATIONS[:4]).store as s:
        c = s.create_conversation()
        old = [{"name": "pic.png", "kind": "image", "mime": "image/png", "size": 9}]
        s.begin_turn(c.id, user_content="look", model="m", params={}, attachments=old)
    opened = Store.open(db_path, migrations=MIGRATIONS[:5])
    assert len(opened.notices) == 1 and "v4 to v5" in opened.notices[0]
    with opened.store as s:
        assert raw_query(db_path, "PRAGMA user_version") == [(5,)]
        assert s.messages(c.id)[0].attachments == old
        data = b"GIF89a-new"
        key = hashlib.sha256(data).hexdigest()
        s.begin_turn(
            c.id,
            user_content="and this",
            model="m",
            params={},
            attachments=[{"name": "n.gif", "kind": "image", "sha256": key}],
            attachment_data={key: data},
        )
        assert s.attachment_data([key]) == {key: data}
    fresh = tmp_path / "fresh.db"
    Store.open(fresh).store.close()
    schema = "SELECT sql FROM sqlite_schema WHERE name = 'attachment_data'"
    assert raw_query(db_path, schema) == raw_query(fresh, schema) != []
    assert raw_query(db_path, "PRAGMA integrity_check") == [("ok",)]


def test_upgrade_to_v6_keeps_messages_and_searches_tool_calls(
    db_path: Path, tmp_path: Path
) -> None:
    """v6 adds the tool columns in place and moves the search index onto a view
    that also holds call arguments: old text stays findable, new calls become so."""
    with Store.open(db_path, migrations=MIGRATIONS[:5]).store as s:
        c = s.create_conversation()
        _, a = s.begin_turn(c.id, user_content="glacier melt", model="m", params={})
        s.finish_message(a.id, content="moraine", reasoning="r", status="complete")
        legacy = s.append_message(c.id, role="tool", content="an old tool note")
    assert raw_query(db_path, "PRAGMA user_version") == [(5,)]
    opened = Store.open(db_path, migrations=MIGRATIONS[:6])
    assert len(opened.notices) == 1 and "v5 to v6" in opened.notices[0]
    assert list(db_path.parent.glob("conversations.db.bak-v5-*"))
    with opened.store as s:
        assert raw_query(db_path, "PRAGMA user_version") == [(6,)]
        rows = s.messages(c.id)
        assert [m.content for m in rows] == ["glacier melt", "moraine", "an old tool note"]
        assert rows[-1].id == legacy.id and rows[-1].tool_status is None
        assert all(m.tool_calls is None and m.tool_call_id is None for m in rows)
        assert [x.id for x in s.list_conversations(search="moraine")] == [c.id]
        _, b = s.begin_turn(c.id, user_content="again", model="m", params={})
        call = {
            "id": "k1",
            "type": "function",
            "function": {"name": "f", "arguments": '{"q":"cirque"}'},
        }
        s.finish_message(b.id, content="", reasoning=None, status="complete", tool_calls=[call])
        s.add_tool_result(c.id, tool_call_id="k1", name="f", content="drumlin", status="error")
        assert [x.id for x in s.list_conversations(search="cirque")] == [c.id]
        assert [x.id for x in s.list_conversations(search="drumlin")] == [c.id]
        assert s.messages(c.id)[-1].tool_status == "error"
    raw_query(db_path, "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')")
    with pytest.raises(sqlite3.IntegrityError):
        raw_query(db_path, "UPDATE messages SET tool_status = 'fine'")
    fresh = tmp_path / "fresh.db"
    Store.open(fresh, migrations=MIGRATIONS[:6]).store.close()
    schema = (
        "SELECT type, name, sql FROM sqlite_schema "
        "WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name"
    )
    assert raw_query(db_path, schema) == raw_query(fresh, schema)
    assert raw_query(db_path, "PRAGMA integrity_check") == [("ok",)]


def test_upgrade_to_v7_keeps_everything_and_keeps_tool_choices_from_then_on(
    db_path: Path, tmp_path: Path
) -> None:
    """A v6 database (tool calls in it) opens, is backed up and upgraded: its
    conversations start from the default tool choices, and choices made from
    then on are kept, go with a deleted conversation, and match a new database."""
    call = {"id": "k1", "type": "function", "function": {"name": "t__f", "arguments": "{}"}}
    with Store.open(db_path, migrations=MIGRATIONS[:6]).store as s:
        kept = s.create_conversation(title="Tides")
        _, a = s.begin_turn(kept.id, user_content="high tide?", model="m", params={})
        s.finish_message(a.id, content="", reasoning="r", status="complete", tool_calls=[call])
        s.add_tool_result(kept.id, tool_call_id="k1", name="t__f", content="6 am", status="ok")
        gone = s.create_conversation(title="Gone")
    assert raw_query(db_path, "PRAGMA user_version") == [(6,)]
    before = raw_query(db_path, "SELECT * FROM messages ORDER BY id")

    opened = Store.open(db_path)
    assert len(opened.notices) == 1 and "v6 to v7" in opened.notices[0]
    [backup] = db_path.parent.glob("conversations.db.bak-v6-*")
    assert raw_query(backup, "PRAGMA user_version") == [(6,)]
    with opened.store as s:
        assert raw_query(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)] == [(7,)]
        assert raw_query(db_path, "SELECT * FROM messages ORDER BY id") == before
        assert s.tool_choices(kept.id) == (frozenset(), frozenset())
        updated = s.get_conversation(kept.id).updated
        s.set_tool_choices(kept.id, off=["t__f"], allowed=["t__g"])
        s.set_tool_choices(gone.id, off=["t__f", "t__g"], allowed=[])
        assert s.tool_choices(kept.id) == (frozenset({"t__f"}), frozenset({"t__g"}))
        assert s.get_conversation(kept.id).updated == updated  # not a message: no reorder
        s.delete_conversation(gone.id)
    assert raw_query(db_path, "SELECT conversation_id, tool, choice FROM tool_choices") == [
        (kept.id, "t__f", "off"),
        (kept.id, "t__g", "allowed"),
    ]
    with pytest.raises(sqlite3.IntegrityError):
        raw_query(db_path, "UPDATE tool_choices SET choice = 'maybe'")
    fresh = tmp_path / "fresh.db"
    Store.open(fresh).store.close()
    schema = (
        "SELECT type, name, sql FROM sqlite_schema "
        "WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name"
    )
    assert raw_query(db_path, schema) == raw_query(fresh, schema)
    assert raw_query(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert raw_query(db_path, "PRAGMA foreign_key_check") == []
