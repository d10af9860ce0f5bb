"""Attachment bytes (schema v5): one row per distinct content, keyed by its
SHA-256, so an image replayed in every later request is stored once however
many messages (and regenerated branches) carry it.

A message refers to its attachments' bytes from its ``attachments`` JSON
records (``{"name", "kind", "mime", "size", "sha256"}``). The store does not
read the records when it writes bytes: the caller hands both to
:meth:`~deepseek_tui.store.Store.begin_turn` and they are written in the same
transaction. Bytes nothing refers to any more are removed with the last
message that did (:func:`prune`), in the transaction that deleted it.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from typing import Any

from ._base import StoreBase

#: How a key looks: a SHA-256 digest in lowercase hex.
SHA256 = re.compile(r"[0-9a-f]{64}")


def digest(data: bytes) -> str:
    """The key ``data`` is stored under."""
    return hashlib.sha256(data).hexdigest()


def referenced(records: Iterable[Any] | None) -> set[str]:
    """The keys attachment records point at (anything else in them is ignored)."""
    out: set[str] = set()
    for r in records or ():
        if isinstance(r, Mapping):
            key = r.get("sha256")
            if isinstance(key, str) and SHA256.fullmatch(key):
                out.add(key)
    return out


def put(conn: sqlite3.Connection, blobs: Mapping[str, bytes], now: str) -> None:
    """Store each ``key: bytes`` once; a key that is not the bytes' digest is a
    caller's bug (it would replay the wrong file), so it raises ``ValueError``."""
    for key, data in blobs.items():
        if digest(data) != key:
            raise ValueError(f"attachment key {key[:12]}… is not the SHA-256 of its bytes")
        conn.execute(
            "INSERT OR IGNORE INTO attachment_data (sha256, size, data, created) "
            "VALUES (?, ?, ?, ?)",
            (key, len(data), data, now),
        )


def fetch(conn: sqlite3.Connection, keys: Iterable[str]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for key in sorted(set(keys)):
        row = conn.execute("SELECT data FROM attachment_data WHERE sha256 = ?", (key,)).fetchone()
        if row is not None:
            out[key] = bytes(row[0])
    return out


def prune(conn: sqlite3.Connection) -> int:
    """Remove the bytes no message refers to any more; return how many rows went.

    Reads only the messages that have attachments, so it costs little; run it
    in the transaction that deleted messages.
    """
    stored = {r[0] for r in conn.execute("SELECT sha256 FROM attachment_data")}
    if not stored:
        return 0
    used: set[str] = set()
    for (raw,) in conn.execute("SELECT attachments FROM messages WHERE attachments IS NOT NULL"):
        try:
            records = json.loads(raw)
        except ValueError:
            continue
        if isinstance(records, list):
            used |= referenced(records)
    gone = stored - used
    for key in gone:
        conn.execute("DELETE FROM attachment_data WHERE sha256 = ?", (key,))
    return len(gone)


class BlobsPart(StoreBase):
    """The attachment-bytes method of :class:`~deepseek_tui.store.Store`."""

    def attachment_data(self, keys: Iterable[str]) -> dict[str, bytes]:
        """The stored bytes for these SHA-256 keys; keys with none are left out
        (an attachment sent before v5, too big to keep, or imported without
        its bytes)."""
        wanted = [k for k in keys if isinstance(k, str) and SHA256.fullmatch(k)]
        if not wanted:
            return {}
        with self._reading("read the attachments") as conn:
            return fetch(conn, wanted)
