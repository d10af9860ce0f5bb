"""The client's deadlines.

A socket read timeout alone cannot bound a chat request: DeepSeek sends
``: keep-alive`` comments while a request is queued (documented: up to 10
minutes) and has been seen sending only keep-alives for 10-17 minutes after a
full answer. So besides connect and per-read timeouts there are deadlines that
keep-alive comments do not reset.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Timeouts"]


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Deadlines in seconds; each expiry raises ``Timeout(phase=<field name>)``.

    ``connect``      establishing the connection (and TLS).
    ``read``         one socket read (and one write); keep-alives reset it.
    ``first_token``  from sending the request until the first ``data`` event;
                     keep-alive comments do not count. Covers DeepSeek's queue.
    ``idle``         after the first data event, the longest gap between data
                     events; ends keep-alive-only tails of a stalled stream.
    ``total``        the whole call, retries included.
    ``finish_grace`` after a ``finish_reason`` arrived, how long to wait for the
                     usage chunk and ``[DONE]``; when it passes the answer is
                     complete without them (never an error).
    """

    connect: float = 10.0
    read: float = 300.0
    first_token: float = 660.0
    idle: float = 120.0
    total: float = 1800.0
    finish_grace: float = 5.0

    def __post_init__(self) -> None:
        for name in ("connect", "read", "first_token", "idle", "total", "finish_grace"):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"timeout {name} must be a positive number of seconds")
