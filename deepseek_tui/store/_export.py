"""Export to JSON and Markdown, and validation of JSON imports.

The JSON shape is part of the user-facing contract (DESIGN.md, ``export ID
--format json``): fields may be added, never renamed. ``format`` names the
shape so a later version can still read today's files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deepseek_tui.sanitize import clean

from ._clock import format_timestamp, parse_timestamp
from ._endings import LEGACY_STOPPED_ERROR, ending_label, reported_status
from ._errors import InvalidImportError
from ._types import ROLES, STATUSES, Conversation, Message, Role, Status

EXPORT_FORMAT = "deepseek-tui/1"
# Statuses are reported as ``_endings`` says: complete, stopped, interrupted
# or error; a row still streaming is a partial answer, ``interrupted``. A file
# written before ``stopped`` existed said ``interrupted`` with the error
# "stopped"; it is read as ``stopped``, as schema v4 converted the database.


def export_dict(conversation: Conversation, messages: Sequence[Message]) -> dict[str, Any]:
    """The ``export --format json`` object."""
    return {
        "format": EXPORT_FORMAT,
        "id": conversation.id,
        "title": conversation.title,
        "created": conversation.created,
        "updated": conversation.updated,
        "model": conversation.model,
        "params": conversation.params,
        "system": conversation.system,
        "provider": conversation.provider,
        "messages": [
            {
                "role": m.role,
                "content": m.content,
                "reasoning": m.reasoning,
                "model": m.model,
                "params": m.params,
                "usage": m.usage,
                "finish_reason": m.finish_reason,
                "status": reported_status(m.status),
                "created": m.created,
                "cost": m.cost,
                "error": m.error,
                "attachments": m.attachments,
            }
            for m in messages
        ],
    }


# --- Markdown -------------------------------------------------------------------
#
# Every stored string is sanitized on its own before it joins the document: run
# over the whole document, one unterminated escape sequence (an answer ending in
# "\x1b]0;…") would swallow everything after it, every later message included.

_ROLE_NAMES = {"system": "System", "user": "User", "assistant": "Assistant", "tool": "Tool"}


_MARKDOWN_SPECIALS = str.maketrans({c: "\\" + c for c in "\\`*_[]<>#|~"})


def _escape(text: str) -> str:
    """``text`` shown literally inside a Markdown line (an error reason is the host's text)."""
    return text.translate(_MARKDOWN_SPECIALS)


def _line(text: str) -> str:
    """A stored string made inert and kept on one line (a title, a model id)."""
    return " ".join(clean(text).split())


def _quote_block(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines() or [""])


def _message_markdown(message: Message) -> str:
    header = [_ROLE_NAMES[message.role]]
    if message.role == "assistant" and message.model:
        header.append(f"`{_line(message.model)}`")
    header.append(_line(message.created))
    parts = ["## " + " · ".join(header)]
    reasoning = clean(message.reasoning or "").strip("\n")
    if reasoning:
        parts.append(f"<details>\n<summary>Reasoning</summary>\n\n{reasoning}\n\n</details>")
    content = clean(message.content).strip("\n")
    if content:
        parts.append(content)
    ending = ending_label(message.status, message.error)
    if ending:
        parts.append(f"*({_escape(_line(ending))})*")
    elif message.finish_reason == "length":
        parts.append("> **Cut short** — the answer reached the max_tokens limit.")
    return "\n\n".join(parts)


def export_markdown(conversation: Conversation, messages: Sequence[Message]) -> str:
    """A conversation as a Markdown document a person can read or share.

    It holds no terminal control sequence or control character but newlines
    and tabs: each stored string is sanitized as it is put in.
    """
    parts = [f"# {_line(conversation.title) or 'Untitled conversation'}"]
    facts = [f"- id: `{_line(conversation.id)}`", f"- created: {_line(conversation.created)}"]
    facts.append(f"- updated: {_line(conversation.updated)}")
    if conversation.model:
        facts.append(f"- model: `{_line(conversation.model)}`")
    parts.append("\n".join(facts))
    system = clean(conversation.system or "")
    if system:
        parts.append("## System prompt\n\n" + _quote_block(system))
    parts.extend(_message_markdown(m) for m in messages)
    return "\n\n".join(parts) + "\n"


# --- import ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportedMessage:
    """A validated message of an import, ready to insert."""

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
    created: str | None


@dataclass(frozen=True, slots=True)
class ImportedConversation:
    """A validated import, ready to insert."""

    id: str | None
    title: str
    created: str | None
    updated: str | None
    model: str | None
    params: dict[str, Any]
    system: str | None
    provider: str | None
    messages: tuple[ImportedMessage, ...]


def _fail(where: str, problem: str) -> InvalidImportError:
    return InvalidImportError(f"not a deepseek-tui export: {where} {problem}")


def _opt_str(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _fail(f"{where}{key}", f"must be a string or null, not {type(value).__name__}")


def _opt_dict(data: Mapping[str, Any], key: str, where: str) -> dict[str, Any] | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, Mapping):
        return dict(value)
    raise _fail(f"{where}{key}", f"must be an object or null, not {type(value).__name__}")


def _opt_time(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = _opt_str(data, key, where)
    if value is None:
        return None
    try:
        return format_timestamp(parse_timestamp(value))
    except ValueError:
        raise _fail(f"{where}{key}", f"is not an ISO 8601 time: {value[:40]!r}") from None


def _message(data: Any, index: int) -> ImportedMessage:
    where = f"messages[{index}]."
    if not isinstance(data, Mapping):
        raise _fail(f"messages[{index}]", "must be an object")
    role = data.get("role")
    if role not in ROLES:
        raise _fail(f"{where}role", f"must be one of {', '.join(ROLES)}, not {role!r}")
    content = data.get("content")
    if content is None:
        content = ""
    if not isinstance(content, str):
        raise _fail(f"{where}content", "must be a string")
    status = data.get("status", "complete")
    if status not in STATUSES:
        raise _fail(f"{where}status", f"must be one of {', '.join(STATUSES)}, not {status!r}")
    status = reported_status(status)  # nothing streams in a file: a partial answer
    error = _opt_str(data, "error", where)
    if status == "interrupted" and error == LEGACY_STOPPED_ERROR:
        status, error = "stopped", None  # an Esc, as files before ``stopped`` wrote it
    cost = data.get("cost")
    if cost is not None and (isinstance(cost, bool) or not isinstance(cost, int | float)):
        raise _fail(f"{where}cost", "must be a number or null")
    attachments = data.get("attachments")
    if attachments is not None and not isinstance(attachments, list):
        raise _fail(f"{where}attachments", "must be an array or null")
    return ImportedMessage(
        role=role,
        content=content,
        reasoning=_opt_str(data, "reasoning", where),
        model=_opt_str(data, "model", where),
        params=_opt_dict(data, "params", where),
        usage=_opt_dict(data, "usage", where),
        cost=None if cost is None else float(cost),
        finish_reason=_opt_str(data, "finish_reason", where),
        status=status,
        error=error,
        attachments=attachments,
        created=_opt_time(data, "created", where),
    )


def parse_import(data: Any) -> ImportedConversation:
    """Validate an ``export_json`` object; raise :class:`InvalidImportError` if it is not one."""
    if not isinstance(data, Mapping):
        raise _fail("the top level", "must be a JSON object")
    fmt = data.get("format", EXPORT_FORMAT)
    if fmt != EXPORT_FORMAT:
        raise _fail("format", f"is {fmt!r}; this version reads {EXPORT_FORMAT!r}")
    messages = data.get("messages")
    if not isinstance(messages, list):
        raise _fail("messages", "must be an array")
    ident = data.get("id")
    if ident is not None and (not isinstance(ident, str) or not ident.strip()):
        raise _fail("id", "must be a non-empty string")
    return ImportedConversation(
        id=ident.strip() if isinstance(ident, str) else None,
        title=_opt_str(data, "title", "") or "",
        created=_opt_time(data, "created", ""),
        updated=_opt_time(data, "updated", ""),
        model=_opt_str(data, "model", ""),
        params=_opt_dict(data, "params", "") or {},
        system=_opt_str(data, "system", "") or None,
        provider=_opt_str(data, "provider", ""),
        messages=tuple(_message(m, i) for i, m in enumerate(messages)),
    )
