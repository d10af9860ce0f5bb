"""Each model's parameter limits on its host, applied before a request goes out.

The parameter table (:mod:`deepseek_tui.params`) holds the ranges DeepSeek's
API takes; hosts and models narrow them: ``max_tokens`` ends at the catalog's
``max_output`` (393,216 on DeepSeek's API, 8,192 at the R1 reseller), the V3.2
aggregator takes temperature 0–1 only (the catalog's ``ranges``), and a
provider's ``temperature_max`` in ``config.toml`` overrides the catalog's
upper temperature bound for that host. A value outside the model's range is
sent as the nearest bound with a note, wherever it came from (an ``ask`` flag,
``[generation]``, the sidebar, a stored conversation), instead of earning a
400 on every turn. The sidebar shows the same ranges (:func:`limits`).

``default_max_tokens`` fills in ``max_tokens`` when the user set none, for
hosts whose own default cuts answers short.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

from deepseek_tui import params
from deepseek_tui.params import Param

if TYPE_CHECKING:
    from deepseek_tui.models import ModelSpec
    from deepseek_tui.turn_settings import TurnSettings

__all__ = ["Fitted", "fit", "limits"]


def limits(spec: ModelSpec, *, temperature_max: float | None = None) -> dict[str, Param]:
    """Every sampling parameter's row with ``spec``'s own range on its host.

    ``temperature_max`` (a provider's override) replaces the upper temperature
    bound the catalog gives."""
    out: dict[str, Param] = {}
    for p in params.PARAMS:
        lo, hi = p.lo, p.hi
        own = spec.range_of(p.name)
        if own is not None:
            lo, hi = own.lo, own.hi
        if p.name == "max_tokens" and spec.max_output:
            hi = min(hi, spec.max_output)
        if p.name == "temperature" and temperature_max is not None:
            hi = temperature_max
            lo = min(lo, hi)
        out[p.name] = p._replace(lo=lo, hi=hi)
    return out


class Fitted(NamedTuple):
    """The settings a request is built from, and what was changed, for people."""

    settings: TurnSettings
    notes: tuple[str, ...]


def fit(
    spec: ModelSpec,
    settings: TurnSettings,
    *,
    thinking: bool,
    temperature_max: float | None = None,
) -> Fitted:
    """``settings`` within ``spec``'s limits, plus one note per value changed.

    Parameters the model ignores in this mode are left alone (they are not
    sent). An unset ``max_tokens`` becomes the catalog's ``default_max_tokens``
    without a note: it is what the model's default means here."""
    ignored = spec.ignored(thinking)
    changes: dict[str, Any] = {}
    notes: list[str] = []
    for name, p in limits(spec, temperature_max=temperature_max).items():
        value = getattr(settings, name, None)
        if value is None or name in ignored or p.lo <= value <= p.hi:
            continue
        bound = p.kind(p.hi if value > p.hi else p.lo)
        changes[name] = bound
        notes.append(_note(spec, p, value, bound))
    if settings.max_tokens is None and spec.default_max_tokens:
        changes["max_tokens"] = spec.default_max_tokens
    return Fitted(replace(settings, **changes) if changes else settings, tuple(notes))


def _note(spec: ModelSpec, p: Param, value: float, bound: float) -> str:
    above = value > bound
    if p.name == "max_tokens":
        return (
            f"max_tokens {value:,} is above {spec.id}'s maximum output of {bound:,} tokens"
            f" on this host; sent {bound:,}"
        )
    which = "maximum" if above else "minimum"
    side = "above" if above else "below"
    shown, limit = params.number(value), params.number(bound)
    return f"{p.name} {shown} is {side} this host's {which} of {limit} for {spec.id}; sent {limit}"
