"""The settings every answer is produced with, apart from any conversation.

A plain value with no I/O and no heavy imports, so the settings sidebar (a
widget) can build one without importing the client or the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from deepseek_tui import stops
from deepseek_tui.config import Generation
from deepseek_tui.params import EFFORTS, MODES, SAMPLING, by_name, check

__all__ = ["TurnSettings"]


@dataclass(frozen=True, slots=True)
class TurnSettings:
    """The settings a conversation remembers and every answer is produced with.

    ``None`` means "the model's own default" and is not sent. There is one
    field per row of :data:`deepseek_tui.params.PARAMS` (a test checks) and one
    per mode (:data:`~deepseek_tui.params.MODES`).
    """

    model: str
    thinking: bool | None = None
    effort: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    json_mode: bool = False
    stop: tuple[str, ...] = ()
    """Stop sequences (:mod:`deepseek_tui.stops`); none by default."""

    def to_params(self) -> dict[str, Any]:
        """What is stored with the conversation and each answer (no model).

        Unset values are left out, and JSON mode when off and stop sequences
        when there are none; thinking switched off is kept (``False`` is a
        choice, not the model's default)."""
        data = asdict(self)
        data.pop("model")
        if not data["json_mode"]:
            del data["json_mode"]
        if data["stop"]:
            data["stop"] = list(data["stop"])
        else:
            del data["stop"]
        return {k: v for k, v in data.items() if v is not None}

    @classmethod
    def from_params(cls, model: str, params: Mapping[str, Any]) -> TurnSettings:
        """The settings stored with a conversation or an answer. A value that
        cannot be used (an old database, a hand-edited or imported file) is
        left out, so the model's default applies instead of a request the
        host refuses or a sidebar that cannot show it."""
        values: dict[str, Any] = {}
        for name in SAMPLING:
            value = params.get(name)
            if value is not None and check(by_name(name), value) is None:
                values[name] = value
        if isinstance(params.get("thinking"), bool):
            values["thinking"] = params["thinking"]
        if params.get("effort") in EFFORTS:
            values["effort"] = params["effort"]
        if params.get("json_mode") is True:
            values["json_mode"] = True
        stop = stops.from_stored(params.get("stop"))
        if stop:
            values["stop"] = stop
        return cls(model=model, **values)

    @classmethod
    def from_generation(cls, model: str, g: Generation) -> TurnSettings:
        values = {name: getattr(g, name) for name in _FROM_GENERATION}
        values["stop"] = tuple(g.stop)
        return cls(model=model, **values)


_FROM_GENERATION = (*SAMPLING, *MODES)
"""What a conversation takes from ``[generation]`` (the system prompt goes to
the conversation, not to each answer)."""
