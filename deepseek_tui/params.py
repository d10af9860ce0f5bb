"""The one table of sampling parameters.

Each row says everything the app needs to know about one numeric parameter: its
name (the :class:`~deepseek_tui.turn_settings.TurnSettings` field, the
``[generation]`` key in ``config.toml`` and the request field), its type and
range, the sidebar's label, the ``ask`` flag and its help, and whether thinking
models ignore it. The ``ask`` flags, the config validator, the settings sidebar,
the turn settings and the model catalog's defaults all read it, so adding a
parameter is one row (plus the typed field it fills; a test checks they agree).

The mode settings next to them (thinking, effort, JSON mode, stop sequences)
are not ranged numbers; only their names and the efforts are listed here
(stop sequences are read and checked by :mod:`deepseek_tui.stops`).

Imported before the TUI's first frame: nothing heavy, nothing built per call.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "EFFORTS",
    "GENERATION_KEYS",
    "IGNORED_WHILE_THINKING",
    "MODES",
    "PARAMS",
    "SAMPLING",
    "Param",
    "by_name",
    "check",
    "number",
    "parse_flag",
    "parse_text",
    "show",
]


class Param(NamedTuple):  # a NamedTuple: cheap, immutable, and ``_replace`` for a model's cap
    """One sampling parameter."""

    name: str
    """The settings field, the ``[generation]`` key and the request field."""
    kind: type[float] | type[int]
    lo: float
    hi: float
    label: str
    """What the sidebar calls it."""
    help: str
    """What the ``ask`` flag does (its range is added to the help)."""
    flag: str | None = None
    """The ``ask`` option, or ``None`` when ``ask`` does not take it."""
    metavar: str = "X"
    ignored_while_thinking: bool = False
    """Whether thinking models (by default, models the catalog does not know)
    accept it without effect, so it is left out of their requests."""

    @property
    def allowed(self) -> str:
        """The range for people: ``0 to 2``, ``1 to 1,000,000``."""
        return f"{number(self.lo)} to {number(self.hi)}"

    @property
    def expected(self) -> str:
        """What a value must be: ``a number from 0 to 2``."""
        return f"{_what(self)} from {self.allowed}"


PARAMS: tuple[Param, ...] = (
    Param(
        "temperature", float, 0, 2, "Temperature", "sampling temperature",
        flag="--temperature", metavar="T", ignored_while_thinking=True,
    ),
    Param(
        "top_p", float, 0, 1, "Top p", "nucleus sampling",
        flag="--top-p", metavar="P", ignored_while_thinking=True,
    ),
    Param(
        "max_tokens", int, 1, 1_000_000, "Max tokens", "maximum tokens to generate",
        flag="--max-tokens", metavar="N",
    ),
    Param(
        "presence_penalty", float, -2, 2, "Presence penalty",
        "penalise tokens that already appeared", ignored_while_thinking=True,
    ),
    Param(
        "frequency_penalty", float, -2, 2, "Frequency penalty",
        "penalise tokens by how often they appeared", ignored_while_thinking=True,
    ),
)  # fmt: skip

SAMPLING: tuple[str, ...] = tuple(p.name for p in PARAMS)
"""The names sent as sampling parameters, in table order."""

IGNORED_WHILE_THINKING: tuple[str, ...] = tuple(p.name for p in PARAMS if p.ignored_while_thinking)
"""What a thinking model ignores unless the catalog says otherwise."""

EFFORTS = ("low", "high", "max")
"""The reasoning efforts a user can choose (the catalog maps other names onto them)."""

MODES = ("thinking", "effort", "json_mode", "stop")
"""The settings next to the sampling parameters that choose how the model answers."""

GENERATION_KEYS: tuple[str, ...] = (*SAMPLING, "system_prompt", *MODES)
"""Every key of ``[generation]`` in ``config.toml``."""

_BY_NAME = {p.name: p for p in PARAMS}


def by_name(name: str) -> Param:
    """The row for ``name``; ``KeyError`` for a name not in the table."""
    return _BY_NAME[name]


def check(param: Param, value: object) -> str | None:
    """Why ``value`` cannot be used for ``param`` (``None`` when it can).

    The message reads after the value: ``out of range; allowed: 0 to 2``. Whole
    numbers are accepted for a float parameter, never the other way round."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (param.kind is int and not isinstance(value, int))
        or math.isnan(value)
    ):
        return f"not {_what(param)}; allowed: {param.allowed}"
    if not param.lo <= value <= param.hi:
        return f"out of range; allowed: {param.allowed}"
    return None


def parse_text(param: Param, text: str) -> tuple[float | int | None, str | None]:
    """The value typed for ``param`` and, when it cannot be used, why.

    Blank text is ``(None, None)``: the model's own default. Whole numbers may
    be grouped (``100_000``, ``100,000``)."""
    text = text.strip()
    if param.kind is int:
        text = text.replace("_", "").replace(",", "")
    if not text:
        return None, None
    value: float | int
    try:
        value = int(text) if param.kind is int else float(text)
    except ValueError:
        return None, f"not {_what(param)}; allowed: {param.allowed}"
    error = check(param, value)
    return (None, error) if error else (value, None)


def parse_flag(param: Param) -> Callable[[str], float | int]:
    """An argparse ``type`` for ``param``'s flag: the value, or a usage error
    such as ``0 is out of range; allowed: 1 to 1,000,000``."""
    import argparse  # only the command line needs it

    def parse(text: str) -> float | int:
        value, error = parse_text(param, text)
        if value is None:
            if error is None or error.startswith("not "):
                what = error or f"not {_what(param)}; allowed: {param.allowed}"
                raise argparse.ArgumentTypeError(f"{text!r} is {what}")
            raise argparse.ArgumentTypeError(f"{text.strip()} is {error}")
        return value

    parse.__name__ = param.name
    return parse


def show(param: Param, value: float | None) -> str:
    """``value`` as text that :func:`parse_text` reads back exactly (blank for
    ``None``): ``0.7``, ``1000000`` — never ``1e+06``."""
    if value is None:
        return ""
    if param.kind is int:
        return str(int(value))
    short = f"{value:g}"
    return short if float(short) == value else repr(float(value))


def _what(param: Param) -> str:
    return "a whole number" if param.kind is int else "a number"


def number(x: float) -> str:
    """A number for people: whole ones in full with thousands separators
    (``1,000,000``, never ``1e+06``), others with the digits they have (``0.95``)."""
    return f"{int(x):,}" if float(x).is_integer() else f"{x:.15g}"
