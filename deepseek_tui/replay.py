"""Stored history as the messages a request sends again, UI-free.

The rules, per exchange (a user message and what follows it up to the next):

* An answer that failed before any text (nothing but blanks, no tool calls) is
  never sent as an empty assistant message; an exchange left with no answer at
  all is left out with its question (DESIGN.md), so the model never sees two
  user messages in a row for it. A question with no stored answer yet (the
  one being continued) stays.
* A tool loop -- assistant with ``tool_calls``, their ``tool`` results, the
  next assistant, ... -- is part of the exchange. The assistant goes out with
  its calls exactly as stored (``content`` ``None`` when it wrote nothing) and
  each call is answered by one ``tool`` message, in the order of the calls,
  before the next assistant or user message: the stored result cut to
  ``tool_result_limit`` characters (:meth:`ToolResult.for_model`), or
  :data:`~deepseek_tui.tools.NOT_RUN` for a call the app never ran (it ended
  mid-loop), so the history stays valid. A result no call of the loop asked
  for is left out.
* Reasoning goes back as the model's pass-back policy says (``api._types``
  turns it into ``reasoning_content``; DEEPSEEK_API.md §5): ``v4`` -- every
  tool-call turn keeps its reasoning in every later request; ``tool_calls``
  (V3.2 thinking) -- only the tool-call turns of the loop in progress keep it,
  those of earlier exchanges go with ``""`` once a new user message follows;
  ``never`` (R1-era) -- none.
* A model without tool support (the catalog's ``tools``) gets no tool rounds:
  calls and results are left out and the exchange keeps its final answer, with
  a note.

The same stored rows always give the same messages, so from one request to the
next the replayed prefix is byte-identical and DeepSeek's prefix cache keeps
hitting (under ``tool_calls`` the cleared reasoning changes the prefix once,
when the next user message starts a new loop).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from deepseek_tui.api import ChatMessage
from deepseek_tui.attachments import replay_content
from deepseek_tui.models import ModelSpec
from deepseek_tui.store import Message
from deepseek_tui.tools import NOT_RUN, ToolResult

__all__ = ["Replay", "replay", "tools_left_out"]


def tools_left_out(model: str) -> str:
    """The note for a model without tool support whose history holds tool rounds."""
    return f"{model} takes no tools: earlier tool calls and their results were left out"


@dataclass(frozen=True, slots=True)
class Replay:
    messages: tuple[ChatMessage, ...]
    notes: tuple[str, ...] = ()


def replay(
    history: Sequence[Message],
    spec: ModelSpec,
    stored: Mapping[str, bytes] | None = None,
    *,
    open_loop: bool = False,
    tool_result_limit: int = 20_000,
) -> Replay:
    """``history`` (one branch, oldest first) as request messages; see the
    module docstring. ``open_loop``: the request continues the last exchange
    (no new user message follows), so under the ``tool_calls`` policy its
    tool-call turns keep their reasoning."""
    exchanges: list[tuple[Message | None, list[Message]]] = []
    for m in history:
        if m.role == "system":
            continue
        if m.role == "user" or not exchanges:
            exchanges.append((m, []) if m.role == "user" else (None, [m]))
        else:
            exchanges[-1][1].append(m)
    out: list[ChatMessage] = []
    left_out = False
    for n, (question, rows) in enumerate(exchanges):
        keep_reasoning = spec.passback == "v4" or (
            spec.passback == "tool_calls" and open_loop and n == len(exchanges) - 1
        )
        answers, dropped = _exchange(rows, spec, keep_reasoning, tool_result_limit)
        left_out = left_out or dropped
        if rows and not answers:
            continue  # failed before any text: leave the question out too
        if question is not None:
            content = (
                replay_content(question.content, question.attachments, spec, stored)
                if question.attachments
                else question.content
            )
            out.append(ChatMessage("user", content))
        out.extend(answers)
    notes = (tools_left_out(spec.id),) if left_out else ()
    return Replay(tuple(out), notes)


def _exchange(
    rows: Sequence[Message], spec: ModelSpec, keep_reasoning: bool, limit: int
) -> tuple[list[ChatMessage], bool]:
    """What follows one question, and whether tool rounds were left out."""
    out: list[ChatMessage] = []
    pending: list[str] = []
    results: dict[str, ChatMessage] = {}
    dropped = False

    def answer_calls() -> None:
        for ident in pending:
            out.append(results.get(ident) or ChatMessage("tool", NOT_RUN, tool_call_id=ident))
        pending.clear()
        results.clear()

    for m in rows:
        if m.role == "tool":
            if not spec.tools:
                dropped = True
            elif m.tool_call_id in pending and m.tool_call_id not in results:
                result = ToolResult(m.tool_status or "ok", m.content).for_model(limit)
                results[m.tool_call_id] = ChatMessage("tool", result, tool_call_id=m.tool_call_id)
            continue
        if m.role != "assistant":
            continue
        if m.tool_calls and not spec.tools:
            dropped = True
            if not m.content.strip():
                continue
            answer_calls()
            out.append(ChatMessage("assistant", m.content, reasoning=_passed(m, spec)))
        elif m.tool_calls:
            answer_calls()
            out.append(
                ChatMessage(
                    "assistant",
                    m.content or None,
                    reasoning=m.reasoning if keep_reasoning else None,
                    tool_calls=tuple(m.tool_calls),
                )
            )
            pending.extend(ident for c in m.tool_calls if isinstance(ident := c.get("id"), str))
        elif m.content.strip():  # blanks: an empty JSON-mode answer, a failure
            answer_calls()
            out.append(ChatMessage("assistant", m.content, reasoning=_passed(m, spec)))
    answer_calls()
    return out, dropped


def _passed(m: Message, spec: ModelSpec) -> str | None:
    """The reasoning of an answer without calls: ``to_wire`` decides what goes
    (``""`` under ``v4``, nothing otherwise), so only ``never`` strips it here."""
    return None if spec.passback == "never" else m.reasoning
