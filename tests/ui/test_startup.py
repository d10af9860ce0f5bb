"""Start-up: the session (store, catalog, conversation) opens on a thread while
the UI is imported, and a launch error still ends with one line on stderr and
exit status 1, before anything is drawn."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from deepseek_tui.testing import FakeDeepSeek


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
