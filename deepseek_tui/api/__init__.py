"""Async DeepSeek client on httpx: requests, SSE stream -> typed events, errors,
retries, ``/models`` and ``/user/balance``. Imports no Textual.

Typical use::

    async with DeepSeekClient(base_url, api_key) as client:
        async with contextlib.aclosing(client.stream_chat(request)) as events:
            async for event in events:
                ...

Everything a caller needs is exported here; the ``_modules`` are private.
The client itself (and with it httpx, ~60 ms to import) loads on first use of
``DeepSeekClient``, so code that only needs the event and error types — the
TUI before its first frame — does not pay for it.
"""

import typing as _typing

from deepseek_tui.api._errors import (
    APIError,
    AuthenticationError,
    BadRequest,
    ConnectionFailed,
    HTTPStatusError,
    InsufficientBalance,
    ModelNotFound,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    StreamError,
    Timeout,
    UnexpectedResponse,
)
from deepseek_tui.api._fold import StreamAccumulator, collect
from deepseek_tui.api._retry import RETRY_STATUSES, RetryPolicy, parse_retry_after
from deepseek_tui.api._sse import Comment, SSEDecoder
from deepseek_tui.api._think import ThinkSplitter, split_think
from deepseek_tui.api._timeouts import Timeouts
from deepseek_tui.api._types import (
    OMITTABLE_PARAMS,
    Balance,
    BalanceInfo,
    ChatMessage,
    ChatRequest,
    ChatResult,
    ContentDelta,
    Finish,
    ModelInfo,
    PassBack,
    Queued,
    ReasoningDelta,
    Started,
    StreamEvent,
    ToolCallDelta,
    Usage,
)

if _typing.TYPE_CHECKING:
    from deepseek_tui.api._client import DEFAULT_USER_AGENT, DeepSeekClient, normalize_base_url

_LAZY = frozenset({"DEFAULT_USER_AGENT", "DeepSeekClient", "normalize_base_url"})


def __getattr__(name: str) -> _typing.Any:
    """``DeepSeekClient`` and its companions, imported when first asked for."""
    if name in _LAZY:
        from deepseek_tui.api import _client

        value = getattr(_client, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_USER_AGENT",
    "OMITTABLE_PARAMS",
    "RETRY_STATUSES",
    "APIError",
    "AuthenticationError",
    "BadRequest",
    "Balance",
    "BalanceInfo",
    "ChatMessage",
    "ChatRequest",
    "ChatResult",
    "Comment",
    "ConnectionFailed",
    "ContentDelta",
    "DeepSeekClient",
    "Finish",
    "HTTPStatusError",
    "InsufficientBalance",
    "ModelInfo",
    "ModelNotFound",
    "NotFound",
    "PassBack",
    "PermissionDenied",
    "Queued",
    "RateLimited",
    "ReasoningDelta",
    "RetryPolicy",
    "SSEDecoder",
    "ServerError",
    "Started",
    "StreamAccumulator",
    "StreamError",
    "StreamEvent",
    "ThinkSplitter",
    "Timeout",
    "Timeouts",
    "ToolCallDelta",
    "UnexpectedResponse",
    "Usage",
    "collect",
    "normalize_base_url",
    "parse_retry_after",
    "split_think",
]
