"""The model catalog: what each model id does, what it costs, and when it retires.

The facts live in ``models.toml`` (shipped with the package) plus the user's
``[[models]]`` tables in ``config.toml``; this module only reads and applies
them. Lookups are by the provider's host kind (``deepseek`` for DeepSeek's own
API, ``*`` for any other OpenAI-compatible host), because the same id means
different things on different hosts: ``deepseek-chat`` is retired on DeepSeek's
API but alive on resellers.

An id the catalog does not know still works, with safe defaults that say so
(``known=False``).
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from deepseek_tui.params import EFFORTS, IGNORED_WHILE_THINKING, by_name

if TYPE_CHECKING:
    from deepseek_tui.api import PassBack, Usage
    from deepseek_tui.config import Settings

Thinking = Literal["switchable", "on", "off"]
EFFORT_ALIASES = {
    "minimal": "low",
    "low": "low",
    "medium": "high",
    "high": "high",
    "xhigh": "high",
    "max": "max",
    "ultra": "max",
}
V4_MAX_OUTPUT = 384 * 1024
"""The valid ``max_tokens`` range on DeepSeek's API ends here for every V4 id
("the valid range of max_tokens is [1, 393216]")."""
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SAMPLING_PARAMS = IGNORED_WHILE_THINKING
"""What a thinking model ignores when the catalog does not say (from the
parameter table; kept under this name while chat.py imports it)."""


class CatalogError(ValueError):
    """A catalog entry (shipped or from config.toml) is not valid."""


class PeakSchedule(NamedTuple):  # NamedTuples: cheaper to create than dataclasses
    """When peak prices apply: weekdays and UTC windows, minus listed holidays."""

    days: frozenset[int]
    windows: tuple[tuple[time, time], ...]
    holidays: frozenset[str] = frozenset()

    def is_peak(self, at: datetime) -> bool:
        at = at.astimezone(UTC)
        if at.weekday() not in self.days or at.date().isoformat() in self.holidays:
            return False
        now = at.time().replace(tzinfo=None)
        return any(start <= now < end for start, end in self.windows)


class Price(NamedTuple):
    """Per 1M tokens: cache-hit input, cache-miss input, output."""

    hit: float
    miss: float
    output: float
    currency: str
    peak: bool


class Range(NamedTuple):
    """A sampling parameter's range on one host for one model, where it is
    narrower than the parameter table's (the V3.2 aggregator: temperature 0-1)."""

    name: str
    lo: float
    hi: float


class PricePeriod(NamedTuple):
    since: datetime
    currency: str
    off_peak: tuple[float, float, float]
    peak: tuple[float, float, float] | None = None
    schedule: PeakSchedule | None = None

    def price(self, at: datetime) -> Price:
        peak = self.peak is not None and self.schedule is not None and self.schedule.is_peak(at)
        hit, miss, out = self.peak if peak and self.peak else self.off_peak
        return Price(hit, miss, out, self.currency, peak)


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """What the app needs to know to talk to one model on one kind of host."""

    id: str
    host: str = "*"
    label: str = ""
    aliases: tuple[str, ...] = ()
    pattern: str | None = None
    context: int | None = None
    max_output: int | None = None
    default_max_tokens: int | None = None
    """``max_tokens`` sent when the user set none: for hosts whose own default
    is small enough to cut answers (the R1 reseller stops at 512)."""
    ranges: tuple[Range, ...] = ()
    """Parameters this host takes in a narrower range than the table's."""
    thinking: Thinking = "off"
    default_thinking: bool = False
    default_effort: str | None = None
    efforts: tuple[str, ...] = ()
    ignores_when_thinking: frozenset[str] = frozenset()
    rejects_when_thinking: frozenset[str] = frozenset()
    passback: PassBack = "never"
    images: bool = False
    files: bool = False
    tools: bool = True
    """Whether the model takes ``tools`` (function calling); without it a
    request offers none and leaves earlier tool rounds out."""
    prices: tuple[PricePeriod, ...] = ()
    cache_group: str | None = None
    """Ids with the same group share DeepSeek's prefix cache (default: the id)."""
    retired: datetime | None = None
    successor: str | None = None
    successor_thinking: bool | None = None
    known: bool = True

    def thinks(self, setting: bool | None) -> bool:
        """Whether answers will carry reasoning under the user's thinking setting."""
        if self.thinking == "switchable":
            return self.default_thinking if setting is None else setting
        return self.thinking == "on"

    def effort(self, setting: str | None) -> str | None:
        """The effort to request (only for switchable models that think)."""
        if self.thinking != "switchable" or not self.efforts:
            return None
        effort = EFFORT_ALIASES.get(setting or "") or self.default_effort
        return effort if effort in self.efforts else self.default_effort

    def ignored(self, thinking: bool) -> frozenset[str]:
        """Parameters the model accepts without effect (or rejects) in this mode."""
        return (
            (self.ignores_when_thinking | self.rejects_when_thinking) if thinking else frozenset()
        )

    def range_of(self, name: str) -> Range | None:
        """This model's own range for parameter ``name`` (``None``: the table's)."""
        return next((r for r in self.ranges if r.name == name), None)

    def is_retired(self, at: datetime | None = None) -> bool:
        if self.retired is None:
            return False
        return (at or datetime.now(UTC)) >= self.retired

    def retirement_message(self) -> str:
        """One line saying what to use instead of a retired id."""
        when = self.retired.strftime("%Y-%m-%d") if self.retired else "?"
        text = f"{self.id} was retired on {when}"
        if self.successor:
            mode = ""
            if self.successor_thinking is not None:
                mode = " with thinking " + ("on" if self.successor_thinking else "off")
            text += f"; use {self.successor}{mode}"
        return text

    def period_at(self, at: datetime) -> PricePeriod | None:
        """The price period in force at ``at`` (the last one begun by then)."""
        current = None
        for period in self.prices:
            if period.since <= at:
                current = period
        return current

    def price_at(self, at: datetime) -> Price | None:
        """The price in force at ``at`` (UTC), or None when the catalog has none."""
        current = self.period_at(at)
        return current.price(at) if current else None

    def cost(self, usage: Usage, at: datetime) -> float | None:
        """Cost of one answer in the price's currency; reasoning bills as output."""
        price = self.price_at(at)
        if price is None:
            return None
        hit = usage.cache_hit_tokens or 0
        miss = usage.cache_miss_tokens
        if miss is None:
            miss = max(usage.prompt_tokens - hit, 0)
        total = hit * price.hit + miss * price.miss + usage.completion_tokens * price.output
        return total / 1_000_000

    def matches(self, model_id: str) -> bool:
        if self.pattern is not None:
            return fnmatch.fnmatchcase(model_id.lower(), self.pattern.lower())
        return model_id == self.id or model_id in self.aliases


@dataclass(frozen=True, slots=True)
class Catalog:
    """All known models; :meth:`lookup` never fails."""

    entries: tuple[ModelSpec, ...]
    defaults: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, overrides: Iterable[Mapping[str, Any]] = ()) -> Catalog:
        """The shipped catalog with ``overrides`` (config.toml ``[[models]]``) applied."""
        raw = tomllib.loads(Path(__file__).with_name("models.toml").read_text("utf-8"))
        return cls.from_data(raw, overrides)

    @classmethod
    def from_data(
        cls, raw: Mapping[str, Any], overrides: Iterable[Mapping[str, Any]] = ()
    ) -> Catalog:
        schedules = {
            name: _schedule(name, body) for name, body in raw.get("peak_schedules", {}).items()
        }
        entries: list[ModelSpec] = [
            _spec(entry, schedules, f"models.toml entry {i + 1}")
            for i, entry in enumerate(raw.get("models", []))
        ]
        for i, entry in enumerate(overrides):
            where = f"config [[models]] entry {i + 1}"
            key = (entry.get("host", "*"), entry.get("id"), entry.get("pattern"))
            for j, old in enumerate(entries):
                if (old.host, None if old.pattern else old.id, old.pattern) == key:
                    entries[j] = _spec(entry, schedules, where, base=old)
                    break
            else:
                entries.append(_spec(entry, schedules, where))
        return cls(tuple(entries), dict(raw.get("defaults", {})))

    def lookup(self, model_id: str, host: str) -> ModelSpec:
        """The spec for ``model_id`` on ``host`` (``deepseek`` or ``*``).

        Order: exact id or alias on this host, then on any host, then patterns
        likewise; otherwise safe defaults marked ``known=False``.
        """
        hosts = (host, "*") if host != "*" else ("*",)
        for want_pattern in (False, True):
            for h in hosts:
                for spec in self.entries:
                    if (
                        spec.host == h
                        and (spec.pattern is not None) == want_pattern
                        and spec.matches(model_id)
                    ):
                        return replace(spec, id=model_id) if want_pattern else spec
        return self.unknown(model_id, host)

    def unknown(self, model_id: str, host: str) -> ModelSpec:
        """Safe defaults for an id nobody described: on DeepSeek's own API today
        every id follows the V4 rules; elsewhere send nothing model-specific."""
        if host == "deepseek":
            return ModelSpec(
                id=model_id,
                host=host,
                label="unknown model (V4 rules assumed)",
                thinking="switchable",
                default_thinking=True,
                default_effort="high",
                efforts=EFFORTS,
                ignores_when_thinking=frozenset(IGNORED_WHILE_THINKING),
                passback="v4",
                max_output=V4_MAX_OUTPUT,
                known=False,
            )
        return ModelSpec(id=model_id, host=host, label="unknown model", known=False)

    def default_model(self, host: str) -> str:
        return self.defaults.get(host) or self.defaults.get("*") or "deepseek-chat"

    def ids(self, host: str) -> list[str]:
        """Ids the catalog lists for ``host`` itself that are usable now (no patterns)."""
        seen: list[str] = []
        for spec in self.entries:
            if spec.host == host and spec.pattern is None and spec.id not in seen:
                if self.lookup(spec.id, host).is_retired():
                    continue
                seen.append(spec.id)
        return seen

    def ids_with(self, capability: str, host: str) -> list[str]:
        """Usable ids listed for ``host`` itself whose entry says ``capability``
        (``images`` or ``files``) is true: what a "this model takes no images"
        message suggests. Only the host's own entries, because ``*`` entries
        describe ids other hosts serve."""
        out: list[str] = []
        for spec in self.entries:
            if spec.host != host or spec.pattern is not None or spec.id in out:
                continue
            if getattr(spec, capability, False) and not spec.is_retired():
                out.append(spec.id)
        return out


# --- the README table ----------------------------------------------------------------

_HOST_NAMES = {"deepseek": "DeepSeek API", "*": "other hosts"}


def _tokens_k(n: int | None) -> str:
    if n is None:
        return "—"
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    return f"{n // 1000}K" if n % 1000 == 0 else f"{n / 1024:.0f}K"


def _price_text(prices: tuple[float, float, float] | None, currency: str) -> str:
    if prices is None:
        return "—"
    hit, miss, out = prices
    symbol = "$" if currency == "USD" else f"{currency} "
    return f"{symbol}{hit:g} / {symbol}{miss:g} / {symbol}{out:g}"


def catalog_markdown(catalog: Catalog) -> str:
    """The catalog as the Markdown table the README carries between
    ``<!-- models:begin -->`` and ``<!-- models:end -->``.

    Generated rather than hand-written so the README cannot drift from
    ``models.toml`` (``tests/test_readme_models.py`` compares them). Prices are
    the latest period per 1M tokens: cache hit / cache miss / output. "Sent
    when unset" is ``default_max_tokens``; "Ranges" are the parameters the
    host takes in a narrower range than DeepSeek's.
    """
    header = (
        "| Model id | Host | Aliases | Context | Max output | Sent when unset | Ranges "
        "| Thinking | Reasoning pass-back | Tools "
        "| Attachments | Price off-peak (hit / miss / out per 1M) | Price peak "
        "| Retired → successor |"
    )
    lines = [header, "|" + "---|" * 14]
    for spec in catalog.entries:
        name = f"`{spec.pattern}` (pattern)" if spec.pattern else f"`{spec.id}`"
        aliases = ", ".join(f"`{a}`" for a in spec.aliases) or "—"
        thinking: str = spec.thinking
        if spec.thinking == "switchable":
            thinking = "switchable (default " + ("on" if spec.default_thinking else "off")
            if spec.efforts:
                thinking += "; effort " + "/".join(spec.efforts)
            thinking += ")"
        latest = spec.prices[-1] if spec.prices else None
        off_peak = _price_text(latest.off_peak, latest.currency) if latest else "—"
        peak = _price_text(latest.peak, latest.currency) if latest else "—"
        retired = "—"
        if spec.retired is not None:
            retired = spec.retired.strftime("%Y-%m-%d")
            if spec.successor:
                retired += f" → `{spec.successor}`"
                if spec.successor_thinking is not None:
                    retired += " (thinking " + ("on" if spec.successor_thinking else "off") + ")"
        cells = [
            name,
            _HOST_NAMES.get(spec.host, spec.host),
            aliases,
            _tokens_k(spec.context),
            _tokens_k(spec.max_output),
            f"max_tokens {_tokens_k(spec.default_max_tokens)}" if spec.default_max_tokens else "—",
            ", ".join(f"{r.name} {r.lo:g}–{r.hi:g}" for r in spec.ranges) or "—",
            thinking,
            spec.passback if spec.thinking != "off" else "—",
            "yes" if spec.tools else "no",
            ", ".join(k for k, on in (("images", spec.images), ("files", spec.files)) if on)
            or "text only",
            off_peak,
            peak,
            retired,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """``python -m deepseek_tui.models --markdown``: print the README table."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m deepseek_tui.models")
    parser.add_argument(
        "--markdown", action="store_true", help="print the catalog as a Markdown table"
    )
    args = parser.parse_args(argv)
    if not args.markdown:
        parser.print_help()
        return 2
    print(catalog_markdown(Catalog.load()), end="")
    return 0


# --- parsing -------------------------------------------------------------------

_FIELDS = {
    "host", "id", "pattern", "label", "aliases", "context", "max_output", "thinking",
    "default_max_tokens", "ranges",
    "default_thinking", "default_effort", "efforts", "ignores_when_thinking",
    "rejects_when_thinking", "passback", "images", "files", "tools", "prices", "retired",
    "successor", "successor_thinking", "cache_group",
}  # fmt: skip


def _fail(where: str, message: str) -> CatalogError:
    return CatalogError(f"{where}: {message}")


def _when(value: Any, where: str) -> datetime:
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise _fail(where, f"{value!r} is not an ISO 8601 date-time") from None
    else:
        raise _fail(where, "expected a date-time such as 2026-07-24T15:59:00Z")
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _schedule(name: str, body: Mapping[str, Any]) -> PeakSchedule:
    where = f"peak_schedules.{name}"
    try:
        days = frozenset(_DAYS.index(d) for d in body.get("days", []))
        windows = tuple(
            (time.fromisoformat(a), time.fromisoformat(b)) for a, b in body.get("windows", [])
        )
    except (ValueError, TypeError):
        raise _fail(where, 'days are mon..sun and windows are ["HH:MM", "HH:MM"]') from None
    return PeakSchedule(days, windows, _holidays(body.get("holidays", []), where))


def _holidays(value: Any, where: str) -> frozenset[str]:
    """ISO dates from ``["2026-10-01", "2026-10-01..2026-10-07", …]`` (ranges inclusive)."""
    days: set[str] = set()
    for item in _strings(value, where, "holidays"):
        first, _, last = item.partition("..")
        try:
            start = date.fromisoformat(first.strip())
            end = date.fromisoformat(last.strip()) if last else start
        except ValueError:
            raise _fail(
                where, f"holiday {item!r} is not a date (YYYY-MM-DD) or range (FROM..TO)"
            ) from None
        if end < start or (end - start).days > 366:
            raise _fail(where, f"holiday range {item!r} runs backwards or spans over a year")
        days.update((start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1))
    return frozenset(days)


def _triple(value: Any, where: str) -> tuple[float, float, float]:
    if (
        isinstance(value, list)
        and len(value) == 3
        and all(isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in value)
    ):
        return (float(value[0]), float(value[1]), float(value[2]))
    raise _fail(where, "expected [cache_hit, cache_miss, output] prices per 1M tokens")


def _spec(
    entry: Mapping[str, Any],
    schedules: Mapping[str, PeakSchedule],
    where: str,
    base: ModelSpec | None = None,
) -> ModelSpec:
    if not isinstance(entry, Mapping):
        raise _fail(where, "expected a table")
    unknown = set(entry) - _FIELDS
    if unknown:
        raise _fail(
            where, f"unknown field {sorted(unknown)[0]!r}; allowed: {', '.join(sorted(_FIELDS))}"
        )
    if base is None and not (entry.get("id") or entry.get("pattern")):
        raise _fail(where, "needs an id (or a pattern)")
    kw: dict[str, Any] = {}
    for name in ("id", "pattern", "label", "host", "default_effort", "successor", "cache_group"):
        if name in entry:
            if not isinstance(entry[name], str):
                raise _fail(where, f"{name} must be text")
            kw[name] = entry[name]
    for name in ("context", "max_output", "default_max_tokens"):
        if name in entry:
            v = entry[name]
            if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
                raise _fail(where, f"{name} must be a positive whole number of tokens")
            kw[name] = v
    for name in ("default_thinking", "images", "files", "tools", "successor_thinking"):
        if name in entry:
            if not isinstance(entry[name], bool):
                raise _fail(where, f"{name} must be true or false")
            kw[name] = entry[name]
    for name in ("aliases", "efforts"):
        if name in entry:
            kw[name] = tuple(_strings(entry[name], where, name))
    for name in ("ignores_when_thinking", "rejects_when_thinking"):
        if name in entry:
            kw[name] = frozenset(_strings(entry[name], where, name))
    if "thinking" in entry:
        if entry["thinking"] not in ("switchable", "on", "off"):
            raise _fail(where, 'thinking must be "switchable", "on" or "off"')
        kw["thinking"] = entry["thinking"]
    if "passback" in entry:
        if entry["passback"] not in ("never", "tool_calls", "v4"):
            raise _fail(where, 'passback must be "never", "tool_calls" or "v4"')
        kw["passback"] = entry["passback"]
    if "ranges" in entry:
        kw["ranges"] = _ranges(entry["ranges"], where)
    if "retired" in entry:
        kw["retired"] = _when(entry["retired"], f"{where}: retired")
    if "prices" in entry:
        periods = []
        for k, p in enumerate(entry["prices"]):
            pw = f"{where}: prices[{k}]"
            sched_name = p.get("peak_schedule")
            if sched_name is not None and sched_name not in schedules:
                raise _fail(pw, f"unknown peak_schedule {sched_name!r}")
            periods.append(
                PricePeriod(
                    since=_when(p.get("since", "1970-01-01T00:00:00Z"), pw),
                    currency=str(p.get("currency", "USD")),
                    off_peak=_triple(p.get("off_peak"), pw),
                    peak=_triple(p["peak"], pw) if "peak" in p else None,
                    schedule=schedules.get(sched_name) if sched_name else None,
                )
            )
        kw["prices"] = tuple(sorted(periods, key=lambda p: p.since))
    if base is not None:
        spec = replace(base, **kw)
    else:
        kw.setdefault("id", kw.get("pattern"))
        spec = ModelSpec(**kw)
    if spec.default_max_tokens and spec.max_output and spec.default_max_tokens > spec.max_output:
        raise _fail(where, f"default_max_tokens is above max_output ({spec.max_output})")
    return spec


_RANGED = ("temperature", "top_p", "presence_penalty", "frequency_penalty")
"""Parameters a catalog entry may narrow (``max_tokens`` is ``max_output``'s)."""


def _ranges(value: Any, where: str) -> tuple[Range, ...]:
    """``{ temperature = [0, 1] }``: each range inside the parameter table's."""
    if not isinstance(value, Mapping):
        raise _fail(where, "ranges must be a table such as { temperature = [0, 1] }")
    out = []
    for name, bounds in value.items():
        if name not in _RANGED:
            raise _fail(
                where, f"ranges.{name}: not a ranged parameter; allowed: {', '.join(_RANGED)}"
            )
        p = by_name(name)
        if not (
            isinstance(bounds, list)
            and len(bounds) == 2
            and all(isinstance(b, int | float) and not isinstance(b, bool) for b in bounds)
            and p.lo <= bounds[0] <= bounds[1] <= p.hi
        ):
            raise _fail(where, f"ranges.{name} must be [low, high] within {p.allowed}")
        out.append(Range(name, float(bounds[0]), float(bounds[1])))
    return tuple(out)


def _strings(value: Any, where: str, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(where, f"{name} must be a list of strings")
    return list(value)


if __name__ == "__main__":
    raise SystemExit(main())


def default_model(settings: Settings, catalog: Catalog) -> str:
    """The configured model, else the provider's, else the catalog's for the host."""
    return (
        settings.model
        or settings.active.model
        or catalog.default_model(settings.active.catalog_host)
    )
