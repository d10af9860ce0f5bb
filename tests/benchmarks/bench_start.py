"""Benchmark of start-up (a script; pytest does not collect it).

Cold start to first frame, in a real pseudo-terminal, of ``deepseek-tui``
(with a saved key, and with ``--demo``) against a bare Textual app showing one
label (median of several runs); and a stored conversation of 2,000 messages,
opened from the Ctrl+O panel (time from Enter) and with ``--resume`` (time from
launch): until its last message is on screen, and the process's peak RSS.

    nice .venv/bin/python tests/benchmarks/bench_start.py

The package is byte-compiled first, as ``pip install`` leaves it: a tree whose
``.pyc`` files are stale (or a shell with ``PYTHONDONTWRITEBYTECODE`` set)
would otherwise be timed compiling the source on every run.
"""

from __future__ import annotations

import compileall
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
#: Seconds between seeing what to wait for and typing the next keys.
PAUSE = 0.5
BARE = (
    "from textual.app import App\n"
    "from textual.widgets import Label\n"
    "class Bare(App):\n"
    "    def compose(self):\n"
    "        yield Label('BARE-READY')\n"
    "Bare().run()\n"
)
#: The chat screen's layout and footer in plain Textual, with none of the app:
#: what any Textual chat pays before its first frame.
LAYOUT = (
    "from textual.app import App\n"
    "from textual.binding import Binding\n"
    "from textual.containers import Horizontal, Vertical, VerticalScroll\n"
    "from textual.widgets import Button, Footer, Static, TextArea\n"
    "class Layout(App):\n"
    "    BINDINGS = [Binding(k, 'bell', d) for k, d in [('ctrl+n', 'New'),\n"
    "        ('ctrl+o', 'Conversations'), ('ctrl+s', 'Settings'), ('ctrl+r', 'Reasoning'),\n"
    "        ('f1', 'Help')]]\n"
    "    def compose(self):\n"
    "        with Horizontal():\n"
    "            with Vertical():\n"
    "                yield Static('')\n"
    "                yield VerticalScroll()\n"
    "                yield Button('follow', compact=True)\n"
    "                yield TextArea(compact=True)\n"
    "                yield Static('status')\n"
    "        yield Footer()\n"
    "Layout().run()\n"
)


def launch(
    args: list[str],
    home: Path,
    marker: bytes,
    limit: float = 60.0,
    steps: tuple[tuple[bytes, bytes], ...] = (),
) -> tuple[float, int]:
    """Seconds until ``marker`` is drawn, and the peak RSS (KiB) of the process.

    With ``steps`` — (what to wait for, keys to type then) — the time counts
    from the last keys typed, as a person would see it."""
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
    todo = [*steps, (marker, b"")]
    while todo and time.perf_counter() - start < limit:
        ready, _, _ = select.select([master], [], [], 0.01)
        if ready:
            with contextlib.suppress(OSError):
                out += os.read(master, 1 << 16)
            if todo[0][0] in out:
                _, keys = todo.pop(0)
                if todo:
                    _drain(master, PAUSE)  # a person reads before typing
                    out = b""
                    os.write(master, keys)
                    start = time.perf_counter()
                else:
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


def _drain(master: int, seconds: float) -> None:
    """Read (and drop) what the app draws for ``seconds``."""
    until = time.perf_counter() + seconds
    while (left := until - time.perf_counter()) > 0:
        ready, _, _ = select.select([master], [], [], min(left, 0.05))
        if ready:
            with contextlib.suppress(OSError):
                os.read(master, 1 << 16)


def configure(home: Path) -> None:
    """A saved key for a host that is not there: what the models and balance
    requests after the first frame meet does not matter here."""
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "config.toml"
    cfg.write_text(
        '[providers.deepseek]\nbase_url = "http://127.0.0.1:9"\nkind = "deepseek"\n'
        'api_key = "sk-bench-0123456789abcdef"\n[network]\nconnect_timeout = 1\nmax_retries = 0\n'
    )
    cfg.chmod(0o600)


def seed_history(home: Path, messages: int) -> str:
    """A conversation of ``messages`` messages; the last answer ends in a marker."""
    configure(home)
    with Store.open(home / "conversations.db").store as store:
        c = store.create_conversation(title="LONGCONV", model="deepseek-v4-flash")
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
    compileall.compile_dir(Path(__file__).resolve().parents[2] / "deepseek_tui", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        configure(home)
        app, demo = [py, "-m", "deepseek_tui"], [py, "-m", "deepseek_tui", "--demo"]
        times: dict[str, list[float]] = {"bare": [], "layout": [], "app": [], "demo": []}
        for _ in range(RUNS):  # interleaved, so a busy moment hits all alike
            times["bare"].append(launch([py, "-c", BARE], home, b"BARE-READY")[0])
            times["layout"].append(launch([py, "-c", LAYOUT], home, b"palette")[0])
            times["app"].append(launch(app, home, FIRST_FRAME)[0])
            times["demo"].append(launch(demo, home, FIRST_FRAME)[0])
        b, lay, a, d = (statistics.median(times[k]) for k in ("bare", "layout", "app", "demo"))
        print(f"cold start to first frame (median of {RUNS}, pty {SIZE[0]}x{SIZE[1]}):")
        print(f"  bare Textual label app:        {b * 1000:.0f} ms")
        print(f"  the chat's layout, plain:      {lay * 1000:.0f} ms  ({lay / b:.2f}x bare)")
        print(
            f"  deepseek-tui:                  {a * 1000:.0f} ms  ({a / b:.2f}x bare, goal <= 1.5x;"
            f" {a / lay:.2f}x the plain layout)"
        )
        print(f"  deepseek-tui --demo:           {d * 1000:.0f} ms  ({d / b:.2f}x bare)")
        long_home = Path(tmp) / "long"
        cid = seed_history(long_home, 2_000)
        resumed = [
            launch([py, "-m", "deepseek_tui", "--resume", cid], long_home, b"LASTMARK")
            for _ in range(3)
        ]
        # Ctrl+O, then Enter on the newest conversation (the long one).
        steps = ((FIRST_FRAME, b"\x0f"), (b"LONGCONV", b"\r"))
        opened = [
            launch([py, "-m", "deepseek_tui"], long_home, b"LASTMARK", steps=steps)[0]
            for _ in range(3)
        ]
        print("a conversation of 2,000 messages (median of 3; goals 0.5 s, 250 MB):")
        print(
            f"  opened from Ctrl+O: last message on screen {statistics.median(opened):.2f} s "
            "after Enter"
        )
        print(
            f"  deepseek-tui --resume: last message on screen "
            f"{statistics.median(t for t, _ in resumed):.2f} s after launch, "
            f"peak RSS {max(r for _, r in resumed) / 1024:.0f} MB"
        )


if __name__ == "__main__":
    main()
