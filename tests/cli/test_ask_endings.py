"""How `ask` ends when something outside the answer goes wrong: its reader
closes the pipe, a signal ends it, or the database cannot be written. Real
subprocesses."""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from deepseek_tui.testing import FakeDeepSeek, Reply

from .conftest import rows

#: Generous: CI shares two cores with other work.
WAIT_LIMIT = 120.0 if os.environ.get("CI") else 60.0

LINES = "".join(f"line {i} of a long answer\n" for i in range(400))


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPSEEK_")}
    env["DEEPSEEK_TUI_HOME"] = str(home)
    return env


@pytest.mark.parametrize(
    ("head", "shown"), [("-1", "line 0 of a long answer\n"), ("-c 10", "line 0 of ")]
)
def test_ask_into_head_stops_quietly_and_keeps_what_arrived(
    server: FakeDeepSeek, home: Path, head: str, shown: str
) -> None:
    server.push(Reply(content=LINES, chunk_chars=25, delay=0.002))
    # `deepseek-tui ask … | head -1`, as a shell runs it.
    cmd = f"{sys.executable} -m deepseek_tui ask 'count' | head {head}"
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", cmd],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout == shown
    assert proc.stderr == ""  # no traceback, no "exception was never retrieved"
    assert proc.returncode in (0, 141)
    (content, status, error) = rows(
        home, "SELECT content, status, error FROM messages WHERE role='assistant'"
    )[0]
    assert status == "interrupted"  # cut short, not failed and not complete
    assert content.startswith("line 0 of a long answer\n")
    assert error == "the output was closed"


def test_ask_on_a_read_only_database_says_so_in_one_line(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content="never shown"))
    assert run_cli("ask", "first").code == 0  # creates the database
    db = home / "conversations.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 99")  # written by a newer deepseek-tui
    before = len(server.chat_requests)
    r = run_cli("ask", "second")
    assert r.code == 1
    assert "Traceback" not in r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("deepseek-tui: ") and "not sent" in last and "read-only" in last
    assert r.stdout == ""
    assert len(server.chat_requests) == before  # nothing was sent that could not be saved


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP], ids=["TERM", "HUP"])
def test_ask_ended_by_a_signal_keeps_what_arrived_as_interrupted(
    server: FakeDeepSeek, home: Path, signum: signal.Signals
) -> None:
    server.push(Reply(content=LINES, chunk_chars=25, pauses=(4,)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "deepseek_tui", "ask", "count"],
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + WAIT_LIMIT
        while server.paused == 0:  # the answer is half-way, held by the server
            assert time.monotonic() < deadline, "the stream never reached its pause"
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.02)
        # The first rows are saved only at the next checkpoint; the text is in flight.
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=WAIT_LIMIT)
    finally:
        if proc.poll() is None:
            proc.kill()
        server.resume()
    assert proc.returncode == 128 + signum
    assert "Traceback" not in stderr
    assert stdout.startswith("line 0 of a long answer\n")
    (content, status, error) = rows(
        home, "SELECT content, status, error FROM messages WHERE role='assistant'"
    )[0]
    assert status == "interrupted"
    assert error == f"the process was ended ({signum.name})"
    assert content == stdout.rstrip("\n") or stdout.startswith(content)
    assert content.startswith("line 0 of a long answer\n")


def _file_size_limit(limit: int) -> Callable[[], None]:
    """Run the child as on a disk with ``limit`` bytes per file: writes past it
    fail (EFBIG) the way they fail on a full disk."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_ask_on_a_full_disk_prints_the_answer_and_says_it_was_not_stored(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content="warm up"))
    assert run_cli("ask", "first").code == 0  # creates the database
    db = home / "conversations.db"
    server.push(Reply(content=LINES, chunk_chars=200))
    proc = subprocess.run(
        [sys.executable, "-m", "deepseek_tui", "ask", "-c", "count"],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=WAIT_LIMIT,
        preexec_fn=_file_size_limit(db.stat().st_size),
    )
    assert proc.returncode == 1
    assert proc.stdout.rstrip("\n") == LINES.rstrip("\n")  # the whole answer, paid for
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("deepseek-tui: could not save the answer")
    assert last.endswith("it is shown here but not stored")
    # What was saved before is intact, and the next run works.
    server.push(Reply(content="fine again"))
    again = run_cli("ask", "-c", "again")
    assert again.code == 0 and again.stdout == "fine again\n"
    assert ("warm up", "complete") in rows(home, "SELECT content, status FROM messages")
