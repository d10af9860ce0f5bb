"""How full the model's context window is, and what to leave out when the
next request would not fit.

Token counts are estimates (≈0.3 tokens per character, a fair average for
English and code with DeepSeek's tokenizer; Chinese runs higher) until the host
reports usage: then the last answer's ``prompt + completion`` tokens are the
measure and only the new prompt is estimated. Nothing is tokenized locally.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from deepseek_tui.store import Message

TOKENS_PER_CHAR = 0.3


def estimate(chars: int) -> int:
    """Tokens for ``chars`` characters of text (rounded up)."""
    return int(chars * TOKENS_PER_CHAR + 0.999)


def exchange_chars(history: Sequence[Message]) -> list[int]:
    """Characters per exchange (a prompt and everything up to the next one)."""
    sizes: list[int] = []
    for m in history:
        if m.role == "system":
            continue
        if m.role == "user" or not sizes:
            sizes.append(0)
        sizes[-1] += len(m.content)
    return sizes


@dataclass(frozen=True, slots=True)
class Overflow:
    """The next request would not fit: ``tokens`` (estimated) of ``window``;
    leaving out the ``drop`` oldest exchanges brings it to ``after``."""

    tokens: int
    window: int
    drop: int
    after: int
    exchanges: int


def check_fit(
    history: Sequence[Message],
    *,
    prompt: str,
    system: str,
    window: int | None,
    measured: int | None = None,
) -> Overflow | None:
    """``None`` when the next request fits ``window``; else what to drop.

    ``measured`` is the last answer's reported ``prompt + completion`` tokens,
    which beats the estimate for the history it covers.
    """
    if not window:
        return None
    sizes = exchange_chars(history)
    fixed = estimate(len(prompt) + len(system))
    tokens = fixed + (measured if measured is not None else estimate(sum(sizes)))
    if tokens <= window:
        return None
    drop = 0
    after = fixed + estimate(sum(sizes))
    while drop < len(sizes) and after > window:
        drop += 1
        after = fixed + estimate(sum(sizes[drop:]))
    return Overflow(tokens, window, drop, after, len(sizes))
