"""The async DeepSeek client: one ``httpx.AsyncClient``, typed events, typed errors.

Why it looks like this:

* Streaming is the product. ``stream_chat`` turns SSE bytes into typed events
  with our own incremental decoder, and enforces deadlines that DeepSeek's
  ``: keep-alive`` comments cannot defeat (see :class:`Timeouts`).
* A failure is always one :class:`APIError` subclass with a message a person can
  act on, the server's own words (sanitized, without the API key) and whatever
  text had arrived, so nothing received is lost.
* Retries happen only before the host accepted the request -- never after any
  byte of an answer, which would bill twice and duplicate text.
* Cancelling the consumer (``break``, task cancellation, ``aclose()``) closes the
  HTTP response, and with it the connection, at once.

The client is put together from parts, one job each, every one a class the
next builds on: ``_failures`` (turning what went wrong into an
:class:`APIError`), ``_send`` (sending and retrying), ``_responses`` (reading
a body we do not trust), then ``_stream`` (the streaming loop) and
``_models_balance`` (``/models``, ``/user/balance``); ``_body`` reads a
response under our own deadlines. This module holds the public face: setup,
lifecycle, ``stream_chat`` and ``complete``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator, Awaitable, Callable
from types import TracebackType

import httpx

from deepseek_tui import __version__
from deepseek_tui.api._body import Call, is_event_stream
from deepseek_tui.api._chunks import MalformedChunk, ServerErrorEvent, result_from_body
from deepseek_tui.api._errors import StreamError
from deepseek_tui.api._fold import collect
from deepseek_tui.api._inflate import ACCEPT_ENCODING
from deepseek_tui.api._models_balance import ModelsAndBalance
from deepseek_tui.api._retry import RetryPolicy
from deepseek_tui.api._sse import DEFAULT_MAX_LINE
from deepseek_tui.api._status import Host, request_id_of
from deepseek_tui.api._stream import Streaming
from deepseek_tui.api._timeouts import Timeouts
from deepseek_tui.api._types import ChatRequest, ChatResult, StreamEvent
from deepseek_tui.apikey import UnusableKey, key_problem
from deepseek_tui.sanitize import clean
from deepseek_tui.urls import BadBaseURL, beta_base_url, normalize_base_url

__all__ = ["DEFAULT_USER_AGENT", "DeepSeekClient", "normalize_base_url"]

DEFAULT_USER_AGENT = f"deepseek-tui/{__version__}"


def _check_key(api_key: str) -> str:
    key = api_key.strip()
    problem = key_problem(key)
    if problem is not None:
        raise UnusableKey(problem)  # says what is wrong with the key, never the key
    return key


def _scrubber(key: str) -> Callable[[str], str]:
    """A function that masks the API key in text, also where a URL
    percent-encodes it (a redirect's ``?key=sk%2D…``), wholly or in part."""
    if not key:
        return lambda text: text
    tail = key[-4:] if len(key) >= 12 else ""
    masked = f"****{tail}"
    encoded = re.compile("".join(f"(?:{re.escape(c)}|%{ord(c):02X}|%{ord(c):02x})" for c in key))

    def scrub(text: str) -> str:
        if key in text:
            text = text.replace(key, masked)
        if "%" in text:
            text = encoded.sub(masked, text)
        return text

    return scrub


class DeepSeekClient(Streaming, ModelsAndBalance):
    """Async client for DeepSeek's OpenAI-format API (and compatible hosts).

    One ``httpx.AsyncClient`` per object; use it as ``async with
    DeepSeekClient(...) as client`` or call :meth:`aclose`. ``transport`` lets
    tests inject an ``httpx.MockTransport``; ``sleep`` and ``backoff_base`` make
    retry tests fast.

    The API key goes only into the ``Authorization`` header; it is never part
    of an error message, a ``repr`` or a log line.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        timeouts: Timeouts | None = None,
        max_retries: int = 2,
        transport: httpx.AsyncBaseTransport | None = None,
        user_agent: str = DEFAULT_USER_AGENT,
        backoff_base: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        max_line: int = DEFAULT_MAX_LINE,
    ) -> None:
        self._base = normalize_base_url(base_url)
        try:
            self._host = Host.from_url(self._base)
        except ValueError:  # httpx's stricter IDNA check (UnicodeError, IDNAError)
            raise BadBaseURL(
                f"the base URL {clean(self._base)} does not name a valid host; check base_url"
            ) from None
        key = _check_key(api_key)
        self._scrub = _scrubber(key)
        self._timeouts = timeouts or Timeouts()
        self._retry = RetryPolicy(max_retries=max(0, max_retries), base=backoff_base)
        self._sleep = sleep or asyncio.sleep
        self._max_line = max_line
        # Only the codings Body decodes in bounded pieces (httpx would add br/zstd
        # when their libraries are installed, and decode them unbounded).
        headers = {
            "User-Agent": user_agent,
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        if key:
            headers["Authorization"] = f"Bearer {key}"
        t = self._timeouts
        self._http = httpx.AsyncClient(
            transport=transport,
            headers=headers,
            timeout=httpx.Timeout(connect=t.connect, read=t.read, write=t.read, pool=t.connect),
            follow_redirects=False,
        )

    # --- lifecycle --------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The normalized base URL requests go to."""
        return self._base

    @property
    def timeouts(self) -> Timeouts:
        return self._timeouts

    def __repr__(self) -> str:
        return f"DeepSeekClient(base_url={self._base!r})"

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> DeepSeekClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # --- chat -------------------------------------------------------------------

    def stream_chat(self, request: ChatRequest) -> AsyncGenerator[StreamEvent, None]:
        """Stream one chat completion as typed events.

        Events: :class:`Started` (HTTP 200 with headers), :class:`Queued` for each
        read that brought ``: keep-alive`` comments before the first data event
        (one, however many comments the read held), then :class:`ReasoningDelta`,
        :class:`ContentDelta`, :class:`ToolCallDelta` as they arrive, and at the
        end the last non-null :class:`Usage` and :class:`Finish`.

        The generator returning normally means the answer is complete: a
        ``finish_reason`` arrived and then ``[DONE]``, a clean close, or
        ``Timeouts.finish_grace`` of silence. A host that sends ``[DONE]``
        without any ``finish_reason`` still counts as complete if it sent any
        text or tool call (there is then no :class:`Finish`); with nothing at all
        it is a :class:`StreamError`. Every other ending raises one
        :class:`APIError` carrying the partial text.

        A request whose last message is a prefix (DeepSeek's chat prefix
        completion) goes to the ``/beta`` base next to the configured one.

        Nothing is sent until iteration starts. Close the generator (``break``
        inside ``contextlib.aclosing``, ``aclose()``, or cancel the task) to stop:
        the connection is closed at once.
        """
        return self._stream(
            request.body_bytes(stream=True),
            request.model,
            None,
            None,
            beta=request.prefix_completion,
        )

    async def complete(self, request: ChatRequest) -> ChatResult:
        """One non-streaming chat completion.

        DeepSeek may send blank lines before the JSON while the request is
        queued; they are skipped (and do not count toward the first-token
        deadline being met). A host that streams anyway is folded into a result.
        """
        body = request.body_bytes(stream=False)
        loop = asyncio.get_running_loop()
        call = Call(loop.time(), self._timeouts.total)
        beta = beta_base_url(self._base) if request.prefix_completion else None
        response = await self._open(
            "POST", "/chat/completions", body, call, request.model, base=beta
        )
        if is_event_stream(response):
            return await collect(
                self._stream(body, request.model, call, response), model=request.model
            )
        request_id = request_id_of(response.headers, self._scrub)
        try:
            raw = await self._read_json_body(response, call)
            try:
                return result_from_body(raw, request_id=request_id)
            except ServerErrorEvent as exc:
                raise self._error_payload(exc.payload, request.model, request_id) from None
            except MalformedChunk as exc:
                raise StreamError(
                    f"{self._host.label} sent an answer that is not a chat completion "
                    f"({exc}); check the base URL",
                    request_id=request_id,
                ) from None
        finally:
            await response.aclose()
