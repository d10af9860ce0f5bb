"""``python -m deepseek_tui.testing``: serve the fake DeepSeek API until Ctrl+C.

The base URL is the first line of stdout (flushed), so scripts and tmux sessions
can pick it up; everything else goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import Any

from ._markdown import long_markdown
from ._protocol import HOSTS, Host, default_reply, thinking_on
from ._scenarios import Reply, Scenario
from ._server import FakeDeepSeek, Responder


def _slow_responder(host: Host) -> Responder:
    """Long Markdown answers at a readable pace, after a short queue wait."""

    def respond(body: dict[str, Any]) -> Scenario:
        quick = default_reply(body, thinking=thinking_on(host, body))
        seed = sum(map(ord, quick.content))
        return Reply(
            content=quick.content + "\n\n" + long_markdown(400, seed=seed),
            reasoning=(quick.reasoning + " " + long_markdown(40, seed=seed)).strip()
            if quick.reasoning
            else "",
            delay=0.03,
            first_delay=0.3,
            keepalives=2,
            keepalive_interval=0.3,
        )

    return respond


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m deepseek_tui.testing",
        description="Serve a fake DeepSeek API on 127.0.0.1 until interrupted.",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--host", choices=HOSTS, default="deepseek", help="which host to imitate")
    parser.add_argument(
        "--api-key", default="sk-test-key", help="accepted key; empty disables the check"
    )
    parser.add_argument("--slow", action="store_true", help="long answers streamed slowly")
    return parser.parse_args(argv)


async def _serve(args: argparse.Namespace) -> None:
    host: Host = args.host
    server = FakeDeepSeek(
        args.api_key or None,
        host=host,
        port=args.port,
        responder=_slow_responder(host) if args.slow else None,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with server:
        print(server.base_url, flush=True)
        print(
            f"fake {host} API; key {args.api_key or '(none)'}; Ctrl+C to stop",
            file=sys.stderr,
            flush=True,
        )
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
