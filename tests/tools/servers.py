"""Real MCP servers for the runtime's tests: the third-party ``mcp-server-time``
and ``fault_server.py`` (written with the SDK), both run with this Python."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from deepseek_tui.tools import McpServerConfig

FAULT_SERVER = Path(__file__).with_name("fault_server.py")


@dataclass
class Fault:
    """Where a fault server records what it ran and which processes it was."""

    record: Path
    pids: Path

    def config(self, name: str = "fault", *options: str, **fields: object) -> McpServerConfig:
        command = (
            sys.executable,
            str(FAULT_SERVER),
            "--record",
            str(self.record),
            "--pids",
            str(self.pids),
            *options,
        )
        return McpServerConfig(name, command=command, **fields)  # type: ignore[arg-type]

    def ran(self) -> list[str]:
        return self.record.read_text().split() if self.record.exists() else []

    def started(self) -> list[int]:
        return [int(p) for p in self.pids.read_text().split()] if self.pids.exists() else []


def time_server(name: str = "time", **fields: object) -> McpServerConfig:
    return McpServerConfig(name, command=(sys.executable, "-m", "mcp_server_time"), **fields)  # type: ignore[arg-type]


def alive(pid: int) -> bool:
    """Whether ``pid`` still exists -- as a zombie too, which an unreaped child is."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class HttpFault:
    """A fault server on streamable HTTP, started and stopped by the test."""

    fault: Fault
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/mcp"

    def start(self) -> None:
        command = self.fault.config("web", "--http", str(self.port)).command
        assert command is not None
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("the HTTP fault server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=30)
            self.process = None
