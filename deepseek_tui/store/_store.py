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
``recover_interrupted`` at the next start.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple, Self

from .. import sanitize
from . import _rows
from ._clock import Clock, IdFactory, format_timestamp, random_id, utc_now
from ._connection import immediate
from ._errors import AmbiguousIdError, NotFoundError, ReadOnlyError, StoreError, translate
from ._migrations import MIGRATIONS, Migration
from ._open import open_database
from ._types import FINAL_STATUSES, ROLES, Conversation, ConversationSummary, Message, Role, Status

#: Longest automatic title, in characters (an ellipsis marks a cut).
#: A ``streaming`` answer not checkpointed for this long was left by a crash:
#: a live turn checkpoints (a heartbeat) every second, even while queued, so a
#: younger row may belong to another process streaming right now. Start-up
#: passes it to :meth:`Store.recover_interrupted`.
RECOVER_AFTER = timedelta(seconds=30)
TITLE_LENGTH = 60
#: How many candidates an "ambiguous id" error names.
_CANDIDATES = 5


class OpenResult(NamedTuple):  # cheaper to create than a dataclass, at every start
    """What :meth:`Store.open` gives back.

    ``notices`` are one-line messages for the UI or CLI to show once (a damaged
    database moved aside, an upgrade, a read-only open). ``read_only`` is true
    when the database was written by a newer deepseek-tui.
    """

    store: Store
    notices: tuple[str, ...]
    read_only: bool


def _attachment_names(attachments: Sequence[Any] | None) -> str:
    """``a.txt, b.png``: what names a conversation whose first message is files only."""
    names = [str(a.get("name")) for a in attachments or () if isinstance(a, Mapping)]
    return ", ".join(n for n in names if n)


def derive_title(text: str) -> str:
    """A title from a first user message: its first non-blank line, whitespace
    collapsed, at most :data:`TITLE_LENGTH` characters with an ellipsis.

    Terminal escape sequences and control characters are removed first: a title
    is shown in lists everywhere and must never carry them.
    """
    for line in sanitize.clean(text).splitlines():
        words = line.split()
        if words:
            title = " ".join(words)
            if len(title) > TITLE_LENGTH:
                title = title[: TITLE_LENGTH - 1].rstrip() + "…"
            return title
    return ""


def _prefix_upper_bound(prefix: str) -> str | None:
    """The smallest string greater than every string starting with ``prefix``.

    SQLite compares TEXT bytewise (UTF-8), which orders like code points, so
    bumping the last character works; ``None`` when it cannot be bumped.
    """
    last = ord(prefix[-1])
    if last >= 0xD7FF:
        return None
    return prefix[:-1] + chr(last + 1)


class Store:
    """Every conversation and message, in one SQLite file. See the module docstring."""

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

    # --- opening and closing --------------------------------------------------

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

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def read_only(self) -> bool:
        """True when a newer deepseek-tui wrote the database; every write raises."""
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
                raise translate(error, self._path, action) from error

    @contextmanager
    def _writing(self, action: str) -> Iterator[sqlite3.Connection]:
        """Like :meth:`_reading`, inside one ``BEGIN IMMEDIATE`` transaction."""
        with self._reading(action) as conn:
            if self._read_only_reason is not None:
                raise ReadOnlyError(f"could not {action}: {self._read_only_reason}", self._path)
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

    # --- conversations --------------------------------------------------------

    def create_conversation(
        self,
        *,
        title: str = "",
        model: str | None = None,
        params: Mapping[str, Any] | None = None,
        system: str | None = None,
        provider: str | None = None,
    ) -> Conversation:
        """A new, empty conversation. ``title=""`` lets the first message name it."""
        with self._writing("create a conversation") as conn:
            ident = self._fresh_id(conn)
            now = self._now()
            _rows.insert_conversation(
                conn,
                id=ident,
                title=title,
                created=now,
                updated=now,
                model=model,
                params=params or {},
                system=system,
                provider=provider,
            )
            return self._fetch_conversation(conn, ident)

    def get_conversation(self, id_or_prefix: str) -> Conversation:
        """The conversation with this id or unique id prefix.

        Raises :class:`NotFoundError`, or :class:`AmbiguousIdError` naming a few
        candidates.
        """
        with self._reading("read the conversation") as conn:
            return _rows.conversation(self._resolve(conn, id_or_prefix))

    def latest_conversation(self) -> Conversation | None:
        """The most recently updated conversation (``deepseek-tui -c``), if any."""
        with self._reading("read the latest conversation") as conn:
            row = conn.execute(
                "SELECT * FROM conversations ORDER BY updated DESC, rowid DESC LIMIT 1"
            ).fetchone()
            return None if row is None else _rows.conversation(row)

    def list_conversations(
        self, *, limit: int | None = None, search: str | None = None
    ) -> list[ConversationSummary]:
        """Conversations, most recently updated first.

        With ``search``, only those whose title or any message text matches
        every term (the last one as a prefix). Any input is safe: operators and
        quotes are taken literally; input with nothing searchable (``"*"``)
        matches nothing, while a blank ``search`` is the same as none.
        """
        bound = -1 if limit is None else max(0, limit)
        select = f"SELECT {_rows.SUMMARY_COLUMNS} FROM conversations c"
        order = "ORDER BY c.updated DESC, c.rowid DESC LIMIT :n"
        with self._reading("list conversations") as conn:
            if search is None or not search.strip():
                rows = conn.execute(f"{select} {order}", {"n": bound}).fetchall()
                return [_rows.summary(r) for r in rows]
            from ._search import plan as plan_search  # only the history search needs it

            plan = plan_search(search)
            if plan.match is not None:
                rows = conn.execute(
                    f"{select} WHERE c.id IN ("
                    "  SELECT conversation_id FROM conversations_fts"
                    "  WHERE conversations_fts MATCH :q"
                    "  UNION"
                    "  SELECT m.conversation_id FROM messages_fts f"
                    "  JOIN messages m ON m.id = f.rowid WHERE messages_fts MATCH :q"
                    f") {order}",
                    {"q": plan.match, "n": bound},
                ).fetchall()
            elif plan.like:
                terms = {f"t{i}": pattern for i, pattern in enumerate(plan.like)}
                title = " AND ".join(f"c.title LIKE :{k} ESCAPE '\\'" for k in terms)
                body = " AND ".join(f"m.content LIKE :{k} ESCAPE '\\'" for k in terms)
                rows = conn.execute(
                    f"{select} WHERE ({title}) OR c.id IN ("
                    f"  SELECT m.conversation_id FROM messages m WHERE {body}"
                    f") {order}",
                    {**terms, "n": bound},
                ).fetchall()
            else:
                rows = []
            return [_rows.summary(r) for r in rows]

    def update_conversation(
        self,
        conversation_id: str,
        *,
        title: str | None = None,
        model: str | None = None,
        params: Mapping[str, Any] | None = None,
        system: str | None = None,
        provider: str | None = None,
    ) -> Conversation:
        """Change a conversation's own settings; ``None`` leaves a field as it is.

        ``params`` replaces the whole dict. ``system=""`` removes the system prompt.
        """
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = _rows.text(title.strip())
        if model is not None:
            changes["model"] = model
        if params is not None:
            changes["params"] = _rows.dumps(params)
        if system is not None:
            changes["system"] = _rows.opt_text(system or None)
        if provider is not None:
            changes["provider"] = provider
        with self._writing("update the conversation") as conn:
            self._require_conversation(conn, conversation_id)
            changes["updated"] = self._now()
            assignments = ", ".join(f"{column} = :{column}" for column in changes)
            conn.execute(
                f"UPDATE conversations SET {assignments} WHERE id = :conversation_id",
                {**changes, "conversation_id": conversation_id},
            )
            return self._fetch_conversation(conn, conversation_id)

    def rename(self, conversation_id: str, title: str) -> Conversation:
        """Set a conversation's title (``""`` lets the next message name it again)."""
        return self.update_conversation(conversation_id, title=title)

    def delete_conversation(self, conversation_id: str) -> None:
        """Delete a conversation and all its messages."""
        with self._writing("delete the conversation") as conn:
            cursor = conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            if cursor.rowcount == 0:
                raise self._missing(conversation_id)

    # --- messages -------------------------------------------------------------

    def messages(self, conversation_id: str) -> list[Message]:
        """A conversation's messages, oldest first."""
        with self._reading("read the messages") as conn:
            self._require_conversation(conn, conversation_id)
            return self._fetch_messages(conn, conversation_id)

    def get_message(self, message_id: int) -> Message:
        """One message by id."""
        with self._reading("read the message") as conn:
            return self._fetch_message(conn, message_id)

    def begin_turn(
        self,
        conversation_id: str,
        *,
        user_content: str,
        model: str | None,
        params: Mapping[str, Any] | None,
        attachments: Sequence[Any] | None = None,
    ) -> tuple[Message, Message]:
        """Store the user's message and an empty ``streaming`` assistant reply.

        One transaction: either both rows exist or neither. An untitled
        conversation is named after the message (see :func:`derive_title`).
        Returns ``(user_message, assistant_placeholder)``.
        """
        with self._writing("save the message") as conn:
            self._require_conversation(conn, conversation_id)
            now = self._now()
            seq = self._next_seq(conn, conversation_id)
            user = _rows.insert_message(
                conn,
                conversation_id=conversation_id,
                seq=seq,
                role="user",
                created=now,
                content=user_content,
                attachments=attachments,
                parent_id=self._head(conn, conversation_id),
            )
            assistant = _rows.insert_message(
                conn,
                conversation_id=conversation_id,
                seq=seq + 1,
                role="assistant",
                created=now,
                model=model,
                params=params,
                status="streaming",
                parent_id=user,
            )
            self._set_head(conn, conversation_id, assistant)
            conn.execute(
                "UPDATE conversations SET updated = :now, "
                "title = CASE WHEN title = '' THEN :title ELSE title END WHERE id = :id",
                {
                    "now": now,
                    "title": derive_title(
                        _rows.text(user_content) or _attachment_names(attachments)
                    ),
                    "id": conversation_id,
                },
            )
            return self._fetch_message(conn, user), self._fetch_message(conn, assistant)

    def append_message(
        self,
        conversation_id: str,
        *,
        role: Role,
        content: str,
        reasoning: str | None = None,
        model: str | None = None,
        params: Mapping[str, Any] | None = None,
        usage: Mapping[str, Any] | None = None,
        cost: float | None = None,
        finish_reason: str | None = None,
        status: Status = "complete",
        error: str | None = None,
        attachments: Sequence[Any] | None = None,
    ) -> Message:
        """Add one message outside a turn (a tool result, a system note, a fixture)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}, not {role!r}")
        with self._writing("save the message") as conn:
            self._require_conversation(conn, conversation_id)
            now = self._now()
            ident = _rows.insert_message(
                conn,
                conversation_id=conversation_id,
                seq=self._next_seq(conn, conversation_id),
                role=role,
                created=now,
                content=content,
                reasoning=reasoning,
                model=model,
                params=params,
                usage=usage,
                cost=cost,
                finish_reason=finish_reason,
                status=status,
                error=error,
                attachments=attachments,
                parent_id=self._head(conn, conversation_id),
            )
            self._set_head(conn, conversation_id, ident)
            self._touch(conn, conversation_id, now)
            return self._fetch_message(conn, ident)

    def checkpoint(self, message_id: int, content: str, reasoning: str | None) -> bool:
        """Save the partial text of a ``streaming`` message; cheap, call it often.

        Returns ``False`` (and changes nothing) when the message is no longer
        streaming — a checkpoint that arrives after ``finish_message`` must not
        overwrite the final text.
        """
        with self._writing("save the partial answer") as conn:
            cursor = conn.execute(
                "UPDATE messages SET content = ?, reasoning = ?, updated = ? "
                "WHERE id = ? AND status = 'streaming'",
                (_rows.text(content), _rows.opt_text(reasoning or None), self._now(), message_id),
            )
            return cursor.rowcount == 1

    def finish_message(
        self,
        message_id: int,
        *,
        content: str,
        reasoning: str | None,
        status: Status,
        finish_reason: str | None = None,
        usage: Mapping[str, Any] | None = None,
        cost: float | None = None,
        error: str | None = None,
        model: str | None = None,
    ) -> Message:
        """Record how a message ended: ``complete``, ``stopped`` (the user stopped
        it), ``interrupted`` (the app is ending mid-stream) or ``error`` (with the
        reason in ``error``); see ``_endings``.

        ``model`` (when given) replaces the stored one — the host may answer
        with a more specific id than was asked for.
        """
        if status not in FINAL_STATUSES:
            raise ValueError(f"status must be one of {FINAL_STATUSES}, not {status!r}")
        with self._writing("save the answer") as conn:
            now = self._now()
            cursor = conn.execute(
                "UPDATE messages SET content = :content, reasoning = :reasoning, "
                "status = :status, finish_reason = :finish_reason, usage = :usage, "
                "cost = :cost, error = :error, model = coalesce(:model, model), "
                "updated = :now WHERE id = :id",
                {
                    "content": _rows.text(content),
                    "reasoning": _rows.opt_text(reasoning or None),
                    "status": status,
                    "finish_reason": finish_reason,
                    "usage": _rows.dumps(usage),
                    "cost": cost,
                    "error": _rows.opt_text(error),
                    "model": model,
                    "now": now,
                    "id": message_id,
                },
            )
            if cursor.rowcount == 0:
                raise NotFoundError(f"no message with id {message_id}", self._path)
            message = self._fetch_message(conn, message_id)
            self._touch(conn, message.conversation_id, now)
            return message

    def recover_interrupted(self, *, older_than: timedelta | None = None) -> int:
        """Mark messages a crash left ``streaming`` as ``interrupted``; return how many.

        Call it at start-up. Their text is what the last checkpoint saved.
        ``older_than`` spares rows checkpointed more recently than that — pass
        a few seconds when another process might be streaming right now. A
        read-only store has nothing to recover and returns 0.
        """
        if self.read_only:
            return 0
        with self._writing("recover interrupted answers") as conn:
            now = self._now()
            cutoff = None if older_than is None else format_timestamp(self._clock() - older_than)
            cursor = conn.execute(
                "UPDATE messages SET status = 'interrupted', updated = :now "
                "WHERE status = 'streaming' AND (:cutoff IS NULL OR updated <= :cutoff)",
                {"now": now, "cutoff": cutoff},
            )
            return cursor.rowcount

    def delete_message(self, message_id: int) -> None:
        """Delete one message (e.g. a failed reply before a retry)."""
        with self._writing("delete the message") as conn:
            gone = self._fetch_message(conn, message_id)
            conn.execute(
                "UPDATE messages SET parent_id = ? WHERE parent_id = ?",
                (gone.parent_id, message_id),
            )
            if self._head(conn, gone.conversation_id) == message_id:
                self._set_head(conn, gone.conversation_id, gone.parent_id)
            conn.execute("DELETE FROM messages WHERE id = ?", (message_id,))

    # --- branches ---------------------------------------------------------------

    def all_messages(self, conversation_id: str) -> list[Message]:
        """Every message of every branch, in the order they were written."""
        with self._reading("read the messages") as conn:
            self._require_conversation(conn, conversation_id)
            return self._fetch_all(conn, conversation_id)

    def alternatives(self, message_id: int) -> list[Message]:
        """``message_id`` and its siblings: the same place in the conversation with
        another text (a regenerated answer, an edited prompt), oldest first."""
        with self._reading("read the alternatives") as conn:
            m = self._fetch_message(conn, message_id)
            rows = conn.execute(
                "SELECT * FROM messages WHERE conversation_id = ? AND role = ? "
                "AND parent_id IS ? ORDER BY seq",
                (m.conversation_id, m.role, m.parent_id),
            ).fetchall()
            return [_rows.message(r) for r in rows]

    def rewind(self, message_id: int) -> Conversation:
        """Make the conversation show the branch up to just before ``message_id``:
        the next turn then adds an alternative to it. Nothing is deleted."""
        with self._writing("start a branch") as conn:
            m = self._fetch_message(conn, message_id)
            self._set_head(conn, m.conversation_id, m.parent_id)
            return self._fetch_conversation(conn, m.conversation_id)

    def select_branch(self, message_id: int) -> Conversation:
        """Show the branch through ``message_id``, down to its latest message."""
        with self._writing("switch branches") as conn:
            m = self._fetch_message(conn, message_id)
            head = m.id
            while True:
                row = conn.execute(
                    "SELECT id FROM messages WHERE parent_id = ? ORDER BY seq DESC LIMIT 1",
                    (head,),
                ).fetchone()
                if row is None:
                    break
                head = int(row[0])
            self._set_head(conn, m.conversation_id, head)
            return self._fetch_conversation(conn, m.conversation_id)

    # --- export and import ------------------------------------------------------
    # (``_export`` loads on first use: the TUI's first frame does not need it)

    def _export_parts(self, id_or_prefix: str) -> tuple[Conversation, list[Message]]:
        with self._reading("export the conversation") as conn:
            conversation = _rows.conversation(self._resolve(conn, id_or_prefix))
            return conversation, self._fetch_messages(conn, conversation.id)

    def export_json(self, id_or_prefix: str) -> dict[str, Any]:
        """The ``export --format json`` object (DESIGN.md) of a conversation."""
        from ._export import export_dict

        return export_dict(*self._export_parts(id_or_prefix))

    def export_markdown(self, id_or_prefix: str) -> str:
        """A conversation as Markdown, for people."""
        from ._export import export_markdown

        return export_markdown(*self._export_parts(id_or_prefix))

    def import_json(self, data: Any) -> Conversation:
        """Add a conversation from an :meth:`export_json` object.

        Keeps the exported id unless it is taken (then a new one is made) and the
        original time stamps. Raises :class:`InvalidImportError` with the first
        problem found; nothing is written then.
        """
        from ._export import parse_import

        imported = parse_import(data)
        with self._writing("import the conversation") as conn:
            ident = self._fresh_id(conn, imported.id)
            created = imported.created or self._now()
            _rows.insert_conversation(
                conn,
                id=ident,
                title=imported.title,
                created=created,
                updated=imported.updated or created,
                model=imported.model,
                params=imported.params,
                system=imported.system,
                provider=imported.provider,
            )
            parent: int | None = None
            for seq, m in enumerate(imported.messages, start=1):
                parent = _rows.insert_message(
                    conn,
                    conversation_id=ident,
                    seq=seq,
                    role=m.role,
                    created=m.created or created,
                    content=m.content,
                    reasoning=m.reasoning,
                    model=m.model,
                    params=m.params,
                    usage=m.usage,
                    cost=m.cost,
                    finish_reason=m.finish_reason,
                    status=m.status,
                    error=m.error,
                    attachments=m.attachments,
                    parent_id=parent,
                )
            self._set_head(conn, ident, parent)
            return self._fetch_conversation(conn, ident)
