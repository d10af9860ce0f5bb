"""Spending caps: the ``[budget]`` table of ``config.toml``, and the check a
send goes through before any request. UI-free.

``per_message`` caps one message's quote (its high end: the longest answer
``max_tokens`` allows); ``daily`` and ``monthly`` cap what was spent since the
start of the local calendar day / month (the day a person means, in the
machine's time zone) plus the quote. Amounts are in the currency of the price
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
    """Whether a send may go: ``refusal`` is the one line saying why not."""

    refusal: str | None = None
    cap: str | None = None


def check(budget: Budget, quote: Quote, spent_: Spent) -> Verdict:
    """Refuse when the quote's high end would pass a cap (the first that would,
    per message before daily before monthly)."""
    if not budget.any or not quote.known or quote.currency is None or quote.high is None:
        return Verdict()
    cur = quote.currency

    def amount(x: float) -> str:
        return format_cost(x, cur)

    high = quote.high
    if budget.per_message is not None and high > budget.per_message:
        return Verdict(
            f"over the per-message cap of {amount(budget.per_message)}: this message could "
            f"cost up to {amount(high)} (lower max_tokens to narrow it)",
            "per_message",
        )
    for cap, limit, so_far, when in (
        ("daily", budget.daily, spent_.today, "today"),
        ("monthly", budget.monthly, spent_.month, "this month"),
    ):
        if limit is not None and so_far + high > limit:
            return Verdict(
                f"over the {cap} cap of {amount(limit)}: spent {amount(so_far)} {when}, "
                f"and this message could cost up to {amount(high)}",
                cap,
            )
    return Verdict()


def unpriced_note(budget: Budget, quote: Quote) -> str | None:
    """The note that caps were not applied (a model without a price)."""
    if budget.any and not quote.known:
        return f"{quote.model} has no known price here; the [budget] caps do not apply to it"
    return None
