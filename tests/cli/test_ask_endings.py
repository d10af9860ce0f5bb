"""How `ask` ends when something outside the answer goes wrong: its reader
closes the pipe, or the database cannot be written. Real subprocesses."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from deepseek_tui.testing import FakeDeepSeek, Reply

from .conftest import rows

LINES = "".join(f"line {i} of a long answer\n" for i in range(400))


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPSEEK_")}
    env["DEEPSEEK_TUI_HOME"] = str(home)
    return env


def test_ask_into_head_stops_quietly_and_keeps_what_arrived(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content=LINES, chunk_chars=25, delay=0.002))
    # `deepseek-tui ask … | head -1`, as a shell runs it.
    cmd = f"{sys.executable} -m deepseek_tui ask 'count' | head -1"
    proc = subprocess.run(
        ["bash", "-o", "pipefail", "-c", cmd],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout == "line 0 of a long answer\n"
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


def test_a_failure_nobody_foresaw_is_one_line_without_the_key(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    key = "sk-tést secret-part-9f8e7d"  # httpx refuses it while setting up
    r = run_cli("ask", "hi", env={"DEEPSEEK_API_KEY": key})
    assert r.code == 1
    assert "Traceback" not in r.stderr
    assert "secret-part" not in r.stderr + r.stdout
    assert r.stderr.strip().splitlines()[-1].startswith("deepseek-tui: not sent:")
    assert server.chat_requests == []
