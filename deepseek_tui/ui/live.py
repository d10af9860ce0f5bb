"""The screen's side of an answer while it streams.

A :class:`LiveTurn` outlives the view of its conversation: when the user
opens another conversation (Ctrl+N, Ctrl+O) the answer keeps streaming and
saving, with no widget to feed; when they come back, :meth:`LiveTurn.attach`
gives a fresh view everything that arrived so far and the rest as it comes.
It also holds the messages the user queued behind the answer, in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from deepseek_tui.sanitize import reveal
from deepseek_tui.turn import AnswerText, ReasoningText

if TYPE_CHECKING:
    from textual.worker import Worker

    from deepseek_tui.attachments import Attachment
    from deepseek_tui.tools import ToolResult
    from deepseek_tui.turn import Turn
    from deepseek_tui.turn_events import ProposedCall
    from deepseek_tui.turn_settings import TurnSettings
    from deepseek_tui.ui.chat.tools import Choices
    from deepseek_tui.ui.widgets.message import AssistantMessage
    from deepseek_tui.ui.widgets.toolcall import ToolCallBlock, ToolDecisionBar


class QueuedSend(NamedTuple):
    """A message typed while an answer streamed, with the settings of that moment."""

    text: str
    attachments: tuple[Attachment, ...]
    settings: TurnSettings
    system: str
    answer_limit: int | None = None
    """A ``[budget]`` cap's lower ``max_tokens`` for it (see ``deepseek_tui.budget``)."""


@dataclass
class Pending:
    """Calls that wait for the user's decision (one decision for the group)."""

    calls: tuple[ProposedCall, ...]
    answer: asyncio.Future[bool | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )
    """``True``: run them; ``False``: decline; ``None``: run and always allow."""
    bar: ToolDecisionBar | None = None


class LiveTurn:
    """A running turn, the view it feeds (if its conversation is shown), its
    tokens-per-second count and the messages queued behind it."""

    def __init__(self, turn: Turn, *, clock: Callable[[], float], collapse: bool) -> None:
        self.turn = turn
        self.clock = clock
        self.collapse = collapse
        self.view: AssistantMessage | None = None
        self._answer: list[str] = []  # fragments: joined only when a view attaches
        self._reasoning: list[str] = []
        self.started = clock()
        self.first: float | None = None
        self.events = 0
        self.queue: list[QueuedSend] = []
        self.worker: Worker[None] | None = None
        self.activity = ""
        self.choices: Choices | None = None
        """The conversation's tool choices this turn reads (see :mod:`.chat.tools`)."""
        self.calls: tuple[ProposedCall, ...] = ()
        """The calls of the answer that just ended (its tool round), in order."""
        self.results: dict[str, ToolResult] = {}
        self.blocks: dict[str, ToolCallBlock] = {}
        """The blocks showing :attr:`calls`, while the conversation is shown."""
        self.pending: Pending | None = None
        self.answer_closed = False
        """The answer that asked for :attr:`calls` has ended (its view is closed)."""
        self.told_waiting = False

    def seed(self, content: str, reasoning: str) -> None:
        """Start from an answer being continued in place: every view attached
        shows it, then what the continuation adds, as one answer."""
        self._answer[:0] = [content] if content else []
        self._reasoning[:0] = [reasoning] if reasoning else []

    async def attach(self, view: AssistantMessage) -> None:
        """Feed ``view`` from now on, starting with what arrived so far."""
        self.view = view
        await view.add_reasoning("".join(self._reasoning))
        await view.add_content("".join(self._answer), collapse_reasoning=self.collapse)

    def detach(self) -> None:
        """Its conversation is no longer shown: keep streaming, feed nothing."""
        self.view = None
        self.blocks = {}
        if self.pending is not None:
            self.pending.bar = None

    def next_round(self) -> None:
        """The results went back to the model: a new answer starts from nothing."""
        self._answer, self._reasoning = [], []
        self.calls, self.results, self.blocks = (), {}, {}
        self.pending, self.answer_closed, self.told_waiting = None, False, False
        self.first, self.events, self.started = None, 0, self.clock()

    @property
    def shown(self) -> bool:
        return self.view is not None and self.view.is_attached

    async def feed(self, event: AnswerText | ReasoningText) -> None:
        """New text: keep it, and show it if the conversation is on screen."""
        now = self.clock()
        if self.first is None:
            self.first = now
        self.events += 1
        text = reveal(event.text)
        if isinstance(event, AnswerText):
            self._answer.append(text)
            if self.shown:
                assert self.view is not None
                await self.view.add_content(text, collapse_reasoning=self.collapse)
        else:
            self._reasoning.append(text)
            if self.shown:
                assert self.view is not None
                await self.view.add_reasoning(text)

    def rate(self) -> float | None:
        """Stream events per second (about tokens per second on DeepSeek)."""
        now = self.clock()
        if self.first is None or now - self.first < 0.5:
            return None
        return self.events / (now - self.first)

    def tick(self) -> None:
        """Let a live reasoning pane show the seconds spent thinking."""
        if self.shown:
            assert self.view is not None
            self.view.tick(self.clock() - self.started)

    def stop(self) -> None:
        """Stop the answer (Esc); what arrived is kept as ``stopped``."""
        if self.worker is not None:
            self.worker.cancel()

    def end(self, reason: str) -> None:
        """Stop it because the app ends: kept as ``interrupted``."""
        self.turn.interrupt(reason)
        self.stop()
