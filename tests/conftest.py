"""Shared fixtures: an isolated DEEPSEEK_TUI_HOME and a way to run the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest
from hypothesis import settings

_ENV_VARS = ("DEEPSEEK_API_KEY", "DEEPSEEK_BASE_URL", "DEEPSEEK_TUI_HOME", "NO_COLOR")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh DEEPSEEK_TUI_HOME with no DeepSeek variables inherited from the machine."""
    root = tmp_path / "home"
    for var in _ENV_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DEEPSEEK_TUI_HOME", str(root))
    yield root


@dataclass
class CLIResult:
    code: int
    stdout: str
    stderr: str


class RunCLI(Protocol):
    def __call__(
        self,
        *args: str,
        input: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> CLIResult: ...


@pytest.fixture
def run_cli(home: Path) -> RunCLI:
    """Run ``python -m deepseek_tui ARGS`` in a subprocess with the test home."""

    def run(
        *args: str,
        input: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> CLIResult:
        full_env = {k: v for k, v in os.environ.items() if k not in _ENV_VARS}
        full_env["DEEPSEEK_TUI_HOME"] = str(home)
        full_env["PYTHONIOENCODING"] = "utf-8"
        full_env.update(env or {})
        proc = subprocess.run(
            [sys.executable, "-m", "deepseek_tui", *args],
            input=input,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
        )
        return CLIResult(proc.returncode, proc.stdout, proc.stderr)

    return run


# CI runs every property test with the same examples, so a red build is
# reproducible and never depends on luck; locally hypothesis explores freely.
settings.register_profile("ci", derandomize=True, deadline=None, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
