"""Spending caps: the ``[budget]`` table of ``config.toml``, and the check a
send goes through before any request. UI-free.

``per_message`` caps one message's quote (its high end: the longest answer
``max_tokens`` allows); ``daily`` and ``monthly`` cap what was spent since the
start of the local calendar day / month (the day a person means, in the
machine's time zone) plus the quote. Where the quote would pass a cap, the
message goes with a lower ``max_tokens`` (for it alone) that keeps it under
the cap; only when that leaves no room for a short answer is it refused. Each
request of a tool loop gets that limit. Amounts are in the currency of the price
table in use (USD on DeepSeek's own API). Spending is summed from the answers
stored in the database (:meth:`~deepseek_tui.store.Store.spent_since`), so
``ask`` and the TUI share one budget; answers not saved (``ask --no-save``)
or of unknown price are not in it.

A model without a price is never blocked: its quote says "price unknown" and
:func:`check` says the caps do not apply.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from deepseek_tui.money import format_cost

if TYPE_CHECKING:
    from deepseek_tui.quote import Quote

__all__ = ["CAPS", "Budget", "Spent", "Verdict", "check", "parse_budget", "spent", "unpriced_note"]

CAPS = ("per_message", "daily", "monthly")


class Budget(NamedTuple):
    """The caps in force (``None``: no cap)."""

    per_message: float | None = None
    daily: float | None = None
    monthly: float | None = None

    @property
    def any(self) -> bool:
        return any(cap is not None for cap in self)


class Checks(Protocol):
    """What this module needs of the config's validator."""

    def fail(self, where: str, message: str) -> Exception: ...

    def unknown(self, key: str, allowed: list[str], where: str) -> Exception: ...


def parse_budget(raw: Any, v: Checks) -> Budget:
    """``[budget]``: each cap a positive amount (a number; ``0`` is refused: to
    send nothing, do not send)."""
    if not isinstance(raw, dict):
        raise v.fail("budget", "must be a table")
    caps: dict[str, float] = {}
    for key, value in raw.items():
        where = f"budget.{key}"
        if key not in CAPS:
            raise v.unknown(key, list(CAPS), "budget.")
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or value <= 0:
            shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
            raise v.fail(
                where,
                f"{shown} is not allowed here; expected an amount above 0 in the price "
                "table's currency (USD on DeepSeek), e.g. 0.50",
            )
        caps[key] = float(value)
    return Budget(**caps)


class Spent(NamedTuple):
    """What was spent in the periods the caps count."""

    today: float = 0.0
    month: float = 0.0


class SpendingStore(Protocol):
    def spent_since(self, *moments: datetime) -> tuple[float, ...]: ...


def period_starts(now: datetime) -> tuple[datetime, datetime]:
    """The start of ``now``'s local calendar day and month (aware datetimes)."""
    local = now.astimezone()
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return day, day.replace(day=1)


def spent(store: SpendingStore, now: datetime) -> Spent:
    """Today's and this month's spending, from the stored answers."""
    today, month = store.spent_since(*period_starts(now))
    return Spent(today, month)


class Verdict(NamedTuple):
    """Whether a send may go: ``refusal`` is the one line saying why not;
    ``answer_limit`` lowers ``max_tokens`` for this message only, so that it
    cannot pass a cap (``note`` says so)."""

    refusal: str | None = None
    cap: str | None = None
    answer_limit: int | None = None
    note: str | None = None


#: The shortest answer a cap may narrow a message to before it refuses it
#: (a thinking model spends hundreds of tokens before it says anything).
MIN_ANSWER = 1024


def check(budget: Budget, quote: Quote, spent_: Spent) -> Verdict:
    """Keep the message under every cap: where the quote's high end (the
    longest answer ``max_tokens`` allows) would pass one, the answer is limited
    to what the cap leaves room for, so a cap holds whatever the model says.
    Refuse when that room is too small for even :data:`MIN_ANSWER` tokens (or
    the whole ``max_tokens`` when that is smaller): the first cap that would,
    per message before daily before monthly."""
    if not budget.any or not quote.known or quote.currency is None or quote.high is None:
        return Verdict()
    cur = quote.currency

    def amount(x: float) -> str:
        return format_cost(x, cur)

    high = quote.high
    per_token = quote.out_price or 0.0
    prompt = high - quote.answer_high * per_token
    shortest = min(MIN_ANSWER, quote.answer_high)
    limit_tokens: int | None = None
    note = None
    for cap, limit, so_far, when in (
        ("per_message", budget.per_message, 0.0, ""),
        ("daily", budget.daily, spent_.today, "today"),
        ("monthly", budget.monthly, spent_.month, "this month"),
    ):
        if limit is None or so_far + high <= limit:
            continue
        name = cap.replace("_", "-")
        room = limit - so_far - prompt
        tokens = math.floor(room / per_token) if per_token > 0 and room > 0 else 0
        if tokens < shortest:
            if cap == "per_message":
                why = (
                    f"this message could cost up to {amount(high)} (too little for a short answer)"
                )
            else:
                why = f"spent {amount(so_far)} {when}, and this message could cost up to "
                why += amount(high)
            return Verdict(f"over the {name} cap of {amount(limit)}: {why}", cap)
        if limit_tokens is None or tokens < limit_tokens:
            limit_tokens = tokens
            note = (
                f"max_tokens {tokens:,} for this message, so that it stays under the "
                f"{name} cap of {amount(limit)}"
            )
    return Verdict(answer_limit=limit_tokens, note=note)


def unpriced_note(budget: Budget, quote: Quote) -> str | None:
    """The note that caps were not applied (a model without a price)."""
    if budget.any and not quote.known:
        return f"{quote.model} has no known price here; the [budget] caps do not apply to it"
    return None
