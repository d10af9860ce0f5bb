"""What the user chose about tools in one conversation, and the tools a turn of
that conversation is offered because of it. Shared by the TUI and ``ask``;
the store keeps the choices with the conversation (schema v7).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deepseek_tui.toolloop import ToolBox
    from deepseek_tui.tools import ToolResult, ToolSpec

__all__ = ["Choices", "OfferedTools"]


@dataclass(eq=False)
class Choices:
    """What the user chose about tools in one conversation."""

    off: set[str] = field(default_factory=set)
    """Wire names of tools switched off: not offered to the model."""
    allowed: set[str] = field(default_factory=set)
    """Wire names of tools the user allowed for the conversation ("Always allow")."""
    conversation_id: str | None = None
    """The conversation they belong to; ``None`` until a new one is stored."""
    loaded: bool = True
    """Whether the stored choices were read (``False``: not yet, see the TUI's
    ``ChatTools.load``)."""


class OfferedTools:
    """The host as one conversation's turn sees it: without the tools the user
    switched off, and with the tools they always allow counted as trusted.
    Reads the choices at every use, so a change applies at the next call."""

    def __init__(self, host: ToolBox, choices: Choices) -> None:
        self._host = host
        self.choices = choices

    def specs(self) -> list[ToolSpec]:
        return [s for s in self._host.specs() if s.wire_name not in self.choices.off]

    def find(self, wire_name: str) -> ToolSpec | None:
        if wire_name in self.choices.off:
            return None
        return self._host.find(wire_name)

    def trusted(self, wire_name: str) -> bool:
        return self._host.trusted(wire_name) or wire_name in self.choices.allowed

    async def call(self, wire_name: str, arguments: str) -> ToolResult:
        return await self._host.call(wire_name, arguments)
