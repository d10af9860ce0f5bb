"""Time stamps and ids.

The store takes its clock and id factory as arguments so tests and screenshots
can be deterministic. Time stamps are ISO 8601 in UTC with milliseconds and a
``Z`` suffix: they sort lexicographically in the same order as in time, which is
what the ``updated`` index and the history listing rely on.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime

from deepseek_tui.clock import Clock, utc_now

__all__ = [
    "Clock",
    "IdFactory",
    "file_stamp",
    "format_timestamp",
    "parse_timestamp",
    "random_id",
    "utc_now",
]

#: Returns a fresh conversation id.
IdFactory = Callable[[], str]


def random_id() -> str:
    """The default id factory: 16 random hex characters (64 bits) from the
    system's CSPRNG (what ``secrets.token_hex`` does, without importing
    hashlib and OpenSSL at start-up)."""
    return os.urandom(8).hex()


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_timestamp(moment: datetime) -> str:
    """``2026-05-09T07:35:25.123Z``."""
    moment = _as_utc(moment)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond // 1000:03d}Z"


def parse_timestamp(text: str) -> datetime:
    """Parse a stored (or imported) ISO 8601 time stamp; naive values are UTC.

    Raises ``ValueError`` when ``text`` is not ISO 8601.
    """
    return _as_utc(datetime.fromisoformat(text))


def file_stamp(moment: datetime) -> str:
    """A time stamp safe in file names: ``20260509T073525Z``."""
    return _as_utc(moment).strftime("%Y%m%dT%H%M%SZ")
