"""What the fake hosts accept and reject, with the messages the real ones send.

Three hosts are modelled (see the wire reference):

``deepseek``  DeepSeek's own API today: V4 ids, thinking on by default,
              ``reasoning_effort``, the V4 ``reasoning_content`` pass-back rule.
``r1``        A third-party host still serving R1-era ids: reasoning is never
              allowed back in the input.
``generic``   An OpenAI-compatible host that checks the key, the model and
              the sampling ranges; ``deepseek-v3.2`` there is the aggregator's
              (temperature 0-1).

``max_tokens`` is checked as DeepSeek does (1-393216 on its own API; 1-8192
for the reseller's R1, whose default is 512) and an answer longer than it is
cut with ``finish_reason: "length"``, reasoning included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from ._scenarios import Reply
from ._tokens import CHARS_PER_TOKEN, estimate

Host = Literal["deepseek", "r1", "generic"]
HOSTS: tuple[Host, ...] = ("deepseek", "r1", "generic")

DEFAULT_MODELS: dict[Host, tuple[str, ...]] = {
    "deepseek": ("deepseek-flash", "deepseek-v4-pro", "deepseek-v4-flash"),
    "r1": ("deepseek-ai/DeepSeek-R1", "deepseek-chat", "deepseek-reasoner"),
    "generic": ("deepseek-v3.2", "deepseek-chat"),
}

DEFAULT_BALANCE: dict[str, Any] = {
    "is_available": True,
    "balance_infos": [
        {
            "currency": "USD",
            "total_balance": "7.42",
            "granted_balance": "0.50",
            "topped_up_balance": "6.92",
        }
    ],
}

#: ``reasoning_effort`` values DeepSeek accepts (Oct 2026) and what they mean.
EFFORTS: dict[str, str] = {
    "low": "low",
    "high": "high",
    "max": "max",
    "minimal": "low",
    "medium": "high",
    "xhigh": "high",
    "ultra": "max",
}

PASSBACK_MESSAGE = "The reasoning_content in the thinking mode must be passed back to the API."
JSON_WORD_MESSAGE = (
    "Prompt must contain the word 'json' in some form to use 'response_format' of type "
    "'json_object'."
)
"""DeepSeek's 400 for JSON mode when no message says "json" (as its API sends it)."""
R1_REASONING_MESSAGE = (
    "The reasoning_content is an intermediate result for display purposes only and will "
    "not be included in the context for inference. Please remove the reasoning_content "
    "from your message to reduce network traffic."
)

#: What DeepSeek answers (HTTP 400) to ``prefix`` outside the ``/beta`` base
#: (its words, as reported by users of the API in 2025).
PREFIX_NOT_BETA_MESSAGE = (
    'prefix is only available when using beta api (set base_url="https://api.deepseek.com/beta")'
)


def last_message_message(model: str) -> str:
    """DeepSeek's 400 for a request ending in an assistant message that is not
    a prefix (its words for ``deepseek-reasoner``, reported in 2025)."""
    return (
        f"The last message of {model} must be a user message, or an assistant message with "
        "prefix mode on (refer to https://api-docs.deepseek.com/guides/chat_prefix_completion)."
    )


#: DeepSeek's names for error statuses (wire reference §6).
STATUS_MESSAGES: dict[int, str] = {
    400: "Invalid Format",
    401: "Authentication Fails",
    402: "Insufficient Balance",
    404: "Not Found",
    422: "Invalid Parameters",
    429: "Rate Limit Reached",
    500: "Server Error",
    503: "Server Overloaded",
}


def error_type_for(status: int) -> str:
    if status == 401:
        return "authentication_error"
    if status in (400, 404, 405, 411, 413, 422):
        return "invalid_request_error"
    if status == 429:
        return "rate_limit_error"
    return "unknown_error"


def error_body(message: str, error_type: str = "invalid_request_error") -> dict[str, Any]:
    """DeepSeek's error body shape."""
    return {
        "error": {
            "message": message,
            "type": error_type,
            "param": None,
            "code": "invalid_request_error",
        }
    }


def auth_failure(authorization: str | None) -> str:
    """The 401 message, with the key masked to its last four characters."""
    key = ""
    if authorization:
        scheme, _, rest = authorization.partition(" ")
        key = rest.strip() if scheme.lower() == "bearer" else authorization.strip()
    return f"Authentication Fails, Your api key: ****{key[-4:]} is invalid"


@dataclass(frozen=True)
class Rejection:
    """A request the host refuses: the status and the message it sends."""

    status: int
    message: str
    error_type: str = "invalid_request_error"


def is_r1_style(model: str) -> bool:
    lowered = model.lower()
    return "reasoner" in lowered or "deepseek-r1" in lowered


def thinking_on(host: Host, body: dict[str, Any]) -> bool:
    """Whether the model reasons for this request on this host."""
    model = str(body.get("model", ""))
    thinking = body.get("thinking")
    kind = thinking.get("type") if isinstance(thinking, dict) else None
    if host == "deepseek":
        return kind != "disabled"
    if host == "r1":
        return is_r1_style(model)
    return kind == "enabled" or is_r1_style(model)


def thinking_disabled(body: dict[str, Any]) -> bool:
    thinking = body.get("thinking")
    return isinstance(thinking, dict) and thinking.get("type") == "disabled"


MAX_TOKENS_MESSAGE = "Invalid max_tokens value, the valid range of max_tokens is [1, {hi}]"
"""DeepSeek's 400 for ``max_tokens`` out of range (the R1 reseller mirrors it)."""


def max_tokens_limits(host: Host, model: str) -> tuple[int | None, int | None]:
    """``max_tokens``' upper bound and the default used when a request has none,
    on this host for this model (``None``: unchecked / no cut)."""
    if host == "deepseek":
        return 393_216, None  # every V4 id (wire reference §2.1: 384K)
    if host == "r1":
        if "deepseek-r1" in model.lower():
            return 8_192, 512  # the reseller's reference: >= 1, <= 8192, default 512
        if model == "deepseek-chat":
            return 8_192, None  # V3.x: 8K at most
    return None, None


def temperature_limit(host: Host, model: str) -> float:
    """The highest temperature this host takes for this model."""
    return 1.0 if host == "generic" and model == "deepseek-v3.2" else 2.0


def token_limit(host: Host, body: dict[str, Any]) -> int | None:
    """How many tokens (reasoning and answer) this request may produce."""
    requested = body.get("max_tokens")
    if isinstance(requested, int) and not isinstance(requested, bool):
        return requested
    return max_tokens_limits(host, str(body.get("model", "")))[1]


def cut_to(reply: Reply, limit: int | None) -> Reply:
    """``reply`` cut at ``limit`` tokens, reasoning first, as a host stops at
    ``max_tokens``: what fits, and ``finish_reason: "length"``."""
    if limit is None or estimate(reply.reasoning) + estimate(reply.content) <= limit:
        return reply
    budget = limit * CHARS_PER_TOKEN
    reasoning = reply.reasoning[:budget]
    content = reply.content[: max(budget - len(reasoning), 0)]
    return replace(
        reply, reasoning=reasoning, content=content, finish_reason="length", tool_calls=None
    )


def _deserialize(detail: str) -> Rejection:
    return Rejection(400, f"Failed to deserialize the JSON body into the target type: {detail}")


def validate_chat(
    body: Any,
    *,
    host: Host,
    models: Sequence[str],
    strict_passback: bool,
    temperature_max: float | None = None,
    beta: bool = False,
) -> Rejection | None:
    """The first reason the host would refuse this chat body, or ``None``.

    ``temperature_max`` overrides the host's own bound for the model;
    ``beta``: it came to ``/beta/chat/completions`` (DeepSeek only)."""
    if not isinstance(body, dict):
        return _deserialize("invalid type: expected struct ChatCompletionRequest")
    if "model" not in body:
        return _deserialize("missing field `model`")
    if "messages" not in body:
        return _deserialize("missing field `messages`")
    messages = body["messages"]
    if not isinstance(messages, list):
        return _deserialize("messages: invalid type: expected a sequence")
    if not messages:
        return Rejection(400, "Empty input messages")
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in (
            "system",
            "user",
            "assistant",
            "tool",
        ):
            return _deserialize(f"messages[{index}].role: unknown or missing variant")
    model = body["model"]
    if not isinstance(model, str) or model not in models:
        return Rejection(400, "Model Not Exist")
    if temperature_max is None:
        temperature_max = temperature_limit(host, model)
    rejection = _check_sampling(body, host=host, temperature_max=temperature_max)
    if rejection is None:
        rejection = _check_max_tokens(body, host=host, model=model)
    if rejection is not None:
        return rejection
    if host == "deepseek":
        return _check_prefix(messages, str(model), beta=beta) or _check_deepseek(
            body, messages, strict_passback=strict_passback
        )
    if host == "r1" and any("reasoning_content" in m for m in messages):
        return Rejection(400, R1_REASONING_MESSAGE)
    return None


def _check_sampling(
    body: dict[str, Any], *, host: Host, temperature_max: float
) -> Rejection | None:
    status = 400 if host == "generic" else 422
    temperature = body.get("temperature")
    if temperature is not None:
        if isinstance(temperature, bool) or not isinstance(temperature, int | float):
            return Rejection(status, "temperature must be a number")
        if not 0 <= temperature <= temperature_max:
            return Rejection(
                status, f"temperature must be between 0 and {temperature_max:g}, got {temperature}"
            )
    top_p = body.get("top_p")
    if top_p is not None and (
        isinstance(top_p, bool) or not isinstance(top_p, int | float) or not 0 <= top_p <= 1
    ):
        return Rejection(status, f"top_p must be between 0 and 1, got {top_p}")
    return None


def _check_max_tokens(body: dict[str, Any], *, host: Host, model: str) -> Rejection | None:
    hi = max_tokens_limits(host, model)[0]
    value = body.get("max_tokens")
    if hi is None or value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return _deserialize("max_tokens: invalid type: expected u32")
    if not 1 <= value <= hi:
        return Rejection(400, MAX_TOKENS_MESSAGE.format(hi=hi))
    return None


def _check_prefix(messages: list[dict[str, Any]], model: str, *, beta: bool) -> Rejection | None:
    """Chat prefix completion: ``prefix`` only on ``/beta``, only on the last
    message, and a request may end in an assistant message only with it."""
    prefixed = [i for i, m in enumerate(messages) if m.get("prefix") is True]
    if prefixed and not beta:
        return Rejection(400, PREFIX_NOT_BETA_MESSAGE)
    last = messages[-1]
    if prefixed and (prefixed != [len(messages) - 1] or last.get("role") != "assistant"):
        # wording not documented; DeepSeek's rule (wire reference §3) is what counts
        return Rejection(400, "prefix is only allowed on the last message, an assistant message")
    if last.get("role") == "assistant" and not prefixed:
        return Rejection(400, last_message_message(model))
    return None


def _check_deepseek(
    body: dict[str, Any], messages: list[dict[str, Any]], *, strict_passback: bool
) -> Rejection | None:
    if _json_mode(body) and not any("json" in _text(m).lower() for m in messages):
        return Rejection(400, JSON_WORD_MESSAGE)
    thinking = body.get("thinking")
    if thinking is not None and (
        not isinstance(thinking, dict) or thinking.get("type") not in ("enabled", "disabled")
    ):
        return _deserialize("thinking.type: unknown variant, expected `enabled` or `disabled`")
    effort = body.get("reasoning_effort")
    if effort is not None and effort not in EFFORTS:
        return Rejection(
            400,
            f"Invalid reasoning_effort: {effort!r}. Supported values: low, high, max.",
        )
    if not thinking_on("deepseek", body):
        return None
    if body.get("logprobs"):
        return Rejection(400, "logprobs is not supported in the thinking mode.")
    for message in messages:
        if message.get("role") != "assistant":
            continue
        has_reasoning = isinstance(message.get("reasoning_content"), str)
        if message.get("tool_calls") and not has_reasoning:
            return Rejection(400, PASSBACK_MESSAGE)
        if strict_passback and not has_reasoning:
            return Rejection(400, PASSBACK_MESSAGE)
    return None


def _json_mode(body: dict[str, Any]) -> bool:
    form = body.get("response_format")
    return isinstance(form, dict) and form.get("type") == "json_object"


def _text(message: dict[str, Any]) -> str:
    """All the text of one message (text parts joined for multimodal content)."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(
            str(p.get("text", "")) for p in content if isinstance(p, dict) and "text" in p
        )
    return ""


def last_user_text(body: dict[str, Any]) -> str:
    """The text of the last user message (text parts joined for multimodal content)."""
    for message in reversed(body.get("messages") or []):
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        if isinstance(content, list):
            return " ".join(
                str(p.get("text", "")) for p in content if isinstance(p, dict) and "text" in p
            )
        return ""
    return ""


def default_reply(body: dict[str, Any], *, thinking: bool) -> Reply:
    """The answer when no scenario is queued: short, deterministic, about the prompt."""
    text = " ".join(last_user_text(body).split())
    quoted = text if len(text) <= 120 else text[:117] + "..."
    content = (
        f'You said: "{quoted}". This is the offline DeepSeek test server; '
        "it answers every message the same way."
    )
    reasoning = (
        f"The user sent {len(text)} characters. I will quote them back briefly." if thinking else ""
    )
    return Reply(content=content, reasoning=reasoning)
