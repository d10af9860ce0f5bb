"""Between Python values and table rows: encoding, decoding, inserting.

Text is made storable on the way in (see :func:`text`) and JSON columns are
decoded leniently on the way out, so one damaged value never makes a whole
conversation unreadable.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from deepseek_tui.tools import ToolStatus

from ._types import Conversation, ConversationSummary, Message, Role, Status


def text(value: str) -> str:
    """``value`` made storable: lone surrogates (possible from JSON escapes in
    a model's stream) cannot be encoded as UTF-8 and become U+FFFD."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return value


def opt_text(value: str | None) -> str | None:
    return None if value is None else text(value)


def dumps(value: Mapping[str, Any] | Sequence[Any] | None) -> str | None:
    """Compact JSON for a JSON column; ``None`` stays SQL NULL."""
    if value is None:
        return None
    plain = dict(value) if isinstance(value, Mapping) else list(value)
    return text(json.dumps(plain, ensure_ascii=False, separators=(",", ":"), default=str))


def _loads(raw: str | None) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _dict_or_none(raw: str | None) -> dict[str, Any] | None:
    value = _loads(raw)
    return value if isinstance(value, dict) else None


def conversation(row: sqlite3.Row) -> Conversation:
    return Conversation(
        id=row["id"],
        title=row["title"],
        created=row["created"],
        updated=row["updated"],
        model=row["model"],
        params=_dict_or_none(row["params"]) or {},
        system=row["system"],
        provider=row["provider"],
    )


def _column(row: sqlite3.Row, name: str) -> Any:
    """A column a database older than schema v6 lacks (``None`` there): a store
    opened with fewer migrations (tests of upgrades) still reads its rows."""
    try:
        return row[name]
    except IndexError:
        return None


def calls(raw: str | None) -> list[dict[str, Any]] | None:
    value = _loads(raw)
    if not isinstance(value, list):
        return None
    return [c for c in value if isinstance(c, dict)] or None


def message(row: sqlite3.Row) -> Message:
    attachments = _loads(row["attachments"])
    return Message(
        id=row["id"],
        conversation_id=row["conversation_id"],
        seq=row["seq"],
        role=row["role"],
        content=row["content"],
        reasoning=row["reasoning"],
        model=row["model"],
        params=_dict_or_none(row["params"]),
        usage=_dict_or_none(row["usage"]),
        cost=row["cost"],
        finish_reason=row["finish_reason"],
        status=row["status"],
        error=row["error"],
        attachments=attachments if isinstance(attachments, list) else None,
        created=row["created"],
        updated=row["updated"],
        parent_id=row["parent_id"],
        tool_calls=calls(_column(row, "tool_calls")),
        tool_call_id=_column(row, "tool_call_id"),
        tool_name=_column(row, "tool_name"),
        tool_status=_column(row, "tool_status"),
    )


#: The columns of a :class:`ConversationSummary`, for ``SELECT … FROM conversations c``.
#: The last status is one primary-key lookup of the branch's head.
SUMMARY_COLUMNS = """
    c.id, c.title, c.created, c.updated, c.model,
    (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id) AS message_count,
    (SELECT h.status FROM messages h WHERE h.id = c.head_id) AS last_status
"""


def summary(row: sqlite3.Row) -> ConversationSummary:
    return ConversationSummary(
        id=row["id"],
        title=row["title"],
        created=row["created"],
        updated=row["updated"],
        model=row["model"],
        message_count=row["message_count"],
        last_status=row["last_status"],
    )


def insert_conversation(
    conn: sqlite3.Connection,
    *,
    id: str,
    title: str,
    created: str,
    updated: str,
    model: str | None,
    params: Mapping[str, Any],
    system: str | None,
    provider: str | None,
) -> None:
    conn.execute(
        "INSERT INTO conversations (id, title, created, updated, model, params, system, "
        "provider) VALUES (:id, :title, :created, :updated, :model, :params, :system, "
        ":provider)",
        {
            "id": id,
            "title": text(title.strip()),
            "created": created,
            "updated": updated,
            "model": model,
            "params": dumps(params),
            "system": opt_text(system or None),
            "provider": provider,
        },
    )


def insert_message(
    conn: sqlite3.Connection,
    *,
    conversation_id: str,
    seq: int,
    role: Role,
    created: str,
    content: str = "",
    reasoning: str | None = None,
    model: str | None = None,
    params: Mapping[str, Any] | None = None,
    usage: Mapping[str, Any] | None = None,
    cost: float | None = None,
    finish_reason: str | None = None,
    status: Status = "complete",
    error: str | None = None,
    attachments: Sequence[Any] | None = None,
    parent_id: int | None = None,
    tool_calls: Sequence[Mapping[str, Any]] | None = None,
    tool_call_id: str | None = None,
    tool_name: str | None = None,
    tool_status: ToolStatus | None = None,
) -> int:
    """Insert one message after ``parent_id`` (its branch's previous message).

    The tool columns (schema v6) are named only when set, so a database an
    older step list opened (tests of upgrades) still takes ordinary messages.
    """
    tools = {
        "tool_calls": dumps([dict(c) for c in tool_calls]) if tool_calls else None,
        "tool_call_id": opt_text(tool_call_id),
        "tool_name": opt_text(tool_name),
        "tool_status": tool_status,
    }
    tools = {k: v for k, v in tools.items() if v is not None}
    columns = "".join(f", {k}" for k in tools)
    values = "".join(f", :{k}" for k in tools)
    cursor = conn.execute(
        "INSERT INTO messages (conversation_id, seq, role, content, reasoning, model, params, "
        f"usage, cost, finish_reason, status, error, attachments, created, updated, parent_id"
        f"{columns}) "
        "VALUES (:conversation_id, :seq, :role, :content, :reasoning, :model, :params, :usage, "
        f":cost, :finish_reason, :status, :error, :attachments, :created, :created, :parent_id"
        f"{values})",
        {
            **tools,
            "conversation_id": conversation_id,
            "seq": seq,
            "role": role,
            "content": text(content),
            "reasoning": opt_text(reasoning),
            "model": model,
            "params": dumps(params),
            "usage": dumps(usage),
            "cost": cost,
            "finish_reason": finish_reason,
            "status": status,
            "error": opt_text(error),
            "attachments": dumps(attachments),
            "created": created,
            "parent_id": parent_id,
        },
    )
    ident = cursor.lastrowid
    assert ident is not None
    return ident
