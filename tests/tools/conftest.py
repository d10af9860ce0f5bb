"""Fixtures: a fault server's record files, and a fault server on HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .servers import Fault, HttpFault, free_port


@pytest.fixture
def fault(tmp_path: Path) -> Fault:
    return Fault(tmp_path / "ran.txt", tmp_path / "pids.txt")


@pytest.fixture
def http_fault(fault: Fault) -> Iterator[HttpFault]:
    server = HttpFault(fault, free_port())
    yield server
    server.stop()
