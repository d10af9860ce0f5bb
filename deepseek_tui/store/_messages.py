"""Messages: the streaming protocol (``begin_turn``, ``checkpoint``,
``finish_message``, ``recover_interrupted``; see ``_store``), messages added
outside a turn, reading and deleting them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from . import _blobs, _rows
from ._base import StoreBase
from ._clock import format_timestamp
from ._conversations import attachment_names, derive_title
from ._errors import NotFoundError
from ._types import FINAL_STATUSES, ROLES, Message, Role, Status

#: A ``streaming`` answer not checkpointed for this long was left by a crash:
#: a live turn checkpoints (a heartbeat) every second, even while queued, so a
#: younger row may belong to another process streaming right now. Start-up
#: passes it to :meth:`Store.recover_interrupted`.
RECOVER_AFTER = timedelta(seconds=30)


class MessagesPart(StoreBase):
    """The message methods of :class:`~deepseek_tui.store.Store`."""

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
        attachment_data: Mapping[str, bytes] | None = None,
    ) -> tuple[Message, Message]:
        """Store the user's message and an empty ``streaming`` assistant reply.

        One transaction: either both rows exist or neither. An untitled
        conversation is named after the message (see :func:`derive_title`).
        ``attachment_data`` maps the SHA-256 (hex) its ``attachments`` records
        name to the bytes to keep (stored once, see ``_blobs``).
        Returns ``(user_message, assistant_placeholder)``.
        """
        with self._writing("save the message") as conn:
            self._require_conversation(conn, conversation_id)
            now = self._now()
            if attachment_data:
                _blobs.put(conn, attachment_data, now)
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
                        _rows.text(user_content) or attachment_names(attachments)
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

    def reopen_message(self, message_id: int) -> Message:
        """Make a finished assistant message ``streaming`` again, to continue it
        in place (DeepSeek's prefix completion joins the pieces into one
        answer); ``checkpoint`` and ``finish_message`` then work on it as on a
        new one. Its text, usage and cost stay until they are replaced."""
        with self._writing("save the answer") as conn:
            now = self._now()
            cursor = conn.execute(
                "UPDATE messages SET status = 'streaming', updated = ? "
                "WHERE id = ? AND role = 'assistant'",
                (now, message_id),
            )
            if cursor.rowcount == 0:
                raise NotFoundError(f"no answer with id {message_id}", self._path)
            message = self._fetch_message(conn, message_id)
            self._touch(conn, message.conversation_id, now)
            return message

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
        tool_calls: Sequence[Mapping[str, Any]] | None = None,
    ) -> Message:
        """Record how a message ended: ``complete``, ``stopped`` (the user stopped
        it), ``interrupted`` (the app is ending mid-stream) or ``error`` (with the
        reason in ``error``); see ``_endings``.

        ``model`` (when given) replaces the stored one — the host may answer
        with a more specific id than was asked for. ``tool_calls`` are the calls
        the answer asked for, in the OpenAI shape and exactly as received (they
        are replayed byte for byte); their results follow with
        :meth:`add_tool_result`, then :meth:`begin_answer` continues the turn.
        """
        if status not in FINAL_STATUSES:
            raise ValueError(f"status must be one of {FINAL_STATUSES}, not {status!r}")
        calls = ", tool_calls = :tool_calls" if tool_calls else ""
        with self._writing("save the answer") as conn:
            now = self._now()
            cursor = conn.execute(
                "UPDATE messages SET content = :content, reasoning = :reasoning, "
                "status = :status, finish_reason = :finish_reason, usage = :usage, "
                "cost = :cost, error = :error, model = coalesce(:model, model), "
                f"updated = :now{calls} WHERE id = :id",
                {
                    "tool_calls": _rows.dumps([dict(c) for c in tool_calls or ()]),
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
            if gone.attachments:
                _blobs.prune(conn)
