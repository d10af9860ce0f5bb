"""Amounts of money as the app shows them, UI-free: what an answer cost and
what the account holds.

Costs are in the currency of the model's price table (``models.toml``; USD
for DeepSeek's own API), balances in the currency ``/user/balance`` names
(USD or CNY). Nothing converts one into the other: the catalog carries no
exchange rate, so each amount is shown with its own symbol and never added
to an amount in another currency.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deepseek_tui.api import Balance

__all__ = ["SYMBOLS", "balance_text", "format_cost", "money", "short_tokens", "short_cost"]

#: Currencies shown by symbol; any other is shown by its code after the amount.
SYMBOLS = {"USD": "$", "CNY": "¥"}


def money(amount: str, currency: str) -> str:
    """``$7.42``, ``¥110.00``, ``3.10 EUR`` (the caller sanitizes host text)."""
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{amount}" if symbol else f"{amount} {currency}"


def format_cost(cost: float | None, currency: str = "USD", *, short: bool = False) -> str:
    """``$0.0042`` (more digits below a hundredth of a cent); ``cost unknown``.
    ``short``: two significant digits (:func:`short_cost`), for narrow places."""
    if cost is None:
        return "cost unknown"
    if short:
        return money(short_cost(cost), currency)
    digits = 4 if cost >= 0.0001 or cost == 0 else 6
    return money(f"{cost:.{digits}f}", currency)


def short_cost(cost: float) -> str:
    """An amount in two significant digits: ``0.000036``, ``0.0031``, ``0.012``,
    ``0.47``, ``1.2``, ``12``, ``120``; ``0``."""
    if cost <= 0:
        return "0"
    if cost >= 10:
        return f"{cost:.0f}"
    if cost >= 1:
        return f"{cost:.1f}".removesuffix(".0")
    digits = 1 - math.floor(math.log10(cost))  # two significant digits, no exponent
    text = f"{cost:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def balance_text(balance: Balance) -> str:
    """Each currency's total with its granted and topped-up parts:
    ``$7.42 (granted $0.50, topped up $6.92)`` (granted money is spent first)."""
    parts = []
    for info in balance.infos:
        text = money(info.total, info.currency)
        split = [
            f"{label} {money(amount, info.currency)}"
            for label, amount in (("granted", info.granted), ("topped up", info.topped_up))
            if amount is not None
        ]
        parts.append(f"{text} ({', '.join(split)})" if split else text)
    return ", ".join(parts)


def short_tokens(tokens: int) -> str:
    """A count of tokens as the status line and notes show it: ``950``,
    ``12.3K``, ``812K``, ``1.2M``."""
    if tokens < 1000:
        return str(tokens)
    if tokens < 1_000_000:
        k = tokens / 1000
        return f"{k:.1f}K".replace(".0K", "K") if k < 100 else f"{k:.0f}K"
    return f"{tokens / 1_000_000:.1f}M".replace(".0M", "M")
