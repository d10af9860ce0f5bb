"""Conversations and messages: create, read, update, delete, ordering, titles, ids."""

from __future__ import annotations

import sqlite3
import stat
import threading
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepseek_tui.store import (
    SCHEMA_VERSION,
    AmbiguousIdError,
    NotFoundError,
    Store,
    StoreError,
    derive_title,
)


def test_new_database_is_private_and_in_wal_mode(db_path: Path, store: Store) -> None:
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    store.create_conversation(title="x")
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.exists() and stat.S_IMODE(wal.stat().st_mode) == 0o600
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert raw.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_existing_directory_mode_is_left_alone(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    Store.open(tmp_path / "conversations.db").store.close()
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755


def test_create_and_get_conversation(store: Store) -> None:
    params = {"temperature": 0.7, "top_p": 0.9, "max_tokens": 512, "thinking": True}
    made = store.create_conversation(
        title="Plan", model="deepseek-flash", params=params, system="Be brief.", provider="ds"
    )
    assert len(made.id) == 16 and int(made.id, 16) >= 0
    assert made.created == made.updated == "2026-01-02T03:04:05.678Z"
    got = store.get_conversation(made.id)
    assert got == made
    assert got.params == params and got.system == "Be brief." and got.provider == "ds"


def test_defaults(store: Store) -> None:
    made = store.create_conversation()
    assert made.title == "" and made.model is None and made.params == {}
    assert made.system is None and made.provider is None
    assert store.create_conversation(system="").system is None


def test_begin_turn_checkpoint_finish(store: Store) -> None:
    conv = store.create_conversation(model="deepseek-flash")
    user, placeholder = store.begin_turn(
        conv.id,
        user_content="What is WAL?",
        model="deepseek-flash",
        params={"temperature": 0.2},
        attachments=[{"name": "notes.txt", "size": 12}],
    )
    assert (user.role, user.status, user.content, user.seq) == (
        "user",
        "complete",
        "What is WAL?",
        1,
    )
    assert user.attachments == [{"name": "notes.txt", "size": 12}]
    assert user.model is None and user.params is None
    assert (placeholder.role, placeholder.status, placeholder.content) == (
        "assistant",
        "streaming",
        "",
    )
    assert placeholder.seq == 2 and placeholder.params == {"temperature": 0.2}
    assert placeholder.reasoning is None

    assert store.checkpoint(placeholder.id, "Write-ahead", "thinking…")
    mid = store.get_message(placeholder.id)
    assert (mid.content, mid.reasoning, mid.status) == ("Write-ahead", "thinking…", "streaming")

    done = store.finish_message(
        placeholder.id,
        content="Write-ahead logging.",
        reasoning="thinking… done",
        status="complete",
        finish_reason="stop",
        usage={"prompt_tokens": 10, "completion_tokens": 4, "prompt_cache_hit_tokens": 0},
        cost=0.000012,
        model="deepseek-v4-flash",
    )
    assert done.status == "complete" and done.finish_reason == "stop"
    assert done.usage == {"prompt_tokens": 10, "completion_tokens": 4, "prompt_cache_hit_tokens": 0}
    assert done.cost == pytest.approx(0.000012)
    assert done.model == "deepseek-v4-flash" and done.error is None
    assert store.get_conversation(conv.id).updated == done.updated

    # A checkpoint that arrives after the end must not clobber the final text.
    assert not store.checkpoint(placeholder.id, "stale", None)
    assert store.get_message(placeholder.id).content == "Write-ahead logging."


def test_finish_keeps_model_when_not_given_and_records_errors(store: Store) -> None:
    conv = store.create_conversation()
    _, a = store.begin_turn(conv.id, user_content="hi", model="m1", params=None)
    failed = store.finish_message(
        a.id, content="", reasoning=None, status="error", error="HTTP 503: overloaded"
    )
    assert (failed.model, failed.status, failed.error, failed.cost) == (
        "m1",
        "error",
        "HTTP 503: overloaded",
        None,
    )
    with pytest.raises(ValueError, match="status"):
        store.finish_message(a.id, content="", reasoning=None, status="streaming")
    with pytest.raises(NotFoundError, match="no message with id 999"):
        store.finish_message(999, content="", reasoning=None, status="complete")


def test_messages_are_ordered_and_numbered(store: Store) -> None:
    conv = store.create_conversation()
    store.append_message(conv.id, role="system", content="sys")
    for i in range(5):
        _, a = store.begin_turn(conv.id, user_content=f"q{i}", model="m", params={})
        store.finish_message(a.id, content=f"a{i}", reasoning=None, status="complete")
    store.append_message(conv.id, role="tool", content="{}", status="complete")
    msgs = store.messages(conv.id)
    assert [m.seq for m in msgs] == list(range(1, 13))
    assert [m.content for m in msgs][:5] == ["sys", "q0", "a0", "q1", "a1"]
    assert [m.role for m in msgs][-3:] == ["user", "assistant", "tool"]
    assert all(m.conversation_id == conv.id for m in msgs)
    with pytest.raises(ValueError, match="role"):
        store.append_message(conv.id, role="bot", content="x")  # type: ignore[arg-type]


def test_title_comes_from_the_first_user_message_only(store: Store) -> None:
    conv = store.create_conversation()
    store.begin_turn(
        conv.id, user_content="\n\n  Explain   the\tCAP theorem  \nplease", model="m", params={}
    )
    assert store.get_conversation(conv.id).title == "Explain the CAP theorem"
    store.begin_turn(conv.id, user_content="second question", model="m", params={})
    assert store.get_conversation(conv.id).title == "Explain the CAP theorem"

    named = store.create_conversation(title="Mine")
    store.begin_turn(named.id, user_content="other", model="m", params={})
    assert store.get_conversation(named.id).title == "Mine"

    blank = store.create_conversation()
    store.begin_turn(blank.id, user_content="  \n ", model="m", params={})
    assert store.get_conversation(blank.id).title == ""


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_derived_titles_are_short_single_lines(text: str) -> None:
    title = derive_title(text)
    assert len(title) <= 60
    assert title == title.strip()
    assert not any(unicodedata.category(c) == "Cc" for c in title)
    assert "\n" not in title and "  " not in title


def test_derive_title() -> None:
    assert derive_title("short") == "short"
    long = derive_title("word " * 40)
    assert len(long) == 60 and long.endswith("…")
    assert derive_title("How do I bake \x1b[31mbread\x1b[0m?") == "How do I bake bread?"
    assert derive_title("") == ""


def test_list_newest_first_with_counts_and_limit(store: Store, clock) -> None:
    a = store.create_conversation(title="a", model="m-a")
    b = store.create_conversation(title="b")
    c = store.create_conversation(title="c")
    store.begin_turn(a.id, user_content="bump a", model="m", params={})
    listed = store.list_conversations()
    assert [s.id for s in listed] == [a.id, c.id, b.id]
    assert [s.message_count for s in listed] == [2, 0, 0]
    assert listed[0].model == "m-a"
    assert [s.id for s in store.list_conversations(limit=2)] == [a.id, c.id]
    assert store.list_conversations(limit=0) == []
    assert store.latest_conversation() == store.get_conversation(a.id)


def test_list_ties_on_updated_put_the_newer_conversation_first(db_path: Path) -> None:
    from datetime import UTC, datetime

    fixed = datetime(2026, 1, 1, tzinfo=UTC)
    with Store.open(db_path, clock=lambda: fixed).store as s:
        first = s.create_conversation(title="first")
        second = s.create_conversation(title="second")
        assert [c.id for c in s.list_conversations()] == [second.id, first.id]
        assert s.latest_conversation() == second


def test_summary_to_json_is_the_history_row(store: Store) -> None:
    conv = store.create_conversation(title="T", model="deepseek-flash")
    store.begin_turn(conv.id, user_content="q", model="m", params={})
    row = store.list_conversations()[0].to_json()
    assert row == {
        "id": conv.id,
        "title": "T",
        "created": conv.created,
        "updated": store.get_conversation(conv.id).updated,
        "model": "deepseek-flash",
        "messages": 2,
        # Still streaming: reported as a partial answer, like export does.
        "last_status": "interrupted",
    }


def test_summary_last_status_is_the_shown_branch_s_last_message(store: Store) -> None:
    def last_status(cid: str) -> object:
        (row,) = [r for r in store.list_conversations() if r.id == cid]
        assert row.to_json()["last_status"] == (
            "interrupted" if row.last_status == "streaming" else row.last_status
        )
        return row.last_status

    conv = store.create_conversation()
    assert last_status(conv.id) is None
    _, a = store.begin_turn(conv.id, user_content="q", model="m", params={})
    assert last_status(conv.id) == "streaming"
    for status in ("stopped", "error", "interrupted", "complete"):
        store.finish_message(a.id, content="x", reasoning=None, status=status, error="e")
        assert last_status(conv.id) == status
    _, b = store.begin_turn(conv.id, user_content="again", model="m", params={})
    store.finish_message(b.id, content="", reasoning=None, status="stopped")
    assert last_status(conv.id) == "stopped"
    store.rewind(b.id)  # the shown branch now ends with the user's prompt
    assert last_status(conv.id) == "complete"
    store.select_branch(b.id)
    assert last_status(conv.id) == "stopped"


def test_latest_conversation_of_empty_store(store: Store) -> None:
    assert store.latest_conversation() is None
    assert store.list_conversations() == []


def test_update_and_rename(store: Store) -> None:
    conv = store.create_conversation(title="old", model="m1", params={"t": 1}, system="s")
    updated = store.update_conversation(conv.id, model="m2", params={"t": 2, "thinking": False})
    assert (updated.model, updated.params, updated.title, updated.system) == (
        "m2",
        {"t": 2, "thinking": False},
        "old",
        "s",
    )
    assert updated.updated > conv.updated
    assert store.update_conversation(conv.id, system="").system is None
    assert store.rename(conv.id, "  new name ").title == "new name"
    with pytest.raises(NotFoundError):
        store.rename("nope", "x")


def test_a_rename_is_not_a_use(store: Store) -> None:
    """``-c`` and the list follow the last message or settings change, not a rename."""
    old = store.create_conversation(title="old")
    store.begin_turn(old.id, user_content="first", model="m", params={})
    new = store.create_conversation(title="new")
    store.begin_turn(new.id, user_content="second", model="m", params={})
    before = store.get_conversation(old.id).updated
    assert store.rename(old.id, "renamed").updated == before
    assert store.latest_conversation().id == new.id  # type: ignore[union-attr]
    assert [c.title for c in store.list_conversations()] == ["new", "renamed"]
    store.update_conversation(old.id, model="m2")  # a settings change is a use
    assert store.latest_conversation().id == old.id  # type: ignore[union-attr]


def test_delete_conversation_cascades(store: Store, db_path: Path) -> None:
    keep = store.create_conversation(title="keep")
    gone = store.create_conversation(title="gone")
    for conv in (keep, gone):
        store.begin_turn(conv.id, user_content="hello", model="m", params={})
    store.delete_conversation(gone.id)
    with pytest.raises(NotFoundError):
        store.get_conversation(gone.id)
    with pytest.raises(NotFoundError):
        store.messages(gone.id)
    with pytest.raises(NotFoundError):
        store.delete_conversation(gone.id)
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("SELECT count(*) FROM messages").fetchone() == (2,)
    assert len(store.messages(keep.id)) == 2


def test_delete_message(store: Store) -> None:
    conv = store.create_conversation()
    user, a = store.begin_turn(conv.id, user_content="q", model="m", params={})
    store.delete_message(a.id)
    assert [m.id for m in store.messages(conv.id)] == [user.id]
    with pytest.raises(NotFoundError):
        store.delete_message(a.id)
    with pytest.raises(NotFoundError):
        store.get_message(a.id)
    # Ids are never reused, so a stale id can never touch a newer message.
    _, again = store.begin_turn(conv.id, user_content="q2", model="m", params={})
    assert again.id > a.id


def test_prefix_resolution(db_path: Path, clock, ids) -> None:
    with Store.open(db_path, clock=clock, new_id=ids).store as s:
        one = s.create_conversation(title="one")  # c0ffee0000000001
        two = s.create_conversation(title="two")  # c0ffee0000000002
        assert s.get_conversation(one.id) == one
        assert s.get_conversation("c0ffee0000000002") == two
        assert s.get_conversation(" c0ffee0000000001 ").id == one.id
        assert s.get_conversation("C0FFEE0000000002").id == two.id
        with pytest.raises(AmbiguousIdError) as ambiguous:
            s.get_conversation("c0ffee")
        message = str(ambiguous.value)
        assert "ambiguous" in message and one.id in message and "(one)" in message
        assert str(db_path) in message
        assert set(ambiguous.value.candidates) == {one.id, two.id}
        with pytest.raises(NotFoundError, match="no conversation with id 'beef'"):
            s.get_conversation("beef")
        with pytest.raises(NotFoundError):
            s.get_conversation("   ")
        for i in range(10):
            s.create_conversation(title=f"n{i}")
        with pytest.raises(AmbiguousIdError, match="and more") as many:
            s.get_conversation("c0f")
        assert len(many.value.candidates) == 5


def test_prefix_resolution_with_unusual_ids(db_path: Path) -> None:
    made = iter(["a%_\U0010ffff", "a%x", "\ud7ff1", "\ud7ff2"])
    with Store.open(db_path, new_id=lambda: next(made)).store as s:
        for _ in range(4):
            s.create_conversation()
        assert s.get_conversation("a%_").id == "a%_\U0010ffff"
        with pytest.raises(AmbiguousIdError):
            s.get_conversation("\ud7ff")
        with pytest.raises(NotFoundError):
            s.get_conversation("%")


def test_id_collisions_are_retried(db_path: Path) -> None:
    made = iter(["same", "same", "same", "other"])
    with Store.open(db_path, new_id=lambda: next(made)).store as s:
        assert s.create_conversation().id == "same"
        assert s.create_conversation().id == "other"


def test_recover_interrupted(store: Store, clock) -> None:
    conv = store.create_conversation()
    _, old = store.begin_turn(conv.id, user_content="q1", model="m", params={})
    store.checkpoint(old.id, "partial answ", "partial reasoning")
    clock.advance(seconds=30)
    _, fresh = store.begin_turn(conv.id, user_content="q2", model="m", params={})
    _, done = store.begin_turn(conv.id, user_content="q3", model="m", params={})
    store.finish_message(done.id, content="ok", reasoning=None, status="complete")

    assert store.recover_interrupted(older_than=timedelta(seconds=10)) == 1
    recovered = store.get_message(old.id)
    assert (recovered.status, recovered.content, recovered.reasoning) == (
        "interrupted",
        "partial answ",
        "partial reasoning",
    )
    assert store.get_message(fresh.id).status == "streaming"
    assert store.recover_interrupted() == 1
    assert store.get_message(fresh.id).status == "interrupted"
    assert store.get_message(done.id).status == "complete"
    assert store.recover_interrupted() == 0


def test_missing_conversation_errors(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no conversation with id 'zz'"):
        store.begin_turn("zz", user_content="q", model="m", params={})
    with pytest.raises(NotFoundError):
        store.update_conversation("zz", title="t")
    with pytest.raises(NotFoundError):
        store.append_message("zz", role="user", content="x")


def test_unencodable_text_is_stored_not_crashed(store: Store) -> None:
    conv = store.create_conversation()
    _, a = store.begin_turn(conv.id, user_content="bad \ud800 half", model="m", params={})
    store.checkpoint(a.id, "x\udfff", "y\ud83d")
    got = store.get_message(a.id)
    assert got.content.startswith("x") and "\udfff" not in got.content
    assert store.messages(conv.id)[0].content.startswith("bad ")


def test_closed_store_raises_store_error(db_path: Path) -> None:
    s = Store.open(db_path).store
    s.close()
    s.close()  # idempotent
    with pytest.raises(StoreError, match="closed") as info:
        s.list_conversations()
    assert str(db_path) in str(info.value)


def test_store_is_shared_safely_between_threads(store: Store) -> None:
    conv = store.create_conversation()
    errors: list[BaseException] = []

    def work(tag: str) -> None:
        try:
            for i in range(40):
                _, a = store.begin_turn(conv.id, user_content=f"{tag}{i}", model="m", params={})
                store.checkpoint(a.id, "p", None)
                store.finish_message(a.id, content=f"{tag}{i}!", reasoning=None, status="complete")
                store.list_conversations(search=tag)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(t,)) for t in ("x", "y", "z")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    msgs = store.messages(conv.id)
    assert [m.seq for m in msgs] == list(range(1, 241))
    for user, answer in zip(msgs[::2], msgs[1::2], strict=True):
        assert answer.content == user.content + "!"


def test_two_connections_in_one_process(db_path: Path) -> None:
    first = Store.open(db_path).store
    second = Store.open(db_path).store
    try:
        conv = first.create_conversation(title="shared")
        _, a = second.begin_turn(conv.id, user_content="q", model="m", params={})
        assert first.get_message(a.id).status == "streaming"
        assert [c.id for c in second.list_conversations()] == [conv.id]
    finally:
        first.close()
        second.close()
