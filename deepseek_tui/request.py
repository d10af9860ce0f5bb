"""Requests built from a stored conversation, UI-free.

:func:`prepare_request` turns stored history plus a new prompt into a
:class:`~deepseek_tui.api.ChatRequest` for one model, applying the model
catalog (thinking, effort, parameters the model ignores, reasoning
pass-back). Replayed history is byte-identical from turn to turn, so
DeepSeek's prefix cache keeps hitting.

Long conversations: :func:`drop_oldest_exchanges` leaves the oldest exchanges
out of a request (never out of the store), for a history that outgrew the
model's context window.

Provider quirks: ``temperature_max`` (from the provider profile) clamps the
temperature for hosts whose range is narrower than DeepSeek's 0-2, with a note
in :attr:`PreparedRequest.notes`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from deepseek_tui import params
from deepseek_tui.api import ChatMessage, ChatRequest, Timeouts
from deepseek_tui.attachments import (
    Attachment,
    content_parts,
    replay_content,
    withheld_notice,
)
from deepseek_tui.config import Settings
from deepseek_tui.models import ModelSpec
from deepseek_tui.store import Message
from deepseek_tui.turn_settings import TurnSettings

if TYPE_CHECKING:
    from deepseek_tui.api import DeepSeekClient

__all__ = [
    "PreparedRequest",
    "client_for",
    "drop_oldest_exchanges",
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
    prompt: str,
    attachments: Sequence[Attachment] = (),
    temperature_max: float | None = None,
    stored: Mapping[str, bytes] | None = None,
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
    ``stored`` holds the kept bytes of earlier attachments (by SHA-256): they
    are sent again as they went the first time (see ``attachments``).
    """
    thinking = spec.thinks(settings.thinking)
    messages: list[ChatMessage] = []
    if system:
        messages.append(ChatMessage("system", system))
    messages.extend(_replayable(history, spec, stored))
    messages.append(ChatMessage("user", content_parts(prompt, attachments, spec)))

    notes: list[str] = []
    withheld = withheld_notice(history, spec, stored)
    if withheld is not None:
        notes.append(withheld)
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
        p for p in (*params.SAMPLING, "logprobs") if p in ignored and getattr(settings, p, None)
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


def _replayable(
    history: list[Message], spec: ModelSpec, stored: Mapping[str, bytes] | None = None
) -> list[ChatMessage]:
    out: list[ChatMessage] = []
    pending_user: ChatMessage | None = None
    for m in history:
        if m.role == "user":
            if pending_user is not None:
                out.append(pending_user)
            content = (
                replay_content(m.content, m.attachments, spec, stored)
                if m.attachments
                else m.content
            )
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
