"""How the client turns what went wrong into one :class:`APIError` a person can act on.

Every failure says who failed (the host's label), what happened, in the
server's own words when it sent some (sanitized, without the API key), and
what to do; one raised mid-stream carries the text that had arrived
(``_partial``), so nothing received is lost.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from deepseek_tui.api._chunks import ChunkReader
from deepseek_tui.api._errors import APIError, ConnectionFailed, StreamError, Timeout
from deepseek_tui.api._status import Host, error_from_payload, server_text
from deepseek_tui.api._timeouts import Timeouts


class FailureMessages:
    """The error-building methods of :class:`~deepseek_tui.api.DeepSeekClient`,
    and the state they read (set by its ``__init__``)."""

    _host: Host
    _timeouts: Timeouts
    _scrub: Callable[[str], str]

    def _error_payload(self, payload: Any, model: str | None, request_id: str | None) -> APIError:
        mapped = error_from_payload(
            payload,
            host=self._host,
            path="/chat/completions",
            model=model,
            scrub=self._scrub,
            request_id=request_id,
        )
        if mapped is not None:
            return mapped
        return StreamError(
            f"{self._host.label} answered with an error ({self._payload_text(payload)}); try again",
            request_id=request_id,
        )

    def _payload_text(self, payload: Any) -> str:
        err = payload.get("error") if isinstance(payload, dict) else payload
        if isinstance(err, dict):
            err = err.get("message") or err.get("type") or err.get("code") or ""
        if not isinstance(err, str):
            err = json.dumps(err, ensure_ascii=False)  # cut by server_text, after masking
        return server_text(err, self._scrub) or "no message"

    def _partial(self, exc: APIError, reader: ChunkReader | None) -> APIError:
        if reader is not None:
            reader.flush()
            exc.partial_content = "".join(reader.content)
            exc.partial_reasoning = "".join(reader.reasoning)
        return exc

    def _stream_error(
        self, message: str, reader: ChunkReader | None, request_id: str | None
    ) -> APIError:
        return self._partial(StreamError(message, request_id=request_id), reader)

    def _error_event(self, payload: Any, reader: ChunkReader, request_id: str | None) -> APIError:
        return self._stream_error(
            f"{self._host.label} reported an error mid-stream ({self._payload_text(payload)}); "
            "try again",
            reader,
            request_id,
        )

    def _malformed(self, detail: str, reader: ChunkReader, request_id: str | None) -> APIError:
        return self._stream_error(
            f"{self._host.label} sent malformed data in the stream "
            f"({server_text(detail, self._scrub)[:80]}); try again",
            reader,
            request_id,
        )

    def _cut(self, exc: Exception, reader: ChunkReader, request_id: str | None) -> APIError:
        if isinstance(exc, httpx.TimeoutException):
            return self._partial(self._httpx_timeout(exc, request_id), reader)
        if isinstance(exc, httpx.DecodingError):
            return self._stream_error(
                f"{self._host.label} sent a body that could not be decoded "
                f"({server_text(str(exc), self._scrub)}); try again, or check the base URL",
                reader,
                request_id,
            )
        return self._stream_error(
            f"the connection to {self._host.label} broke before the answer was complete "
            f"({type(exc).__name__}); try again",
            reader,
            request_id,
        )

    def _timeout(self, phase: str, reader: ChunkReader | None, request_id: str | None) -> APIError:
        t = self._timeouts
        who = self._host.label
        if phase == "first_token":
            message = (
                f"{who} sent no answer within {t.first_token:g}s of the request "
                "(first_token timeout; it may be overloaded); try again later"
            )
        elif phase == "idle":
            message = (
                f"{who} stopped sending the answer: nothing for {t.idle:g}s "
                "(idle timeout); try again"
            )
        else:
            message = (
                f"the request took longer than {t.total:g}s (total timeout); "
                "try again or raise the limit"
            )
        return self._partial(Timeout(message, phase=phase, request_id=request_id), reader)

    def _httpx_timeout(self, exc: httpx.TimeoutException, request_id: str | None = None) -> Timeout:
        t = self._timeouts
        if isinstance(exc, httpx.ConnectTimeout):
            return Timeout(
                f"could not connect to {self._host.netloc} within {t.connect:g}s "
                "(connect timeout); check your network and the base URL",
                phase="connect",
                request_id=request_id,
            )
        if isinstance(exc, httpx.PoolTimeout):
            return Timeout(
                f"no free connection to {self._host.netloc} within {t.connect:g}s "
                "(pool timeout); try again",
                phase="pool",
                request_id=request_id,
            )
        phase = "write" if isinstance(exc, httpx.WriteTimeout) else "read"
        return Timeout(
            f"{self._host.label} sent nothing for {t.read:g}s ({phase} timeout); try again",
            phase=phase,
            request_id=request_id,
        )

    def _connection_failed(self, exc: Exception) -> ConnectionFailed:
        reason = server_text(str(exc), self._scrub) or type(exc).__name__
        return ConnectionFailed(
            f"could not reach {self._host.netloc} ({reason}); check your network and the base URL"
        )
