"""Messages typed while an answer streams: shown above the prompt, in the
order they will be sent, each with a way to take it back."""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static


class QueuedPrompts(Vertical):
    """One line per queued message; clicking a line cancels it."""

    DEFAULT_CSS = """
    QueuedPrompts {
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
        """The user took queued message ``index`` back."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    async def show(self, texts: Sequence[str]) -> None:
        """Show ``texts`` (already sanitized for display) as the queue."""
        await self.remove_children()
        self.display = bool(texts)
        await self.mount_all(
            [_Line(i, text, last=i == len(texts) - 1) for i, text in enumerate(texts)]
        )


class _Line(Static):
    def __init__(self, index: int, text: str, *, last: bool) -> None:
        first = text.strip().splitlines()[0] if text.strip() else "(files only)"
        hint = "(click or ↑ takes it back) " if last else ""
        super().__init__(
            Content.assemble(("◷ queued ", "bold"), (hint, "dim"), first[:300]),
            classes="queued",
        )
        self.index = index

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(QueuedPrompts.Cancel(self.index))
