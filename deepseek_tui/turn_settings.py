"""The settings every answer is produced with, apart from any conversation.

A plain value with no I/O and no heavy imports, so the settings sidebar (a
widget) can build one without importing the client or the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from deepseek_tui.config import Generation
from deepseek_tui.params import MODES, SAMPLING

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

    def to_params(self) -> dict[str, Any]:
        """What is stored with the conversation and each answer (no model).

        Unset values are left out, and JSON mode when off; thinking switched
        off is kept (``False`` is a choice, not the model's default)."""
        data = asdict(self)
        data.pop("model")
        if not data["json_mode"]:
            del data["json_mode"]
        return {k: v for k, v in data.items() if v is not None}

    @classmethod
    def from_params(cls, model: str, params: Mapping[str, Any]) -> TurnSettings:
        known = {f.name for f in fields(cls)} - {"model"}
        return cls(model=model, **{k: v for k, v in params.items() if k in known})

    @classmethod
    def from_generation(cls, model: str, g: Generation) -> TurnSettings:
        return cls(model=model, **{name: getattr(g, name) for name in _FROM_GENERATION})


_FROM_GENERATION = (*SAMPLING, *MODES)
"""What a conversation takes from ``[generation]`` (the system prompt goes to
the conversation, not to each answer)."""
