"""Fixtures for the store tests: real database files in ``tmp_path``, a
deterministic clock and id factory, and a helper to run Python in a child
process (for multi-process and kill -9 tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deepseek_tui.store import Store

REPO = Path(__file__).resolve().parents[2]
START = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


class TickingClock:
    """Every reading is one millisecond after the previous one."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        current = self.now
        self.now += timedelta(milliseconds=1)
        return current

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class CountingIds:
    """``prefix`` + a zero-padded counter: predictable ids for prefix tests."""

    def __init__(self, prefix: str = "c0ffee") -> None:
        self.prefix = prefix
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"{self.prefix}{self.n:010x}"


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock()


@pytest.fixture
def ids() -> CountingIds:
    return CountingIds()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "conversations.db"


@pytest.fixture
def store(db_path: Path, clock: TickingClock) -> Iterator[Store]:
    opened = Store.open(db_path, clock=clock)
    assert opened.notices == () and not opened.read_only
    with opened.store as s:
        yield s


Spawn = Callable[..., "subprocess.Popen[str]"]


@pytest.fixture
def spawn() -> Iterator[Spawn]:
    """Start ``python -c code args…`` with the repository importable; children
    still running at the end of the test are killed."""
    children: list[subprocess.Popen[str]] = []
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))

    def start(code: str, *args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        children.append(proc)
        return proc

    yield start
    for proc in children:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
