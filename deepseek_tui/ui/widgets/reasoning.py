"""The reasoning pane: what the model thought before it answered.

Open and live while the model thinks (with the seconds spent so far), folded
when the answer starts unless the user asked to keep it open. Text is streamed
through :class:`~textual.widgets.markdown.MarkdownStream`, so a long chain of
thought costs linear time, and it is sanitized before it gets here.
"""

from __future__ import annotations

from textual.widgets import Collapsible, Markdown
from textual.widgets.markdown import MarkdownStream


class ReasoningBlock(Collapsible):
    """A collapsible block holding one answer's reasoning."""

    def __init__(self, text: str = "", *, live: bool = False) -> None:
        self.body = Markdown(text, classes="reasoning-text")
        super().__init__(self.body, title=self._heading(live, None), collapsed=not live)
        self._live = live
        self._stream: MarkdownStream | None = None
        self._elapsed: float | None = None
        self._text = text

    @staticmethod
    def _heading(live: bool, elapsed: float | None) -> str:
        if live:
            return "Thinking…" if elapsed is None else f"Thinking… {elapsed:.0f}s"
        return "Reasoning" if elapsed is None else f"Reasoning ({elapsed:.0f}s)"

    @property
    def text(self) -> str:
        """The reasoning shown so far."""
        return self._text

    async def write(self, fragment: str) -> None:
        """Append sanitized reasoning text."""
        self._text += fragment
        if self._stream is None:
            self._stream = Markdown.get_stream(self.body)
        await self._stream.write(fragment)

    def tick(self, elapsed: float) -> None:
        """Show how long the model has been thinking."""
        self._elapsed = elapsed
        self.title = self._heading(self._live, elapsed)

    async def done(self, *, collapse: bool) -> None:
        """The answer started (or the turn ended): stop the clock, maybe fold."""
        self._live = False
        self.title = self._heading(False, self._elapsed)
        if collapse:
            self.collapsed = True
        if self._stream is not None:
            stream, self._stream = self._stream, None
            await stream.stop()
