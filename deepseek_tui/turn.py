"""One conversation turn, UI-free: the user's prompt, the model's answer,
persisted as it streams, run as one stream of typed events.

``async for event in turn.run()`` yields, in order:

- :class:`Prepared` once the prompt and an answer placeholder are stored and
  the request is built (with what was left out or changed to suit the host);
- :class:`ReasoningText` / :class:`AnswerText`: new text, already cleaned of
  terminal control sequences (the store keeps it as it arrived);
- :class:`Waiting` while the server queues the request (keep-alives), and
  once more with ``None`` when it starts answering;
- :class:`Ended`, always last, with the :class:`TurnOutcome`.

Every failure -- a retired model, an attachment the model cannot take, the
network, the API, the database -- ends the turn with :class:`Ended` and one
line a person can act on; nothing is raised to the consumer. Persistence:

1. before the request, the user message and an assistant placeholder
   (``streaming``) are written in one transaction;
2. while streaming, the partial answer is checkpointed at least every
   ``checkpoint_interval`` seconds, so a crash loses at most that much;
3. at the end the message gets its final state (see :data:`ENDINGS`).

Cancelling the consuming task (Esc, Ctrl+C) or leaving the loop early stops
the request and keeps what arrived as ``stopped``; call :meth:`Turn.interrupt`
first to record it as ``interrupted`` instead (the output went away, the
program is ending).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from deepseek_tui.api import (
    APIError,
    ContentDelta,
    Finish,
    InsufficientBalance,
    ModelNotFound,
    Queued,
    ReasoningDelta,
    Started,
    StreamAccumulator,
    ToolCallDelta,
    Usage,
)
from deepseek_tui.apikey import UnusableKey
from deepseek_tui.attachments import Attachment, AttachmentError, check_attachments, stored_keys
from deepseek_tui.errors import ProviderUnavailable
from deepseek_tui.models import Catalog
from deepseek_tui.money import balance_text
from deepseek_tui.request import (
    PreparedRequest,
    drop_oldest_exchanges,
    prepare_continuation,
    prepare_request,
)
from deepseek_tui.sanitize import StreamSanitizer, clean
from deepseek_tui.store import Conversation, Message, Store, StoreError
from deepseek_tui.toolloop import Approve, ToolBox, follow_up, tool_round
from deepseek_tui.tools import ToolResult, ToolsConfig
from deepseek_tui.turn_events import (
    _FINISH_NOTES,
    _FINISH_STATUS,
    ENDINGS,
    JSON_EMPTY,
    AnswerText,
    Ended,
    NextRound,
    Prepared,
    ProposedCall,
    ReasoningText,
    TurnEvent,
    TurnOutcome,
    Waiting,
    add_usage,
)
from deepseek_tui.turn_settings import TurnSettings
from deepseek_tui.urls import BadBaseURL

if TYPE_CHECKING:
    from deepseek_tui.api import ChatRequest, DeepSeekClient

__all__ = [
    "ENDINGS",
    "JSON_EMPTY",
    "AnswerText",
    "Ended",
    "Prepared",
    "ReasoningText",
    "Turn",
    "TurnEvent",
    "TurnOutcome",
    "Waiting",
]


class Turn:
    """One exchange: the prompt and the model's answer, persisted as it streams.

    ``attachments`` come from :func:`deepseek_tui.attachments.load_attachment`;
    ``temperature_max`` from the provider profile; ``drop_oldest`` leaves that
    many of the oldest exchanges out of the request (they stay stored);
    ``branch_from`` (a stored user message id) makes this turn an alternative
    to that message and what followed it (retry, regenerate, edit).
    ``continuing`` (the stored last answer, cut off) makes it a continuation
    of that answer with DeepSeek's chat prefix completion: no new prompt, the
    new text is appended to the same stored message (``prompt`` is unused).
    """

    def __init__(
        self,
        *,
        client: DeepSeekClient | Callable[[], Awaitable[DeepSeekClient]],
        store: Store | None,
        catalog: Catalog,
        host: str,
        prompt: str,
        settings: TurnSettings,
        conversation: Conversation | None = None,
        system: str | None = None,
        provider: str | None = None,
        attachments: Sequence[Attachment] = (),
        temperature_max: float | None = None,
        drop_oldest: int = 0,
        branch_from: int | None = None,
        continuing: Message | None = None,
        tools: ToolBox | None = None,
        approve: Approve | None = None,
        tools_config: ToolsConfig | None = None,
        checkpoint_interval: float = 1.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        answer_limit: int | None = None,
    ) -> None:
        self._get_client = client
        self._client: DeepSeekClient | None = None
        self._store = store
        self._catalog = catalog
        self._host = host
        self.prompt = prompt
        self.settings = settings
        self._conversation = conversation
        self.system = system
        self._provider = provider
        self.attachments = tuple(attachments)
        self._temperature_max = temperature_max
        self._drop_oldest = drop_oldest
        self._branch_from = branch_from
        self.continuing = continuing
        self._tools = tools
        self._approve = approve
        self._tools_config = tools_config or ToolsConfig()
        self._answer_limit = answer_limit
        """A ``[budget]`` cap's lower ``max_tokens`` for this turn's requests
        (not stored: the conversation keeps the user's setting)."""
        self._interval = checkpoint_interval
        self._now = now
        self._stop_as: tuple[str, str | None] = ("stopped", None)
        self.spec = catalog.lookup(settings.model, host)
        self.outcome = TurnOutcome(model=settings.model)
        self.prepared: PreparedRequest | None = None
        self.started = now()
        self._stored: dict[str, bytes] = {}
        """The kept bytes of the history's attachments, read with it."""

    @property
    def conversation(self) -> Conversation | None:
        return self._conversation

    def interrupt(self, reason: str) -> None:
        """Record the coming stop as ``interrupted`` (``reason``), not ``stopped``."""
        self._stop_as = ("interrupted", reason)

    def refusal(self) -> str | None:
        """Why this turn cannot be sent at all (checked before anything is stored)."""
        if self.spec.is_retired(self._now()):
            self.outcome.retired, self.outcome.refused = self.spec, "retired"
            return f"{self.spec.retirement_message()} (the host answers HTTP 400 for the old id)"
        try:
            check_attachments(self.attachments, self.spec, catalog=self._catalog, host=self._host)
        except AttachmentError as exc:
            self.outcome.refused = "attachment"
            return str(exc)
        return None

    async def run(self) -> AsyncGenerator[TurnEvent, None]:
        out = self.outcome
        refused = self.refusal()
        if refused is not None:
            out.status, out.error = "refused", refused
            yield Ended(out)
            return
        try:
            client = await self._connect()
        except (ProviderUnavailable, UnusableKey, BadBaseURL) as exc:  # one line for a person
            out.status, out.refused = "refused", "client"
            out.error = f"not sent: {clean(str(exc))}"
            yield Ended(out)
            return
        except Exception as exc:  # no client, no request: nothing was stored or sent
            out.status, out.refused = "refused", "client"
            out.error = f"not sent: the connection could not be set up ({_what(exc)})"
            yield Ended(out)
            return
        try:
            begin = self._begin if self.continuing is None else self._reopen
            history = await asyncio.to_thread(begin)
        except (StoreError, OSError) as exc:
            out.status, out.refused = "refused", "storage"
            message = str(exc)
            if not message.startswith("could not"):
                message = f"the message could not be saved: {message}"
            out.error = f"not sent: {message}"
            yield Ended(out)
            return
        if self.continuing is not None:
            self.prepared = prepare_continuation(
                spec=self.spec,
                settings=self._sent_settings(),
                system=self.system,
                history=drop_oldest_exchanges(history, self._drop_oldest),
                partial=self.continuing,
                temperature_max=self._temperature_max,
                stored=self._stored,
            )
        else:
            self.prepared = prepare_request(
                spec=self.spec,
                settings=self._sent_settings(),
                system=self.system,
                history=drop_oldest_exchanges(history, self._drop_oldest),
                prompt=self.prompt,
                attachments=self.attachments,
                temperature_max=self._temperature_max,
                stored=self._stored,
                tools=[spec.to_wire() for spec in self._tools.specs()] if self._tools else None,
                tool_result_limit=self._tools_config.result_limit,
            )
        yield Prepared(self._conversation, self.prepared)
        request = self.prepared.request
        while True:
            calls = StreamAccumulator()
            # aclosing: when the consumer leaves (Esc, a closed pipe), the
            # round's own ``finally`` must run now, not when it is collected.
            async with contextlib.aclosing(self._stream(client, request, calls)) as stream:
                async for event in stream:
                    yield event
            asked = calls.tool_calls
            if not (asked and self._tools is not None and out.status == "complete"):
                break
            results: list[ToolResult] = []
            async with contextlib.aclosing(self._tool_round(asked, results)) as round_:
                async for event in round_:
                    yield event
            if out.status != "complete":
                break
            request = follow_up(
                request,
                content=out.content,
                reasoning=out.reasoning,
                calls=asked,
                results=results,
                limit=self._tools_config.result_limit,
            )
            try:
                await asyncio.to_thread(self._next_answer)
            except (StoreError, OSError) as exc:
                out.status, out.error = "error", f"the answer could not go on: {exc}"
                break
            yield NextRound(out.assistant_message_id)
        yield Ended(out)

    async def _stream(
        self, client: DeepSeekClient, request: ChatRequest, calls: StreamAccumulator
    ) -> AsyncGenerator[TurnEvent, None]:
        """Stream one request into the outcome (and its tool calls into ``calls``),
        saving as it goes; every ending is recorded in the outcome."""
        out = self.outcome
        answer, reasoning = StreamSanitizer(), StreamSanitizer()
        # Fragments, joined only when saved: ``+=`` on an attribute copies the
        # whole text at every token (quadratic in the answer's length). A
        # continuation starts from the text it continues.
        answer_parts: list[str] = []
        reasoning_parts: list[str] = []
        if self.continuing is not None and not out.rounds:
            answer_parts.append(self.continuing.content)
            reasoning_parts.append(self.continuing.reasoning or "")

        def gather() -> None:
            out.content = "".join(answer_parts)
            out.reasoning = "".join(reasoning_parts)

        last_save = time.monotonic()
        ended = gathered = False
        saving = True
        try:
            async for event in client.stream_chat(request):
                if isinstance(event, ToolCallDelta):
                    calls.add(event)
                elif isinstance(event, ContentDelta):
                    answer_parts.append(event.text)
                    text = answer.feed(event.text)
                    if text:
                        yield AnswerText(text)
                elif isinstance(event, ReasoningDelta):
                    reasoning_parts.append(event.text)
                    text = reasoning.feed(event.text)
                    if text:
                        yield ReasoningText(text)
                elif isinstance(event, Usage):  # only plausible figures get here (parse_usage)
                    out.usage = event
                elif isinstance(event, Finish):
                    out.finish_reason = event.reason
                elif isinstance(event, Queued):
                    yield Waiting(event.waited)
                elif isinstance(event, Started):
                    yield Waiting(None)
                if saving and time.monotonic() - last_save >= self._interval:
                    # Also a heartbeat while queued: a fresh ``updated`` tells other
                    # processes starting up that this row is alive (RECOVER_AFTER).
                    gather()
                    try:
                        await asyncio.to_thread(self._checkpoint)
                    except (StoreError, OSError):
                        # A full disk: the answer goes on (it is being paid for);
                        # the last save says whether it could be kept after all.
                        saving = False
                    last_save = time.monotonic()
            out.status = _FINISH_STATUS.get(out.finish_reason or "", "complete")
            note = _FINISH_NOTES.get(out.finish_reason or "")
            if note:
                out.notes.append(note)
                if out.status == "error":
                    out.error = note
            gather()
            if self._empty_json(out):
                out.notes.append(JSON_EMPTY)
                out.status, out.error = "error", JSON_EMPTY
            ended = True
        except APIError as exc:
            gather()
            gathered = True  # with what the error itself carried, below
            out.content = out.content or exc.partial_content
            out.reasoning = out.reasoning or exc.partial_reasoning
            out.status, out.error, out.cause = "error", await self._explain(exc), exc
            ended = True
        except Exception as exc:  # a bug or a library's surprise: still one line, never a crash
            out.status = "error"
            out.error = f"the answer failed unexpectedly ({_what(exc)}); what arrived is kept"
            ended = True
        finally:
            if not gathered:
                gather()
            if not ended:  # cancelled, or the consumer left the loop: keep what arrived
                out.status, out.error = self._stop_as
            out.cost = self.spec.cost(out.usage, self.started) if out.usage else None
            self._finish(calls.tool_calls)
        for rest, kind in ((reasoning.flush(), ReasoningText), (answer.flush(), AnswerText)):
            if rest:
                yield kind(rest)

    def _empty_json(self, out: TurnOutcome) -> bool:
        """Whether a JSON-mode answer ended with nothing but blanks (DeepSeek
        replaces output that is not JSON with spaces): a failure to retry, not
        an answer."""
        return (
            self.settings.json_mode
            and out.status == "complete"
            and out.finish_reason != "tool_calls"
            and not out.content.strip()
        )

    def _sent_settings(self) -> TurnSettings:
        limit, current = self._answer_limit, self.settings.max_tokens
        if limit is None or (current is not None and current <= limit):
            return self.settings
        return dataclasses.replace(self.settings, max_tokens=limit)

    def _begin(self) -> list[Message]:
        """Create the conversation if needed, record the prompt and a placeholder;
        return the history the request replays."""
        store = self._store
        params = self.settings.to_params()
        if store is None:
            return []
        if self._branch_from is not None:
            self._conversation = store.rewind(self._branch_from)
        if self._conversation is None:
            self._conversation = store.create_conversation(
                title="",
                model=self.settings.model,
                params=params,
                system=self.system or None,
                provider=self._provider,
            )
            history: list[Message] = []
        else:
            history = store.messages(self._conversation.id)
            changes: dict[str, object] = {"model": self.settings.model, "params": params}
            if (self._conversation.system or "") != (self.system or ""):
                changes["system"] = self.system or ""
            self._conversation = store.update_conversation(self._conversation.id, **changes)  # type: ignore[arg-type]
        user, assistant = store.begin_turn(
            self._conversation.id,
            user_content=self.prompt,
            model=self.settings.model,
            params=params,
            attachments=[a.record() for a in self.attachments] or None,
            attachment_data={k: v for a in self.attachments for k, v in a.kept_data().items()},
        )
        self._stored = store.attachment_data(stored_keys(history))
        out = self.outcome
        out.conversation_id = self._conversation.id
        out.user_message_id, out.assistant_message_id = user.id, assistant.id
        return history

    def _reopen(self) -> list[Message]:
        """Continuing an answer: make its stored row ``streaming`` again; return
        the history before it (up to the prompt it answers)."""
        store, partial, out = self._store, self.continuing, self.outcome
        assert partial is not None
        out.continued = True
        if partial.usage:
            out.earlier = Usage.from_dict(partial.usage)
            out.earlier_cost = partial.cost
        if store is None:
            return []
        history = store.messages(partial.conversation_id)
        at = next((i for i, m in enumerate(history) if m.id == partial.id), None)
        if at is None:
            raise StoreError("could not find the answer to continue; open the conversation again")
        store.reopen_message(partial.id)
        self._conversation = store.update_conversation(
            partial.conversation_id, model=self.settings.model, params=self.settings.to_params()
        )
        out.conversation_id = partial.conversation_id
        out.user_message_id, out.assistant_message_id = partial.parent_id, partial.id
        return history[:at]

    def _checkpoint(self) -> None:
        out = self.outcome
        if self._store is not None and out.assistant_message_id is not None:
            self._store.checkpoint(out.assistant_message_id, out.content, out.reasoning)

    def _finish(self, tool_calls: Sequence[Mapping[str, Any]] = ()) -> None:
        """Write the final state. Synchronous on purpose: it must also run while the
        task is being cancelled, where awaiting is not reliable. A storage failure
        here is reported in the outcome, never raised."""
        out = self.outcome
        if self._store is None or out.assistant_message_id is None:
            return
        usage = out.answer_usage()
        fields: dict[str, Any] = {
            "content": out.content,
            "reasoning": out.reasoning or None,
            "status": out.status,
            "finish_reason": out.finish_reason,
            "usage": usage.to_dict() if usage else None,
            "cost": out.answer_cost(),
            "error": None if out.status == "complete" else out.error,
            "model": self.settings.model,
        }
        if tool_calls:
            fields["tool_calls"] = [dict(c) for c in tool_calls]
        old = self.continuing if not out.rounds else None
        if old is not None and self.unchanged():
            # Nothing new arrived (refused, failed, stopped at once): the answer
            # stays as it was, cut off and ready to be continued again.
            fields.update(
                status=old.status,
                finish_reason=old.finish_reason,
                usage=old.usage,
                cost=old.cost,
                error=old.error,
                model=None,
            )
        try:
            self._store.finish_message(out.assistant_message_id, **fields)
        except (StoreError, OSError) as exc:
            message = str(exc)
            if not message.startswith("could not save"):
                message = f"could not save the answer: {message}"
            out.unsaved = f"{message}; it is shown here but not stored"

    def _tool_round(
        self, asked: Sequence[Mapping[str, Any]], results: list[ToolResult]
    ) -> AsyncGenerator[TurnEvent, None]:
        assert self._tools is not None
        return tool_round(
            self.outcome,
            asked,
            results,
            box=self._tools,
            approve=self._approve,
            max_rounds=self._tools_config.max_rounds,
            stop_as=self._stop_as,
            save=self._store_result,
        )

    def _store_result(self, call: ProposedCall, result: ToolResult) -> None:
        conversation = self._conversation
        if self._store is None or conversation is None:
            return
        try:
            self._store.add_tool_result(
                conversation.id,
                tool_call_id=call.id,
                name=call.wire_name,
                content=result.content,
                status=result.status,
            )
        except (StoreError, OSError, ValueError) as exc:  # shown and sent, not kept
            self.outcome.unsaved = f"could not save a tool result: {exc}"

    def _next_answer(self) -> None:
        """Start the answer that follows the results: a new placeholder; the
        usage and cost so far move to the earlier rounds."""
        out = self.outcome
        out.earlier_rounds = add_usage(out.earlier_rounds, out.answer_usage())
        cost = out.answer_cost()
        if out.earlier_rounds_cost is not None:
            out.earlier_rounds_cost = None if cost is None else out.earlier_rounds_cost + cost
        out.rounds += 1
        out.content = out.reasoning = ""
        out.usage, out.cost, out.finish_reason = None, None, None
        out.continued, out.earlier, out.earlier_cost = False, None, None
        out.status = "streaming"
        self.started = self._now()
        conversation = self._conversation
        if self._store is not None and conversation is not None:
            message = self._store.begin_answer(
                conversation.id, model=self.settings.model, params=self.settings.to_params()
            )
            out.assistant_message_id = message.id

    def unchanged(self) -> bool:
        """A continuation that added nothing to the answer (and was not billed
        for anything it reported)."""
        old, out = self.continuing, self.outcome
        return (
            old is not None
            and out.usage is None
            and out.content == old.content
            and out.reasoning == (old.reasoning or "")
        )

    async def _connect(self) -> DeepSeekClient:
        if self._client is None:
            got = self._get_client
            self._client = got if not callable(got) else await got()
        return self._client

    async def _explain(self, exc: APIError) -> str:
        """The error's message, plus what the host can tell us about it."""
        message = clean(exc.message)
        client = await self._connect()
        try:
            if isinstance(exc, ModelNotFound):
                offered = [clean(m.id) for m in await client.list_models()]
                if offered:
                    message += f"; this host offers: {', '.join(offered[:12])}"
            elif isinstance(exc, InsufficientBalance):
                balance = await client.balance()
                if balance is not None and balance.infos:
                    # The message already says where to top up: once is enough.
                    message += f"; balance {clean(balance_text(balance))}"
        except APIError:
            pass  # the original failure is what matters; the extra detail is optional
        return message


def _what(exc: BaseException) -> str:
    """An unexpected exception, named without its text: the text of an error
    raised deep in a library can hold anything, the API key included."""
    return type(exc).__name__
