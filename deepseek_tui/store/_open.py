"""Opening a database file: create, check, repair, upgrade or lock down.

The rule is that the app always starts and nothing is ever deleted: a damaged
file is renamed aside (with its -wal/-shm) and a fresh one created; a file from
a newer deepseek-tui is opened read-only; an older one is backed up and
migrated. Only when none of that is possible (no permission, a failed
migration) does opening raise :class:`StoreError`.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from ._clock import Clock, file_stamp
from ._connection import connect, create_private, enable_wal, quick_check
from ._errors import StoreError, is_corruption, newer_schema, translate
from ._migrations import Migration, latest_version, migrate, user_version

_OPEN = "open the conversation database"


class Opened(NamedTuple):  # a NamedTuple: cheaper to create than a dataclass
    """A connection ready for the store, and what the user should be told."""

    conn: sqlite3.Connection
    read_only_reason: str | None
    notices: tuple[str, ...]


class _Corrupt(Exception):
    """The database file is damaged; ``moved_to`` is where it went, once moved."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.moved_to: Path | None = None


def _move_aside(path: Path, moment: datetime) -> Path:
    """Rename a damaged database (and its -wal/-shm/-journal) out of the way."""
    base = f"{path.name}.corrupt-{file_stamp(moment)}"
    target = path.with_name(base)
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{base}-{n}")
    os.replace(path, target)
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


def _reason(error: sqlite3.Error) -> str:
    return " ".join(str(error).split())


def _prepare(
    conn: sqlite3.Connection,
    path: Path,
    clock: Clock,
    migrations: Sequence[Migration],
    notices: list[str],
) -> str | None:
    """Check, then upgrade or lock down, a new connection; return the read-only reason."""
    try:
        version = user_version(conn)
        problem = quick_check(conn)
    except sqlite3.DatabaseError as error:
        if is_corruption(error):
            raise _Corrupt(_reason(error)) from error
        raise translate(error, path, _OPEN) from error
    if problem is not None:
        raise _Corrupt(f"integrity check: {problem}")
    latest = latest_version(migrations)
    if version > latest:
        conn.execute("PRAGMA query_only = ON")
        reason = newer_schema(version, latest)
        notices.append(f"{reason[0].upper()}{reason[1:]} ({path})")
        return reason
    try:
        enable_wal(conn)
    except sqlite3.Error as error:
        if is_corruption(error):
            raise _Corrupt(_reason(error)) from error
        raise translate(error, path, _OPEN) from error
    try:
        notices.extend(migrate(conn, path, migrations, clock))
    except sqlite3.Error as error:
        raise translate(error, path, "upgrade the conversation database") from error
    return None


def _attempt(
    path: Path, clock: Clock, migrations: Sequence[Migration], notices: list[str]
) -> Opened:
    try:
        create_private(path)
    except OSError as error:
        raise StoreError(
            f"could not create the conversation database: {error.strerror or error}", path
        ) from error
    try:
        conn = connect(path)
    except sqlite3.Error as error:
        raise translate(error, path, _OPEN) from error
    try:
        read_only_reason = _prepare(conn, path, clock, migrations, notices)
    except _Corrupt as damaged:
        # Move the files while SQLite still holds them: closing a connection may
        # checkpoint and delete a -wal by name, and the damaged set is worth
        # keeping exactly as it was found.
        try:
            damaged.moved_to = _move_aside(path, clock())
        except OSError:
            damaged.moved_to = None
        finally:
            conn.close()
        raise
    except BaseException:
        conn.close()
        raise
    return Opened(conn, read_only_reason, ())


def open_database(path: Path, clock: Clock, migrations: Sequence[Migration]) -> Opened:
    """Open ``path`` for the store; see the module docstring."""
    notices: list[str] = []
    try:
        opened = _attempt(path, clock, migrations, notices)
    except _Corrupt as damaged:
        target = damaged.moved_to
        if target is None:  # open files could not be renamed (Windows): again, closed
            try:
                target = _move_aside(path, clock())
            except OSError as error:
                raise StoreError(
                    f"the conversation database is damaged ({damaged.reason}) and could "
                    f"not be moved aside: {error.strerror or error}",
                    path,
                ) from error
        notices.append(
            f"The conversation database was damaged ({damaged.reason}); it was moved "
            f"to {target} and a new one was started."
        )
        try:
            opened = _attempt(path, clock, migrations, notices)
        except _Corrupt as again:
            raise StoreError(
                f"could not create a new conversation database: {again.reason}", path
            ) from again
    return Opened(opened.conn, opened.read_only_reason, tuple(notices))
