"""Conversations: create, find (by id or unique prefix), list and search,
update, delete; and how a conversation gets its automatic title."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import sanitize
from . import _blobs, _rows
from ._base import StoreBase
from ._types import Conversation, ConversationSummary

#: Longest automatic title, in characters (an ellipsis marks a cut).
TITLE_LENGTH = 60


def attachment_names(attachments: Sequence[Any] | None) -> str:
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


class ConversationsPart(StoreBase):
    """The conversation methods of :class:`~deepseek_tui.store.Store`."""

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
        """The conversation used last (``deepseek-tui -c``), if any: the one with
        the latest message or settings change (a rename is not a use)."""
        with self._reading("read the latest conversation") as conn:
            row = conn.execute(
                "SELECT * FROM conversations ORDER BY updated DESC, rowid DESC LIMIT 1"
            ).fetchone()
            return None if row is None else _rows.conversation(row)

    def list_conversations(
        self, *, limit: int | None = None, search: str | None = None
    ) -> list[ConversationSummary]:
        """Conversations, the one used last first (a rename does not move one).

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
                body = " AND ".join(
                    f"(m.content || coalesce(m.tool_calls, '')) LIKE :{k} ESCAPE '\\'"
                    for k in terms
                )
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
        A change of title alone keeps ``updated``, which orders the conversations
        by last use: renaming an old conversation does not make ``-c`` reopen it.
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
            if changes.keys() - {"title"}:
                changes["updated"] = self._now()
            if not changes:
                return self._fetch_conversation(conn, conversation_id)
            assignments = ", ".join(f"{column} = :{column}" for column in changes)
            conn.execute(
                f"UPDATE conversations SET {assignments} WHERE id = :conversation_id",
                {**changes, "conversation_id": conversation_id},
            )
            return self._fetch_conversation(conn, conversation_id)

    def rename(self, conversation_id: str, title: str) -> Conversation:
        """Set a conversation's title (``""`` lets the next message name it again);
        its place in the order of last use stays."""
        return self.update_conversation(conversation_id, title=title)

    def delete_conversation(self, conversation_id: str) -> None:
        """Delete a conversation and all its messages (and the attachment bytes
        only they referred to)."""
        with self._writing("delete the conversation") as conn:
            cursor = conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            if cursor.rowcount == 0:
                raise self._missing(conversation_id)
            _blobs.prune(conn)
