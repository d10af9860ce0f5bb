"""What a turn yields and what it produced: its events and its outcome.

Plain values, split from :mod:`deepseek_tui.turn` (which re-exports them) so
the turn itself stays one job: running the exchange.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from deepseek_tui.api import APIError, Usage

if TYPE_CHECKING:
    from deepseek_tui.models import ModelSpec
    from deepseek_tui.request import PreparedRequest
    from deepseek_tui.store import Conversation
    from deepseek_tui.tools import ToolResult

#: How an answer can end, as stored, exported and shown: ``complete``;
#: ``stopped`` (the user stopped it); ``error`` (failed, ``error`` says why;
#: text that arrived is kept); ``interrupted`` (the program or its output went
#: away while it streamed). ``refused`` never reaches the store: the turn was
#: not sent (a retired model, an attachment the model cannot take, a database
#: that cannot be written).
ENDINGS = ("complete", "stopped", "error", "interrupted", "refused")

_FINISH_STATUS = {"insufficient_system_resource": "error"}
_FINISH_NOTES = {
    "length": "the answer was cut off at max_tokens (or the context limit)",
    "content_filter": "the host's content filter stopped the answer",
    "insufficient_system_resource": "the server ran out of capacity and cut the answer short;"
    " retry",
}
JSON_EMPTY = (
    "JSON mode: the model sent an empty answer (DeepSeek does this when it could not"
    " produce JSON); retry, or describe the JSON you want with an example"
)


class Prepared(NamedTuple):
    """The prompt is stored and the request built; it is being sent."""

    conversation: Conversation | None
    """``None`` when nothing is saved (``ask --no-save``)."""
    request: PreparedRequest


class ReasoningText(NamedTuple):
    text: str


class AnswerText(NamedTuple):
    text: str


class Waiting(NamedTuple):
    """The server queues the request (``seconds`` so far); ``None``: it started."""

    seconds: float | None


class Ended(NamedTuple):
    outcome: TurnOutcome


class ProposedCall(NamedTuple):
    """A tool call the model asked for, as the user is shown it."""

    id: str
    wire_name: str
    """The name the model used (``server__tool``)."""
    server: str | None
    """The MCP server that has the tool; ``None`` for a name no server offers."""
    tool: str
    arguments: str
    """The arguments exactly as the model wrote them (JSON, or not)."""
    trusted: bool
    """Listed under the server's ``trust``: runs without asking."""


class ToolCallsProposed(NamedTuple):
    """The model asked for tool calls; they are decided together next."""

    calls: tuple[ProposedCall, ...]


class ToolCallDone(NamedTuple):
    """One call ran (or was declined, or failed); its result is stored."""

    call: ProposedCall
    result: ToolResult


class NextRound(NamedTuple):
    """The results went back to the model: a new answer (a new stored message)
    streams next."""

    assistant_message_id: int | None


TurnEvent = (
    Prepared
    | ReasoningText
    | AnswerText
    | Waiting
    | ToolCallsProposed
    | ToolCallDone
    | NextRound
    | Ended
)


@dataclass
class TurnOutcome:
    """What a turn produced, whole or in part (raw text, as stored)."""

    content: str = ""
    reasoning: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None
    cost: float | None = None
    status: str = "streaming"
    """One of :data:`ENDINGS` once the turn has ended."""
    error: str | None = None
    """Why it did not complete: one line a person can act on."""
    cause: APIError | None = None
    refused: str | None = None
    """Why it was not sent: ``retired``, ``attachment``, ``storage`` or ``client``."""
    retired: ModelSpec | None = None
    """Set when the turn was refused because the model is retired here."""
    model: str = ""
    conversation_id: str | None = None
    user_message_id: int | None = None
    assistant_message_id: int | None = None
    notes: list[str] = field(default_factory=list)
    """What the user should know about the answer (cut off, filtered…)."""
    unsaved: str | None = None
    """Why the answer (shown, and paid for) could not be stored, e.g. a full disk."""
    earlier: Usage | None = None
    """A continued answer: the usage of what it had before (``usage`` and
    ``cost`` are this request's alone)."""
    earlier_cost: float | None = None
    continued: bool = False
    """This turn continued an answer in place (prefix completion)."""
    calls: list[tuple[ProposedCall, ToolResult]] = field(default_factory=list)
    """Every tool call of the turn with its result, in order."""
    rounds: int = 0
    """Tool rounds: answers that asked for calls before this (the last) one."""
    earlier_rounds: Usage | None = None
    """Usage of the earlier rounds' requests (``usage`` is the last one's)."""
    earlier_rounds_cost: float | None = 0.0
    """Their cost; ``None`` once one of them had no known cost."""

    def answer_usage(self) -> Usage | None:
        """The usage of the whole answer: for a continued one, every request's."""
        if not self.continued:
            return self.usage
        return add_usage(self.earlier, self.usage)

    def answer_cost(self) -> float | None:
        """What the whole answer cost; ``None`` when a part's cost is unknown."""
        if not self.continued:
            return self.cost
        if self.cost is None or (self.earlier is not None and self.earlier_cost is None):
            return None
        return (self.earlier_cost or 0.0) + self.cost

    def total_usage(self) -> Usage | None:
        """Every request of the turn, tool rounds included."""
        return add_usage(self.earlier_rounds, self.answer_usage())

    def total_cost(self) -> float | None:
        """What the whole turn cost; ``None`` when a part's cost is unknown."""
        last = self.answer_cost()
        if last is None or self.earlier_rounds_cost is None:  # only after a round
            return None
        return self.earlier_rounds_cost + last


def add_usage(a: Usage | None, b: Usage | None) -> Usage | None:
    """Two requests' usage added up, field by field (unknown + known = known)."""
    if a is None or b is None:
        return a or b

    def plus(x: int | None, y: int | None) -> int | None:
        return None if x is None and y is None else (x or 0) + (y or 0)

    return Usage(
        prompt_tokens=a.prompt_tokens + b.prompt_tokens,
        completion_tokens=a.completion_tokens + b.completion_tokens,
        total_tokens=a.total_tokens + b.total_tokens,
        cache_hit_tokens=plus(a.cache_hit_tokens, b.cache_hit_tokens),
        cache_miss_tokens=plus(a.cache_miss_tokens, b.cache_miss_tokens),
        reasoning_tokens=plus(a.reasoning_tokens, b.reasoning_tokens),
    )
