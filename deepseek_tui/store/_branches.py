"""Branches: a regenerated answer or an edited prompt is a sibling of the
message it replaces (schema v3), so nothing is overwritten; a conversation
shows one branch, the one through its ``head_id``."""

from __future__ import annotations

from . import _rows
from ._base import StoreBase
from ._types import Conversation, Message


class BranchesPart(StoreBase):
    """The branch methods of :class:`~deepseek_tui.store.Store`."""

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
