"""Benchmark of long answers (a script; pytest does not collect it).

1. ``deepseek-tui --resume`` of a conversation holding long answers, in a real
   pseudo-terminal (120x40): seconds from launch to the app's first frame and
   to the end of the last answer on screen, and the process's peak RSS. Shapes:
   one short answer, six 5,000-token answers, one 20,000-token answer and one
   80,000-token answer (memory must not follow the text that is off screen).
2. A 20,000-token answer streamed at full speed from the loopback server (run
   in another process) into the app (headless, in this process): the app's CPU
   time while the user follows it and while they have scrolled up, and the
   longest stall of the event loop (what the status line would show late).

    nice .venv/bin/python tests/benchmarks/bench_long.py [TREE]

``TREE`` (default: this checkout) is the source tree to measure, so the same
script can time an older commit unpacked elsewhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TREE = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2]).resolve()
sys.path[:0] = [str(TREE), str(TREE / "tests")]

from deepseek_tui.store import Store  # noqa: E402
from deepseek_tui.testing import long_markdown  # noqa: E402

#: Drawn in one piece in the app's first frame (the footer), as in bench_start.
FIRST_FRAME = b"Settings"

RUNS = 5
SIZE = (120, 40)
MARK = b"LASTMARK"
KEY = "sk-bench-0123456789abcdef"
SHAPES = {
    "one short answer": (1, 100),
    "six 5,000-token answers": (6, 5_000),
    "one 20,000-token answer": (1, 20_000),
    "one 80,000-token answer": (1, 80_000),
}


def configure(home: Path) -> None:
    """A saved key for a host that is not there (as in bench_start)."""
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "config.toml"
    cfg.write_text(
        '[providers.deepseek]\nbase_url = "http://127.0.0.1:9"\nkind = "deepseek"\n'
        f'api_key = "{KEY}"\n[network]\nconnect_timeout = 1\nmax_retries = 0\n'
    )
    cfg.chmod(0o600)


def _drain(master: int, seconds: float) -> None:
    """Read (and drop) what the app draws for ``seconds``."""
    until = time.perf_counter() + seconds
    while (left := until - time.perf_counter()) > 0:
        if select.select([master], [], [], min(left, 0.05))[0]:
            with contextlib.suppress(OSError):
                os.read(master, 1 << 16)


def seed(home: Path, answers: int, tokens: int) -> str:
    configure(home)
    with Store.open(home / "conversations.db").store as store:
        c = store.create_conversation(title="LONG", model="deepseek-v4-flash")
        for i in range(answers):
            _, answer = store.begin_turn(
                c.id, user_content=f"question {i}", model="deepseek-v4-flash", params={}
            )
            text = long_markdown(tokens, seed=i) + ("\nLASTMARK\n" if i == answers - 1 else "")
            store.finish_message(answer.id, content=text, reasoning=None, status="complete")
        return c.id


def resume(home: Path, cid: str, limit: float = 60.0) -> tuple[float, float, int]:
    """Seconds to the first frame and to ``MARK``, and peak RSS (KiB)."""
    import fcntl
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(DEEPSEEK_TUI_HOME=str(home), TERM="xterm-256color", PYTHONPATH=str(TREE))
    args = [sys.executable, "-m", "deepseek_tui", "--resume", cid]
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=TREE, start_new_session=True
    )
    os.close(slave)
    out, first, seen = b"", None, None
    while seen is None and time.perf_counter() - start < limit:
        if select.select([master], [], [], 0.01)[0]:
            with contextlib.suppress(OSError):
                out += os.read(master, 1 << 16)
            now = time.perf_counter() - start
            if first is None and FIRST_FRAME in out:
                first = now
            if MARK in out:
                seen = now
    _drain(master, 0.3)
    os.write(master, b"\x11")  # ctrl+q
    deadline = time.perf_counter() + 10
    pid, usage = 0, None
    while not pid and time.perf_counter() < deadline:
        _drain(master, 0.05)
        pid, _, usage = os.wait4(proc.pid, os.WNOHANG)
    if not pid:
        proc.kill()
        _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0  # reaped here, for its resource usage
    os.close(master)
    if first is None or seen is None:
        raise RuntimeError(f"--resume never drew {MARK!r}; tail: {out[-300:]!r}")
    return first, seen, usage.ru_maxrss


SERVER = (
    "import asyncio, sys\n"
    "from deepseek_tui.testing import FakeDeepSeek, Reply, long_markdown\n"
    "text = long_markdown(int(sys.argv[1]))\n"
    "delay = float(sys.argv[2])\n"
    "async def main():\n"
    "    reply = lambda body: Reply(content=text, chunk_chars=4, delay=delay)\n"
    f"    async with FakeDeepSeek({KEY!r}, responder=reply) as server:\n"
    "        print(server.base_url, flush=True)\n"
    "        await asyncio.Event().wait()\n"
    "asyncio.run(main())\n"
)


def stream(tokens: int, scroll: bool, delay: float = 0.0) -> tuple[float, float]:
    """CPU seconds of the app for one streamed answer, and the longest
    event-loop stall (ms of CPU between two ticks of a 20 ms timer, which is
    what delays the status line): following it, or scrolled up from 40 % on."""
    from ui.conftest import configure as configure_url

    home = Path(tempfile.mkdtemp()) / "home"
    os.environ["DEEPSEEK_TUI_HOME"] = str(home)
    env = {**os.environ, "PYTHONPATH": str(TREE)}
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(tokens), str(delay)], stdout=subprocess.PIPE, env=env
    )
    assert server.stdout is not None
    configure_url(home, server.stdout.readline().decode().strip(), key=KEY)
    try:
        return asyncio.run(_stream(tokens, scroll))
    finally:
        server.kill()
        server.wait()


async def _stream(tokens: int, scroll: bool) -> tuple[float, float]:
    from ui.conftest import make_app

    from deepseek_tui import startup
    from deepseek_tui.ui.screens.chat import ChatScreen
    from deepseek_tui.ui.widgets.conversation import ConversationView
    from deepseek_tui.ui.widgets.message import AssistantMessage

    startup.hold()  # as `deepseek-tui` starts: start-up's objects are frozen at the first frame
    app = make_app()
    gaps: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        while not isinstance(app.screen, ChatScreen):
            await pilot.pause(0.01)
        screen = app.screen
        await pilot.press(*"go", "enter")
        last = time.process_time()

        def tick() -> None:  # CPU time, so a machine busy with others does not count
            nonlocal last
            now = time.process_time()
            gaps.append(now - last)
            last = now

        app.set_interval(0.02, tick)
        cpu = time.process_time()
        scrolled = not scroll
        while True:
            answers = screen.query(AssistantMessage)
            if answers and answers.last().state != "streaming":
                break
            if not scrolled and answers and len(answers.last().content) > tokens * 8 // 5:
                pane = screen.query_one(ConversationView)
                pane.release_anchor()
                pane.scroll_to(y=pane.scroll_y - 30, animate=False, immediate=True)
                scrolled = True
            await pilot.pause(0.05)
        return time.process_time() - cpu, max(gaps) * 1000


def main() -> None:
    import compileall

    compileall.compile_dir(TREE / "deepseek_tui", quiet=1)  # as pip install leaves it
    print(f"tree: {TREE}")
    print(f"--resume, pty {SIZE[0]}x{SIZE[1]}, median of {RUNS} (first frame / last answer / RSS):")
    with tempfile.TemporaryDirectory() as tmp:
        for name, (answers, tokens) in SHAPES.items():
            home = Path(tmp) / name.replace(" ", "_")
            cid = seed(home, answers, tokens)
            runs = [resume(home, cid) for _ in range(RUNS)]
            first = statistics.median(r[0] for r in runs)
            seen = statistics.median(r[1] for r in runs)
            rss = statistics.median(r[2] for r in runs) / 1024
            print(
                f"  {name:<26} first frame {first:5.2f} s   last answer {seen:5.2f} s "
                f"(+{seen - first:.2f} s)   peak RSS {rss:4.0f} MB"
            )
    print("a 20,000-token answer streamed at full speed, headless (median of 3):")
    for scroll in (False, True):
        runs = [stream(20_000, scroll) for _ in range(3)]
        cpu = statistics.median(r[0] for r in runs)
        stall = statistics.median(r[1] for r in runs)
        label = "scrolled up from 40 %" if scroll else "following it"
        print(f"  {label:<22} app CPU {cpu:5.2f} s   longest stall {stall:4.0f} ms (CPU)")
    # DeepSeek's own pace: about 100 tokens a second (a chunk of ~1 token every 10 ms).
    print("a 3,000-token answer at about 100 tokens/s, headless (one run each):")
    for scroll in (False, True):
        cpu, stall = stream(3_000, scroll, delay=0.01)
        label = "scrolled up from 40 %" if scroll else "following it"
        print(f"  {label:<22} app CPU {cpu:5.2f} s   longest stall {stall:4.0f} ms (CPU)")


if __name__ == "__main__":
    main()
