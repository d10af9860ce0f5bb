"""The conversation store: one SQLite file, every conversation and message.

Threading: a :class:`Store` owns one connection, opened with
``check_same_thread=False``, and every public method holds the store's lock
for its whole duration. Any thread may call it, one at a time; calls from
several threads simply queue. Each method is short (milliseconds), so calling it
from a worker thread never stalls the UI for long. Several processes may use the
same file at once (the TUI and ``deepseek-tui ask``): writes take turns through
``BEGIN IMMEDIATE`` (see ``_connection``).

Streaming protocol, which is what keeps a crash from losing an answer:
``begin_turn`` stores the user message and an empty ``streaming`` assistant row
in one transaction; ``checkpoint`` saves the partial text (at least once a
second); ``finish_message`` records the outcome. Rows a crash left
``streaming`` become ``interrupted`` with their last checkpoint by
``recover_interrupted`` at the next start. A turn with tools goes on after
its calls' results (``add_tool_result``) with ``begin_answer``, another
placeholder that the same protocol covers (see ``_tool_turns``).

The methods live in parts, one module each, put together here: conversations
(``_conversations``), messages and the streaming protocol (``_messages``),
tool use (``_tool_turns``), the tools chosen per conversation
(``_tool_choices``), branches (``_branches``), export and import (``_exchange``), attachment
bytes (``_blobs``), all on the
connection and lock of ``_base``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import NamedTuple, Self

from ._blobs import BlobsPart
from ._branches import BranchesPart
from ._clock import Clock, IdFactory, random_id, utc_now
from ._conversations import ConversationsPart
from ._exchange import ExchangePart
from ._messages import MessagesPart
from ._migrations import MIGRATIONS, Migration
from ._open import open_database
from ._tool_choices import ToolChoicesPart
from ._tool_turns import ToolTurnsPart


class OpenResult(NamedTuple):  # cheaper to create than a dataclass, at every start
    """What :meth:`Store.open` gives back.

    ``notices`` are one-line messages for the UI or CLI to show once (a damaged
    database moved aside, an upgrade, a read-only open). ``read_only`` is true
    when the database was written by a newer deepseek-tui.
    """

    store: Store
    notices: tuple[str, ...]
    read_only: bool


class Store(
    ConversationsPart,
    MessagesPart,
    ToolTurnsPart,
    ToolChoicesPart,
    BranchesPart,
    ExchangePart,
    BlobsPart,
):
    """Every conversation and message, in one SQLite file. See the module docstring."""

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        clock: Clock = utc_now,
        new_id: IdFactory = random_id,
        migrations: Sequence[Migration] = MIGRATIONS,
    ) -> OpenResult:
        """Open (creating, upgrading or repairing as needed) the database at ``path``.

        * missing: created with mode 0600 (a missing directory 0700);
        * older schema: backed up next to itself, then migrated step by step;
        * newer schema (a newer deepseek-tui wrote it): opened read-only;
        * damaged (not a database, malformed, fails ``quick_check``): moved aside
          as ``<name>.corrupt-<time>`` with its -wal/-shm, and a new one created.

        Raises :class:`StoreError` only when none of that helps (no permission,
        a migration failed — the database is then left as it was).
        """
        path = Path(path).expanduser()
        opened = open_database(path, clock, migrations)
        store = cls(
            opened.conn,
            path,
            read_only_reason=opened.read_only_reason,
            clock=clock,
            new_id=new_id,
        )
        return OpenResult(store, opened.notices, store.read_only)

    def close(self) -> None:
        """Close the connection (idempotent). Later calls raise :class:`StoreError`."""
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is None:
                return
            try:
                if self._read_only_reason is None:
                    conn.execute("PRAGMA optimize")
            except sqlite3.Error:
                pass
            finally:
                conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
