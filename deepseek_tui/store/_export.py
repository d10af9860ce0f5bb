"""Export to JSON and Markdown (reading a JSON export back is ``_import``).

The JSON shape is part of the user-facing contract (DESIGN.md, ``export ID
--format json``): fields may be added, never renamed. ``format`` names the
shape so a later version can still read today's files.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

from deepseek_tui.sanitize import clean as _clean
from deepseek_tui.sanitize import name_bidi

from ._endings import ending_label, reported_status
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
) -> dict[str, Any]:
    """The ``export --format json`` object.

    ``attachment_data`` carries the kept bytes of the messages' attachments,
    base64 under their SHA-256 (the ``sha256`` of an attachment record), each
    once however many messages carry it: a file holds everything needed to
    continue the conversation elsewhere, images included.
    """
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
        "attachment_data": {
            key: base64.b64encode(data).decode("ascii")
            for key, data in sorted((attachment_data or {}).items())
        },
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
