"""Migration 3: branches. Regenerating or editing adds a sibling; the shown
branch is what ``messages`` (and so every replayed request and export) returns."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from deepseek_tui.store import MIGRATIONS, SCHEMA_VERSION, Store

from .test_store_migrations import raw_query


def exchange(store: Store, cid: str, question: str, answer: str) -> tuple[int, int]:
    user, a = store.begin_turn(cid, user_content=question, model="m", params={})
    store.finish_message(a.id, content=answer, reasoning=None, status="complete")
    return user.id, a.id


def texts(store: Store, cid: str) -> list[str]:
    return [m.content for m in store.messages(cid)]


def test_regenerate_keeps_the_old_answer_reachable(store: Store) -> None:
    c = store.create_conversation()
    exchange(store, c.id, "q1", "a1")
    u2, a2 = exchange(store, c.id, "q2", "first answer")
    store.rewind(u2)
    assert texts(store, c.id) == ["q1", "a1"]
    u2b, a2b = exchange(store, c.id, "q2", "second answer")
    assert texts(store, c.id) == ["q1", "a1", "q2", "second answer"]
    assert [m.id for m in store.alternatives(u2b)] == [u2, u2b]
    assert [m.content for m in store.alternatives(a2b)] == ["second answer"]
    store.select_branch(u2)
    assert texts(store, c.id) == ["q1", "a1", "q2", "first answer"]
    assert store.export_json(c.id)["messages"][-1]["content"] == "first answer"
    assert len(store.all_messages(c.id)) == 6
    store.select_branch(u2b)
    exchange(store, c.id, "q3", "a3")  # continues the shown branch
    assert texts(store, c.id)[-4:] == ["q2", "second answer", "q3", "a3"]
    store.select_branch(u2)
    assert texts(store, c.id)[-1] == "first answer"
    store.select_branch(u2b)  # back down to its latest message
    assert texts(store, c.id)[-1] == "a3"


def test_edit_an_earlier_prompt_branches_from_there(store: Store) -> None:
    c = store.create_conversation()
    u1, _ = exchange(store, c.id, "q1", "a1")
    exchange(store, c.id, "q2", "a2")
    store.rewind(u1)
    exchange(store, c.id, "q1 edited", "a1'")
    assert texts(store, c.id) == ["q1 edited", "a1'"]
    store.select_branch(u1)
    assert texts(store, c.id) == ["q1", "a1", "q2", "a2"]


def test_deleting_a_message_keeps_the_chain(store: Store) -> None:
    c = store.create_conversation()
    exchange(store, c.id, "q1", "a1")
    _, a2 = exchange(store, c.id, "q2", "a2")
    store.delete_message(a2)
    assert texts(store, c.id) == ["q1", "a1", "q2"]
    exchange(store, c.id, "q3", "a3")
    assert texts(store, c.id) == ["q1", "a1", "q2", "q3", "a3"]


def test_import_is_one_chain(store: Store) -> None:
    c = store.create_conversation()
    exchange(store, c.id, "q1", "a1")
    data = store.export_json(c.id)
    store.delete_conversation(c.id)
    back = store.import_json(data)
    assert texts(store, back.id) == ["q1", "a1"]
    exchange(store, back.id, "q2", "a2")
    assert texts(store, back.id) == ["q1", "a1", "q2", "a2"]


def test_v2_database_becomes_chains(db_path: Path) -> None:
    Store.open(db_path, migrations=MIGRATIONS[:2]).store.close()
    now = "2026-01-01T00:00:00.000000Z"
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(
            "INSERT INTO conversations (id, title, created, updated, params) "
            "VALUES ('c', 't', ?, ?, '{}')",
            (now, now),
        )
        for seq, (role, content) in enumerate(
            [("user", "q1"), ("assistant", "a1"), ("user", "q2")], 1
        ):
            conn.execute(
                "INSERT INTO messages (conversation_id, seq, role, content, status, created, "
                "updated) VALUES ('c', ?, ?, ?, 'complete', ?, ?)",
                (seq, role, content, now, now),
            )
    conn.close()
    assert raw_query(db_path, "PRAGMA user_version") == [(2,)]
    with Store.open(db_path).store as store:
        c = store.get_conversation("c")
        assert texts(store, c.id) == ["q1", "a1", "q2"]
        ms = store.messages(c.id)
        assert [m.parent_id for m in ms] == [None, ms[0].id, ms[1].id]
        exchange(store, c.id, "q3", "a3")
        assert texts(store, c.id) == ["q1", "a1", "q2", "q3", "a3"]
    assert raw_query(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
