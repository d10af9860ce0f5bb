"""The real app in a real pseudo-terminal: hostile text from the model, the
server and the database must never reach the terminal as control sequences.

Textual's own CSI output is expected; what must not appear is anything the
hostile corpus carries (clipboard writes, hyperlinks, window titles, DCS,
8-bit C1 controls, their payloads), while bidi and zero-width characters are
shown as visible markers.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from deepseek_tui.store import Store
from deepseek_tui.testing import FakeDeepSeek, Reply

from .conftest import KEY, WAIT_LIMIT, configure

OSC52 = "\x1b]52;c;SE9TVElMRS1DTElQ\x07"  # base64 of HOSTILE-CLIP
OSC8 = "\x1b]8;;http://evil.example/x\x1b\\click me\x1b]8;;\x1b\\"
OSC0 = "\x1b]0;PWNED-WINDOW\x07"
OSC2 = "\x1b]2;PWNED-WINDOW2\x1b\\"
CLEAR = "\x1b[2J\x1b[3J\x1b[H"
DCS = "\x1bPq#0;2;0;0;0#1!10~-\x1b\\"
C1 = "\x9b2J\x9d0;PWNED-C1\x9c"
BIDI = "abc\u202edcba\u200bend"
HOSTILE = OSC52 + OSC8 + OSC0 + OSC2 + CLEAR + DCS + C1

FORBIDDEN = [
    b"\x1b]52",
    b"SE9TVElMRS1DTElQ",
    b"\x1b]8;;http",
    b"evil.example",
    b"PWNED-WINDOW",
    b"PWNED-C1",
    b"\x1bPq",
    b"#0;2;0;0;0",
    b"\xc2\x9b",  # U+009B (8-bit CSI) as UTF-8
    b"\xc2\x9d",  # U+009D (8-bit OSC)
    b"\xc2\x9c",
    "\u202e".encode(),
    "\u200b".encode(),
]


class Terminal:
    """A child process on a pty of a fixed size; collects everything it writes."""

    def __init__(self, args: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        self.master, slave = os.openpty()
        cols, lines = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, cols, 0, 0))
        self.proc = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.output = b""

    def read(self, timeout: float = 0.1) -> None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            with contextlib.suppress(OSError):
                self.output += os.read(self.master, 65536)

    def wait_for(self, condition: Callable[[bytes], bool], limit: float = WAIT_LIMIT) -> None:
        deadline = time.monotonic() + limit
        while not condition(self.output):
            if time.monotonic() > deadline:
                tail = self.output[-2000:]
                raise AssertionError(f"timed out; the terminal shows (tail): {tail!r}")
            self.read()

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> int:
        deadline = time.monotonic() + WAIT_LIMIT
        while self.proc.poll() is None and time.monotonic() < deadline:
            self.read()
        for _ in range(5):
            self.read(0.05)
        if self.proc.poll() is None:
            self.proc.kill()
        code = self.proc.wait()
        os.close(self.master)
        return code


@pytest.fixture
def seeded(home: Path) -> str:
    """A saved conversation whose title and first answer are hostile."""
    with Store.open(home / "conversations.db").store as store:
        c = store.create_conversation(title="T" + HOSTILE + BIDI, model="deepseek-flash")
        _, answer = store.begin_turn(
            c.id, user_content="old " + HOSTILE, model="deepseek-flash", params={}
        )
        store.finish_message(
            answer.id, content="stored " + HOSTILE + BIDI, reasoning=None, status="complete"
        )
        return c.id


def test_hostile_text_never_reaches_the_terminal(home: Path, seeded: str) -> None:
    with FakeDeepSeek(api_key=KEY, host="deepseek").run_in_thread() as server:
        configure(home, server.base_url)
        server.push(
            Reply(
                content="Answer " + HOSTILE + BIDI + " ANSWER-DONE",
                reasoning="Think " + HOSTILE + " REASONED",
                chunk_chars=5,
            )
        )
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR",)}
        env.update(DEEPSEEK_TUI_HOME=str(home), TERM="xterm-256color", COLUMNS="120")
        term = Terminal([sys.executable, "-m", "deepseek_tui", "-c"], env, (120, 36))
        try:
            term.wait_for(lambda out: b"Ask DeepSeek" in out)
            term.wait_for(lambda out: "⟨RLO⟩".encode() in out)  # the title and history
            term.write(b"hello")
            term.wait_for(lambda out: b"hello" in out)  # typed into the prompt
            term.write(b"\r")
            term.wait_for(lambda out: b"ANSWER-DONE" in out)
            # the footer, drawn after the answer (parts of the answer may be drawn again later)
            term.wait_for(lambda out: b"tokens" in out.split(b"ANSWER-DONE", 1)[-1])
            assert len(server.chat_requests) == 1
            term.write(b"\x11")  # ctrl+q
        finally:
            code = term.close()
    out = term.output
    assert code == 0, out[-2000:]
    for needle in FORBIDDEN:
        assert needle not in out, needle
    assert "⟨RLO⟩".encode() in out and "⟨ZWSP⟩".encode() in out
    assert b"old " in out and b"stored " in out
