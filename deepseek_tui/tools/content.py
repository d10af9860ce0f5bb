"""A tool's result as the text that is stored and sent to the model.

MCP results are lists of parts: text, images, audio, embedded resources and
links to resources. The model reads text, so text parts are joined and every
other part is described in one line (its kind, type and size), never dropped
silently. Terminal control sequences are kept -- the result is stored as the
tool gave it, and the UI makes it inert when it shows it -- but the text is
made valid UTF-8, which SQLite and the API need.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from deepseek_tui.tools import ToolResult

if TYPE_CHECKING:
    from mcp_types import CallToolResult

_SURROGATES = re.compile("[\ud800-\udfff]")


def tool_result(result: CallToolResult) -> ToolResult:
    """``ok`` or (``isError``) ``error``, with the parts as text."""
    parts: list[str] = []
    for block in result.content:
        if block.type == "text":
            parts.append(block.text)
        elif block.type == "image" or block.type == "audio":
            parts.append(f"[{block.type}: {block.mime_type}, {_size(block.data)}]")
        elif block.type == "resource_link":
            name = f" ({block.name})" if block.name else ""
            parts.append(f"[resource link: {block.uri}{name}]")
        else:
            res = block.resource
            kind = f", {res.mime_type}" if res.mime_type else ""
            if hasattr(res, "text"):
                parts.append(f"[resource: {res.uri}{kind}]\n{res.text}")
            else:
                parts.append(f"[resource: {res.uri}{kind}, {_size(res.blob)}]")
    if not parts and result.structured_content is not None:
        parts.append(json.dumps(result.structured_content, ensure_ascii=False))
    return ToolResult("error" if result.is_error else "ok", valid_text("\n".join(parts)))


def valid_text(text: str) -> str:
    """``text`` with lone surrogates (which UTF-8 cannot encode) as U+FFFD."""
    return _SURROGATES.sub("\ufffd", text)


def _size(data: str) -> str:
    """The size of base64 ``data`` once decoded, for a person."""
    data = data.strip()
    padding = len(data) - len(data.rstrip("="))
    return f"{len(data) * 3 // 4 - padding:,} bytes"
