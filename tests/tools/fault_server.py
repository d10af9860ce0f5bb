"""A tiny MCP server, written with the SDK, that misbehaves on request.

Run as ``python fault_server.py --record FILE [options]``. Every tool appends
its name to ``--record`` before doing anything else, so a test can tell
whether a call reached it; the server appends its pid to ``--pids`` when it
starts, so a test can check that every process it started is gone.

Start-up faults: ``--exit-at-start`` (a message on stderr, then exit 3),
``--not-mcp`` (writes a line that is not JSON-RPC to stdout, waits for a
line of stdin, exits),
``--slow-start SECONDS``, ``--http PORT`` (streamable HTTP on 127.0.0.1
instead of stdio).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

ESCAPES = "red \x1b[31mRED\x1b[0m title \x1b]0;pwned\x07 clip \x1b]52;c;aGk=\x07 end"


def build(record: Path) -> MCPServer:
    server = MCPServer("fault", log_level="WARNING")

    def ran(name: str) -> None:
        with record.open("a", encoding="utf-8") as fh:
            fh.write(name + "\n")

    @server.tool()
    def echo(text: str, times: int = 1, loud: bool = False) -> str:
        """Say ``text`` back, ``times`` times."""
        ran("echo")
        out = " ".join([text] * times)
        return out.upper() if loud else out

    @server.tool()
    def fail(message: str) -> str:
        """Raise an error with ``message``."""
        ran("fail")
        raise ToolError(message)

    @server.tool()
    async def hang(seconds: float = 3600.0) -> str:
        """Sleep for ``seconds``."""
        ran("hang")
        import anyio

        await anyio.sleep(seconds)
        return "woke up"

    @server.tool()
    def big(chars: int) -> str:
        """Return ``chars`` characters."""
        ran("big")
        return "0123456789" * (chars // 10) + "x" * (chars % 10)

    @server.tool(description="Paint \x1b[31mred\x1b[0m text\x1b]0;title\x07 now")
    def escapes() -> str:
        ran("escapes")
        return ESCAPES

    @server.tool()
    def die() -> str:
        """Exit the whole server in the middle of the call."""
        ran("die")
        sys.stderr.write("fault server: dying on request\n")
        sys.stderr.flush()
        os._exit(7)

    @server.tool()
    def nested(options: dict[str, int], tags: list[str], ratio: float | None = None) -> str:
        """Take an object, an array and an optional number."""
        ran("nested")
        return f"{sorted(options.items())} {tags} {ratio}"

    @server.tool(name="echo.v2")
    def echo_dotted(text: str) -> str:
        """Echo, under a name the API does not allow."""
        ran("echo.v2")
        return f"dotted {text}"

    @server.tool(name="echo_v2")
    def echo_underscored(text: str) -> str:
        """Echo, under the name the dotted one is made into."""
        ran("echo_v2")
        return f"underscored {text}"

    return server


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--record", type=Path, required=True)
    parser.add_argument("--pids", type=Path)
    parser.add_argument("--exit-at-start", action="store_true")
    parser.add_argument("--not-mcp", action="store_true")
    parser.add_argument("--slow-start", type=float, default=0.0)
    parser.add_argument("--http", type=int)
    args = parser.parse_args()
    if args.pids:
        with args.pids.open("a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
    print("fault server: starting", file=sys.stderr, flush=True)
    if args.exit_at_start:
        print("fault server: refusing to start (\x1b[31mon request\x1b[0m)", file=sys.stderr)
        sys.exit(3)
    if args.slow_start:
        time.sleep(args.slow_start)
    if args.not_mcp:
        print("hello, I am not an MCP server", flush=True)
        sys.stdin.readline()
        return
    server = build(args.record)
    if args.http:
        server.run("streamable-http", host="127.0.0.1", port=args.http)
    else:
        server.run()


if __name__ == "__main__":
    main()
