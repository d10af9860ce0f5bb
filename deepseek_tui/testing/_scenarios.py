"""Scripted answers for the fake server: one scenario per ``POST /chat/completions``.

A test pushes scenarios in the order the client will send requests; each request
that passes authentication and the protocol checks takes the next one. They are
plain frozen dataclasses so a test reads like the wire conversation it expects.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Dialect = Literal["reasoning_content", "reasoning", "think_tags"]
"""Where reasoning travels: ``delta.reasoning_content`` (DeepSeek),
``delta.reasoning`` (some hosts) or inline ``<think>…</think>`` in the content."""

Fault = Literal[
    "cut",
    "clean_close",
    "stall",
    "keepalive_stall",
    "malformed",
    "error_event",
    "long_line",
    "no_done",
    "keepalive_bomb",
    "line_bomb",
]
"""A way a stream goes wrong after ``fault_after`` data events (see :class:`Reply`)."""

FAULTS: frozenset[str] = frozenset(
    {
        "cut",
        "clean_close",
        "stall",
        "keepalive_stall",
        "malformed",
        "error_event",
        "long_line",
        "no_done",
        "keepalive_bomb",
        "line_bomb",
    }
)
BOMBS: frozenset[str] = frozenset({"keepalive_bomb", "line_bomb"})
Encoding = Literal["identity", "gzip", "deflate"]
"""The ``Content-Encoding`` of a reply's body."""
ENCODINGS: frozenset[str] = frozenset({"identity", "gzip", "deflate"})
DIALECTS: frozenset[str] = frozenset({"reasoning_content", "reasoning", "think_tags"})


@dataclass(frozen=True)
class Reply:
    """A successful answer, streamed or not, optionally broken by a ``fault``.

    Why it exists: every client behaviour worth testing (incremental rendering,
    reasoning dialects, queue keep-alives, usage, and each way a stream can break)
    is one field here instead of a hand-written byte stream.

    Timing: headers go out at once, then ``keepalives`` ``: keep-alive`` comments
    (``keepalive_interval`` apart), then ``first_delay``, then the data events with
    ``delay`` between them. Text is split into ``chunk_chars``-character deltas.

    ``fault`` breaks the stream after ``fault_after`` data events (the role chunk
    counts as the first):

    - ``cut``: the socket closes mid-body (no terminating chunk).
    - ``clean_close``: the body ends properly, without finish or ``[DONE]``.
    - ``stall``: nothing more is sent; the connection stays open until the client
      leaves or the server stops.
    - ``keepalive_stall``: only ``: keep-alive`` comments, every
      ``keepalive_interval`` (0.5 s when 0), forever.
    - ``malformed``: a ``data: {not json`` event, then the stream goes on.
    - ``error_event``: a ``data: {"error": …}`` event, then the body ends.
    - ``long_line``: one 9 MiB data line without a newline, then the body ends.
    - ``no_done``: everything up to the finish (and usage) chunk, no ``[DONE]``.
    - ``keepalive_bomb``: ``: keep-alive`` comments, compressed about 500:1, for
      ``bomb_bytes`` on the wire (gigabytes decoded), then the connection is cut.
    - ``line_bomb``: the start of a data event, then ``x`` for ever, compressed
      about 1000:1, for ``bomb_bytes`` on the wire, then the connection is cut.

    ``encoding`` (``gzip`` or ``deflate``) compresses the body as it streams,
    each event flushed as it is sent; the bombs need one of the two.

    ``pauses`` holds a stream after that many data events (counted as for
    ``fault_after``) until the test calls :meth:`FakeDeepSeek.resume`, once per
    pause (a resume that comes early is kept for the next pause), so a test can
    act at a known point of an answer instead of racing its delays. Streams only.

    ``finish_reason`` ``None`` means ``"tool_calls"`` when ``tool_calls`` are given,
    else ``"stop"``. ``include_usage`` ``None`` follows the request's
    ``stream_options.include_usage``; ``usage`` is sent instead of the counted
    usage object (a host's impossible figures, say). ``tool_calls`` take the OpenAI shape
    ``{"id", "type": "function", "function": {"name", "arguments"}}``; a missing
    id is generated. ``model`` overrides the model echoed in the chunks.

    Without streaming the same fields give a ``chat.completion`` body;
    ``keepalives`` become the blank lines DeepSeek sends while a request queues,
    and a ``keepalive_bomb`` is made of them too.
    """

    content: str = ""
    reasoning: str = ""
    dialect: Dialect = "reasoning_content"
    chunk_chars: int = 8
    delay: float = 0.0
    first_delay: float = 0.0
    keepalives: int = 0
    keepalive_interval: float = 0.0
    finish_reason: str | None = None
    include_usage: bool | None = None
    done: bool = True
    tool_calls: Sequence[Mapping[str, Any]] | None = None
    model: str | None = None
    fault: Fault | None = None
    fault_after: int = 0
    pauses: tuple[int, ...] = ()
    encoding: Encoding = "identity"
    usage: Mapping[str, Any] | None = None
    bomb_bytes: int = 4 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.dialect not in DIALECTS:
            raise ValueError(f"unknown dialect {self.dialect!r}")
        if self.fault is not None and self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}")
        if self.fault_after < 0 or self.keepalives < 0:
            raise ValueError("fault_after and keepalives must be >= 0")
        if any(p < 0 for p in self.pauses):
            raise ValueError("pauses must be >= 0")
        if self.encoding not in ENCODINGS:
            raise ValueError(f"unknown encoding {self.encoding!r}")
        if self.fault in BOMBS and self.encoding == "identity":
            raise ValueError(f"{self.fault} needs encoding='gzip' or 'deflate'")


@dataclass(frozen=True)
class Fail:
    """An HTTP error answer, as DeepSeek (or a proxy in front of it) sends it.

    Why it exists: retries, Retry-After handling and error messages depend on the
    status, the headers and the body shape; ``body`` replaces the JSON error body
    verbatim (e.g. an HTML page from a proxy with ``content_type="text/html"``).
    ``message`` defaults to DeepSeek's official name for the status and
    ``error_type`` to the type DeepSeek uses for it.
    """

    status: int
    message: str | None = None
    error_type: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: str | None = None
    content_type: str = "application/json"


@dataclass(frozen=True)
class Hang:
    """Read the request and never answer: exercises header/connect-phase timeouts.

    The connection stays open until the client leaves or the server stops.
    """


@dataclass(frozen=True)
class Drop:
    """Close the connection without any response: a connection error before a byte."""


Scenario = Reply | Fail | Hang | Drop
