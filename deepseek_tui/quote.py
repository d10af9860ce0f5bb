"""What the next message will cost, before it is sent. UI-free.

DeepSeek bills a request's prompt in two parts: what its prefix cache serves
(the hit price, 1/50 of a miss for ``deepseek-flash``) and the rest (the miss
price); the answer bills at the output price. Most of the next request is
known exactly: the previous request's ``prompt_tokens`` and the last answer
were counted by the host (stored ``usage``), and are the prefix the cache most
likely holds. Only what is new since — the text being typed, and anything the
host never counted — is estimated, by characters (:func:`estimate_tokens`:
deterministic, no tokenizer, microseconds). The answer is a range: from the
shortest of the model's recent answers in this conversation up to
``max_tokens`` (or what the model's default means on its host).

A quote is in the currency of the model's price table, at the price in force
at the given moment, and carries what the same message would cost in the
other window (peak / off-peak) when that differs. A model the catalog has no
price for gets a quote with ``low is None``: "price unknown", never an error.

:func:`basis` reads the stored conversation once; :func:`make_quote` is the
cheap part, run again each time the text changes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from deepseek_tui.context_window import TOKENS_PER_CHAR
from deepseek_tui.money import format_cost, short_cost, short_tokens

if TYPE_CHECKING:
    from deepseek_tui.api import Usage
    from deepseek_tui.attachments import Attachment
    from deepseek_tui.models import ModelSpec, Price
    from deepseek_tui.store import Message

__all__ = [
    "MESSAGE_OVERHEAD",
    "RECENT",
    "Basis",
    "Quote",
    "after_answer",
    "basis",
    "estimate_tokens",
    "make_quote",
    "quote_json",
    "quote_message",
    "quote_lines",
    "status_text",
]

#: Tokens per CJK character: DeepSeek's own rule of thumb (≈0.6 per Chinese
#: character; other text is ``context_window``'s ≈0.3 per character).
TOKENS_PER_CJK_CHAR = 0.6
#: Tokens the chat template adds around each message (role markers).
MESSAGE_OVERHEAD = 4
#: How many of the latest answers give the low end of the answer's range.
RECENT = 5
#: The answer's upper bound when neither the user nor the catalog gives one.
FALLBACK_MAX_TOKENS = 8192
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


def estimate_tokens(text: str) -> int:
    """Tokens in ``text``, by script: ≈0.6 per CJK character, ≈0.3 per other
    character (rounded up). Cheap: ASCII text is never scanned."""
    if not text:
        return 0
    cjk = 0 if text.isascii() else len(_CJK.findall(text))
    return int((len(text) - cjk) * TOKENS_PER_CHAR + cjk * TOKENS_PER_CJK_CHAR + 0.999)


class Basis(NamedTuple):
    """What a conversation contributes to the next request, read once.

    ``cached``: tokens the cache likely serves (the last counted request's
    prompt plus its answer as replayed); ``uncounted``: tokens of stored text
    the host never counted (messages after that answer, or the whole history
    when no answer has usage), estimated; ``model``: the model that answered
    last (the cache is per model); ``answers``: completion tokens of the
    latest answers, newest last; ``prompt_tokens`` / ``hit_tokens``: summed
    over every counted request, for the conversation's cache-hit ratio.
    """

    cached: int = 0
    uncounted: int = 0
    model: str | None = None
    answers: tuple[int, ...] = ()
    prompt_tokens: int = 0
    hit_tokens: int = 0
    requests: int = 0
    """How many requests reported their prompt tokens."""

    @property
    def hit_ratio(self) -> float | None:
        """The share of prompt tokens served from cache so far; ``None`` until
        a second request could have hit (the first one has nothing to hit)."""
        return self.hit_tokens / self.prompt_tokens if self.requests > 1 else None


def _int(usage: dict[str, Any], key: str) -> int:
    value = usage.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def basis(history: Sequence[Message], *, system: str | None = None) -> Basis:
    """The :class:`Basis` of one branch of a conversation (oldest first)."""
    last: int | None = None
    answers: list[int] = []
    prompt = hits = requests = 0
    for i, m in enumerate(history):
        if m.role != "assistant" or not m.usage:
            continue
        if _int(m.usage, "prompt_tokens"):
            last, requests = i, requests + 1
            prompt += _int(m.usage, "prompt_tokens")
            hits += min(_int(m.usage, "cache_hit_tokens"), _int(m.usage, "prompt_tokens"))
        if _int(m.usage, "completion_tokens") and m.status == "complete":
            answers.append(_int(m.usage, "completion_tokens"))
    answers = answers[-RECENT:]
    if last is None:
        text = [system or ""] + [m.content for m in history if m.role != "system"]
        uncounted = sum(estimate_tokens(t) + MESSAGE_OVERHEAD for t in text if t)
        return Basis(0, uncounted, None, tuple(answers), prompt, hits, requests)
    counted = history[last]
    usage = counted.usage or {}
    answer = _int(usage, "completion_tokens")
    if not counted.tool_calls:  # the reasoning of a plain answer is not sent back
        answer = max(answer - _int(usage, "reasoning_tokens"), 0)
    later = history[last + 1 :]
    uncounted = sum(estimate_tokens(m.content) + MESSAGE_OVERHEAD for m in later)
    cached = _int(usage, "prompt_tokens") + answer
    return Basis(cached, uncounted, counted.model, tuple(answers), prompt, hits, requests)


def after_answer(
    b: Basis,
    last: Usage,
    whole: Usage | None,
    *,
    model: str,
    tool_calls: bool = False,
    complete: bool = True,
) -> Basis:
    """``b`` once an answer came: ``last`` is its (last) request's usage,
    ``whole`` every request of the turn (tool rounds too), for the ratio."""
    answer = last.completion_tokens
    if not tool_calls:
        answer = max(answer - (last.reasoning_tokens or 0), 0)
    whole = whole or last
    answers = (*b.answers, last.completion_tokens) if complete else b.answers
    return Basis(
        cached=last.prompt_tokens + answer,
        uncounted=0,
        model=model,
        answers=answers[-RECENT:],
        prompt_tokens=b.prompt_tokens + whole.prompt_tokens,
        hit_tokens=b.hit_tokens + min(whole.cache_hit_tokens or 0, whole.prompt_tokens),
        requests=b.requests + 1,
    )


class Quote(NamedTuple):
    """What sending would cost: tokens by kind and the cost range.

    ``low`` / ``high`` are ``None`` when the price is unknown; ``other_low`` /
    ``other_high`` are the same message in the other window (``other_peak``
    says which), ``None`` when the price does not change with the hour.
    """

    model: str
    cached: int
    new: int
    answer_low: int
    answer_high: int
    currency: str | None = None
    low: float | None = None
    high: float | None = None
    peak: bool = False
    other_low: float | None = None
    other_high: float | None = None
    other_peak: bool = False
    out_price: float | None = None
    """What one answer token costs at this hour (``None``: price unknown)."""

    @property
    def known(self) -> bool:
        return self.low is not None and self.high is not None


def answer_ceiling(spec: ModelSpec, max_tokens: int | None) -> int:
    """The most an answer may run to: ``max_tokens``, else what the model's
    default means on its host (the catalog's), within the model's maximum."""
    ceiling = max_tokens or spec.default_max_tokens or spec.max_output or FALLBACK_MAX_TOKENS
    return min(ceiling, spec.max_output) if spec.max_output else ceiling


def make_quote(
    b: Basis,
    text: str,
    spec: ModelSpec,
    at: datetime,
    *,
    max_tokens: int | None = None,
    extra_tokens: int = 0,
) -> Quote:
    """The quote for sending ``text`` after the conversation ``b``, to ``spec``
    at ``at``. ``extra_tokens``: estimated tokens of attachments or a changed
    system prompt (anything else new in the request)."""
    cached, new = b.cached, b.uncounted
    if cached and b.model is not None and not spec.matches(b.model):
        cached, new = 0, new + cached  # another model: its cache holds none of it
    new += estimate_tokens(text) + MESSAGE_OVERHEAD + extra_tokens
    high_tokens = answer_ceiling(spec, max_tokens)
    low_tokens = min(min(b.answers, default=0), high_tokens)
    quote = Quote(spec.id, cached, new, low_tokens, high_tokens)
    price = spec.price_at(at)
    if price is None:
        return quote
    low, high = _costs(quote, price)
    quote = quote._replace(
        currency=price.currency,
        low=low,
        high=high,
        peak=price.peak,
        out_price=price.output / 1_000_000,
    )
    other = _other_window(spec, at, price)
    if other is not None:
        other_low, other_high = _costs(quote, other)
        if (other_low, other_high) != (low, high):
            quote = quote._replace(
                other_low=other_low, other_high=other_high, other_peak=other.peak
            )
    return quote


def quote_message(
    b: Basis,
    text: str,
    spec: ModelSpec,
    at: datetime,
    *,
    system: str | None = None,
    max_tokens: int | None = None,
    attachments: Sequence[Attachment] = (),
) -> Quote:
    """:func:`make_quote` for a message as it is sent: a new conversation's
    ``system`` prompt and the attachments' text (inlined) are new tokens too."""
    if not b.cached and not b.uncounted and system:  # a new conversation: its system prompt
        b = b._replace(uncounted=estimate_tokens(system))
    extra = sum(estimate_tokens(a.text or "") for a in attachments)
    return make_quote(b, text, spec, at, max_tokens=max_tokens, extra_tokens=extra)


def _costs(q: Quote, price: Price) -> tuple[float, float]:
    prompt = q.cached * price.hit + q.new * price.miss
    return (
        (prompt + q.answer_low * price.output) / 1_000_000,
        (prompt + q.answer_high * price.output) / 1_000_000,
    )


def _other_window(spec: ModelSpec, at: datetime, price: Price) -> Price | None:
    """The price of the other window (peak / off-peak) of the period in force."""
    from deepseek_tui.models import Price

    current = spec.period_at(at)
    if current is None or current.peak is None or current.schedule is None:
        return None
    hit, miss, out = current.off_peak if price.peak else current.peak
    return Price(hit, miss, out, current.currency, not price.peak)


def _range(low: float, high: float, currency: str) -> str:
    """``$0.0031–0.47`` (one symbol, short amounts)."""
    return f"{format_cost(low, currency, short=True)}–{short_cost(high)}"


def _window(peak: bool) -> str:
    return "peak" if peak else "off-peak"


def status_text(q: Quote) -> str:
    """The status line's segment: ``next ≈ $0.0031–0.47 (812K cached) ·
    off-peak $0.0016–0.24``, or ``next: price unknown``."""
    if not q.known or q.currency is None:
        return "next: price unknown"
    assert q.low is not None and q.high is not None
    text = f"next ≈ {_range(q.low, q.high, q.currency)}"
    if q.cached:
        text += f" ({short_tokens(q.cached)} cached)"
    if q.other_low is not None and q.other_high is not None:
        text += f" · {_window(q.other_peak)} {_range(q.other_low, q.other_high, q.currency)}"
    return text


def quote_lines(q: Quote) -> list[str]:
    """What ``ask --quote`` prints: the range, then where it comes from."""
    cached = (
        f"cached {q.cached:,} tokens (the previous request and its answer, at the cache-hit price)"
        if q.cached
        else "cached 0 tokens (nothing before this message was counted)"
    )
    parts = [
        cached,
        f"new ≈{q.new:,} tokens (estimated)",
        f"answer {q.answer_low:,}–{q.answer_high:,} tokens (shortest recent answer to max_tokens)",
    ]
    if not q.known or q.currency is None:
        return [f"next message to {q.model}: price unknown", *parts]
    assert q.low is not None and q.high is not None
    head = (
        f"next message to {q.model} ≈ {format_cost(q.low, q.currency)}–"
        f"{format_cost(q.high, q.currency)} ({_window(q.peak)} price)"
    )
    lines = [head, *parts]
    if q.other_low is not None and q.other_high is not None:
        lines.append(
            f"{_window(q.other_peak)}: ≈ {format_cost(q.other_low, q.currency)}–"
            f"{format_cost(q.other_high, q.currency)}"
        )
    return lines


def quote_json(q: Quote) -> dict[str, Any]:
    """``ask --quote --json``: the quote as one object (null costs: unknown price)."""
    other = None
    if q.other_low is not None:
        other = {"window": _window(q.other_peak), "cost": [q.other_low, q.other_high]}
    return {
        "model": q.model,
        "cached_tokens": q.cached,
        "new_tokens": q.new,
        "answer_tokens": [q.answer_low, q.answer_high],
        "cost": [q.low, q.high] if q.known else None,
        "currency": q.currency,
        "window": _window(q.peak) if q.known else None,
        "other_window": other,
    }
