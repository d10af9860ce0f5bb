"""The reasoning pane: what the model thought before it answered.

Open and live while the model thinks (with the seconds spent so far), folded
when the answer starts unless the user asked to keep it open. Reasoning is
shown as plain text (it is a draft, not a document) and streamed append-only
through :class:`~deepseek_tui.ui.render.view.StreamingText`: each finished
line is wrapped once, only the unfinished line is redrawn, at most once per
frame, so a chain of thought of any length costs linear time. Text is
sanitized before it gets here.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import Collapsible

from deepseek_tui.ui.render.view import StreamingText


class ReasoningBlock(Collapsible):
    """A collapsible block holding one answer's reasoning."""

    DEFAULT_CSS = """
    ReasoningBlock StreamingText.reasoning-text {
        padding: 0 1;
        color: $text-muted;
    }
    """

    def __init__(self, text: str = "", *, live: bool = False) -> None:
        self.body = StreamingText(text, classes="reasoning-text")
        super().__init__(self.body, title=self._heading(live, None), collapsed=not live)
        self._live = live
        self._elapsed: float | None = None

    @staticmethod
    def _heading(live: bool, elapsed: float | None) -> str:
        if live:
            return "Thinking…" if elapsed is None else f"Thinking… {elapsed:.0f}s"
        return "Reasoning" if elapsed is None else f"Reasoning ({elapsed:.0f}s)"

    @property
    def text(self) -> str:
        """The reasoning shown so far."""
        return self.body.text

    async def write(self, fragment: str) -> None:
        """Append sanitized reasoning text (shown within a frame)."""
        self.body.append(fragment)

    def tick(self, elapsed: float) -> None:
        """Show how long the model has been thinking."""
        self._elapsed = elapsed
        self.title = self._heading(self._live, elapsed)

    def scroll_visible(self, *args: Any, **kwargs: Any) -> None:
        """Textual's Collapsible scrolls itself into view on every fold and
        unfold. A fold never needs it (the block only gets smaller), and the
        fold when an answer starts would otherwise pull a conversation that
        follows the answer up to this header and let go of the end, on a
        short terminal: the rest of the answer would then stream out of view."""
        if not self.collapsed:
            super().scroll_visible(*args, **kwargs)

    async def done(self, *, collapse: bool) -> None:
        """The answer started (or the turn ended): stop the clock, maybe fold."""
        self._live = False
        self.title = self._heading(False, self._elapsed)
        if collapse:
            self.collapsed = True
        self.body.finish()
