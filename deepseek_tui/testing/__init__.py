"""A real loopback HTTP server that speaks the DeepSeek wire protocol.

Used by the tests, the demo mode and the screenshots: the client talks real HTTP
to it on 127.0.0.1, and it replays scripted answers and faults::

    async with FakeDeepSeek() as server:
        server.push(Reply("Hello!", reasoning="Greet back."), Fail(429))
        ...  # point the client at server.base_url with key "sk-test-key"

    with FakeDeepSeek().run_in_thread() as server:  # from synchronous code
        ...

``python -m deepseek_tui.testing`` serves one from the command line.
"""

from ._markdown import long_markdown
from ._protocol import (
    DEFAULT_BALANCE,
    DEFAULT_MODELS,
    JSON_WORD_MESSAGE,
    PASSBACK_MESSAGE,
    Host,
)
from ._scenarios import Dialect, Drop, Fail, Fault, Hang, Reply, Scenario
from ._server import FakeDeepSeek, RecordedRequest, Responder

__all__ = [
    "DEFAULT_BALANCE",
    "DEFAULT_MODELS",
    "JSON_WORD_MESSAGE",
    "PASSBACK_MESSAGE",
    "Dialect",
    "Drop",
    "Fail",
    "FakeDeepSeek",
    "Fault",
    "Hang",
    "Host",
    "RecordedRequest",
    "Reply",
    "Responder",
    "Scenario",
    "long_markdown",
]
