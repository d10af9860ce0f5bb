"""A loopback DeepSeek server and a home whose config points at it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deepseek_tui.testing import FakeDeepSeek

KEY = "sk-test-key-0123456789abcd"


def configure(home: Path, base_url: str, *, kind: str = "deepseek", extra: str = "") -> None:
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "config.toml"
    cfg.write_text(
        f'[providers.deepseek]\nbase_url = "{base_url}"\nkind = "{kind}"\n'
        f'api_key = "{KEY}"\n\n[network]\nconnect_timeout = 5\n' + extra
    )
    cfg.chmod(0o600)


@pytest.fixture
def server(home: Path) -> Iterator[FakeDeepSeek]:
    with FakeDeepSeek(api_key=KEY, host="deepseek").run_in_thread() as srv:
        configure(home, srv.base_url)
        yield srv


def rows(home: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(home / "conversations.db") as db:
        return db.execute(sql, params).fetchall()
