"""A key that cannot go into a header is one line and exit 1, never shown.

Real subprocesses against the loopback server: the key is set the way users
set it (the environment, or the config file), with the characters a paste
brings along.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deepseek_tui.testing import FakeDeepSeek
from tests.conftest import RunCLI

SECRET = "sk-SECRETPART0123456789"

BAD_KEYS = {
    "space": (f"{SECRET} x", "a space at character 24"),
    "line break": (f"{SECRET}\nx", "a line break at character 24"),
    "non-ASCII": (f"{SECRET}\u2019x", "a non-ASCII character"),
    "control": (f"{SECRET}\x1b[2Jx", "a control character at character 24"),
}


@pytest.mark.parametrize("command", [("ask", "hi"), ("models",)], ids=["ask", "models"])
@pytest.mark.parametrize("case", sorted(BAD_KEYS))
def test_unusable_key_in_environment_is_one_line(
    server: FakeDeepSeek, run_cli: RunCLI, home: Path, command: tuple[str, ...], case: str
) -> None:
    key, expected = BAD_KEYS[case]
    result = run_cli(*command, env={"DEEPSEEK_API_KEY": key})
    assert result.code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "in DEEPSEEK_API_KEY" in lines[0] and expected in lines[0]
    assert "SECRETPART" not in result.stderr
    assert "Traceback" not in result.stderr
    assert server.requests == []  # nothing went out
    assert not (home / "conversations.db").exists()  # and nothing stored


def test_unusable_key_in_config_file_names_the_file(
    server: FakeDeepSeek, run_cli: RunCLI, home: Path
) -> None:
    cfg = home / "config.toml"
    text = cfg.read_text().replace('api_key = "sk-test', 'api_key = "sk-te st')
    cfg.write_text(text)
    result = run_cli("ask", "hi")
    assert result.code == 1
    assert "api_key of the config file holds a space" in result.stderr
    assert "te st" not in result.stderr
    assert server.requests == []
