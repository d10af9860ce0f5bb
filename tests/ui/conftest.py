"""The TUI against the real loopback server and a real database in a temp home."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from deepseek_tui.config import load_settings
from deepseek_tui.launch import open_launch
from deepseek_tui.paths import Paths
from deepseek_tui.testing import FakeDeepSeek
from deepseek_tui.ui.app import DeepSeekApp

KEY = "sk-test-key-0123456789abcd"
SIZE = (100, 32)
#: Off-peak, so costs in snapshots do not depend on the hour the tests run.
FIXED_NOW = datetime(2026, 10, 3, 12, 0, tzinfo=UTC)
#: How long :func:`wait_for` lets the app work before the test fails. Generous:
#: CI runs on two cores shared with other work, where a step can take many times
#: longer than on a laptop, and the limit only costs time when a test fails.
WAIT_LIMIT = 60.0 if os.environ.get("CI") else 30.0


#: What decides how a copy reaches the clipboard (deepseek_tui.ui.clipboard):
#: tests start with none of it, so a copy never runs the machine's own xclip or
#: asks the developer's tmux, and says the same wherever the tests run.
CLIPBOARD_ENV = ("DISPLAY", "WAYLAND_DISPLAY", "TMUX", "STY", "WSL_DISTRO_NAME", "WSL_INTEROP")


@pytest.fixture(autouse=True)
def _no_system_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in CLIPBOARD_ENV:
        monkeypatch.delenv(var, raising=False)


def configure(home: Path, base_url: str, *, key: str | None = KEY, extra: str = "") -> None:
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "config.toml"
    key_line = f'api_key = "{key}"\n' if key else ""
    cfg.write_text(
        f'[providers.deepseek]\nbase_url = "{base_url}"\nkind = "deepseek"\n{key_line}'
        "\n[network]\nconnect_timeout = 5\nmax_retries = 0\n" + extra
    )
    cfg.chmod(0o600)


@pytest.fixture
async def server(home: Path) -> AsyncIterator[FakeDeepSeek]:
    async with FakeDeepSeek(api_key=KEY, host="deepseek") as srv:
        configure(home, srv.base_url)
        yield srv


def make_app(
    *,
    resume: str | None = None,
    continue_: bool = False,
    demo: bool = False,
    clock: Callable[[], float] | None = None,
) -> DeepSeekApp:
    """The app exactly as ``run_app`` builds it, with a fixed date for prices."""
    paths = Paths.resolve()
    settings = load_settings(paths)
    session = open_launch(settings, paths, resume=resume, continue_=continue_, demo=demo)
    kwargs: dict[str, Any] = {"now": lambda: FIXED_NOW}
    if clock is not None:
        kwargs["clock"] = clock
    return DeepSeekApp(settings, paths, session, **kwargs)


async def wait_for(
    pilot: Pilot[Any], condition: Callable[[], object], limit: float = WAIT_LIMIT
) -> None:
    """Let the app run until ``condition()`` holds (what the user would wait for)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for the app ({limit:.0f} s)")
        await pilot.pause(0.02)
    await pilot.pause()


def rows(home: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(home / "conversations.db") as db:
        return db.execute(sql, params).fetchall()


def screen_text(app: DeepSeekApp) -> str:
    """The screen as plain text, as a user reads it (from the SVG screenshot)."""
    import html
    import re

    svg = app.export_screenshot()
    lines: dict[float, list[tuple[float, str]]] = {}
    for m in re.finditer(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        lines.setdefault(float(m.group(2)), []).append(
            (float(m.group(1)), html.unescape(m.group(3)))
        )
    out = []
    for y in sorted(lines):
        out.append("".join(t for _, t in sorted(lines[y])).replace("\xa0", " "))
    return "\n".join(out)


def palette_offers(app: App[Any], label: str) -> bool:
    """Whether the command palette lists its hits with one naming ``label``
    highlighted, so Enter picks it (Enter before the hits come does nothing)."""
    from textual.command import CommandList, CommandPalette

    palette = app.screen
    if not isinstance(palette, CommandPalette):
        return False
    hits = palette.query_one(CommandList)
    index = hits.highlighted
    return (
        hits.has_class("--visible")
        and index is not None
        and label in str(hits.get_option_at_index(index).prompt)
    )


def notified(app: DeepSeekApp, text: str) -> bool:
    """Whether a notification on screen now says ``text`` (toasts wrap, so the
    screenshot alone cannot tell)."""
    return any(text in n.message for n in app._notifications)
