"""Start-up: a launch error ends with one line on stderr and exit status 1,
before anything is drawn; the first frame is whole (footer keys included); the
garbage collector is off until that frame is out and on again after it."""

from __future__ import annotations

import gc
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets._footer import FooterKey

from deepseek_tui import startup
from deepseek_tui.testing import FakeDeepSeek
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.status import StatusLine

from .conftest import SIZE, make_app, wait_for


def launch(home: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """The real command in a real terminal (stderr captured apart)."""
    master, slave = pty.openpty()
    env = {**os.environ, "DEEPSEEK_TUI_HOME": str(home), "TERM": "xterm-256color"}
    try:
        return subprocess.run(
            [sys.executable, "-m", "deepseek_tui", *args],
            stdin=slave,
            stdout=slave,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(slave)
        os.close(master)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--resume", "doesnotexist"), "doesnotexist"),
        (("--continue",), "no saved conversation to continue"),
    ],
)
def test_launch_errors_print_one_line_and_exit_1(
    server: FakeDeepSeek, home: Path, args: tuple[str, ...], says: str
) -> None:
    proc = launch(home, *args)
    err = proc.stderr.decode()
    assert proc.returncode == 1
    assert err.count("\n") == 1 and err.endswith("\n"), repr(err)  # no screen drawn
    assert err.startswith("deepseek-tui: ") and says in err


async def test_the_first_frame_already_has_the_footer_keys(
    server: FakeDeepSeek, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual's footer is empty until the screen's first binding refresh, a
    frame later; the chat composes its keys, the prompt's among them, before
    its first frame is drawn."""
    first_frame: list[set[str]] = []
    paint = StatusLine.render_lines

    def render_lines(self: StatusLine, crop: Region) -> list[Strip]:
        if not first_frame:  # what else the frame that first paints the status line holds
            first_frame.append({k.description for k in self.screen.query(FooterKey)})
        return paint(self, crop)

    monkeypatch.setattr(StatusLine, "render_lines", render_lines)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: first_frame)
        assert {"Send", "New", "Conversations", "Settings", "Help"} <= first_frame[0]
        app.set_focus(None)  # what the footer shows still follows the focus
        await pilot.pause()
        assert "Send" not in {k.description for k in app.screen.query(FooterKey)}


async def test_garbage_collection_waits_for_the_first_frame(server: FakeDeepSeek) -> None:
    """As ``deepseek-tui`` starts: off before the app exists, back on (with
    what start-up made frozen) once its first frame is out."""
    frozen = gc.get_freeze_count()
    startup.hold()
    try:
        assert not gc.isenabled()
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, gc.isenabled)
            assert isinstance(app.screen, ChatScreen) and app.screen.status.drawn.is_set()
            assert gc.get_freeze_count() > frozen
    finally:
        startup.release()
        gc.unfreeze()
    assert gc.isenabled()
