"""The app's idea of "now", with one seam for tests.

Prices and the off-peak window depend on the time of day, so a test of
``ask --off-peak`` (a subprocess) needs to choose the time without patching
the program's internals. ``DEEPSEEK_TUI_TEST_NOW`` (an ISO 8601 moment, e.g.
``2026-12-07T09:59:57Z``) makes the clock start at that moment when the
process first asks and run on from there at the normal speed: a test can start
a few seconds before the window opens and see what happens when it does. It
is a test seam: documented with the tests in the README, not for users.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

__all__ = ["TEST_NOW_ENV", "Clock", "from_env", "utc_now"]

TEST_NOW_ENV = "DEEPSEEK_TUI_TEST_NOW"

#: Returns the current moment, timezone-aware in UTC.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


def from_env(env: Mapping[str, str] | None = None) -> Clock:
    """The real clock, or the test clock ``DEEPSEEK_TUI_TEST_NOW`` asks for.

    Raises ``ValueError`` when the variable is set but not an ISO 8601 moment
    (a test that mistyped it should fail, not run on the real clock)."""
    env = os.environ if env is None else env
    raw = env.get(TEST_NOW_ENV, "").strip()
    if not raw:
        return utc_now
    start = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    start = start.astimezone(UTC)
    began = time.monotonic()

    def test_now() -> datetime:
        return start + timedelta(seconds=time.monotonic() - began)

    return test_now
