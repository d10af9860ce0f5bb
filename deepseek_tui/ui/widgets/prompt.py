"""The prompt: a multi-line editor where Enter sends and Shift+Enter / Ctrl+J
start a new line, with Up recalling earlier prompts when it is empty."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea


class PromptInput(TextArea):
    """Multi-line prompt. Posts :class:`PromptInput.Submitted` on Enter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Send", id="send"),
        Binding(
            "shift+enter,ctrl+j", "newline", "Newline", id="newline", key_display="⇧⏎", show=False
        ),
    ]

    @dataclass
    class Submitted(Message):
        """The user sent ``text`` (never blank)."""

        prompt: PromptInput
        text: str

        @property
        def control(self) -> PromptInput:
            return self.prompt

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            compact=True,
            placeholder="Ask DeepSeek…  (Enter sends, Shift+Enter or Ctrl+J for a new line)",
        )
        self._history: list[str] = []
        self._recall: int | None = None

    async def _on_key(self, event: events.Key) -> None:
        """Send and newline are handled here, in order with the typed text: as
        priority bindings they would overtake keys still queued for the editor."""
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            keys = self.app._keymap.get(binding.id or "", binding.key)
            if event.key in {k.strip() for k in keys.split(",")}:
                event.stop()
                event.prevent_default()
                await self.run_action(binding.action)
                return
        await super()._on_key(event)

    def action_submit(self) -> None:
        text = self.text
        if not text.strip() or self.disabled:
            return
        self._history.append(text)
        self._recall = None
        self.clear()
        self.post_message(self.Submitted(self, text))

    def action_newline(self) -> None:
        self.insert("\n")

    def action_cursor_up(self, select: bool = False) -> None:
        """Up on an empty prompt (or on a recalled one) goes back through history."""
        if not self.text:
            self._recall = None
        recalling = (
            self._recall is not None
            and self.text == self._history[self._recall]
            and self.cursor_location[0] == 0
        )
        if not select and self._history and (not self.text or recalling):
            index = len(self._history) - 1 if self._recall is None else max(self._recall - 1, 0)
            self._recall = index
            self.load_text(self._history[index])
            self.move_cursor(self.document.end)
            return
        super().action_cursor_up(select)

    def remember(self, text: str) -> None:
        """Add a prompt sent earlier (e.g. from a reopened conversation) to history."""
        self._history.append(text)
