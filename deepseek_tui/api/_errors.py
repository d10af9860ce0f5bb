"""Errors of the DeepSeek client.

Every failure the client can meet is one of these; nothing else escapes
``stream_chat``, ``complete``, ``list_models`` or ``balance``::

    APIError                     base; .message is one clear line for a person
    ├── ConnectionFailed         could not reach the host (refused, DNS, reset before a reply)
    ├── Timeout                  a deadline passed; .phase is connect / read / write / pool /
    │                            first_token / idle / total (see ``Timeouts``)
    ├── HTTPStatusError          the host answered with an error status
    │   ├── AuthenticationError  401: key missing or invalid
    │   ├── InsufficientBalance  402 (or a host's 403 that says so)
    │   ├── BadRequest           400 / 422: the server's own message
    │   │   └── ModelNotFound    400 "Model Not Exist" and friends
    │   ├── PermissionDenied     403
    │   ├── NotFound             404
    │   ├── RateLimited          429
    │   └── ServerError          5xx
    ├── UnexpectedResponse       not JSON / not SSE where it should be (an HTML error page,
    │                            a redirect, ...); .status and .content_type say what came
    └── StreamError              the stream broke after it began: cut, stalled, malformed,
                                 an ``{"error": ...}`` event, an over-long line, no finish

Every error carries what had been received when it happened (``partial_content``,
``partial_reasoning``), so a caller can keep it. Messages are sanitized and never
contain the API key.
"""

from __future__ import annotations


class APIError(Exception):
    """Base of every client error."""

    def __init__(
        self,
        message: str,
        *,
        request_id: str | None = None,
        partial_content: str = "",
        partial_reasoning: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request_id = request_id
        self.partial_content = partial_content
        self.partial_reasoning = partial_reasoning

    @property
    def retryable(self) -> bool:
        """Whether trying the same request again later may work."""
        return False

    def __str__(self) -> str:
        return self.message


class ConnectionFailed(APIError):
    """Could not reach the host (refused, DNS, reset before a reply); worth a retry."""

    @property
    def retryable(self) -> bool:
        return True


class Timeout(APIError):
    """A deadline passed; ``phase`` says which (see ``Timeouts``), partial text is kept."""

    def __init__(
        self,
        message: str,
        *,
        phase: str,
        request_id: str | None = None,
        partial_content: str = "",
        partial_reasoning: str = "",
    ) -> None:
        super().__init__(
            message,
            request_id=request_id,
            partial_content=partial_content,
            partial_reasoning=partial_reasoning,
        )
        self.phase = phase

    @property
    def retryable(self) -> bool:
        return True


class HTTPStatusError(APIError):
    """The host answered with an error status; ``server_message`` is its own words."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        server_message: str = "",
        error_type: str | None = None,
        retry_after: float | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.status = status
        self.server_message = server_message
        self.error_type = error_type
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.status in (408, 409, 429) or self.status >= 500


class AuthenticationError(HTTPStatusError):
    """401: the API key is missing or invalid; ask the user for a new one."""


class InsufficientBalance(HTTPStatusError):
    """402 (or a host's 403 about balance/quota): the account needs money."""


class BadRequest(HTTPStatusError):
    """400 / 422: the host refused the request as sent; retrying will not help."""


class ModelNotFound(BadRequest):
    """The host does not offer the requested model id (400 ``Model Not Exist``)."""


class PermissionDenied(HTTPStatusError):
    """403: the key may not use this model or endpoint."""


class NotFound(HTTPStatusError):
    """404: usually a wrong base URL."""


class RateLimited(HTTPStatusError):
    """429: too many requests or too much concurrency; ``retry_after`` if given."""


class ServerError(HTTPStatusError):
    """5xx: the host failed or is overloaded; worth a retry later."""


class UnexpectedResponse(APIError):
    """The host answered with something that is not the DeepSeek API (HTML, a redirect...)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        content_type: str | None = None,
        request_id: str | None = None,
        partial_content: str = "",
        partial_reasoning: str = "",
    ) -> None:
        super().__init__(
            message,
            request_id=request_id,
            partial_content=partial_content,
            partial_reasoning=partial_reasoning,
        )
        self.status = status
        self.content_type = content_type

    @property
    def retryable(self) -> bool:
        # A proxy's HTML error page for 502/503 is worth another try; a wrong URL is not.
        return self.status is not None and (self.status in (408, 429) or self.status >= 500)


class StreamError(APIError):
    """The answer broke after it began; ``partial_content`` holds what arrived."""

    @property
    def retryable(self) -> bool:
        return True
