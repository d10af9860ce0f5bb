"""The values the store hands out: plain frozen dataclasses.

Callers never see ``sqlite3.Row`` objects, so the schema can change behind the
store without touching the UI or the CLI. Time stamps are the stored ISO 8601
strings (see ``_clock``); JSON columns are decoded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from deepseek_tui.tools import ToolStatus

from ._endings import reported_status

Role = Literal["system", "user", "assistant", "tool"]
Status = Literal["streaming", "complete", "stopped", "interrupted", "error"]

ROLES: tuple[Role, ...] = ("system", "user", "assistant", "tool")
STATUSES: tuple[Status, ...] = ("streaming", "complete", "stopped", "interrupted", "error")
#: The statuses a message may end in (``finish_message``); what each means is
#: in ``_endings``.
FINAL_STATUSES: tuple[Status, ...] = ("complete", "stopped", "interrupted", "error")
#: How a tool call ended (a ``tool`` message's :attr:`Message.tool_status`).
TOOL_STATUSES: tuple[ToolStatus, ...] = get_args(ToolStatus)


@dataclass(frozen=True, slots=True)
class Conversation:
    """One conversation and its own settings.

    ``title`` is ``""`` until the first user message names it (or a rename).
    ``params`` is whatever settings dict the caller stored (temperature, top_p,
    max_tokens, thinking, effort, …). ``system`` is ``None`` when there is no
    system prompt.
    """

    id: str
    title: str
    created: str
    updated: str
    model: str | None
    params: dict[str, Any]
    system: str | None
    provider: str | None


@dataclass(frozen=True, slots=True)
class Message:
    """One stored message.

    ``seq`` orders messages within their conversation. ``model`` and ``params``
    are what produced an assistant message (``None`` for user input).
    ``usage`` is the raw usage object from the API; ``cost`` is in USD and
    ``None`` when the price is unknown. A ``streaming`` message holds the text
    checkpointed so far.
    """

    id: int
    conversation_id: str
    seq: int
    role: Role
    content: str
    reasoning: str | None
    model: str | None
    params: dict[str, Any] | None
    usage: dict[str, Any] | None
    cost: float | None
    finish_reason: str | None
    status: Status
    error: str | None
    attachments: list[Any] | None
    created: str
    updated: str
    parent_id: int | None = None
    """The message before this one in its branch (``None`` for the first)."""
    tool_calls: list[dict[str, Any]] | None = None
    """An assistant message's calls, as the model sent them (OpenAI shape:
    ``{"id", "type": "function", "function": {"name", "arguments"}}``)."""
    tool_call_id: str | None = None
    """A ``tool`` message: the id of the call it answers."""
    tool_name: str | None = None
    """A ``tool`` message: the wire name of the tool (``server__tool``)."""
    tool_status: ToolStatus | None = None
    """A ``tool`` message: how the call ended (its ``status`` is ``complete``)."""


@dataclass(frozen=True, slots=True)
class ConversationSummary:
    """A row of the conversation list (``history``, the Ctrl+O picker)."""

    id: str
    title: str
    created: str
    updated: str
    model: str | None
    message_count: int
    last_status: Status | None = None
    """The status of the last message of the branch shown (``None`` when empty)."""

    def to_json(self) -> dict[str, Any]:
        """The ``history --json`` object (DESIGN.md: add fields, never rename).

        ``last_status`` is reported like ``export`` reports a status: a row
        still streaming is a partial answer, ``interrupted``.
        """
        return {
            "id": self.id,
            "title": self.title,
            "created": self.created,
            "updated": self.updated,
            "model": self.model,
            "messages": self.message_count,
            "last_status": None if self.last_status is None else reported_status(self.last_status),
        }
