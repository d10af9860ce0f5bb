"""The small row of links under an answer: copy it, copy its code, continue
it, and -- when its prompt has alternatives (a regenerated answer, an edited
prompt) -- which one is shown, "‹ 1/2 ›".

It holds the answer's own text (control sequences removed, invisible
characters kept) so a copy is exactly what the model wrote, not the
``⟨NAME⟩``-revealed text on screen; the screen does the copying.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, Static


class MessageActions(Horizontal):
    """Copy / Copy code / Continue for one answer; posts :class:`Pressed`."""

    DEFAULT_CSS = """
    MessageActions {
        height: 1;
        margin: 0 0 0 2;
    }
    MessageActions Button {
        min-width: 0;
        margin-right: 2;
        background: transparent;
        color: $text-muted;
        text-style: underline;
    }
    MessageActions Button:hover, MessageActions Button:focus {
        color: $accent;
    }
    MessageActions .alternatives {
        width: auto;
        color: $text-muted;
    }
    """

    class Pressed(Message):
        """``action`` is ``copy``, ``code`` or ``continue``."""

        def __init__(self, actions: MessageActions, action: str) -> None:
            super().__init__()
            self.actions = actions
            self.action = action

        @property
        def control(self) -> MessageActions:
            return self.actions

    def __init__(self, text: str, *, code: int = 0, cut: bool = False) -> None:
        super().__init__(classes="message-actions")
        self.text = text
        self.code = code
        """How many code blocks the answer holds."""
        self.cut = cut
        """Whether the answer was cut off at max_tokens (it can be continued)."""

    def compose(self) -> ComposeResult:
        yield Button("⧉ copy", compact=True, id="copy-answer")
        if self.code:
            label = "⧉ copy code" if self.code == 1 else f"⧉ copy last code ({self.code} blocks)"
            yield Button(label, compact=True, id="copy-code")
        button = Button("▸ continue (cut off)", compact=True, id="continue-answer")
        button.display = self.cut
        yield button
        place = Static("", classes="alternatives")
        place.display = False
        yield place

    def set_alternatives(self, at: int, count: int) -> None:
        """Say this is alternative ``at`` of ``count`` (hidden when there is one)."""
        found = self.query(".alternatives")
        if not found:
            return
        place = found.first(Static)
        place.display = count > 1
        place.update(f"‹ {at}/{count} ›  Alt+←/→" if count > 1 else "")

    def set_cut(self, cut: bool) -> None:
        """Offer (or stop offering) to continue the answer."""
        self.cut = cut
        self.query_one("#continue-answer").display = cut

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        action = {"copy-answer": "copy", "copy-code": "code", "continue-answer": "continue"}
        if event.button.id in action:
            self.post_message(self.Pressed(self, action[event.button.id]))
