"""Messages waiting to be sent, shown above the prompt, each with a way to
take it back: those typed while an answer streams (:class:`QueuedPrompts`, in
the order they will be sent) and those held for DeepSeek's off-peak window
(:class:`HeldPrompts`, ``at 10:00``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from textual import events
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from deepseek_tui.sanitize import reveal

if TYPE_CHECKING:
    from deepseek_tui.store import Conversation
    from deepseek_tui.ui.live import QueuedSend


class Held(NamedTuple):
    """A message held for the off-peak window, and where it goes."""

    send: QueuedSend
    at: datetime
    """When the window opens (UTC)."""
    label: str
    """``at 10:00`` in the computer's time zone."""
    conversation: Conversation | None
    """The conversation it was written in (``None``: a new one)."""


class PromptLines(Vertical):
    """One line per waiting message; clicking a line posts ``Cancel``."""

    DEFAULT_CSS = """
    PromptLines {
        height: auto;
        max-height: 5;
        padding: 0 1;
        color: $text-muted;

        .queued {
            height: 1;
            text-wrap: nowrap;
            text-overflow: ellipsis;
        }
        .queued:hover {
            background: $boost;
        }
    }
    """

    class Cancel(Message):
        """The user took waiting message ``index`` back."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    async def show(self, texts: Sequence[str], labels: Sequence[str] = ()) -> None:
        """Show ``texts`` (already sanitized for display), each after its
        label (default ``queued``)."""
        await self.remove_children()
        self.display = bool(texts)
        await self.mount_all(
            [
                _Line(
                    self.Cancel,
                    i,
                    text,
                    labels[i] if i < len(labels) else "queued",
                    hint=self._hint(i, len(texts)),
                )
                for i, text in enumerate(texts)
            ]
        )

    def _hint(self, index: int, count: int) -> str:
        return "(click or ↑ takes it back) " if index == count - 1 else ""


class QueuedPrompts(PromptLines):
    """Messages typed while an answer streams, sent when it ends."""

    class Cancel(PromptLines.Cancel):
        """The user took queued message ``index`` back."""


class HeldPrompts(PromptLines):
    """Messages held until DeepSeek's off-peak window opens; it keeps them
    (:attr:`items`), and a click takes one back (it is not sent)."""

    class Cancel(PromptLines.Cancel):
        """The user took held message ``index`` back (handled here)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.items: list[Held] = []

    async def show_items(self) -> None:
        await self.show([reveal(h.send.text) for h in self.items], [h.label for h in self.items])

    async def on_held_prompts_cancel(self, event: HeldPrompts.Cancel) -> None:
        event.stop()
        if 0 <= event.index < len(self.items):
            taken = self.items.pop(event.index)
            self.notify(f"Not sent: {reveal(taken.send.text[:60])}", timeout=3, markup=False)
            await self.show_items()

    def _hint(self, index: int, count: int) -> str:
        return "(click takes it back) " if index == 0 else ""


class _Line(Static):
    def __init__(
        self, cancel: type[PromptLines.Cancel], index: int, text: str, label: str, *, hint: str
    ) -> None:
        first = text.strip().splitlines()[0] if text.strip() else "(files only)"
        super().__init__(
            Content.assemble((f"◷ {label} ", "bold"), (hint, "dim"), first[:300]),
            classes="queued",
        )
        self.cancel = cancel
        self.index = index

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.cancel(self.index))


__all__ = ["HeldPrompts", "PromptLines", "QueuedPrompts"]
