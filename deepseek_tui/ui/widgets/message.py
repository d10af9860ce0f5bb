"""One message of the conversation: the user's prompt, the model's answer, or
an error with the way out.

All text here came from outside (the user, the model, the server); it reaches
these widgets already sanitized and is shown as plain text or Markdown, never
as Textual markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Static

from deepseek_tui.ui.render.view import StreamingMarkdown
from deepseek_tui.ui.widgets.attachments import chips_content, record_chips
from deepseek_tui.ui.widgets.reasoning import ReasoningBlock
from deepseek_tui.ui.widgets.status import format_cost


class UserMessage(Static):
    """What the user sent, shown verbatim, with a chip per attached file.

    ``attachments`` are the stored records (``Message.attachments``: dicts with
    name, kind, mime, size), or what :meth:`Attachment.record` gives for a new
    message; anything else in the list is ignored.
    """

    def __init__(self, text: str, *, attachments: Iterable[Any] | None = None) -> None:
        self.text = text
        self.attachment_chips = record_chips(attachments)
        super().__init__(self._content(), classes="user-message")

    def reveal_part(self, part: str, at: int = 0) -> Widget:
        """The widget that shows ``part`` of this message, for find (see
        :meth:`AssistantMessage.reveal_part`): a prompt is one piece."""
        return self

    def _content(self) -> Content:
        if not self.attachment_chips:
            return Content(self.text)
        return Content.assemble(Content(self.text), "\n", chips_content(self.attachment_chips))


@dataclass(frozen=True, slots=True)
class AnswerFooter:
    """What the answer cost, for the line under it."""

    completion_tokens: int | None = None
    prompt_tokens: int | None = None
    cached_tokens: int | None = None
    """Prompt tokens DeepSeek served from its cache (billed at the hit price)."""
    cost: float | None = None
    currency: str = "USD"
    note: str = ""
    billed: bool = False
    """Text arrived, so the host bills it even when no usage came (Esc)."""


class AssistantMessage(Vertical):
    """The model's answer: a header naming the model, optional reasoning above
    the Markdown body, and a footer with tokens and cost once it is done.

    The body is a :class:`~deepseek_tui.ui.render.view.StreamingMarkdown`:
    finished blocks are rendered once, only the open one is redrawn (once per
    frame), so a long answer streams in linear time. Links are shown, never
    followed.
    """

    DEFAULT_CSS = """
    AssistantMessage {
        height: auto;

        .header {
            color: $text-muted;
        }
        .footer {
            color: $text-muted;
        }
    }
    """

    def __init__(self, model: str, *, content: str = "", reasoning: str = "") -> None:
        super().__init__(classes="assistant-message")
        self.model = model
        self.header = Static(Content.assemble(("◆ ", "$accent"), (model, "bold")), classes="header")
        self.body = StreamingMarkdown(content, classes="answer")
        self.footer = Static("", classes="footer")
        self.reasoning: ReasoningBlock | None = ReasoningBlock(reasoning) if reasoning else None
        self.state = "streaming"

    def compose(self) -> ComposeResult:
        self.footer.display = False
        yield self.header
        if self.reasoning is not None:
            yield self.reasoning
        yield self.body
        yield self.footer

    @property
    def content(self) -> str:
        """The answer text shown so far."""
        return self.body.text

    def reveal_part(self, part: str, at: int = 0) -> Widget:
        """Make ``part`` (``"reasoning"`` or ``"content"``) shown and return the
        widget that draws it: find (:mod:`deepseek_tui.ui.chat.find`) searches
        the source text, asks here for the widget, then looks for the match
        among the lines it draws. ``at`` is the match's offset in the part's
        source, unused: parts are drawn lazily, but reading a line draws its
        block then (``RenderedLines.render_line``)."""
        if part == "reasoning" and self.reasoning is not None:
            self.reasoning.collapsed = False
            return self.reasoning.body
        return self.body

    async def add_reasoning(self, fragment: str) -> None:
        """Append reasoning; the first fragment opens a live reasoning pane."""
        if not fragment:
            return
        if self.reasoning is None:
            self.reasoning = ReasoningBlock(live=True)
            await self.mount(self.reasoning, before=self.body)
        await self.reasoning.write(fragment)

    def tick(self, elapsed: float) -> None:
        """Let a live reasoning pane show the seconds spent thinking."""
        if self.reasoning is not None and self.body.empty:
            self.reasoning.tick(elapsed)

    async def add_content(self, fragment: str, *, collapse_reasoning: bool) -> None:
        """Append answer text; the first fragment ends the reasoning phase."""
        if not fragment:
            return
        if self.body.empty and self.reasoning is not None:
            await self.reasoning.done(collapse=collapse_reasoning)
        self.body.append(fragment)

    async def close(self, state: str, footer: AnswerFooter) -> None:
        """The turn ended: flush the streams and say how (see :data:`_ENDINGS`)."""
        self.state = state
        if self.reasoning is not None:
            await self.reasoning.done(collapse=False)
        self.body.finish()
        self.set_class(state != "complete", "-unfinished")
        self.footer.update(self._footer(state, footer))
        self.footer.display = True

    @staticmethod
    def _footer(state: str, f: AnswerFooter) -> Content:
        parts: list[str | tuple[str, str]] = []
        ending = _ENDINGS.get(state)
        if ending is not None:
            parts.append(ending)
        if f.completion_tokens is not None:
            tokens = f"{f.completion_tokens:,} tokens"
            if f.cached_tokens and not f.prompt_tokens:
                tokens += f" ({f.cached_tokens:,} cached)"
            parts.append(tokens)
            parts.append(format_cost(f.cost, f.currency))
            if f.cached_tokens is not None and f.prompt_tokens:
                # The share of the prompt billed at the cache-hit price
                share = min(f.cached_tokens / f.prompt_tokens, 1.0)
                parts.append(f"{_percent(share)} cached")
        elif f.billed and state != "complete":
            # Stopped before the host reported usage: billed, amount unknown.
            parts.append(format_cost(None))
        if f.note:
            parts.append((f.note, "$warning"))
        out: list[str | tuple[str, str]] = []
        for i, part in enumerate(parts):
            if i:
                out.append(" · ")
            out.append(part)
        return Content.assemble(*out)


def _percent(share: float) -> str:
    """``92%``; ``<1%`` and ``>99%`` rather than rounding to 0% or 100%."""
    if 0 < share < 0.01:
        return "<1%"
    if 0.99 < share < 1:
        return ">99%"
    return f"{share:.0%}"


#: How an unfinished answer says it ended: the same words as ``export`` uses.
_ENDINGS: dict[str, tuple[str, str]] = {
    "stopped": ("■ stopped", "$warning bold"),
    "error": ("✕ failed", "$error bold"),
    "interrupted": ("⚠ interrupted", "$warning bold"),
}


class ErrorBlock(Vertical):
    """What went wrong, what to do, and a button that does it (also on a key)."""

    DEFAULT_CSS = """
    ErrorBlock {
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: thick $error;
        background: $error-muted;

        .hint {
            color: $text-muted;
        }
        .actions {
            height: auto;
            margin-top: 1;
        }
    }
    """

    class Retry(Message):
        """The user asked to run the failed turn again (maybe on another model)."""

        def __init__(self, block: ErrorBlock) -> None:
            super().__init__()
            self.block = block

        @property
        def control(self) -> ErrorBlock:
            return self.block

    def __init__(self, message: str, hint: str, *, action: str = "Retry") -> None:
        super().__init__(classes="error-block")
        self.message = message
        self.hint = hint
        self.action = action

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("✕ ", "$error bold"), self.message), classes="what")
        yield Static(Content(self.hint), classes="hint")
        with Horizontal(classes="actions"):
            yield Button(Content(self.action), variant="primary", compact=True, id="retry")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Retry(self))
