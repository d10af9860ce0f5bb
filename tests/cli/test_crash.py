"""A turn killed mid-stream (kill -9 or Ctrl+C) leaves an intact database that
keeps the prompt and all but the last second of the answer."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from deepseek_tui.store import Store
from deepseek_tui.testing import FakeDeepSeek, Reply

from .conftest import rows

WORDS = " ".join(f"w{i:04d}" for i in range(2000))  # 12,000 chars


def start_ask(home: Path, prompt: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPSEEK_")}
    env["DEEPSEEK_TUI_HOME"] = str(home)
    return subprocess.Popen(
        [sys.executable, "-m", "deepseek_tui", "ask", prompt],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def read_some(proc: subprocess.Popen[bytes], want: int) -> bytes:
    """Read at least ``want`` bytes of the answer from the child's stdout."""
    assert proc.stdout is not None
    got = b""
    fd = proc.stdout.fileno()
    while len(got) < want:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        got += chunk
    return got


def test_kill_9_mid_stream_loses_at_most_the_last_second(server: FakeDeepSeek, home: Path) -> None:
    rng = random.Random(1234)
    # 6 chars every 10 ms: ~600 chars per second of streaming.
    for run in range(4):
        server.push(Reply(content=WORDS, chunk_chars=6, delay=0.01))
        proc = start_ask(home, f"prompt {run}")
        seen = read_some(proc, 1)
        time.sleep(rng.uniform(1.2, 3.0))
        seen += read_some(proc, 1)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        remaining = proc.stdout.read() if proc.stdout else b""  # what was in the pipe
        printed = (seen + remaining).decode()

        with sqlite3.connect(home / "conversations.db") as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        saved = rows(
            home,
            "SELECT m.role, m.content, m.status FROM messages m JOIN conversations c "
            "ON c.id = m.conversation_id WHERE c.title = ? ORDER BY m.seq",
            f"prompt {run}",
        )
        assert saved[0] == ("user", f"prompt {run}", "complete")
        role, content, status = saved[1]
        assert role == "assistant" and status == "streaming"
        assert WORDS.startswith(content)
        # At most ~1 s of tokens (600 chars) plus slack for scheduling is missing.
        assert len(printed) - len(content) <= 1200, (len(printed), len(content))

    # Rows younger than RECOVER_AFTER might belong to a live process, so the later
    # runs left them alone; a start-up recovery without that grace takes all four.
    opened = Store.open(home / "conversations.db")
    assert opened.store.recover_interrupted() == 4
    statuses = rows(home, "SELECT DISTINCT status FROM messages WHERE role='assistant'")
    assert statuses == [("interrupted",)]
    opened.store.close()


def test_ctrl_c_stops_with_130_and_keeps_partial(server: FakeDeepSeek, home: Path) -> None:
    server.push(Reply(content=WORDS, chunk_chars=6, delay=0.01))
    proc = start_ask(home, "interrupt me")
    read_some(proc, 200)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert b"Traceback" not in err
    content, status = rows(home, "SELECT content, status FROM messages WHERE role='assistant'")[0]
    assert status == "interrupted"
    assert len(content) >= 200 and WORDS.startswith(content)
