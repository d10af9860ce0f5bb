"""Turn an HTTP error answer into one typed, readable, key-free error.

The status decides the class (checked before the body is parsed); the body
only adds the server's own words. Whatever the host sends is untrusted: it is
stripped of the API key and of terminal control sequences, squeezed onto one
line and cut to 200 characters before it goes into a message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from deepseek_tui.api._errors import (
    APIError,
    AuthenticationError,
    BadRequest,
    HTTPStatusError,
    InsufficientBalance,
    ModelNotFound,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    UnexpectedResponse,
)
from deepseek_tui.api._json import loads as wire_json
from deepseek_tui.sanitize import clean

__all__ = [
    "MAX_SERVER_MESSAGE",
    "Host",
    "content_type_of",
    "error_from_payload",
    "error_from_response",
    "request_id_of",
    "server_text",
]

#: Longest piece of a server's message we quote.
MAX_SERVER_MESSAGE = 200

_TOP_UP_URL = "https://platform.deepseek.com/top_up"

_SPACES = re.compile(r"\s+")
_MODEL_MISSING = re.compile(
    r"model[ _]not[ _]exist|model_not_found|no such model|unknown model|invalid model"
    r"|model\b.{0,80}\b(?:does not exist|not found|not exist|is not supported)",
    re.IGNORECASE,
)
_BALANCE = re.compile(
    r"balance|quota|credit|insufficient|余额|额度|欠费|billing|payment", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Host:
    """Who we talk to, for messages: ``label`` is "DeepSeek" on DeepSeek's own host."""

    netloc: str
    label: str
    is_deepseek: bool

    @classmethod
    def from_url(cls, url: str) -> Host:
        parsed = httpx.URL(url)
        netloc = parsed.host
        if parsed.port is not None:
            netloc = f"{netloc}:{parsed.port}"
        is_deepseek = parsed.host == "deepseek.com" or parsed.host.endswith(".deepseek.com")
        return cls(
            netloc=netloc, label="DeepSeek" if is_deepseek else netloc, is_deepseek=is_deepseek
        )


# Whatever the host sends is cleaned of control sequences *before* the key is
# masked (a key split by an escape sequence is whole again once it is removed)
# and cut to length *after* (a cut could leave part of the key unmasked).


def request_id_of(
    headers: Mapping[str, str], scrub: Callable[[str], str] | None = None
) -> str | None:
    """DeepSeek's ``x-ds-trace-id``, or the common ``x-request-id``."""
    value = headers.get("x-ds-trace-id") or headers.get("x-request-id")
    if not value:
        return None
    value = clean(value)
    return (scrub(value) if scrub else value)[:200]


def server_text(text: str, scrub: Callable[[str], str]) -> str:
    """A server-provided string made safe and short enough to show on one line."""
    text = _SPACES.sub(" ", scrub(clean(text))).strip()
    if len(text) > MAX_SERVER_MESSAGE:
        text = text[: MAX_SERVER_MESSAGE - 1].rstrip() + "…"
    return text


def content_type_of(headers: Mapping[str, str] | None, scrub: Callable[[str], str]) -> str:
    """The media type of a response, made safe to show (``no type`` without one)."""
    value = headers.get("content-type", "") if headers is not None else ""
    return scrub(clean(str(value))).split(";")[0].strip().lower()[:100] or "no type"


def _text(value: Any) -> str:
    # Not cut here: server_text cuts after masking the key (bodies are size-limited).
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _fields(payload: Any) -> tuple[str, str | None, str | None]:
    """``(message, type, code)`` from the usual error shapes of OpenAI-style hosts."""
    if isinstance(payload, str):
        return payload, None, None
    if not isinstance(payload, dict):
        return "", None, None
    err = payload.get("error", payload)
    if isinstance(err, str):
        message = err
        err = payload
    elif isinstance(err, dict):
        message = _text(err.get("message") or err.get("msg") or err.get("detail") or "")
    else:
        message = ""
        err = payload
    if not message and isinstance(payload.get("message"), str):
        message = payload["message"]
    if not message and payload.get("detail") is not None:
        detail = payload["detail"]
        message = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
    err_type = err.get("type") if isinstance(err, dict) else None
    code = err.get("code") if isinstance(err, dict) else None
    return (
        message,
        err_type if isinstance(err_type, str) else None,
        str(code) if isinstance(code, str | int) and not isinstance(code, bool) else None,
    )


def _quote(status: int, server: str, fallback: str) -> str:
    return f"HTTP {status}: {server or fallback}"


def error_for_status(
    status: int,
    server: str,
    *,
    error_type: str | None,
    code: str | None,
    host: Host,
    path: str,
    model: str | None,
    request_id: str | None,
    retry_after: float | None,
) -> HTTPStatusError:
    """The error class and message for an HTTP status; ``server`` is already safe."""
    who = host.label
    kw: dict[str, Any] = {
        "status": status,
        "server_message": server,
        "error_type": error_type or code,
        "retry_after": retry_after,
        "request_id": request_id,
    }
    hint = " ".join(filter(None, (server, error_type, code)))
    if status in (400, 404, 422) and _MODEL_MISSING.search(hint):
        name = f"model {model!r}" if model else "that model"
        return ModelNotFound(
            f"{who} does not offer {name} ({_quote(status, server, 'Model Not Exist')}); "
            "pick another model (`deepseek-tui models` lists them)",
            **kw,
        )
    if status == 401:
        return AuthenticationError(
            f"{who} rejected the API key ({_quote(status, server, 'API key missing or invalid')});"
            " check DEEPSEEK_API_KEY or the key in your config",
            **kw,
        )
    if status == 402 or (status == 403 and _BALANCE.search(hint)):
        where = f"top up at {_TOP_UP_URL}" if host.is_deepseek else "top up your account"
        return InsufficientBalance(
            f"{who}: insufficient balance ({_quote(status, server, 'Insufficient Balance')}); "
            f"{where}",
            **kw,
        )
    if status in (400, 422):
        fallback = "Invalid Format" if status == 400 else "Invalid Parameters"
        return BadRequest(
            f"{who} rejected the request ({_quote(status, server, fallback)}); "
            "check the model and its parameters",
            **kw,
        )
    if status == 403:
        return PermissionDenied(
            f"{who} denied access ({_quote(status, server, 'Forbidden')}); "
            "check that your key may use this model and endpoint",
            **kw,
        )
    if status == 404:
        return NotFound(
            f"{who} has no {path} ({_quote(status, server, 'Not Found')}); check the base URL",
            **kw,
        )
    if status == 429:
        return RateLimited(
            f"{who} is rate limiting requests ({_quote(status, server, 'Rate Limit Reached')}); "
            "wait a moment or send fewer requests at once",
            **kw,
        )
    if status >= 500:
        fallback = "Server Overloaded" if status == 503 else "Server Error"
        return ServerError(
            f"{who} had a server error ({_quote(status, server, fallback)}); try again in a moment",
            **kw,
        )
    return HTTPStatusError(
        f"{who} answered {_quote(status, server, 'an error')}; check the base URL and try again",
        **kw,
    )


def _error_from_fields(
    status: int,
    fields: tuple[str, str | None, str | None],
    scrub: Callable[[str], str],
    *,
    host: Host,
    path: str,
    model: str | None,
    request_id: str | None,
    retry_after: float | None,
) -> HTTPStatusError:
    """:func:`error_for_status` for a server's (message, type, code), made safe first."""
    message, error_type, code = fields
    return error_for_status(
        status,
        server_text(message, scrub),
        error_type=server_text(error_type, scrub)[:80] if error_type else None,
        code=server_text(code, scrub)[:80] if code else None,
        host=host,
        path=path,
        model=model,
        request_id=request_id,
        retry_after=retry_after,
    )


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    host: Host,
    path: str,
    model: str | None,
    scrub: Callable[[str], str],
    retry_after: float | None,
) -> APIError:
    """The error for a non-2xx answer (or a redirect) with the body read so far."""
    request_id = request_id_of(headers, scrub)
    text = body.strip()
    payload: Any = None
    if text:
        try:
            payload = wire_json(text)
        except (ValueError, RecursionError):
            payload = None
    if (text and not isinstance(payload, dict | str)) or 300 <= status < 400:
        return unexpected(status, headers, host=host, request_id=request_id, scrub=scrub)
    message, error_type, code = _fields(payload)
    return _error_from_fields(
        status,
        (message, error_type, code),
        scrub,
        host=host,
        path=path,
        model=model,
        request_id=request_id,
        retry_after=retry_after,
    )


def unexpected(
    status: int,
    headers: Mapping[str, str],
    *,
    host: Host,
    request_id: str | None,
    scrub: Callable[[str], str],
    partial_content: str = "",
    partial_reasoning: str = "",
) -> UnexpectedResponse:
    """A body that is not the API speaking: an HTML page, a redirect, plain text.

    A redirect's ``Location`` may carry the key (``?key=sk-…``, ``https://sk-…@host``):
    it is masked like everything else the host says.
    """
    content_type = content_type_of(headers, scrub)
    if 300 <= status < 400:
        location = scrub(clean(headers.get("location", "")))[:200]
        advice = (
            f"redirected to {location}; use that as the base URL"
            if location
            else ("a redirect; check the base URL")
        )
    elif status >= 500:
        advice = "the host or a proxy in front of it failed; try again later"
    elif status in (401, 403):
        advice = "check the base URL and the API key"
    else:
        advice = "check the base URL (it must be an OpenAI-compatible API)"
    return UnexpectedResponse(
        f"unexpected response from {host.netloc} (HTTP {status}, {content_type}): {advice}",
        status=status,
        content_type=content_type,
        request_id=request_id,
        partial_content=partial_content,
        partial_reasoning=partial_reasoning,
    )


_TYPE_STATUS = {
    "authentication_error": 401,
    "invalid_api_key": 401,
    "permission_error": 403,
    "permission_denied": 403,
    "insufficient_quota": 402,
    "insufficient_balance": 402,
    "rate_limit_error": 429,
    "rate_limit_exceeded": 429,
    "invalid_request_error": 400,
    "model_not_found": 404,
    "not_found_error": 404,
    "server_error": 500,
    "overloaded_error": 503,
}


def error_from_payload(
    payload: Any,
    *,
    host: Host,
    path: str,
    model: str | None,
    scrub: Callable[[str], str],
    request_id: str | None,
) -> HTTPStatusError | None:
    """The error a 200 answer's ``{"error": ...}`` body stands for, if its kind is clear.

    Some hosts answer errors with HTTP 200 and an error object; we infer the
    status from its numeric ``code`` or its ``type``. None when we cannot tell.
    """
    message, error_type, code = _fields(payload)
    status: int | None = None
    if code is not None and code.isdigit() and 400 <= int(code) <= 599:
        status = int(code)
    else:
        for key in (error_type, code):
            if key is not None and key.lower() in _TYPE_STATUS:
                status = _TYPE_STATUS[key.lower()]
                break
    if status is None:
        return None
    return _error_from_fields(
        status,
        (message, error_type, code),
        scrub,
        host=host,
        path=path,
        model=model,
        request_id=request_id,
        retry_after=None,
    )
