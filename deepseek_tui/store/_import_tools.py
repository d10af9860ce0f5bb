"""The tool fields of an imported message, untrusted like the rest of the file.

``tool_calls`` on an assistant message: an array (at most :data:`MAX_CALLS`)
of objects with an ``id`` and a ``name`` that are safe strings (letters,
digits, ``_ . : -``, at most 128 characters: what hosts send, and nothing that
could carry markup or a control sequence), ``arguments`` as a string (made
inert like any text) and ``type`` ``"function"`` if given; the OpenAI shape
(``function: {name, arguments}``) is read too. A ``tool`` message: a safe
``tool_call_id``, a safe ``name`` or null, and a ``status`` that says how the
call ended. Anything else is refused with the field and the problem; a tool
message without ``tool_call_id`` (a note older versions could store) is kept
as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from deepseek_tui.tools import ToolStatus

from ._errors import InvalidImportError
from ._types import TOOL_STATUSES

#: What a call id or a tool name may look like in a file.
SAFE = re.compile(r"[A-Za-z0-9_.:\-]{1,128}")
#: More calls than any answer asks for.
MAX_CALLS = 256


class ToolFields(NamedTuple):
    tool_calls: list[dict[str, Any]] | None = None
    tool_call_id: str | None = None
    tool_name: str | None = None
    tool_status: ToolStatus | None = None


Fail = Callable[[str, str], InvalidImportError]


def _safe(value: Any, where: str, fail: Fail, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not SAFE.fullmatch(value):
        shown = repr(value)
        shown = shown if len(shown) <= 40 else shown[:39] + "…"
        raise fail(where, f"must be letters, digits, _ . : or - (at most 128), not {shown}")
    return value


def _call(data: Any, where: str, fail: Fail, text: Callable[[str], str]) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise fail(where, "must be an object")
    function = data.get("function")
    source = function if isinstance(function, Mapping) else data
    kind = data.get("type", "function")
    if kind != "function":
        raise fail(f"{where}.type", 'must be "function"')
    arguments = source.get("arguments")
    if arguments is None:
        arguments = ""
    if not isinstance(arguments, str):
        raise fail(f"{where}.arguments", "must be a string")
    return {
        "id": _safe(data.get("id"), f"{where}.id", fail),
        "type": "function",
        "function": {
            "name": _safe(source.get("name"), f"{where}.name", fail),
            "arguments": text(arguments),
        },
    }


def tool_fields(
    data: Mapping[str, Any], role: str, where: str, fail: Fail, text: Callable[[str], str]
) -> ToolFields:
    """The tool fields of one message of a file (``where`` is ``messages[i].``)."""
    if role == "assistant" and data.get("tool_calls") is not None:
        calls = data["tool_calls"]
        if not isinstance(calls, list):
            raise fail(f"{where}tool_calls", "must be an array or null")
        if len(calls) > MAX_CALLS:
            raise fail(f"{where}tool_calls", f"has more than {MAX_CALLS} calls")
        parsed = [_call(c, f"{where}tool_calls[{k}]", fail, text) for k, c in enumerate(calls)]
        return ToolFields(tool_calls=parsed or None)
    if role == "tool" and data.get("tool_call_id") is not None:
        status = data.get("status", "ok")
        if status not in TOOL_STATUSES:
            raise fail(
                f"{where}status",
                f"of a tool result must be one of {', '.join(TOOL_STATUSES)}, not {status!r}",
            )
        return ToolFields(
            tool_call_id=_safe(data.get("tool_call_id"), f"{where}tool_call_id", fail),
            tool_name=_safe(data.get("name"), f"{where}name", fail, optional=True),
            tool_status=status,
        )
    return ToolFields()
