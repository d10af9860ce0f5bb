"""What every part of the :class:`~deepseek_tui.store.Store` stands on: the
connection, the lock, and the few queries the parts share.

The store's methods live in cohesive parts (``_conversations``, ``_messages``,
``_branches``, ``_exchange``), each a class on top of :class:`StoreBase`;
``_store`` puts them together. Keeping the plumbing here means every public
method of every part takes the lock and turns ``sqlite3`` errors into
:class:`StoreError` the same way (``_reading`` / ``_writing``), and the
helpers that take an open connection run inside the caller's transaction.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from . import _rows
from ._clock import Clock, IdFactory, format_timestamp
from ._connection import immediate
from ._errors import (
    AmbiguousIdError,
    NewerSchemaError,
    NotFoundError,
    StoreError,
    primary_code,
    translate,
)
from ._types import Conversation, Message

#: How many candidates an "ambiguous id" error names.
_CANDIDATES = 5


def _prefix_upper_bound(prefix: str) -> str | None:
    """The smallest string greater than every string starting with ``prefix``.

    SQLite compares TEXT bytewise (UTF-8), which orders like code points, so
    bumping the last character works; ``None`` when it cannot be bumped.
    """
    last = ord(prefix[-1])
    if last >= 0xD7FF:
        return None
    return prefix[:-1] + chr(last + 1)


class StoreBase:
    """The connection, the lock and shared queries; see the module docstring."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        *,
        read_only_reason: str | None,
        clock: Clock,
        new_id: IdFactory,
    ) -> None:
        """Use :meth:`open`; this only wires up an already prepared connection."""
        self._conn: sqlite3.Connection | None = conn
        self._path = path
        self._read_only_reason = read_only_reason
        self._clock = clock
        self._new_id = new_id
        self._lock = threading.RLock()

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def read_only(self) -> bool:
        """True when a newer deepseek-tui wrote the database; every write raises
        :class:`NewerSchemaError`, and so does a read its schema no longer serves."""
        return self._read_only_reason is not None

    # --- plumbing -------------------------------------------------------------

    def _now(self) -> str:
        return format_timestamp(self._clock())

    @contextmanager
    def _reading(self, action: str) -> Iterator[sqlite3.Connection]:
        """Hold the lock; turn sqlite3 errors into a :class:`StoreError` saying ``action``."""
        with self._lock:
            if self._conn is None:
                raise StoreError(f"could not {action}: the store is closed", self._path)
            try:
                yield self._conn
            except sqlite3.Error as error:
                if (
                    self._read_only_reason is not None
                    and primary_code(error) == sqlite3.SQLITE_ERROR
                ):
                    raise self._newer(action) from error  # "no such column": a newer schema
                raise translate(error, self._path, action) from error
            except LookupError as error:
                if self._read_only_reason is None:
                    raise
                raise self._newer(action) from error  # a column a newer schema dropped

    def _newer(self, action: str) -> NewerSchemaError:
        return NewerSchemaError(f"could not {action}: {self._read_only_reason}", self._path)

    @contextmanager
    def _writing(self, action: str) -> Iterator[sqlite3.Connection]:
        """Like :meth:`_reading`, inside one ``BEGIN IMMEDIATE`` transaction."""
        with self._reading(action) as conn:
            if self._read_only_reason is not None:
                raise self._newer(action)
            with immediate(conn):
                yield conn

    def _missing(self, conversation_id: str) -> NotFoundError:
        return NotFoundError(f"no conversation with id {conversation_id!r}", self._path)

    def _resolve(self, conn: sqlite3.Connection, id_or_prefix: str) -> sqlite3.Row:
        """The row of the conversation with this id or unique id prefix."""
        key = id_or_prefix.strip()
        if not key:
            raise NotFoundError("no conversation id given", self._path)
        row: sqlite3.Row | None = conn.execute(
            "SELECT * FROM conversations WHERE id = ?", (key,)
        ).fetchone()
        if row is not None:
            return row
        # Ids are lowercase hex, but a user may type them in capitals.
        for prefix in dict.fromkeys((key, key.lower())):
            upper = _prefix_upper_bound(prefix)
            if upper is None:
                rows = conn.execute(
                    "SELECT * FROM conversations WHERE id >= ? AND substr(id, 1, ?) = ? "
                    "ORDER BY id LIMIT ?",
                    (prefix, len(prefix), prefix, _CANDIDATES + 1),
                ).fetchall()
            else:
                rows = conn.execute(
                    "SELECT * FROM conversations WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
                    (prefix, upper, _CANDIDATES + 1),
                ).fetchall()
            if len(rows) == 1:
                only: sqlite3.Row = rows[0]
                return only
            if rows:
                shown = ", ".join(
                    f"{r['id']} ({r['title'] or 'untitled'})" for r in rows[:_CANDIDATES]
                )
                more = " and more" if len(rows) > _CANDIDATES else ""
                raise AmbiguousIdError(
                    f"conversation id {key!r} is ambiguous: it matches {shown}{more}; "
                    "type more characters",
                    self._path,
                    [r["id"] for r in rows[:_CANDIDATES]],
                )
        raise self._missing(key)

    def _require_conversation(self, conn: sqlite3.Connection, conversation_id: str) -> None:
        found = conn.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,))
        if found.fetchone() is None:
            raise self._missing(conversation_id)

    def _fetch_conversation(self, conn: sqlite3.Connection, conversation_id: str) -> Conversation:
        row = conn.execute(
            "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        if row is None:
            raise self._missing(conversation_id)
        return _rows.conversation(row)

    def _fetch_message(self, conn: sqlite3.Connection, message_id: int) -> Message:
        row = conn.execute("SELECT * FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no message with id {message_id}", self._path)
        return _rows.message(row)

    def _fetch_messages(self, conn: sqlite3.Connection, conversation_id: str) -> list[Message]:
        """The branch the conversation shows: from its head back to the first message."""
        head = self._head(conn, conversation_id)
        by_id = {m.id: m for m in self._fetch_all(conn, conversation_id)}
        path: list[Message] = []
        seen: set[int] = set()
        current = head
        while current is not None and current in by_id and current not in seen:
            seen.add(current)
            path.append(by_id[current])
            current = by_id[current].parent_id
        path.reverse()
        return path

    def _fetch_all(self, conn: sqlite3.Connection, conversation_id: str) -> list[Message]:
        rows = conn.execute(
            "SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq", (conversation_id,)
        ).fetchall()
        return [_rows.message(r) for r in rows]

    def _head(self, conn: sqlite3.Connection, conversation_id: str) -> int | None:
        row = conn.execute(
            "SELECT head_id FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def _set_head(self, conn: sqlite3.Connection, conversation_id: str, head: int | None) -> None:
        conn.execute("UPDATE conversations SET head_id = ? WHERE id = ?", (head, conversation_id))

    def _fresh_id(self, conn: sqlite3.Connection, wanted: str | None = None) -> str:
        """``wanted`` if it is free, else a new id from the factory."""
        wanted_first = [wanted] if wanted is not None else []
        for candidate in itertools.chain(wanted_first, (self._new_id() for _ in range(20))):
            taken = conn.execute("SELECT 1 FROM conversations WHERE id = ?", (candidate,))
            if taken.fetchone() is None:
                return candidate
        raise StoreError("could not create a conversation: no unused id found", self._path)

    def _next_seq(self, conn: sqlite3.Connection, conversation_id: str) -> int:
        row = conn.execute(
            "SELECT coalesce(max(seq), 0) FROM messages WHERE conversation_id = ?",
            (conversation_id,),
        ).fetchone()
        return int(row[0]) + 1

    def _touch(self, conn: sqlite3.Connection, conversation_id: str, now: str) -> None:
        conn.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))
