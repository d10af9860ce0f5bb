"""One conversation turn, UI-free.

A :class:`Turn` builds the request from the stored conversation and the turn's
settings (applying the model catalog: thinking, effort, parameters the model
ignores, reasoning pass-back), streams the answer, and persists as it goes:

1. before the request, the user message and an assistant placeholder
   (``streaming``) are written in one transaction;
2. while streaming, the partial answer is checkpointed at least every
   ``checkpoint_interval`` seconds, so a crash loses at most that much;
3. at the end the message gets its final state: ``complete``, ``interrupted``
   (the user stopped it, or the stream broke after text arrived) or ``error``,
   with usage, cost and the error text.

The TUI and ``ask`` both consume :meth:`Turn.events` and render the deltas;
neither touches the store or the client for the turn itself.

Attachments (see :mod:`deepseek_tui.attachments`): ``Turn(attachments=[...])``
sends them in the new user message only and stores their records with it;
later turns replay text files byte-identically and replace images and
documents with a note. A model that cannot take one is refused with
:class:`AttachmentRefused` before anything is stored or sent.

Long conversations: ``Turn(drop_oldest=N)`` leaves the N oldest exchanges out
of the request (never out of the store), for a history that outgrew the
model's context window; see :func:`drop_oldest_exchanges`.

Provider quirks: ``Turn(temperature_max=...)`` (from the provider profile's
``temperature_max``) clamps the temperature for hosts whose range is narrower
than DeepSeek's 0–2, with a note in :attr:`PreparedRequest.notes`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from deepseek_tui.api import (
    APIError,
    ChatMessage,
    ChatRequest,
    ContentDelta,
    Finish,
    InsufficientBalance,
    ModelNotFound,
    ReasoningDelta,
    StreamEvent,
    Timeouts,
    Usage,
)
from deepseek_tui.attachments import (
    Attachment,
    AttachmentError,
    check_attachments,
    content_parts,
    replay_content,
)
from deepseek_tui.config import Settings
from deepseek_tui.models import SAMPLING_PARAMS, Catalog, ModelSpec
from deepseek_tui.store import Conversation, Message, Store
from deepseek_tui.turn_settings import TurnSettings

if TYPE_CHECKING:
    from deepseek_tui.api import DeepSeekClient

#: How a request's finish reason maps to the stored status.
_FINISH_STATUS = {"insufficient_system_resource": "error"}
_FINISH_NOTES = {
    "length": "the answer was cut off at max_tokens (or the context limit)",
    "content_filter": "the host's content filter stopped the answer",
    "insufficient_system_resource": "the server ran out of capacity and cut the answer short;"
    " retry",
}


class TurnError(Exception):
    """A turn could not run or failed; ``str()`` is one line a person can act on."""

    def __init__(self, message: str, *, cause: APIError | None = None) -> None:
        super().__init__(message)
        self.cause = cause


class RetiredModel(TurnError):
    """The chosen id is retired on this host; ``spec`` names the successor."""

    def __init__(self, spec: ModelSpec) -> None:
        hint = spec.retirement_message()
        super().__init__(f"{hint} (the host answers HTTP 400 for the old id)")
        self.spec = spec


class AttachmentRefused(TurnError):
    """The model cannot take an attachment (e.g. an image for a text-only model);
    raised before anything is stored or sent."""


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    request: ChatRequest
    spec: ModelSpec
    thinking: bool
    dropped: tuple[str, ...]
    """Parameters the user set that the model ignores in this mode (left out)."""
    notes: tuple[str, ...] = ()
    """What was changed to suit the host (e.g. a clamped temperature), to show."""


def prepare_request(
    *,
    spec: ModelSpec,
    settings: TurnSettings,
    system: str | None,
    history: list[Message],
    prompt: str,
    attachments: Sequence[Attachment] = (),
    temperature_max: float | None = None,
) -> PreparedRequest:
    """Turn stored history plus the new prompt into a request for ``spec``.

    Replayed history is byte-identical between turns (so DeepSeek's prefix cache
    keeps hitting): the same stored text in the same order. An exchange whose
    answer failed before any text is left out entirely, so the model never sees
    an empty assistant message or two user messages in a row.

    ``attachments`` go into the new user message only (:func:`content_parts`
    raises :class:`AttachmentError` for one the model cannot take).
    ``temperature_max`` is the provider's upper bound: a higher temperature is
    sent as that bound, with a note, instead of earning a 400 from the host.
    """
    thinking = spec.thinks(settings.thinking)
    messages: list[ChatMessage] = []
    if system:
        messages.append(ChatMessage("system", system))
    messages.extend(_replayable(history, spec))
    messages.append(ChatMessage("user", content_parts(prompt, attachments, spec)))

    notes: list[str] = []
    temperature = settings.temperature
    if (
        temperature is not None
        and temperature_max is not None
        and temperature > temperature_max
        and "temperature" not in spec.ignored(thinking)
    ):
        notes.append(
            f"temperature {temperature:g} is above this host's maximum of {temperature_max:g};"
            f" sent {temperature_max:g}"
        )
        temperature = temperature_max

    ignored = spec.ignored(thinking)
    dropped = tuple(
        p for p in (*SAMPLING_PARAMS, "logprobs") if p in ignored and getattr(settings, p, None)
    )
    request = ChatRequest(
        model=settings.model,
        messages=tuple(messages),
        temperature=temperature,
        top_p=settings.top_p,
        max_tokens=settings.max_tokens,
        presence_penalty=settings.presence_penalty,
        frequency_penalty=settings.frequency_penalty,
        json_mode=settings.json_mode,
        thinking=thinking if spec.thinking == "switchable" else None,
        reasoning_effort=spec.effort(settings.effort) if thinking else None,
        passback=spec.passback,
        omit=ignored,
    )
    return PreparedRequest(request, spec, thinking, dropped, tuple(notes))


def _replayable(history: list[Message], spec: ModelSpec) -> list[ChatMessage]:
    out: list[ChatMessage] = []
    pending_user: ChatMessage | None = None
    for m in history:
        if m.role == "user":
            if pending_user is not None:
                out.append(pending_user)
            content = replay_content(m.content, m.attachments, spec) if m.attachments else m.content
            pending_user = ChatMessage("user", content)
        elif m.role == "assistant":
            if not m.content:
                pending_user = None  # a failed exchange: drop the question too
                continue
            if pending_user is not None:
                out.append(pending_user)
                pending_user = None
            out.append(ChatMessage("assistant", m.content, reasoning=m.reasoning))
        elif m.role == "system":
            continue
    if pending_user is not None:
        out.append(pending_user)
    return out


def drop_oldest_exchanges(history: list[Message], exchanges: int) -> list[Message]:
    """``history`` from its ``exchanges + 1``-th user message on: the oldest
    exchanges (a prompt and its answer) left out of a request. System messages
    are not counted; the conversation's system prompt is sent apart."""
    if exchanges <= 0:
        return history
    seen = 0
    for i, m in enumerate(history):
        if m.role == "user":
            if seen == exchanges:
                return history[i:]
            seen += 1
    return []


@dataclass
class TurnOutcome:
    """What a turn produced, whole or in part."""

    content: str = ""
    reasoning: str = ""
    finish_reason: str | None = None
    usage: Usage | None = None
    cost: float | None = None
    status: str = "streaming"
    error: str | None = None
    model: str = ""
    conversation_id: str | None = None
    assistant_message_id: int | None = None
    notes: list[str] = field(default_factory=list)


class Turn:
    """One exchange: the user's prompt, the model's answer, persisted as it streams.

    Use ``async for event in turn.events(): ...``; afterwards ``turn.outcome``
    holds the result. Cancelling the consuming task (Esc, Ctrl+C) or leaving the
    loop early stops the request and stores the partial answer as
    ``interrupted``. Failures are raised as :class:`TurnError` after the partial
    answer is stored.

    ``attachments`` come from :func:`deepseek_tui.attachments.load_attachment`;
    ``temperature_max`` from the provider profile
    (``settings.active.temperature_max``); ``drop_oldest`` leaves that many of
    the oldest exchanges out of the request (they stay stored).
    """

    def __init__(
        self,
        *,
        client: DeepSeekClient,
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
        checkpoint_interval: float = 1.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._client = client
        self._store = store
        self._catalog = catalog
        self._host = host
        self._prompt = prompt
        self._settings = settings
        self._conversation = conversation
        self._system = system if conversation is None else conversation.system
        self._provider = provider
        self._attachments = tuple(attachments)
        self._temperature_max = temperature_max
        self._drop_oldest = drop_oldest
        self._interval = checkpoint_interval
        self._now = now
        self.spec = catalog.lookup(settings.model, host)
        self.outcome = TurnOutcome(model=settings.model)
        self.prepared: PreparedRequest | None = None

    @property
    def conversation(self) -> Conversation | None:
        return self._conversation

    def check_model(self) -> None:
        """Raise :class:`RetiredModel` if the chosen id no longer works on this host."""
        if self.spec.is_retired(self._now()):
            raise RetiredModel(self.spec)

    def check_attachments(self) -> None:
        """Raise :class:`AttachmentRefused` if the model cannot take an attachment;
        the message names the models on this host that can."""
        try:
            check_attachments(self._attachments, self.spec, catalog=self._catalog, host=self._host)
        except AttachmentError as exc:
            raise AttachmentRefused(str(exc)) from None

    async def events(self) -> AsyncGenerator[StreamEvent, None]:
        self.check_model()
        self.check_attachments()
        started = self._now()
        history = drop_oldest_exchanges(await self._begin(), self._drop_oldest)
        self.prepared = prepare_request(
            spec=self.spec,
            settings=self._settings,
            system=self._system,
            history=history,
            prompt=self._prompt,
            attachments=self._attachments,
            temperature_max=self._temperature_max,
        )
        out = self.outcome
        last_save = time.monotonic()
        finished = False
        try:
            async for event in self._client.stream_chat(self.prepared.request):
                if isinstance(event, ContentDelta):
                    out.content += event.text
                elif isinstance(event, ReasoningDelta):
                    out.reasoning += event.text
                elif isinstance(event, Usage):
                    out.usage = event
                elif isinstance(event, Finish):
                    out.finish_reason = event.reason
                yield event
                if time.monotonic() - last_save >= self._interval:
                    # Also a heartbeat while queued: a fresh ``updated`` tells other
                    # processes starting up that this row is alive (RECOVER_AFTER).
                    await asyncio.to_thread(self._checkpoint)
                    last_save = time.monotonic()
            out.cost = self.spec.cost(out.usage, started) if out.usage else None
            out.status = _FINISH_STATUS.get(out.finish_reason or "", "complete")
            note = _FINISH_NOTES.get(out.finish_reason or "")
            if note:
                out.notes.append(note)
                if out.status == "error":
                    out.error = note
            self._finish()
            finished = True
        except APIError as exc:
            out.content = out.content or exc.partial_content
            out.reasoning = out.reasoning or exc.partial_reasoning
            message = await self._explain(exc)
            out.status = "interrupted" if out.content else "error"
            out.error = message
            self._finish()
            finished = True
            raise TurnError(message, cause=exc) from None
        finally:
            if not finished:
                # Cancelled (Esc, Ctrl+C) or the consumer left the loop: keep what arrived.
                out.status = "interrupted"
                out.error = out.error or "stopped"
                self._finish()

    async def _begin(self) -> list[Message]:
        """Create the conversation if needed, record the prompt and a placeholder."""
        if self._store is None:
            return []
        return await asyncio.to_thread(self._begin_sync)

    def _begin_sync(self) -> list[Message]:
        store = self._store
        assert store is not None
        params = self._settings.to_params()
        if self._conversation is None:
            self._conversation = store.create_conversation(
                title="",
                model=self._settings.model,
                params=params,
                system=self._system or None,
                provider=self._provider,
            )
            history: list[Message] = []
        else:
            history = store.messages(self._conversation.id)
            store.update_conversation(
                self._conversation.id, model=self._settings.model, params=params
            )
        _, assistant = store.begin_turn(
            self._conversation.id,
            user_content=self._prompt,
            model=self._settings.model,
            params=params,
            attachments=[a.record() for a in self._attachments] or None,
        )
        self.outcome.conversation_id = self._conversation.id
        self.outcome.assistant_message_id = assistant.id
        return history

    def _checkpoint(self) -> None:
        if self._store is not None and self.outcome.assistant_message_id is not None:
            self._store.checkpoint(
                self.outcome.assistant_message_id, self.outcome.content, self.outcome.reasoning
            )

    def _finish(self) -> None:
        """Write the final state. Synchronous on purpose: it must also run while the
        task is being cancelled, where awaiting is not reliable."""
        out = self.outcome
        if self._store is None or out.assistant_message_id is None:
            return
        self._store.finish_message(
            out.assistant_message_id,
            content=out.content,
            reasoning=out.reasoning or None,
            status=out.status,  # type: ignore[arg-type]
            finish_reason=out.finish_reason,
            usage=out.usage.to_dict() if out.usage else None,
            cost=out.cost,
            error=out.error,
            model=self._settings.model,
        )

    async def _explain(self, exc: APIError) -> str:
        """The error's message, plus what the host can tell us about it."""
        message = exc.message
        try:
            if isinstance(exc, ModelNotFound):
                offered = [m.id for m in await self._client.list_models()]
                if offered:
                    message += f"; this host offers: {', '.join(offered[:12])}"
            elif isinstance(exc, InsufficientBalance):
                balance = await self._client.balance()
                if balance is not None and balance.infos:
                    amounts = ", ".join(f"{b.total} {b.currency}" for b in balance.infos)
                    message += f"; balance: {amounts}; top up at https://platform.deepseek.com"
        except APIError:
            pass  # the original failure is what matters; the extra detail is optional
        return message


def client_for(settings: Settings, api_key: str) -> DeepSeekClient:
    """A client for the active provider with the configured deadlines and retries
    (the first call imports httpx)."""
    from deepseek_tui.api import DeepSeekClient

    n = settings.network
    return DeepSeekClient(
        settings.active.base_url,
        api_key,
        timeouts=Timeouts(
            connect=n.connect_timeout,
            read=n.read_timeout,
            first_token=n.first_token_timeout,
            idle=n.idle_timeout,
            total=n.total_timeout,
        ),
        max_retries=n.max_retries,
    )


def with_overrides(base: TurnSettings, **changes: Any) -> TurnSettings:
    """``base`` with every non-None change applied."""
    return replace(base, **{k: v for k, v in changes.items() if v is not None})
