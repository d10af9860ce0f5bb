"""Errors of the conversation store.

Every failure the store can meet — a full disk (:class:`DiskFullError`), a busy
or damaged database, an unknown or ambiguous id, a write to a database a newer
deepseek-tui wrote (:class:`NewerSchemaError`) — surfaces as a
:class:`StoreError` (or a subclass), never as a bare ``sqlite3`` exception. Its
``str()`` is one line a person can act on and names the database file, so the
CLI can print it as is and the UI can show it in a notification.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path


class StoreError(Exception):
    """A storage operation failed; ``str(error)`` is the message to show."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        self.message = message
        self.path = path
        super().__init__(message if path is None else f"{message} ({path})")


class NotFoundError(StoreError):
    """No conversation (or message) has the given id."""


class AmbiguousIdError(StoreError):
    """An id prefix matches more than one conversation.

    ``candidates`` holds the first few matching ids so a UI can offer them.
    """

    def __init__(self, message: str, path: Path | None, candidates: Sequence[str]) -> None:
        super().__init__(message, path)
        self.candidates = tuple(candidates)


class ReadOnlyError(StoreError):
    """A write was attempted on a database that was opened read-only."""


class NewerSchemaError(ReadOnlyError):
    """A newer deepseek-tui wrote the database: this one may read it (as far as
    it understands it) and never writes to it."""


class InvalidImportError(StoreError):
    """Data given to ``import_json`` is not a deepseek-tui export."""


class DiskFullError(StoreError):
    """The disk is full: what was being written was rolled back, what was saved
    before is kept."""


def disk_full(action: str, path: Path, kept: str = "what was saved is kept") -> DiskFullError:
    """The one line for a full disk: what failed, what to do, and what is left."""
    return DiskFullError(
        f"could not {action}: the disk is full; free some space and try again; {kept}", path
    )


def newer_schema(version: int, latest: int) -> str:
    """Why a database is read-only, and what to do about it."""
    return (
        f"the conversation database was written by a newer deepseek-tui (schema v{version}; "
        f"this one knows up to v{latest}), so it is read-only here; upgrade deepseek-tui, "
        "or set DEEPSEEK_TUI_HOME to use another"
    )


#: Primary SQLite result codes that mean the file itself is damaged.
CORRUPTION_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})

_EXPLANATIONS = {
    sqlite3.SQLITE_BUSY: "the database stayed busy: another deepseek-tui process is "
    "holding it; try again",
    sqlite3.SQLITE_LOCKED: "the database stayed busy; try again",
    sqlite3.SQLITE_READONLY: "the database file is read-only; check its permissions",
    sqlite3.SQLITE_CANTOPEN: "the database file cannot be opened; check that its "
    "directory exists and is writable",
    sqlite3.SQLITE_IOERR: "a disk I/O error occurred",
    sqlite3.SQLITE_CORRUPT: "the database file is damaged; restart deepseek-tui to "
    "move it aside and start a new one",
    sqlite3.SQLITE_NOTADB: "the file is not a deepseek-tui database",
    sqlite3.SQLITE_PERM: "permission denied",
}


def primary_code(error: sqlite3.Error) -> int | None:
    """The primary result code of a sqlite3 error (extended codes folded), if known."""
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def is_corruption(error: sqlite3.Error) -> bool:
    """Whether the error says the database file is damaged or not a database."""
    return primary_code(error) in CORRUPTION_CODES


def translate(error: sqlite3.Error, path: Path, action: str) -> StoreError:
    """Turn a sqlite3 error into a one-line :class:`StoreError`.

    ``action`` says what was being done ("save the message"), so the message
    reads "could not save the message: the disk is full; …".
    """
    code = primary_code(error)
    if code == sqlite3.SQLITE_FULL:
        return disk_full(action, path)
    reason = _EXPLANATIONS.get(code) if code is not None else None
    if reason is None:
        reason = " ".join(str(error).split()) or type(error).__name__
    return StoreError(f"could not {action}: {reason}", path)
