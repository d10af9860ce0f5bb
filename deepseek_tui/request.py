"""Requests built from a stored conversation, UI-free.

:func:`prepare_request` turns stored history plus a new prompt into a
:class:`~deepseek_tui.api.ChatRequest` for one model, applying the model
catalog (thinking, effort, parameters the model ignores, reasoning
pass-back). Replayed history is byte-identical from turn to turn, so
DeepSeek's prefix cache keeps hitting.

Long conversations: :func:`drop_oldest_exchanges` leaves the oldest exchanges
out of a request (never out of the store), for a history that outgrew the
model's context window.

Tools: ``tools`` (the request's function list) go out with ``tool_choice:
auto`` to a model the catalog says takes them, and a model that does not gets
none, with a note. Tool rounds in the history replay as
:mod:`deepseek_tui.replay` says (calls as stored, results cut to
``tool_result_limit``, reasoning per pass-back policy); ``prompt=None`` builds
the request that continues a tool loop after its results.

Limits: values outside the model's range on its host (the catalog's
``max_output`` and ``ranges``, a provider's ``temperature_max``) are sent as
the nearest bound, and an unset ``max_tokens`` as the catalog's
``default_max_tokens`` (:func:`deepseek_tui.limits.fit`), with a note in
:attr:`PreparedRequest.notes`.

JSON mode: DeepSeek refuses ``response_format: json_object`` (HTTP 400) unless
the prompt holds the word "json"; when neither the system prompt nor the
conversation's first user message does, :func:`json_instruction` adds a short
system instruction that does, with a note. It is request-only (the stored
system prompt is unchanged) and decided by what never changes from turn to
turn, so it never comes and goes with later messages and replay stays
byte-identical (turning JSON mode on or off changes the system message: the
prompt cache starts again from there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from deepseek_tui import params
from deepseek_tui.api import ChatMessage, ChatRequest, Timeouts
from deepseek_tui.attachments import Attachment, content_parts, withheld_notice
from deepseek_tui.config import Settings
from deepseek_tui.limits import fit
from deepseek_tui.models import ModelSpec
from deepseek_tui.replay import replay
from deepseek_tui.store import Message
from deepseek_tui.turn_settings import TurnSettings

if TYPE_CHECKING:
    from deepseek_tui.api import DeepSeekClient

__all__ = [
    "JSON_INSTRUCTION",
    "JSON_NOTE",
    "NO_TOOLS_NOTE",
    "PreparedRequest",
    "client_for",
    "drop_oldest_exchanges",
    "prepare_continuation",
    "json_instruction",
    "prepare_request",
    "with_overrides",
]


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
    prompt: str | None,
    attachments: Sequence[Attachment] = (),
    temperature_max: float | None = None,
    stored: Mapping[str, bytes] | None = None,
    tools: Sequence[Mapping[str, Any]] | None = None,
    tool_result_limit: int = 20_000,
) -> PreparedRequest:
    """Turn stored history plus the new prompt into a request for ``spec``.

    Replayed history is byte-identical between turns (so DeepSeek's prefix cache
    keeps hitting): the same stored text in the same order. An exchange whose
    answer failed before any text is left out entirely, so the model never sees
    an empty assistant message or two user messages in a row.

    ``attachments`` go into the new user message only (:func:`content_parts`
    raises :class:`AttachmentError` for one the model cannot take).
    Sampling values are fitted to the model's limits on this host
    (:func:`~deepseek_tui.limits.fit`; ``temperature_max`` is the provider's
    override of the upper temperature bound), with a note for each change,
    instead of earning a 400 from the host.
    ``stored`` holds the kept bytes of earlier attachments (by SHA-256): they
    are sent again as they went the first time (see ``attachments``).
    ``prompt=None`` adds no user message: the request continues the last
    exchange of ``history`` (a tool loop after its results). ``tools`` are the
    function entries offered (``ToolSpec.to_wire``), sent only to a model
    that takes them; ``tool_result_limit`` cuts each replayed tool result.
    """
    if prompt is None and attachments:
        raise ValueError("attachments go with a prompt")
    thinking = spec.thinks(settings.thinking)
    messages: list[ChatMessage] = []
    if system:
        messages.append(ChatMessage("system", system))
    replayed = replay(
        history,
        spec,
        stored,
        open_loop=prompt is None,
        tool_result_limit=tool_result_limit,
    )
    messages.extend(replayed.messages)
    if prompt is not None:
        messages.append(ChatMessage("user", content_parts(prompt, attachments, spec)))

    settings, fitted = fit(spec, settings, thinking=thinking, temperature_max=temperature_max)
    notes: list[str] = list(replayed.notes)
    offered: tuple[dict[str, Any], ...] | None = None
    if tools and spec.tools:
        offered = tuple(dict(t) for t in tools)
    elif tools:
        notes.append(NO_TOOLS_NOTE.format(model=settings.model))
    withheld = withheld_notice(history, spec, stored)
    if withheld is not None:
        notes.append(withheld)
    notes.extend(fitted)
    if settings.json_mode:
        messages, added = json_instruction(messages)
        if added:
            notes.append(JSON_NOTE)

    ignored = spec.ignored(thinking)
    dropped = tuple(
        p for p in (*params.SAMPLING, "logprobs") if p in ignored and getattr(settings, p, None)
    )
    request = ChatRequest(
        model=settings.model,
        messages=tuple(messages),
        temperature=settings.temperature,
        top_p=settings.top_p,
        max_tokens=settings.max_tokens,
        presence_penalty=settings.presence_penalty,
        frequency_penalty=settings.frequency_penalty,
        stop=settings.stop or None,
        json_mode=settings.json_mode,
        tools=offered,
        tool_choice="auto" if offered else None,
        thinking=thinking if spec.thinking == "switchable" else None,
        reasoning_effort=spec.effort(settings.effort) if thinking else None,
        passback=spec.passback,
        omit=ignored,
    )
    return PreparedRequest(request, spec, thinking, dropped, tuple(notes))


def prepare_continuation(
    *,
    spec: ModelSpec,
    settings: TurnSettings,
    system: str | None,
    history: list[Message],
    partial: Message,
    temperature_max: float | None = None,
    stored: Mapping[str, bytes] | None = None,
) -> PreparedRequest:
    """A request that continues ``partial`` (an answer cut off at max_tokens)
    with DeepSeek's chat prefix completion: ``history`` up to the prompt it
    answers, then ``partial`` as the last assistant message with ``prefix:
    true``, so the model goes on mid-sentence (the client sends it to the
    ``/beta`` base).

    Thinking mode allows prefix completion (wire reference §2.3); while
    thinking, the partial reasoning travels as the prefix's
    ``reasoning_content``, so the model resumes its reasoning where it was cut
    rather than starting over.
    """
    base = prepare_request(
        spec=spec,
        settings=settings,
        system=system,
        history=history,
        prompt=None,
        temperature_max=temperature_max,
        stored=stored,
    )
    messages = base.request.messages
    prefix = ChatMessage(
        "assistant",
        partial.content,
        reasoning=(partial.reasoning or "") if base.thinking else None,
        prefix=True,
    )
    request = replace(base.request, messages=(*messages, prefix))
    return replace(base, request=request)


NO_TOOLS_NOTE = "{model} cannot call tools: none were offered"
"""The note when tools are offered to a model the catalog says takes none."""

JSON_INSTRUCTION = "Reply with one valid JSON object."
"""What JSON mode adds to the system prompt when the prompt never says "json"."""

JSON_NOTE = (
    'JSON mode needs the word "json" in the prompt (DeepSeek refuses it otherwise);'
    " added a system instruction asking for JSON"
)


def json_instruction(messages: list[ChatMessage]) -> tuple[list[ChatMessage], bool]:
    """``messages`` for a JSON-mode request, and whether the instruction was
    added: unchanged when the system prompt or the first user message holds
    "json" (in any case), else with :data:`JSON_INSTRUCTION` after the system
    prompt (a system message of its own when there is none).

    Only those two decide, not later messages: a later "json" would drop the
    instruction from the front of the request and with it DeepSeek's cached
    prefix of the whole conversation."""
    system = [m for m in messages[:1] if m.role == "system"]
    first_user = next((m for m in messages if m.role == "user"), None)
    for m in [*system, *([first_user] if first_user is not None else [])]:
        parts = m.content if isinstance(m.content, list) else [{"text": m.content or ""}]
        if any("json" in str(p.get("text", "")).lower() for p in parts if isinstance(p, dict)):
            return messages, False
    if messages and messages[0].role == "system" and isinstance(messages[0].content, str):
        first = replace(messages[0], content=f"{messages[0].content}\n\n{JSON_INSTRUCTION}")
        return [first, *messages[1:]], True
    return [ChatMessage("system", JSON_INSTRUCTION), *messages], True


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
