"""Reading a JSON export back in, where every field is untrusted.

A file to import may come from anywhere, and what is stored is later printed by
``history``, ``export`` and the TUI, so nothing in it is taken on trust:

* the shape is checked (an object with a ``messages`` array, each field of the
  type ``export`` writes); a file that is not an export is refused with the
  first problem found (:class:`InvalidImportError`), and nothing is written;
* the conversation gets a new id (DESIGN.md: ``import`` prints "its new id").
  Only the store's own undo of a delete (``keep_id``) keeps one, and only
  when it has the shape of the store's ids (lowercase hex);
* every string -- title, system prompt, model, provider, content, reasoning,
  error, finish reason, and the keys and values of params, usage and
  attachments -- is made inert with :func:`~deepseek_tui.sanitize.clean` and
  storable (a lone surrogate becomes U+FFFD). Names (title, model, provider,
  finish reason, keys) are also kept on one line;
* attachment bytes (``attachment_data``) must be base64 whose SHA-256 is their
  key, no larger than what a conversation keeps; only those a message refers
  to are stored;
* role and status must be ones the store knows; usage keeps only counts
  (finite, non-negative numbers, or null for unknown) and drops the rest; a cost or number that is
  not finite is dropped; a time that is not ISO 8601 is replaced by the time of
  the import;
* tool calls and results are checked as ``_import_tools`` says;
* ``tool_choices`` (optional) holds ``off`` and ``allowed``, arrays of wire
  names (``[a-zA-Z0-9_-]{1,64}``). Only ``off`` is taken from a file: a tool
  switched off there stays off, but "always allow" is consent, which only the
  user gives -- the store's own undo of a delete (``keep_id``) keeps it.

Output paths sanitize again as they always do; this is what keeps an old or
foreign file from planting text that only one of them forgets to clean.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deepseek_tui.sanitize import clean

from ._blobs import SHA256, digest, referenced
from ._clock import format_timestamp, parse_timestamp
from ._endings import LEGACY_STOPPED_ERROR, reported_status
from ._errors import InvalidImportError
from ._export import EXPORT_FORMAT
from ._import_tools import ToolFields, tool_fields
from ._tool_choices import WIRE_NAME, ToolChoices
from ._types import ROLES, STATUSES, Role, Status

_SURROGATE = re.compile("[\ud800-\udfff]")
#: The shape of the ids the store makes (``random_id``: lowercase hex).
_ID = re.compile(r"[0-9a-f]{8,64}")
#: What ``format_timestamp`` writes for a year the store can sort (1000-9999).
_STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
#: Deeper than any params or attachment record the app writes.
_MAX_DEPTH = 32
#: Usage counts beyond SQLite's 64-bit integers are not counts.
_MAX_COUNT = 2**63
#: More tools than any set of servers offers.
_MAX_TOOLS = 4096


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
    tools: ToolFields = ToolFields()


@dataclass(frozen=True, slots=True)
class ImportedConversation:
    """A validated import, ready to insert; ``id`` is ``None`` unless kept."""

    id: str | None
    title: str
    created: str | None
    updated: str | None
    model: str | None
    params: dict[str, Any]
    system: str | None
    provider: str | None
    messages: tuple[ImportedMessage, ...]
    attachment_data: dict[str, bytes]
    """Attachment bytes by SHA-256, only those a message refers to."""
    tool_choices: ToolChoices = ToolChoices()


# --- untrusted values -------------------------------------------------------------


def _text(value: str) -> str:
    """Text from the file, storable and inert."""
    return clean(_SURROGATE.sub("\ufffd", value))


def _name(value: str) -> str:
    """A title, model id or key from the file: :func:`_text` on one line."""
    return " ".join(_text(value).split())


def _shown(value: Any) -> str:
    """A value quoted in an error message: ``repr`` escapes every control."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _fail(where: str, problem: str) -> InvalidImportError:
    return InvalidImportError(f"not a deepseek-tui export: {where} {problem}")


def _json(value: Any, where: str, depth: int = 0) -> Any:
    """A JSON value with every string (keys too) made inert and every number finite."""
    if depth > _MAX_DEPTH:
        raise _fail(where, "is nested too deeply")
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Mapping):
        return {_name(str(k)): _json(v, where, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v, where, depth + 1) for v in value]
    return None  # not a JSON value: json.loads never makes one


def _count(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not (math.isfinite(value) and 0 <= value < _MAX_COUNT):
        return None
    return value


def _usage(value: Mapping[str, Any], depth: int = 0) -> dict[str, Any]:
    """The counts of a usage object (nested ``*_details`` objects too) and the
    ones it says are unknown (``null``); the rest is dropped."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, Mapping):
            nested = _usage(item, depth + 1) if depth < 2 else {}
            if nested:
                out[_name(str(key))] = nested
        elif item is None:
            out[_name(str(key))] = None
        elif (number := _count(item)) is not None:
            out[_name(str(key))] = number
    return out


def _opt_str(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return _text(value)
    raise _fail(f"{where}{key}", f"must be a string or null, not {type(value).__name__}")


def _opt_name(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = _opt_str(data, key, where)
    if value is None:
        return None
    return " ".join(value.split()) or None


def _opt_dict(data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any] | None:
    value = data.get(key)
    if value is None or isinstance(value, Mapping):
        return value
    raise _fail(f"{where}{key}", f"must be an object or null, not {type(value).__name__}")


def _opt_json(data: Mapping[str, Any], key: str, where: str) -> dict[str, Any] | None:
    value = _opt_dict(data, key, where)
    return None if value is None else dict(_json(value, f"{where}{key}"))


def _time(data: Mapping[str, Any], key: str) -> str | None:
    """The time stamp, normalised; ``None`` (the time of the import) if it is not one."""
    value = data.get(key)
    if not isinstance(value, str):
        return None
    try:
        stamp = format_timestamp(parse_timestamp(value.strip()))
    except (ValueError, OverflowError):
        return None
    return stamp if _STAMP.fullmatch(stamp) else None


# --- the export's shape -----------------------------------------------------------


def _message(data: Any, index: int) -> ImportedMessage:
    where = f"messages[{index}]."
    if not isinstance(data, Mapping):
        raise _fail(f"messages[{index}]", "must be an object")
    role = data.get("role")
    if role not in ROLES:
        raise _fail(f"{where}role", f"must be one of {', '.join(ROLES)}, not {_shown(role)}")
    content = data.get("content")
    if content is None:
        content = ""
    if not isinstance(content, str):
        raise _fail(f"{where}content", "must be a string")
    tools = tool_fields(data, role, where, _fail, _text)
    status = data.get("status", "complete")
    if tools.tool_status is not None:
        status = "complete"  # a stored result; its ``status`` said how the call ended
    if status not in STATUSES:
        raise _fail(f"{where}status", f"must be one of {', '.join(STATUSES)}, not {_shown(status)}")
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
    usage = _opt_dict(data, "usage", where)
    return ImportedMessage(
        role=role,
        content=_text(content),
        reasoning=_opt_str(data, "reasoning", where),
        model=_opt_name(data, "model", where),
        params=_opt_json(data, "params", where),
        usage=None if usage is None else _usage(usage) or None,
        cost=None if (count := _count(cost)) is None else float(count),
        finish_reason=_opt_name(data, "finish_reason", where),
        status=status,
        error=error,
        attachments=None if attachments is None else _json(attachments, f"{where}attachments"),
        created=_time(data, "created"),
        tools=tools,
    )


def _attachment_data(
    data: Mapping[str, Any], messages: Sequence[ImportedMessage]
) -> dict[str, bytes]:
    """The ``attachment_data`` object: base64 bytes under their SHA-256, each
    checked against its key and the size kept with a conversation. Entries no
    message refers to are dropped; a record whose bytes are missing is kept
    (later turns then send a note in their place, as for a file too big to keep).
    """
    from deepseek_tui.attachments import KEEP_MAX, human_size

    value = data.get("attachment_data")
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _fail("attachment_data", f"must be an object or null, not {type(value).__name__}")
    wanted: set[str] = set()
    for m in messages:
        wanted |= referenced(m.attachments)
    out: dict[str, bytes] = {}
    for key, encoded in value.items():
        where = f"attachment_data[{_shown(key)}]"
        if not isinstance(key, str) or not SHA256.fullmatch(key):
            raise _fail(where, "is not a SHA-256 in lowercase hex")
        if not isinstance(encoded, str):
            raise _fail(where, "must be a base64 string")
        if len(encoded) > (KEEP_MAX + 2) // 3 * 4:
            raise _fail(where, f"is over the {human_size(KEEP_MAX)} kept for an attachment")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise _fail(where, "is not valid base64") from None
        if digest(raw) != key:
            raise _fail(where, "does not match its SHA-256")
        if key in wanted:
            out[key] = raw
    return out


def _tool_names(value: Any, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise _fail(where, f"must be an array or null, not {type(value).__name__}")
    if len(value) > _MAX_TOOLS:
        raise _fail(where, f"has more than {_MAX_TOOLS} tools")
    for k, name in enumerate(value):
        if not isinstance(name, str) or not WIRE_NAME.fullmatch(name):
            raise _fail(f"{where}[{k}]", f"is not a tool name (server__tool), but {_shown(name)}")
    return frozenset(value)


def _tool_choices(data: Mapping[str, Any], *, keep_allowed: bool) -> ToolChoices:
    """The ``tool_choices`` object: ``off`` always, ``allowed`` only when kept."""
    value = data.get("tool_choices")
    if value is None:
        return ToolChoices()
    if not isinstance(value, Mapping):
        raise _fail("tool_choices", f"must be an object or null, not {type(value).__name__}")
    off = _tool_names(value.get("off"), "tool_choices.off")
    allowed = _tool_names(value.get("allowed"), "tool_choices.allowed")
    return ToolChoices(off, allowed if keep_allowed else frozenset())


def parse_import(data: Any, *, keep_id: bool = False) -> ImportedConversation:
    """Validate and sanitize an ``export_dict`` object (see the module docstring).

    Raises :class:`InvalidImportError` if it is not one. The id is kept only
    with ``keep_id`` and when it looks like one of the store's; so are the
    tools the conversation always allowed (only ``keep_id``: the store's own data).
    """
    if not isinstance(data, Mapping):
        raise _fail("the top level", "must be a JSON object")
    fmt = data.get("format", EXPORT_FORMAT)
    if fmt != EXPORT_FORMAT:
        raise _fail("format", f"is {_shown(fmt)}; this version reads {EXPORT_FORMAT!r}")
    messages = data.get("messages")
    if not isinstance(messages, list):
        raise _fail("messages", "must be an array")
    ident = data.get("id")
    kept = ident if keep_id and isinstance(ident, str) and _ID.fullmatch(ident) else None
    system = _opt_str(data, "system", "")
    parsed = tuple(_message(m, i) for i, m in enumerate(messages))
    return ImportedConversation(
        id=kept,
        title=_opt_name(data, "title", "") or "",
        created=_time(data, "created"),
        updated=_time(data, "updated"),
        model=_opt_name(data, "model", ""),
        params=_opt_json(data, "params", "") or {},
        system=system if system and system.strip() else None,
        provider=_opt_name(data, "provider", ""),
        messages=parsed,
        attachment_data=_attachment_data(data, parsed),
        tool_choices=_tool_choices(data, keep_allowed=keep_id),
    )
