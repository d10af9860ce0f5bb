"""What the next message costs when an action throws DeepSeek's prefix cache
away, UI-free (the chat screen's notices and the quote use it).

DeepSeek bills a repeated prefix of an earlier request at the cache-hit price
(1/50 of a miss for deepseek-flash). The last answer's usage tells exactly how
much is cached: its ``prompt_tokens`` plus its answer. Changing the system
prompt, or switching to a model that does not share the cache, makes the next
message read all of it again at the miss price.

Two ids share a cache when the catalog gives them the same ``cache_group``
(by default an entry's own id, so an id and its aliases share one).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from deepseek_tui.models import ModelSpec
from deepseek_tui.money import format_cost, short_tokens

if TYPE_CHECKING:
    from deepseek_tui.store import Message

__all__ = [
    "RereadCost",
    "cache_group",
    "cached_before",
    "kept_text",
    "reread_cost",
    "shares_cache",
]


def cache_group(spec: ModelSpec) -> str:
    """The cache ``spec``'s requests hit: its catalog ``cache_group`` or its id."""
    return spec.cache_group or spec.id


def shares_cache(a: ModelSpec, b: ModelSpec) -> bool:
    """Whether a request to ``b`` can hit what requests to ``a`` cached."""
    return a.host == b.host and cache_group(a) == cache_group(b)


class RereadCost(NamedTuple):
    """The cached tokens the next message reads again, and what that costs."""

    tokens: int
    miss: float | None
    """At the cache-miss input price (of the model that will answer)."""
    hit: float | None
    """At the cache-hit input price of the model that cached them: what it
    would have cost."""
    currency: str = "USD"

    def text(self) -> str:
        """``the next message re-reads 812K tokens: ≈ $0.1218 instead of $0.0024``;
        the token count alone when a price is unknown."""
        head = f"the next message re-reads {short_tokens(self.tokens)} tokens"
        if self.miss is None or self.hit is None:
            return head + " without the cache (price unknown)"
        miss, hit = format_cost(self.miss, self.currency), format_cost(self.hit, self.currency)
        return f"{head}: ≈ {miss} instead of {hit}"


def reread_cost(
    tokens: int, *, cached_by: ModelSpec, answered_by: ModelSpec, at: datetime
) -> RereadCost:
    """``tokens`` (the last answer's prompt + completion tokens) read again by
    ``answered_by`` at the miss price, against what ``cached_by`` would have
    billed for them from its cache, at this hour's prices. Either cost is
    ``None`` when its price is unknown or the two are in different currencies."""
    new, old = answered_by.price_at(at), cached_by.price_at(at)
    if new is None or old is None or new.currency != old.currency:
        return RereadCost(tokens, None, None)
    return RereadCost(
        tokens, tokens * new.miss / 1_000_000, tokens * old.hit / 1_000_000, new.currency
    )


def cached_before(path: Sequence[Message], message_id: int) -> int | None:
    """What DeepSeek has cached of ``path`` before message ``message_id`` (an
    edit starts a branch there): the prompt and answer tokens of the last
    answer before it, ``None`` when none reported usage."""
    tokens = None
    for m in path:
        if m.id == message_id:
            break
        if m.role == "assistant" and m.usage:
            total = m.usage.get("total_tokens")
            tokens = total if isinstance(total, int) else tokens
    return tokens


def kept_text(tokens: int | None) -> str:
    """What an edit of the last message keeps: everything before it is the
    prefix DeepSeek cached, so the next message reads it at the hit price."""
    if not tokens:
        return ""
    return f"The {short_tokens(tokens)} tokens before it stay in DeepSeek's prompt cache."
