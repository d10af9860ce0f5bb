"""Sending a request, and retrying it while that is safe.

Retries happen only before the host accepted the request (a connection
failure, a timeout before the headers, a status in ``RETRY_STATUSES``) --
never after any byte of an answer, which would bill twice and duplicate text.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import httpx

from deepseek_tui.api._body import ERROR_BODY_LIMIT, Call, Expired, read_limited
from deepseek_tui.api._errors import APIError
from deepseek_tui.api._failures import FailureMessages
from deepseek_tui.api._retry import RETRY_STATUSES, RetryPolicy, parse_retry_after
from deepseek_tui.api._status import error_from_response

log = logging.getLogger("deepseek_tui.api")


class Sender(FailureMessages):
    """``_open`` of :class:`~deepseek_tui.api.DeepSeekClient`: send until a 2xx."""

    _base: str
    _http: httpx.AsyncClient
    _retry: RetryPolicy
    _sleep: Callable[[float], Awaitable[None]]

    async def _open(
        self,
        method: str,
        path: str,
        body: bytes | None,
        call: Call,
        model: str | None,
        *,
        accept: str = "application/json",
        base: str | None = None,
    ) -> httpx.Response:
        """Send until a 2xx arrives; returns the open (unread) response.

        Retries connection failures, timeouts before headers and the statuses in
        ``RETRY_STATUSES``, at most ``max_retries`` times and never past the
        total deadline. ``base`` replaces the client's base URL for this call
        (DeepSeek's ``/beta`` base for prefix completion).
        """
        loop = asyncio.get_running_loop()
        url = (base or self._base) + path
        headers = {"Accept": accept}
        if body is not None:
            headers["Content-Type"] = "application/json"
        policy = self._retry
        retry = 0
        while True:
            call.sent_at = loop.time()
            first_deadline = call.sent_at + self._timeouts.first_token
            deadline = min(first_deadline, call.total_deadline)
            phase = "total" if call.total_deadline <= first_deadline else "first_token"
            retry_after: float | None = None
            error: APIError
            retryable = True
            try:
                request = self._http.build_request(method, url, content=body, headers=headers)
                async with asyncio.timeout_at(deadline):
                    response = await self._http.send(request, stream=True)
            except TimeoutError:
                error = self._timeout(phase, None, None)
            except httpx.TimeoutException as exc:
                error = self._httpx_timeout(exc)
            except (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.ProxyError) as exc:
                error = self._connection_failed(exc)
                retryable = False
            except httpx.HTTPError as exc:
                error = self._connection_failed(exc)
            else:
                status = response.status_code
                if 200 <= status < 300:
                    return response
                try:
                    raw = await read_limited(response, deadline, ERROR_BODY_LIMIT)
                except (Expired, httpx.HTTPError):
                    raw = b""
                finally:
                    await response.aclose()
                retry_after = parse_retry_after(response.headers)
                error = error_from_response(
                    status,
                    response.headers,
                    raw,
                    host=self._host,
                    path=path,
                    model=model,
                    scrub=self._scrub,
                    retry_after=retry_after,
                )
                retryable = status in RETRY_STATUSES
            if not retryable or retry >= policy.max_retries:
                raise error
            delay = policy.delay(retry, retry_after)
            if loop.time() + delay >= call.total_deadline:
                raise error
            retry += 1
            log.info(
                "%s %s failed (%s); retry %d/%d in %.2fs",
                method,
                path,
                error.message,
                retry,
                policy.max_retries,
                delay,
            )
            await self._sleep(delay)
