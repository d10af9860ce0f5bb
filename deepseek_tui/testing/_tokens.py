"""Plausible, deterministic token counts for the fake server's ``usage``.

Nothing here tokenizes for real: ~4 characters per token is close enough for a
client's cost and context displays, and determinism keeps tests exact. Prompt
caching is imitated the way DeepSeek bills it: the longest prefix shared with an
earlier request counts as cache hits, in whole 64-token units.
"""

from __future__ import annotations

import json
from typing import Any

CHARS_PER_TOKEN = 4
CACHE_UNIT = 64
MESSAGE_OVERHEAD = 4


def estimate(text: str) -> int:
    """Tokens in ``text``: one per 4 characters, rounded up."""
    return -(-len(text) // CHARS_PER_TOKEN)


def _message_text(message: Any) -> str:
    if not isinstance(message, dict):
        return json.dumps(message, ensure_ascii=False)
    content = message.get("content")
    if isinstance(content, str):
        text = content
    elif content is None:
        text = ""
    else:
        text = json.dumps(content, ensure_ascii=False)
    for key in ("reasoning_content", "tool_calls"):
        if message.get(key):
            value = message[key]
            text += value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text


def prompt_text(body: dict[str, Any]) -> str:
    """The prompt as one string, for counting and for the cache prefix."""
    messages = body.get("messages")
    if not isinstance(messages, list):
        return ""
    return "\n".join(_message_text(m) for m in messages)


def prompt_tokens(body: dict[str, Any]) -> int:
    messages = body.get("messages")
    count = len(messages) if isinstance(messages, list) else 0
    return estimate(prompt_text(body)) + MESSAGE_OVERHEAD * count


class PrefixCache:
    """Remembers earlier prompts to report ``prompt_cache_hit_tokens``."""

    def __init__(self) -> None:
        self._seen: list[str] = []

    def hit_tokens(self, text: str, total: int) -> int:
        best = 0
        for earlier in self._seen:
            n = _common_prefix(earlier, text)
            best = max(best, n)
        self._seen.append(text)
        hits = (best // CHARS_PER_TOKEN) // CACHE_UNIT * CACHE_UNIT
        return min(hits, total)


def _common_prefix(a: str, b: str) -> int:
    limit = min(len(a), len(b))
    if a[:limit] == b[:limit]:
        return limit
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def usage(
    *,
    prompt: int,
    cache_hit: int,
    content: str,
    reasoning: str,
    tool_text: str = "",
) -> dict[str, Any]:
    """A DeepSeek ``usage`` object."""
    reasoning_tokens = estimate(reasoning)
    completion = estimate(content) + reasoning_tokens + estimate(tool_text)
    out: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": cache_hit},
        "prompt_cache_hit_tokens": cache_hit,
        "prompt_cache_miss_tokens": prompt - cache_hit,
    }
    if reasoning:
        out["completion_tokens_details"] = {"reasoning_tokens": reasoning_tokens}
    return out
