"""Tool use in the store: the results of the calls an answer asked for, and
the answer that continues after them.

A turn with tools is one exchange after the user's message, a chain on the
branch like any other::

    user → assistant (tool_calls) → tool … → assistant (tool_calls) → tool … → assistant

``begin_turn`` stores the question and the first placeholder; ``finish_message``
records the calls with the answer that asked for them; ``add_tool_result``
appends one result per call; ``begin_answer`` appends the next ``streaming``
placeholder, which ``checkpoint``, ``finish_message`` and crash recovery treat
like any other. Because every row hangs off the one before it, regenerating or
editing the question (``rewind`` to it) replaces the whole loop, and
``select_branch`` brings it all back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from deepseek_tui.tools import ToolStatus

from . import _rows
from ._base import StoreBase
from ._types import TOOL_STATUSES, Message


class ToolTurnsPart(StoreBase):
    """The tool-use methods of :class:`~deepseek_tui.store.Store`."""

    def add_tool_result(
        self,
        conversation_id: str,
        *,
        tool_call_id: str,
        name: str,
        content: str,
        status: ToolStatus,
    ) -> Message:
        """Append the result of one call at the end of the branch shown.

        ``content`` is the whole result (a request sends it cut to a limit);
        ``status`` says how the call ended. The call must belong to the
        exchange the branch ends in (an assistant message after its last user
        message asked for it): a result anywhere else would make a history the
        API refuses. Raises :class:`ValueError` otherwise.
        """
        if status not in TOOL_STATUSES:
            raise ValueError(f"status must be one of {TOOL_STATUSES}, not {status!r}")
        with self._writing("save the tool result") as conn:
            self._require_conversation(conn, conversation_id)
            head = self._head(conn, conversation_id)
            if tool_call_id not in _open_calls(conn, head):
                raise ValueError(
                    f"no call {tool_call_id!r} in the last exchange of {conversation_id}"
                )
            now = self._now()
            ident = _rows.insert_message(
                conn,
                conversation_id=conversation_id,
                seq=self._next_seq(conn, conversation_id),
                role="tool",
                created=now,
                content=content,
                status="complete",
                parent_id=head,
                tool_call_id=tool_call_id,
                tool_name=name,
                tool_status=status,
            )
            self._set_head(conn, conversation_id, ident)
            self._touch(conn, conversation_id, now)
            return self._fetch_message(conn, ident)

    def begin_answer(
        self, conversation_id: str, *, model: str | None, params: Mapping[str, Any] | None
    ) -> Message:
        """Append an empty ``streaming`` assistant placeholder after the tool
        results: the same turn goes on (no new user message). Crash-safe like
        :meth:`begin_turn`'s placeholder."""
        with self._writing("save the answer") as conn:
            self._require_conversation(conn, conversation_id)
            now = self._now()
            ident = _rows.insert_message(
                conn,
                conversation_id=conversation_id,
                seq=self._next_seq(conn, conversation_id),
                role="assistant",
                created=now,
                model=model,
                params=params,
                status="streaming",
                parent_id=self._head(conn, conversation_id),
            )
            self._set_head(conn, conversation_id, ident)
            self._touch(conn, conversation_id, now)
            return self._fetch_message(conn, ident)


def _open_calls(conn: sqlite3.Connection, head: int | None) -> set[str]:
    """The call ids asked for between the branch's last user message and ``head``."""
    ids: set[str] = set()
    current = head
    seen: set[int] = set()
    while current is not None and current not in seen:
        seen.add(current)
        row = conn.execute(
            "SELECT role, tool_calls, parent_id FROM messages WHERE id = ?", (current,)
        ).fetchone()
        if row is None or row["role"] == "user":
            break
        for call in _rows.calls(row["tool_calls"]) or ():
            if isinstance(call.get("id"), str):
                ids.add(call["id"])
        current = row["parent_id"]
    return ids
