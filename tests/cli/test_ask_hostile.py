"""``ask`` against a hostile host: a real subprocess, the loopback server, a real
database. What the host sends must end in one clear line (or a clean answer),
in bounded memory, with the row in history in a final state and no key shown."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deepseek_tui.testing import FakeDeepSeek, Reply

from .conftest import configure, rows

#: Far more than `ask` needs (about 60 MB), far less than a decoded bomb (gigabytes).
RSS_BOUND = 300 * 1024 * 1024


def ask_measured(home: Path, *args: str, timeout: float = 120) -> tuple[int, str, str, int]:
    """Run ``deepseek-tui ask ARGS``: exit code, stdout, stderr and its peak RSS in bytes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEEPSEEK_", "NO_COLOR"))}
    env["DEEPSEEK_TUI_HOME"] = str(home)
    env["PYTHONIOENCODING"] = "utf-8"
    out, err = home / "ask.out", home / "ask.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "deepseek_tui", "ask", *args],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=env,
        )
    # Not proc.wait(): it would reap the child, and its rusage with it.
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            proc.returncode = -9
            raise TimeoutError(f"ask did not end within {timeout}s")
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return proc.returncode, out.read_text(), err.read_text(), usage.ru_maxrss * scale


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4 for the child's peak RSS")
def test_a_gzip_keepalive_bomb_times_out_in_bounded_memory(
    server: FakeDeepSeek, home: Path
) -> None:
    configure(home, server.base_url, extra="first_token_timeout = 3\n")
    server.push(Reply("never", encoding="gzip", fault="keepalive_bomb"))
    code, stdout, stderr, rss = ask_measured(home, "hello?")
    assert code == 1
    assert stdout == ""
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("deepseek-tui: ") and "first_token timeout" in last
    assert "Traceback" not in stderr
    assert rss < RSS_BOUND, f"peak RSS {rss >> 20} MiB"
    [(status, error)] = rows(home, "SELECT status, error FROM messages WHERE role='assistant'")
    assert status == "error" and "first_token timeout" in error
