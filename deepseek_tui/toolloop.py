"""The part of a turn between two answers: the model asked for tool calls.

Pure steps the :class:`~deepseek_tui.turn.Turn` strings together: what the
user is shown (:func:`proposals`), who decides (:func:`decide`: trusted tools
run, the rest go to the ``approve`` callback -- the TUI's blocks, or ``ask``'s
``--yes``), running a call (:func:`run_call`, never raises), and the next
request (:func:`follow_up`), which *appends* the answer and the results to the
last request so its prefix stays byte-identical for DeepSeek's cache.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from deepseek_tui.api import ChatMessage, ChatRequest
from deepseek_tui.tools import ToolResult, ToolSpec
from deepseek_tui.turn_events import (
    ProposedCall,
    ToolCallDone,
    ToolCallsProposed,
    TurnEvent,
    TurnOutcome,
)

__all__ = [
    "DECLINED",
    "Approve",
    "ToolBox",
    "decide",
    "follow_up",
    "proposals",
    "run_call",
    "stopped_result",
    "tool_round",
]


Approve = Callable[[Sequence[ProposedCall]], Awaitable[Sequence[bool]]]
"""Asks the user about calls that are not trusted: ``True`` runs one."""

DECLINED = "The user declined to run this tool call."


class ToolBox(Protocol):
    """What a turn needs of :class:`~deepseek_tui.tools.host.ToolHost`."""

    def specs(self) -> list[ToolSpec]: ...

    def find(self, wire_name: str) -> ToolSpec | None: ...

    def trusted(self, wire_name: str) -> bool: ...

    async def call(self, wire_name: str, arguments: str) -> ToolResult: ...


def proposals(calls: Sequence[Mapping[str, Any]], box: ToolBox) -> tuple[ProposedCall, ...]:
    """The calls of an answer (OpenAI shape), as the user is shown them."""
    out = []
    for call in calls:
        function = call.get("function") or {}
        name = str(function.get("name") or "")
        spec = box.find(name)
        out.append(
            ProposedCall(
                id=str(call.get("id") or ""),
                wire_name=name,
                server=spec.server if spec else None,
                tool=spec.name if spec else name,
                arguments=str(function.get("arguments") or ""),
                trusted=bool(spec) and box.trusted(name),
            )
        )
    return tuple(out)


async def decide(calls: Sequence[ProposedCall], approve: Approve | None) -> list[bool]:
    """Which calls run: trusted ones do; the others as ``approve`` says (none
    without it). A call of a tool no server offers never runs."""
    asked = [c for c in calls if c.server is not None and not c.trusted]
    answers = list(await approve(asked)) if asked and approve is not None else []
    verdict = dict(zip((c.id for c in asked), answers, strict=False))
    return [c.server is not None and (c.trusted or verdict.get(c.id, False)) for c in calls]


async def run_call(call: ProposedCall, allowed: bool, box: ToolBox) -> ToolResult:
    """The result of one call; never raises."""
    if call.server is None:
        names = ", ".join(s.wire_name for s in box.specs()) or "none"
        return ToolResult("error", f"No tool named {call.wire_name!r} is available; tools: {names}")
    if not allowed:
        return ToolResult("declined", DECLINED)
    return await box.call(call.wire_name, call.arguments)


def stopped_result(reason: str) -> ToolResult:
    """The result stored for a call that never ran because the answer ended."""
    return ToolResult("not_run", f"The tool was not run: {reason}.")


def follow_up(
    request: ChatRequest,
    *,
    content: str,
    reasoning: str,
    calls: Sequence[Mapping[str, Any]],
    results: Sequence[ToolResult],
    limit: int,
) -> ChatRequest:
    """The next request: the last one, then the answer that asked for the
    calls (exactly as received), then each result as a ``tool`` message."""
    asked = ChatMessage(
        "assistant", content or None, reasoning=reasoning, tool_calls=tuple(dict(c) for c in calls)
    )
    answered = tuple(
        ChatMessage("tool", result.for_model(limit), tool_call_id=str(call.get("id") or ""))
        for call, result in zip(calls, results, strict=True)
    )
    return replace(request, messages=(*request.messages, asked, *answered))


async def tool_round(
    out: TurnOutcome,
    asked: Sequence[Mapping[str, Any]],
    results: list[ToolResult],
    *,
    box: ToolBox,
    approve: Approve | None,
    max_rounds: int,
    stop_as: tuple[str, str | None],
    save: Callable[[ProposedCall, ToolResult], None],
) -> AsyncGenerator[TurnEvent, None]:
    """Decide and run the calls of the answer that just ended, saving each
    result as it comes (``save`` runs on a thread, or inline when stopping).
    Esc (cancellation) stops here too: what ran stays recorded, and the rest
    is saved as not run, so the history stays valid."""
    calls = proposals(asked, box)
    yield ToolCallsProposed(calls)
    done = 0
    try:
        if out.rounds >= max_rounds:
            out.status = "error"
            out.error = (
                f"stopped after {max_rounds} tool rounds ([tools] max_rounds); "
                "ask again to let the model go on"
            )
            return
        allowed = await decide(calls, approve)
        for call, run in zip(calls, allowed, strict=True):
            result = await run_call(call, run, box)
            results.append(result)
            out.calls.append((call, result))
            await asyncio.to_thread(save, call, result)
            done += 1
            yield ToolCallDone(call, result)
    finally:
        if done < len(calls):  # stopped, limited or failed: the rest never ran
            reason = out.error or ""
            if out.status == "complete" and not out.error:
                out.status, out.error = stop_as
                reason = ""
            for call in calls[done:]:
                result = stopped_result((reason or "the answer was stopped first").rstrip("."))
                out.calls.append((call, result))
                with contextlib.suppress(Exception):  # best effort while stopping
                    save(call, result)
