"""JSON from the wire, made safe to print and store.

JSON may escape a lone UTF-16 surrogate (``"\\ud800"``), and ``json.loads`` of
bytes lets a raw one through; Python then holds a ``str`` that no UTF-8 can
carry, and the first write of it -- the answer to stdout, the row to SQLite --
raises ``UnicodeEncodeError`` long after the stream was read. So every string
a host sends (text, reasoning, tool calls, error messages, model ids, keys
included) has such code points replaced with U+FFFD as it is decoded, once,
here.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["loads", "mend"]

_SURROGATE = re.compile("[\ud800-\udfff]")
# A surrogate can only enter a str-decoded document through a \\uD800-\\uDFFF escape.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def loads(raw: str | bytes) -> Any:
    """``json.loads`` whose strings hold no lone surrogates.

    Cheap on the hot path: a ``str`` without a surrogate escape (nearly every
    stream chunk) is returned as ``json.loads`` made it. Raises what
    ``json.loads`` raises (``ValueError``, ``RecursionError``).
    """
    value = json.loads(raw)
    if isinstance(raw, str) and _SURROGATE_ESCAPE.search(raw) is None:
        return value
    return mend(value)


def mend(value: Any) -> Any:
    """``value`` with each surrogate in its strings (dict keys too) replaced by U+FFFD."""
    kind = type(value)
    if kind is str:
        return _SURROGATE.sub("\ufffd", value)
    if kind is dict:
        return {mend(k): mend(v) for k, v in value.items()}
    if kind is list:
        return [mend(v) for v in value]
    return value
