"""Export to JSON and Markdown (reading a JSON export back is ``_import``).

The JSON shape is part of the user-facing contract (DESIGN.md, ``export ID
--format json``): fields may be added, never renamed. ``format`` names the
shape so a later version can still read today's files.

Tool use (DESIGN.md): an assistant message that asked for calls carries
``tool_calls`` (``id``, ``type``, ``name``, ``arguments`` each), and each
result is a message with role ``tool``, ``tool_call_id``, ``name``,
``content`` (the whole result) and ``status`` -- how the call ended (``ok``,
``error``, ``timeout``, ``invalid``, ``declined``, ``not_run``). What the
user chose about tools in the conversation is ``tool_choices``: ``off`` and
``allowed``, each a sorted array of wire names (``server__tool``).
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from deepseek_tui.sanitize import clean as _clean
from deepseek_tui.sanitize import name_bidi

from ._endings import ending_label, reported_status
from ._tool_choices import ToolChoices
from ._types import Conversation, Message

EXPORT_FORMAT = "deepseek-tui/1"
# Statuses are reported as ``_endings`` says: complete, stopped, interrupted
# or error; a row still streaming is a partial answer, ``interrupted``. A file
# written before ``stopped`` existed said ``interrupted`` with the error
# "stopped"; it is read as ``stopped``, as schema v4 converted the database.


def clean(text: str) -> str:
    """A field of the Markdown export: control sequences removed and bidi
    controls named, as every output meant for a person shows them (the TUI,
    ``ask``, ``history``); each field on its own, so one unterminated sequence
    cannot swallow what follows it."""
    return name_bidi(_clean(text))


def export_dict(
    conversation: Conversation,
    messages: Sequence[Message],
    attachment_data: Mapping[str, bytes] | None = None,
    tool_choices: ToolChoices | None = None,
) -> dict[str, Any]:
    """The ``export --format json`` object.

    ``attachment_data`` carries the kept bytes of the messages' attachments,
    base64 under their SHA-256 (the ``sha256`` of an attachment record), each
    once however many messages carry it: a file holds everything needed to
    continue the conversation elsewhere, images included. ``tool_choices``:
    the tools switched off and always allowed in the conversation.
    """
    tool_choices = tool_choices or ToolChoices()
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
        "messages": [_message_dict(m) for m in messages],
        "attachment_data": {
            key: base64.b64encode(data).decode("ascii")
            for key, data in sorted((attachment_data or {}).items())
        },
        "tool_choices": {
            "off": sorted(tool_choices.off),
            "allowed": sorted(tool_choices.allowed),
        },
    }


def _message_dict(m: Message) -> dict[str, Any]:
    out: dict[str, Any] = {
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
    if m.tool_calls:
        out["tool_calls"] = [_call_dict(c) for c in m.tool_calls]
    if m.role == "tool" and m.tool_call_id is not None:
        out["tool_call_id"] = m.tool_call_id
        out["name"] = m.tool_name
        out["status"] = m.tool_status or "ok"
    return out


def _call_dict(call: Mapping[str, Any]) -> dict[str, Any]:
    """A stored call (OpenAI shape) as the export writes it: flat."""
    function = call.get("function")
    function = function if isinstance(function, Mapping) else {}
    return {
        "id": call.get("id"),
        "type": call.get("type", "function"),
        "name": function.get("name"),
        "arguments": function.get("arguments"),
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


_BACKTICKS = re.compile("`+")
_SUMMARY_ARGUMENTS = 60


def _fenced(text: str) -> str:
    """``text`` in a code fence longer than any run of backticks in it."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def _call_markdown(call: Mapping[str, Any], result: Message | None) -> str:
    """One call and its result, folded: ``tool: name(args…)`` to open."""
    flat = _call_dict(call)
    name = _line(str(flat["name"] or "?"))
    arguments = clean(str(flat["arguments"] or ""))
    short = " ".join(arguments.split())
    if len(short) > _SUMMARY_ARGUMENTS:
        short = short[: _SUMMARY_ARGUMENTS - 1] + "…"
    status = "not run" if result is None else (result.tool_status or "ok")
    summary = f"tool: {name}({short})" + ("" if status == "ok" else f" — {status}")
    parts = [f"<details>\n<summary>{html.escape(summary)}</summary>", "Arguments:"]
    parts.append(_fenced(arguments))
    if result is not None:
        parts.append(f"Result ({html.escape(status)}):")
        parts.append(_fenced(clean(result.content)))
    parts.append("</details>")
    return "\n\n".join(parts)


def _results(messages: Sequence[Message], at: int) -> dict[str, int]:
    """The results that follow the call turn ``messages[at]``: index by call id."""
    found: dict[str, int] = {}
    for i in range(at + 1, len(messages)):
        m = messages[i]
        if m.role != "tool":
            break
        if m.tool_call_id is not None and m.tool_call_id not in found:
            found[m.tool_call_id] = i
    return found


def _message_markdown(message: Message, results: Mapping[str, Message] | None = None) -> str:
    header = [_ROLE_NAMES[message.role]]
    if message.role == "assistant" and message.model:
        header.append(f"`{_line(message.model)}`")
    header.append(_line(message.created))
    parts = ["## " + " · ".join(header)]
    reasoning = clean(message.reasoning or "").strip("\n")
    if reasoning:
        parts.append(f"<details>\n<summary>Reasoning</summary>\n\n{reasoning}\n\n</details>")
    content = clean(message.content).strip("\n")
    if message.role == "tool":
        parts.append(_tool_row_markdown(message))
    elif content:
        parts.append(content)
    for call in message.tool_calls or ():
        ident = call.get("id")
        parts.append(_call_markdown(call, (results or {}).get(ident, None) if ident else None))
    ending = ending_label(message.status, message.error)
    if ending:
        parts.append(f"*({_escape(_line(ending))})*")
    elif message.finish_reason == "length":
        parts.append("> **Cut short** — the answer reached the max_tokens limit.")
    return "\n\n".join(parts)


def _tool_row_markdown(message: Message) -> str:
    """A result whose call is not shown above it, folded on its own."""
    name = _line(message.tool_name or "?")
    status = message.tool_status or "ok"
    summary = f"tool result: {name}" + ("" if status == "ok" else f" — {status}")
    body = _fenced(clean(message.content))
    return f"<details>\n<summary>{html.escape(summary)}</summary>\n\n{body}\n\n</details>"


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
    shown: set[int] = set()  # tool results shown under their call
    for i, m in enumerate(messages):
        if i in shown:
            continue
        results: dict[str, Message] = {}
        if m.tool_calls:
            found = _results(messages, i)
            shown.update(found.values())
            results = {ident: messages[j] for ident, j in found.items()}
        parts.append(_message_markdown(m, results))
    return "\n\n".join(parts) + "\n"
