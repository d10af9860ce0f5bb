"""Opening SQLite connections and running write transactions.

Why these settings:

* WAL lets readers (the history list, a second ``deepseek-tui``) run while a
  writer streams; ``synchronous=NORMAL`` is durable against a process crash or
  ``kill -9`` in WAL mode (only a power cut can lose the last commits), and
  keeps the once-a-second checkpoint cheap.
* Every write starts with ``BEGIN IMMEDIATE``: the write lock is taken up front,
  so a transaction never has to upgrade a stale read snapshot (the case in
  which SQLite reports "database is locked" without waiting). Combined with
  ``busy_timeout`` and a bounded retry of the ``BEGIN`` itself, two processes
  writing at once simply take turns.
* ``isolation_level=None``: the sqlite3 module never opens or commits
  transactions behind our back; :func:`immediate` does it explicitly.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from deepseek_tui.paths import ensure_private_dir

from ._errors import primary_code

BUSY_TIMEOUT_MS = 5000
#: How many times ``BEGIN IMMEDIATE`` is tried when it still finds the database
#: busy after ``busy_timeout``.
BEGIN_ATTEMPTS = 4


def create_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (and missing directories 0700),
    whatever the umask.

    An empty file is a valid empty SQLite database. SQLite gives the -wal and
    -shm files the database file's permissions, so they stay private too.
    Existing files and directories are left as they are.
    """
    ensure_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, 0o600)  # a umask such as 0277 would leave it read-only
    finally:
        os.close(fd)


def connect(path: Path) -> sqlite3.Connection:
    """A connection with the store's per-connection settings.

    ``check_same_thread=False`` because the UI calls the store from worker
    threads; the :class:`~deepseek_tui.store.Store` serialises access with a lock.
    """
    conn = sqlite3.connect(
        str(path),
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=False,
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    conn.row_factory = sqlite3.Row
    return conn


def _busy(error: sqlite3.OperationalError) -> bool:
    return primary_code(error) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def enable_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL (persistent in the file) and relax fsyncs accordingly.

    The switch needs an exclusive lock, and SQLite may report it busy at once
    (without waiting) when another process is opening the same new database,
    so it is retried like ``BEGIN``. Once the file is in WAL mode this is a no-op.
    """
    for attempt in range(1, 4 * BEGIN_ATTEMPTS + 1):
        try:
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            break
        except sqlite3.OperationalError as error:
            if not _busy(error) or attempt == 4 * BEGIN_ATTEMPTS:
                raise
            time.sleep(0.01 * attempt)
    conn.execute("PRAGMA synchronous = NORMAL")


def quick_check(conn: sqlite3.Connection) -> str | None:
    """``None`` when ``PRAGMA quick_check`` passes, else its first complaint."""
    rows = conn.execute("PRAGMA quick_check").fetchall()
    first = str(rows[0][0]) if rows else "no answer from quick_check"
    return None if first == "ok" else first


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: ``BEGIN IMMEDIATE`` … ``COMMIT`` (or ``ROLLBACK``).

    ``busy_timeout`` already waits up to 5 s for the lock; if it is still busy
    the ``BEGIN`` is retried a few times with a short pause before the error is
    let through (the caller turns it into a ``StoreError``).
    """
    for attempt in range(1, BEGIN_ATTEMPTS + 1):
        try:
            conn.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as error:
            if not _busy(error) or attempt == BEGIN_ATTEMPTS:
                raise
            time.sleep(0.05 * attempt)
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
