"""The prompt: a multi-line editor where Enter sends and Shift+Enter / Ctrl+J
start a new line, with Up recalling earlier prompts when it is empty.

PageUp / PageDown scroll the conversation (:class:`PromptInput.Page`) unless
the prompt's own text is longer than the prompt shows: then they move
through that text, as in any editor.

``/attach PATH`` on a line of its own attaches a file to the next message
instead of sending (``/attach`` alone opens the file dialog); while it is
typed, the rest of a matching name is suggested (Right or Tab accepts it).
"""

from __future__ import annotations

import asyncio
from typing import ClassVar

from textual import events, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea

from deepseek_tui.ui.path_suggest import complete_path

#: The prompt command that attaches a file instead of sending.
ATTACH_COMMAND = "/attach"


class PromptInput(TextArea):
    """Multi-line prompt. Posts :class:`PromptInput.Submitted` on Enter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Send", id="send"),
        Binding(
            "shift+enter,ctrl+j", "newline", "Newline", id="newline", key_display="⇧⏎", show=False
        ),
    ]

    class Submitted(Message):
        """The user sent ``text`` (never blank)."""

        def __init__(self, prompt: PromptInput, text: str) -> None:
            super().__init__()
            self.prompt = prompt
            self.text = text

        @property
        def control(self) -> PromptInput:
            return self.prompt

    class AttachRequested(Message):
        """The user typed ``/attach PATH`` (``path`` is empty for a bare ``/attach``)."""

        def __init__(self, prompt: PromptInput, path: str) -> None:
            super().__init__()
            self.prompt = prompt
            self.path = path

        @property
        def control(self) -> PromptInput:
            return self.prompt

    class Unqueue(Message):
        """Up in an empty prompt while messages are queued: take the last back."""

    class Page(Message):
        """PageUp (``step`` -1) or PageDown (1) for the conversation."""

        def __init__(self, step: int) -> None:
            super().__init__()
            self.step = step

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
        self.allow_empty = False
        """Enter sends an empty prompt too (the screen sets it while files wait
        to be sent: they can go on their own)."""
        self.has_queued = False
        """Messages wait to be sent behind a streaming answer (the screen sets it)."""

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
        if event.key == "tab" and self.suggestion:
            event.stop()
            event.prevent_default()
            self.insert(self.suggestion)
            return
        await super()._on_key(event)

    def action_submit(self) -> None:
        text = self.text
        if self.disabled or not (text.strip() or self.allow_empty):
            return
        path = attach_path(text)
        if path is not None:
            self.clear()
            self.post_message(self.AttachRequested(self, path))
            return
        if text.strip():
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
            if self.has_queued and not select:
                self.post_message(self.Unqueue())
                return
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

    def action_cursor_page_up(self) -> None:
        if self.max_scroll_y > 0:  # the text does not fit: page through it
            super().action_cursor_page_up()
        else:
            self.post_message(self.Page(-1))

    def action_cursor_page_down(self) -> None:
        if self.max_scroll_y > 0:
            super().action_cursor_page_down()
        else:
            self.post_message(self.Page(1))

    def remember(self, text: str) -> None:
        """Add a prompt sent earlier (e.g. from a reopened conversation) to history."""
        self._history.append(text)

    # --- /attach path completion ----------------------------------------------------

    def update_suggestion(self) -> None:
        """Suggest the rest of a file name after ``/attach `` (looked up off the loop)."""
        self.suggestion = ""
        text = self.text
        if attach_path(text) and self.cursor_location == self.document.end:
            self._suggest(text)

    @work(exclusive=True, group="path-suggest")
    async def _suggest(self, text: str) -> None:
        path = attach_path(text) or ""
        completed = await asyncio.to_thread(complete_path, path)
        if (
            completed is not None
            and completed.startswith(path)
            and self.text == text
            and self.cursor_location == self.document.end
        ):
            self.suggestion = completed[len(path) :]


def attach_path(text: str) -> str | None:
    """The path of an ``/attach PATH`` command (``""`` for a bare ``/attach``), or
    ``None`` when ``text`` is an ordinary message."""
    line = text.strip()
    if "\n" in line:
        return None
    if line == ATTACH_COMMAND:
        return ""
    if text.lstrip().startswith(ATTACH_COMMAND + " "):
        return text.lstrip()[len(ATTACH_COMMAND) + 1 :].strip()
    return None
