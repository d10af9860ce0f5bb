"""Benchmark of start-up (a script; pytest does not collect it).

Cold start to first frame, in a real pseudo-terminal, of ``deepseek-tui
--demo`` against a bare Textual app showing one label (median of several
runs), and opening a stored conversation of 2,000 messages with ``--resume``:
time until its last message is on screen and the process's peak RSS.

    nice .venv/bin/python tests/benchmarks/bench_start.py
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import resource
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from deepseek_tui.store import Store  # noqa: E402
from deepseek_tui.testing import long_markdown  # noqa: E402

RUNS = 7
#: Drawn in one piece in the app's first frame (the footer). The prompt's
#: placeholder is not: the cursor splits it with colour codes until it blinks.
FIRST_FRAME = b"Settings"
SIZE = (120, 36)
BARE = (
    "from textual.app import App\n"
    "from textual.widgets import Label\n"
    "class Bare(App):\n"
    "    def compose(self):\n"
    "        yield Label('BARE-READY')\n"
    "Bare().run()\n"
)


def launch(args: list[str], home: Path, marker: bytes, limit: float = 60.0) -> tuple[float, int]:
    """Seconds until ``marker`` is drawn, and the peak RSS (KiB) of the process."""
    master, slave = os.openpty()
    cols, lines = SIZE
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, cols, 0, 0))
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(DEEPSEEK_TUI_HOME=str(home), TERM="xterm-256color")
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    out = b""
    seen = None
    while seen is None and time.perf_counter() - start < limit:
        ready, _, _ = select.select([master], [], [], 0.01)
        if ready:
            with contextlib.suppress(OSError):
                out += os.read(master, 1 << 16)
            if marker in out:
                seen = time.perf_counter() - start
    os.write(master, b"\x11")  # ctrl+q
    deadline = time.perf_counter() + 10
    while proc.poll() is None and time.perf_counter() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            with contextlib.suppress(OSError):
                os.read(master, 1 << 16)
    if proc.poll() is None:
        proc.kill()
    _, _, usage = os.wait4(proc.pid, 0) if proc.returncode is None else (0, 0, None)
    os.close(master)
    if seen is None:
        raise RuntimeError(f"{args} never drew {marker!r}; tail: {out[-500:]!r}")
    rss = (
        usage.ru_maxrss
        if usage is not None
        else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    )
    return seen, rss


def seed_history(home: Path, messages: int) -> str:
    """A conversation of ``messages`` messages; the last answer ends in a marker."""
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "config.toml"
    cfg.write_text(
        '[providers.deepseek]\nbase_url = "http://127.0.0.1:9"\nkind = "deepseek"\n'
        'api_key = "sk-bench-0123456789abcdef"\n[network]\nconnect_timeout = 1\nmax_retries = 0\n'
    )
    cfg.chmod(0o600)
    with Store.open(home / "conversations.db").store as store:
        c = store.create_conversation(title="long", model="deepseek-v4-flash")
        for i in range(messages // 2):
            _, answer = store.begin_turn(
                c.id, user_content=f"question {i}", model="deepseek-v4-flash", params={}
            )
            text = long_markdown(300, seed=i)
            if i == messages // 2 - 1:
                text += "\nLASTMARK\n"
            store.finish_message(
                answer.id, content=text, reasoning="thought " * 50, status="complete"
            )
        return c.id


def main() -> None:
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        bare = [launch([py, "-c", BARE], home, b"BARE-READY")[0] for _ in range(RUNS)]
        demo = [
            launch([py, "-m", "deepseek_tui", "--demo"], home, FIRST_FRAME)[0] for _ in range(RUNS)
        ]
        b, d = statistics.median(bare), statistics.median(demo)
        print(f"cold start to first frame (median of {RUNS}, pty {SIZE[0]}x{SIZE[1]}):")
        print(f"  bare Textual label app: {b * 1000:.0f} ms")
        print(f"  deepseek-tui --demo:    {d * 1000:.0f} ms  ({d / b:.2f}x, goal <= 1.5x)")
        long_home = Path(tmp) / "long"
        cid = seed_history(long_home, 2_000)
        opened, rss = launch(
            [py, "-m", "deepseek_tui", "--resume", cid], long_home, b"LASTMARK", limit=120
        )
        print(
            f"--resume of 2,000 messages: last message on screen after {opened:.2f} s, "
            f"peak RSS {rss / 1024:.0f} MB (goals 0.5 s, 250 MB)"
        )


if __name__ == "__main__":
    main()
