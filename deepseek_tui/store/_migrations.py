"""Schema versions, as an ordered list of migration steps.

The schema version lives in ``PRAGMA user_version``. Each step runs, together
with its version bump, in one ``BEGIN IMMEDIATE`` transaction (SQLite DDL is
transactional), so a failed step leaves the database exactly as it was. Before
the first pending step on an existing database, a copy is written next to it
with ``VACUUM INTO`` (``conversations.db.bak-v{old}-{timestamp}``) if it holds
any data: a step that succeeds but turns out to be wrong can still be undone by
hand.

Steps are tuples of single SQL statements rather than scripts because
``executescript`` commits first, which would break the one-transaction rule.

Never edit a released step: add a new one.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from ._clock import file_stamp
from ._connection import immediate
from ._errors import StoreError, disk_full, primary_code


class Migration(NamedTuple):  # cheaper to create than a dataclass, at every start
    """One step from ``version - 1`` to ``version``."""

    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


def _statements(*sql: str) -> Callable[[sqlite3.Connection], None]:
    def apply(conn: sqlite3.Connection) -> None:
        for statement in sql:
            conn.execute(statement)

    return apply


# Version 1: the base tables.
#
# ``messages.id`` is AUTOINCREMENT so an id is never reused: a process that
# still holds the id of a deleted message can never checkpoint into a newer one.
# The (conversation_id, seq) unique index orders a conversation, serves the
# foreign key (cascading deletes) and makes ``max(seq)`` cheap. The partial index
# on streaming rows makes crash recovery at start-up O(streaming rows).
_V1 = _statements(
    """
    CREATE TABLE conversations (
        id       TEXT PRIMARY KEY NOT NULL,
        title    TEXT NOT NULL DEFAULT '',
        created  TEXT NOT NULL,
        updated  TEXT NOT NULL,
        model    TEXT,
        params   TEXT NOT NULL DEFAULT '{}',
        system   TEXT,
        provider TEXT
    )
    """,
    "CREATE INDEX conversations_updated ON conversations (updated)",
    """
    CREATE TABLE messages (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL
                        REFERENCES conversations (id) ON DELETE CASCADE,
        seq             INTEGER NOT NULL,
        role            TEXT NOT NULL
                        CHECK (role IN ('system', 'user', 'assistant', 'tool')),
        content         TEXT NOT NULL DEFAULT '',
        reasoning       TEXT,
        model           TEXT,
        params          TEXT,
        usage           TEXT,
        cost            REAL,
        finish_reason   TEXT,
        status          TEXT NOT NULL DEFAULT 'complete'
                        CHECK (status IN ('streaming', 'complete', 'interrupted', 'error')),
        error           TEXT,
        attachments     TEXT,
        created         TEXT NOT NULL,
        updated         TEXT NOT NULL,
        UNIQUE (conversation_id, seq)
    )
    """,
    "CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming'",
)

# Version 2: full-text search, kept in sync by triggers, backfilled.
#
# Message text uses an external-content FTS5 table keyed by messages.id (an
# INTEGER PRIMARY KEY, so VACUUM never renumbers it). Titles get a small FTS5
# table of their own that stores the conversation id, because a conversation's
# implicit rowid is *not* stable across VACUUM and so cannot key an
# external-content index. The update trigger on messages fires only when the
# text changed, so finishing a message does not reindex it twice.
_V2 = _statements(
    """
    CREATE VIRTUAL TABLE messages_fts USING fts5 (
        content,
        content = 'messages',
        content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE VIRTUAL TABLE conversations_fts USING fts5 (
        title,
        conversation_id UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
    END
    """,
    """
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content)
        VALUES ('delete', old.id, old.content);
    END
    """,
    """
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages
    WHEN old.content IS NOT new.content BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content)
        VALUES ('delete', old.id, old.content);
        INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
    END
    """,
    """
    CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
        INSERT INTO conversations_fts (title, conversation_id) VALUES (new.title, new.id);
    END
    """,
    """
    CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
        DELETE FROM conversations_fts WHERE conversation_id = old.id;
    END
    """,
    """
    CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations
    WHEN old.title IS NOT new.title BEGIN
        DELETE FROM conversations_fts WHERE conversation_id = old.id;
        INSERT INTO conversations_fts (title, conversation_id) VALUES (new.title, new.id);
    END
    """,
    "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')",
    "INSERT INTO conversations_fts (title, conversation_id) SELECT title, id FROM conversations",
)

# Version 3: branches. Each message points at the one before it (``parent_id``)
# and a conversation at the last message of the branch it shows (``head_id``),
# so regenerating an answer or editing a prompt adds a sibling instead of
# overwriting: the old branch stays in the database and can be shown again.
# Existing conversations become single chains in ``seq`` order.
_V3 = _statements(
    "ALTER TABLE messages ADD COLUMN parent_id INTEGER",
    "ALTER TABLE conversations ADD COLUMN head_id INTEGER",
    """
    UPDATE messages SET parent_id = (
        SELECT p.id FROM messages p
        WHERE p.conversation_id = messages.conversation_id AND p.seq < messages.seq
        ORDER BY p.seq DESC LIMIT 1
    )
    """,
    """
    UPDATE conversations SET head_id = (
        SELECT m.id FROM messages m WHERE m.conversation_id = conversations.id
        ORDER BY m.seq DESC LIMIT 1
    )
    """,
    "CREATE INDEX messages_parent ON messages (parent_id)",
)

# Version 4: ``stopped``, the status of an answer the user stopped (Esc), apart
# from ``interrupted`` (the app ended while it streamed). Until now Esc was
# stored as ``interrupted`` with the error text "stopped"; those rows become
# ``stopped``, and lose that error text, which only encoded the status.
#
# SQLite cannot change a CHECK constraint in place, so ``messages`` is rebuilt
# (https://sqlite.org/lang_altertable.html, "other kinds of table schema
# changes"): a new table with the wider CHECK, every row copied with its id,
# the old table dropped, the new one renamed. Ids stay the same, so the
# external-content search index (keyed by ``messages.id``) stays valid and is
# not rebuilt. What belonged to the old table is made again: its indexes and
# the triggers that keep the index in sync. The AUTOINCREMENT counter is
# carried over, so an id deleted before the upgrade is still never reused.
# ``messages`` is only ever a child in a foreign key (``conversation_id``), so
# dropping it with foreign keys on deletes nothing elsewhere.
_V4 = _statements(
    """
    CREATE TABLE messages_v4 (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        conversation_id TEXT NOT NULL
                        REFERENCES conversations (id) ON DELETE CASCADE,
        seq             INTEGER NOT NULL,
        role            TEXT NOT NULL
                        CHECK (role IN ('system', 'user', 'assistant', 'tool')),
        content         TEXT NOT NULL DEFAULT '',
        reasoning       TEXT,
        model           TEXT,
        params          TEXT,
        usage           TEXT,
        cost            REAL,
        finish_reason   TEXT,
        status          TEXT NOT NULL DEFAULT 'complete'
                        CHECK (status IN
                               ('streaming', 'complete', 'stopped', 'interrupted', 'error')),
        error           TEXT,
        attachments     TEXT,
        created         TEXT NOT NULL,
        updated         TEXT NOT NULL,
        parent_id       INTEGER,
        UNIQUE (conversation_id, seq)
    )
    """,
    """
    INSERT INTO messages_v4 (id, conversation_id, seq, role, content, reasoning, model,
        params, usage, cost, finish_reason, status, error, attachments, created, updated,
        parent_id)
    SELECT id, conversation_id, seq, role, content, reasoning, model,
        params, usage, cost, finish_reason, status, error, attachments, created, updated,
        parent_id
    FROM messages ORDER BY id
    """,
    # The copy set the new table's counter to its largest id; the old counter
    # may be larger (the newest messages were deleted). Keep the larger one.
    """
    INSERT INTO sqlite_sequence (name, seq)
    SELECT 'messages_v4', 0
    WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'messages_v4')
    """,
    """
    UPDATE sqlite_sequence SET seq = max(seq, coalesce(
        (SELECT s.seq FROM sqlite_sequence s WHERE s.name = 'messages'), 0))
    WHERE name = 'messages_v4'
    """,
    "DROP TABLE messages",
    "ALTER TABLE messages_v4 RENAME TO messages",
    "CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming'",
    "CREATE INDEX messages_parent ON messages (parent_id)",
    """
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
    END
    """,
    """
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content)
        VALUES ('delete', old.id, old.content);
    END
    """,
    """
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages
    WHEN old.content IS NOT new.content BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content)
        VALUES ('delete', old.id, old.content);
        INSERT INTO messages_fts (rowid, content) VALUES (new.id, new.content);
    END
    """,
    "UPDATE messages SET status = 'stopped', error = NULL "
    "WHERE status = 'interrupted' AND error = 'stopped'",
)

# Version 5: attachment bytes, kept so that later turns (and regenerate, edit,
# a restart) send an image again exactly as it went the first time. One row per
# distinct content, keyed by its SHA-256 in lowercase hex: the same picture
# attached to ten messages (or re-sent by ten regenerations) is stored once.
# Messages point at it from their ``attachments`` JSON records (``"sha256"``);
# a row no record points at any more is removed when a message or a
# conversation is deleted (see ``_blobs``). No foreign key: the references live
# in JSON, and a table that referenced ``messages`` would be emptied by the
# next rebuild of ``messages`` (as v4 did).
_V5 = _statements(
    """
    CREATE TABLE attachment_data (
        sha256  TEXT PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
        size    INTEGER NOT NULL,
        data    BLOB NOT NULL,
        created TEXT NOT NULL
    )
    """,
)

# Version 6: tool use. An assistant message may carry the ``tool_calls`` the
# model asked for (a JSON array, stored exactly as received so that replaying
# it is byte-identical), and a ``tool`` message answers one call: its
# ``tool_call_id``, the wire ``tool_name`` and how the call ended
# (``tool_status``; the row's own ``status`` stays the lifecycle of the row,
# ``complete`` for a stored result). Plain columns added in place: no rebuild.
#
# Search covers what a call asked for: the index now reads a view,
# ``messages_search``, whose text is the message's content followed by its
# calls (the stored JSON, which the store writes compact, less the keys every
# call has, so "function" or "arguments" match no more than they should:
# ``json_each`` would be neater, but FTS5 cannot rebuild from a view that
# uses it — "SQL logic error" on SQLite 3.40). The index is external-content on the view, so
# ``rebuild`` and ``integrity-check`` stay exact; the triggers read the same
# view (before a row goes, after it comes), so the text indexed and the text
# deleted are always the same. A later rebuild of ``messages`` (as v4 did)
# must drop and recreate the view around it: SQLite refuses to rename a table
# that a broken view refers to.
_SEARCH_CHANGED = "WHEN old.content IS NOT new.content OR old.tool_calls IS NOT new.tool_calls"
_V6 = _statements(
    "ALTER TABLE messages ADD COLUMN tool_calls TEXT",
    "ALTER TABLE messages ADD COLUMN tool_call_id TEXT",
    "ALTER TABLE messages ADD COLUMN tool_name TEXT",
    """
    ALTER TABLE messages ADD COLUMN tool_status TEXT
        CHECK (tool_status IN ('ok', 'error', 'timeout', 'invalid', 'declined', 'not_run'))
    """,
    "DROP TRIGGER messages_fts_insert",
    "DROP TRIGGER messages_fts_delete",
    "DROP TRIGGER messages_fts_update",
    "DROP TABLE messages_fts",
    """
    CREATE VIEW messages_search (id, content) AS
    SELECT id, content || coalesce(char(10) || replace(replace(replace(replace(replace(
        tool_calls, '"type":"function"', ''), '"function":', ''), '"id":', ''),
        '"name":', ''), '"arguments":', ''), '')
    FROM messages
    """,
    """
    CREATE VIRTUAL TABLE messages_fts USING fts5 (
        content,
        content = 'messages_search',
        content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, content)
        SELECT id, content FROM messages_search WHERE id = new.id;
    END
    """,
    """
    CREATE TRIGGER messages_fts_delete BEFORE DELETE ON messages BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content)
        SELECT 'delete', id, content FROM messages_search WHERE id = old.id;
    END
    """,
    f"""
    CREATE TRIGGER messages_fts_update_before BEFORE UPDATE OF content, tool_calls
    ON messages {_SEARCH_CHANGED} BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, content)
        SELECT 'delete', id, content FROM messages_search WHERE id = old.id;
    END
    """,
    f"""
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, tool_calls
    ON messages {_SEARCH_CHANGED} BEGIN
        INSERT INTO messages_fts (rowid, content)
        SELECT id, content FROM messages_search WHERE id = new.id;
    END
    """,
    "INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')",
)

# Version 7: what the user chose about tools in a conversation, kept with it so
# that reopening it (``-c``, ``--resume``, Ctrl+O) finds them as they were left.
# One row per choice that differs from the default: ``off`` (the tool is not
# offered to the model) or ``allowed`` (its calls run without asking); both may
# hold for one tool. ``tool`` is the wire name (``server__tool``). Not kept in
# ``conversations.params``, which every send rewrites. The rows go with their
# conversation (cascade); a later rebuild of ``conversations`` must carry them.
_V7 = _statements(
    """
    CREATE TABLE tool_choices (
        conversation_id TEXT NOT NULL
                        REFERENCES conversations (id) ON DELETE CASCADE,
        tool            TEXT NOT NULL,
        choice          TEXT NOT NULL CHECK (choice IN ('off', 'allowed')),
        PRIMARY KEY (conversation_id, tool, choice)
    ) WITHOUT ROWID
    """,
)

#: Every step, oldest first. ``SCHEMA_VERSION`` is the last one's version.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "conversations and messages", _V1),
    Migration(2, "full-text search over titles and messages", _V2),
    Migration(3, "branches: regenerated answers and edited prompts", _V3),
    Migration(4, "a 'stopped' status for answers the user stopped", _V4),
    Migration(5, "attachment bytes kept with their messages", _V5),
    Migration(6, "tool calls and their results", _V6),
    Migration(7, "tool choices kept with their conversation", _V7),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the database header."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def latest_version(migrations: Sequence[Migration]) -> int:
    """The version the given steps lead to (0 for none)."""
    return max((m.version for m in migrations), default=0)


def _has_data(conn: sqlite3.Connection) -> bool:
    """Whether any ordinary table holds a row: only then is a backup worth taking."""
    tables = conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' "
        "AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    for (name,) in tables:
        quoted = '"' + str(name).replace('"', '""') + '"'
        if conn.execute(f"SELECT EXISTS (SELECT 1 FROM {quoted})").fetchone()[0]:
            return True
    return False


def backup(conn: sqlite3.Connection, path: Path, version: int, moment: datetime) -> Path:
    """Write a consistent copy of the database next to it; return its path.

    The target is created empty with mode 0600 first (``VACUUM INTO`` accepts an
    empty file) so the copy is as private as the original.
    """
    base = f"{path.name}.bak-v{version}-{file_stamp(moment)}"
    target = path.with_name(base)
    n = 1
    while True:
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            n += 1
            target = path.with_name(f"{base}-{n}")
            continue
        try:
            os.fchmod(fd, 0o600)  # whatever the umask: VACUUM INTO must write it
        finally:
            os.close(fd)
        break
    try:
        conn.execute("VACUUM INTO ?", (str(target),))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def migrate(
    conn: sqlite3.Connection,
    path: Path,
    migrations: Sequence[Migration],
    clock: Callable[[], datetime],
) -> list[str]:
    """Bring the database up to the last of ``migrations``; return notices.

    Safe against another process migrating at the same time: each step re-reads
    the version inside its write transaction and skips what is already done.
    Raises :class:`StoreError` naming the step (and the backup) on failure.
    """
    steps = sorted(migrations, key=lambda m: m.version)
    start = user_version(conn)
    pending = [m for m in steps if m.version > start]
    if not pending:
        return []
    notices: list[str] = []
    saved: Path | None = None
    if _has_data(conn):
        try:
            saved = backup(conn, path, start, clock())
        except sqlite3.Error as error:
            if primary_code(error) == sqlite3.SQLITE_FULL:
                raise disk_full(
                    f"back up the conversation database before upgrading it from schema v{start}",
                    path,
                    "nothing was changed",
                ) from error
            raise StoreError(
                f"could not back up the conversation database before upgrading it "
                f"from schema v{start}: {' '.join(str(error).split())}; nothing was changed",
                path,
            ) from error
    applied = 0
    for step in pending:
        try:
            with immediate(conn):
                if user_version(conn) >= step.version:
                    continue  # another process got there first
                step.apply(conn)
                conn.execute(f"PRAGMA user_version = {int(step.version)}")
                applied += 1
        except Exception as error:
            now = user_version(conn)
            where = f"; a backup is at {saved}" if saved is not None else ""
            if isinstance(error, sqlite3.Error) and primary_code(error) == sqlite3.SQLITE_FULL:
                raise disk_full(
                    f"upgrade the conversation database to schema v{step.version}",
                    path,
                    f"it was left unchanged at v{now}{where}",
                ) from error
            reason = " ".join(str(error).split()) or type(error).__name__
            raise StoreError(
                f"could not upgrade the conversation database to schema v{step.version} "
                f"({step.description}: {reason}); it was left unchanged at v{now}{where}",
                path,
            ) from error
    if saved is not None and not applied:
        # Another process upgraded the database while this one was backing it
        # up (VACUUM INTO cannot run inside the write transaction); that process
        # kept its own backup, so this copy is redundant.
        saved.unlink(missing_ok=True)
    elif saved is not None:
        notices.append(
            f"Upgraded the conversation database from schema v{start} to "
            f"v{user_version(conn)}; the old one was saved as {saved.name}"
        )
    return notices
