"""Attachment bytes kept with their messages (schema v5): stored once per content,
read back by SHA-256, removed with the last message that refers to them, and
carried by export and import."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

import pytest

from deepseek_tui.store import InvalidImportError, Store

from .test_store_migrations import raw_query

#: deepseek_tui.attachments.KEEP_MAX, which the messages name.
KEEP_MAX = 5 * 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
GIF = b"GIF89a" + bytes(range(32))


def _record(name: str, data: bytes) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "image",
        "mime": "image/png",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def _send(store: Store, cid: str, text: str, *files: tuple[str, bytes]) -> None:
    records = [_record(name, data) for name, data in files]
    _, answer = store.begin_turn(
        cid,
        user_content=text,
        model="m",
        params={},
        attachments=records or None,
        attachment_data={r["sha256"]: data for r, (_, data) in zip(records, files, strict=True)},
    )
    store.finish_message(answer.id, content="ok", reasoning=None, status="complete")


def test_the_same_bytes_are_stored_once_and_read_back_by_key(store: Store, db_path: Path) -> None:
    a = store.create_conversation()
    b = store.create_conversation()
    _send(store, a.id, "one", ("pic.png", PNG))
    _send(store, a.id, "again", ("same.png", PNG), ("anim.gif", GIF))
    _send(store, b.id, "elsewhere", ("pic.png", PNG))
    png, gif = hashlib.sha256(PNG).hexdigest(), hashlib.sha256(GIF).hexdigest()
    assert raw_query(db_path, "SELECT sha256, size FROM attachment_data ORDER BY size") == [
        (gif, len(GIF)),
        (png, len(PNG)),
    ]
    assert store.attachment_data([png, gif, "0" * 64, "not a key"]) == {png: PNG, gif: GIF}
    assert store.attachment_data([]) == {}


def test_a_key_that_is_not_the_digest_of_its_bytes_writes_nothing(store: Store) -> None:
    c = store.create_conversation()
    with pytest.raises(ValueError, match="not the SHA-256"):
        store.begin_turn(
            c.id,
            user_content="x",
            model="m",
            params={},
            attachments=[_record("pic.png", PNG)],
            attachment_data={hashlib.sha256(PNG).hexdigest(): GIF},
        )
    assert store.messages(c.id) == []


def test_bytes_go_with_the_last_message_or_conversation_that_refers_to_them(
    store: Store, db_path: Path
) -> None:
    a = store.create_conversation()
    b = store.create_conversation()
    _send(store, a.id, "one", ("pic.png", PNG), ("anim.gif", GIF))
    _send(store, b.id, "two", ("pic.png", PNG))
    store.delete_conversation(a.id)
    png = hashlib.sha256(PNG).hexdigest()
    assert raw_query(db_path, "SELECT sha256 FROM attachment_data") == [(png,)]  # b keeps it
    (user, _) = store.messages(b.id)
    store.delete_message(user.id)
    assert raw_query(db_path, "SELECT count(*) FROM attachment_data") == [(0,)]


def test_export_carries_the_bytes_and_import_restores_them(
    store: Store, db_path: Path, tmp_path: Path
) -> None:
    c = store.create_conversation()
    _send(store, c.id, "look", ("pic.png", PNG))
    _send(store, c.id, "again", ("pic.png", PNG))
    exported = store.export_json(c.id)
    png = hashlib.sha256(PNG).hexdigest()
    assert exported["attachment_data"] == {png: base64.b64encode(PNG).decode()}  # once
    with Store.open(tmp_path / "other.db").store as other:
        copy = other.import_json(exported)
        assert other.attachment_data([png]) == {png: PNG}
        assert other.export_json(copy.id) == {**exported, "id": copy.id}
    # Undoing a delete (export, delete, import) brings the bytes back.
    store.delete_conversation(c.id)
    assert raw_query(db_path, "SELECT count(*) FROM attachment_data") == [(0,)]
    store.import_json(exported, keep_id=True)
    assert store.attachment_data([png]) == {png: PNG}


def test_an_export_without_attachment_data_still_imports(store: Store) -> None:
    record = _record("pic.png", PNG)
    conv = store.import_json(
        {"messages": [{"role": "user", "content": "hi", "attachments": [record]}]}
    )
    (msg,) = store.messages(conv.id)
    assert msg.attachments == [record]  # replayed as a note: the bytes are not here
    assert store.attachment_data([record["sha256"]]) == {}


def test_unreferenced_bytes_in_an_import_are_not_stored(store: Store, db_path: Path) -> None:
    key = hashlib.sha256(GIF).hexdigest()
    store.import_json(
        {
            "messages": [{"role": "user", "content": "hi"}],
            "attachment_data": {key: base64.b64encode(GIF).decode()},
        }
    )
    assert raw_query(db_path, "SELECT count(*) FROM attachment_data") == [(0,)]


_KEY = hashlib.sha256(PNG).hexdigest()
BAD: list[tuple[Any, str]] = [
    ([], "must be an object"),
    ({"ABC": "AAAA"}, "not a SHA-256"),
    ({_KEY.upper(): base64.b64encode(PNG).decode()}, "not a SHA-256"),
    ({_KEY: 5}, "base64 string"),
    ({_KEY: "not base64!"}, "not valid base64"),
    ({_KEY: base64.b64encode(GIF).decode()}, "does not match its SHA-256"),
    ({_KEY: "A" * (KEEP_MAX // 3 * 4 + 8)}, "over the 5.0 MB"),
]


@pytest.mark.parametrize(("blobs", "problem"), BAD)
def test_bad_attachment_data_is_refused_and_nothing_written(
    store: Store, blobs: Any, problem: str
) -> None:
    data = {
        "messages": [{"role": "user", "content": "hi", "attachments": [_record("p.png", PNG)]}],
        "attachment_data": blobs,
    }
    with pytest.raises(InvalidImportError, match=f"attachment_data.*{problem}"):
        store.import_json(data)
    assert store.list_conversations() == []
