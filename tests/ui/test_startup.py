"""Start-up: a launch error ends with one line on stderr and exit status 1,
before anything is drawn; the garbage collector is off until the first frame
is out and on again after it."""

from __future__ import annotations

import gc
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from deepseek_tui.testing import FakeDeepSeek
from deepseek_tui.ui import startup
from deepseek_tui.ui.screens.chat import ChatScreen

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
