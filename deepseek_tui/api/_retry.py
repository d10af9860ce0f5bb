"""When to retry a request and how long to wait first.

Retries happen only before the host accepted the request (before a 200's
headers, hence before any body byte): re-sending after output began would bill
twice and duplicate text. Only failures that may pass on their own are retried.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

__all__ = ["RETRY_STATUSES", "RetryPolicy", "parse_retry_after"]

#: Statuses worth another try: timeout, conflict, rate limit, server trouble.
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Jittered exponential backoff that honours the server's ``Retry-After``.

    The n-th retry (0-based) waits ``min(max_backoff, base * 2**n)`` scaled by a
    random factor in ``(1 - jitter, 1]`` -- so parallel clients spread out --
    unless the server said how long to wait, which wins (capped at
    ``max_retry_after``).
    """

    max_retries: int = 2
    base: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 120.0
    jitter: float = 0.25

    def delay(
        self,
        retry: int,
        retry_after: float | None = None,
        *,
        rand: Callable[[], float] = random.random,
    ) -> float:
        """Seconds to wait before retry number ``retry`` (0 for the first retry)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_retry_after)
        backoff = min(self.max_backoff, self.base * (2.0**retry))
        return backoff * (1.0 - self.jitter * rand())


def parse_retry_after(
    headers: Mapping[str, str], *, now: Callable[[], float] = time.time
) -> float | None:
    """Seconds the server asked us to wait, or None.

    Reads ``retry-after-ms`` (OpenAI-style, milliseconds) first, then
    ``Retry-After`` as seconds or as an HTTP date. Negative values become 0;
    unparseable ones are ignored.
    """
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000.0
        except ValueError:
            pass
        else:
            if value == value and value not in (float("inf"), float("-inf")):
                return max(value, 0.0)
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        value = float(raw)
    except ValueError:
        pass
    else:
        if value == value and value not in (float("inf"), float("-inf")):
            return max(value, 0.0)
        return None
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return max(when.timestamp() - now(), 0.0)
    except (OverflowError, OSError, ValueError):
        return None
