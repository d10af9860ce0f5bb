"""``[mcp.NAME]`` and ``[tools]`` in ``config.toml``: read into Settings, and
every bad value stopped with one line naming the key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from deepseek_tui.config import ConfigError, load_settings
from deepseek_tui.paths import Paths
from deepseek_tui.tools import McpServerConfig, ToolsConfig


def write(home: Path, text: str) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    path = home / "config.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    path.chmod(0o600)
    return path


def test_no_tables_means_no_servers_and_default_limits(home: Path) -> None:
    settings = load_settings(Paths.resolve(), env={})
    assert settings.mcp == ()
    assert settings.tools == ToolsConfig(max_rounds=10, call_timeout=60.0, result_limit=20_000)


def test_the_issue_example_is_read_in_order(home: Path) -> None:
    write(
        home,
        """
        [mcp.time]
        command = ["uvx", "mcp-server-time"]
        trust = ["get_current_time"]
        [mcp.git]
        command = ["python", "-m", "mcp_server_git", "--repository", "."]
        env = { GIT_PAGER = "cat" }
        enabled = false
        [mcp.docs]
        url = "http://127.0.0.1:8931/mcp"

        [tools]
        max_rounds = 3
        call_timeout = 2.5
        result_limit = 100
        """,
    )
    settings = load_settings(Paths.resolve(), env={})
    assert settings.mcp == (
        McpServerConfig("time", command=("uvx", "mcp-server-time"), trust=("get_current_time",)),
        McpServerConfig(
            "git",
            command=("python", "-m", "mcp_server_git", "--repository", "."),
            env={"GIT_PAGER": "cat"},
            enabled=False,
        ),
        McpServerConfig("docs", url="http://127.0.0.1:8931/mcp"),
    )
    assert settings.tools == ToolsConfig(max_rounds=3, call_timeout=2.5, result_limit=100)
    assert isinstance(settings.tools.call_timeout, float)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mcp = 1\n", ["mcp:", "must be a table"]),
        ("[mcp]\ntime = 1\n", ["mcp.time:", "must be a table"]),
        ("[mcp.time]\n", ["mcp.time:", "exactly one of command", "url"]),
        (
            '[mcp.time]\ncommand = ["a"]\nurl = "http://h/mcp"\n',
            ["mcp.time:", "exactly one of command"],
        ),
        ("[mcp.time]\ncommand = []\n", ["mcp.time.command", "non-empty list of strings"]),
        ('[mcp.time]\ncommand = "uvx mcp-server-time"\n', ["mcp.time.command", "list"]),
        ('[mcp.time]\ncommand = ["uvx", 1]\n', ["mcp.time.command"]),
        ('[mcp.time]\ncommand = [" "]\n', ["mcp.time.command"]),
        ('[mcp.docs]\nurl = "ftp://h/mcp"\n', ["mcp.docs.url", "http(s) URL"]),
        ('[mcp.docs]\nurl = "http://"\n', ["mcp.docs.url"]),
        ('[mcp.t]\ncommand = ["a"]\nenv = { A = 1 }\n', ["mcp.t.env.A", "a string"]),
        ('[mcp.t]\ncommand = ["a"]\nenv = "A=1"\n', ["mcp.t.env", "table"]),
        ('[mcp.t]\ncommand = ["a"]\nenabled = "yes"\n', ["mcp.t.enabled", "true or false"]),
        ('[mcp.t]\ncommand = ["a"]\ntrust = "all"\n', ["mcp.t.trust", "tool names"]),
        (
            '[mcp.t]\ncommand = ["a"]\ntrusted = ["x"]\n',
            ["mcp.t.trusted", "unknown key", "did you mean 'trust'"],
        ),
        ('[mcp."my server"]\ncommand = ["a"]\n', ["mcp.my server", "letters, digits"]),
        ("[tools]\nmax_rounds = 0\n", ["tools.max_rounds", "out of range", "1 to 1000"]),
        ("[tools]\nmax_rounds = 2.5\n", ["tools.max_rounds", "whole number"]),
        ("[tools]\nmax_rounds = true\n", ["tools.max_rounds"]),
        ("[tools]\ncall_timeout = 0\n", ["tools.call_timeout", "more than 0"]),
        ("[tools]\ncall_timeout = -1.5\n", ["tools.call_timeout", "out of range"]),
        ("[tools]\ncall_timeout = nan\n", ["tools.call_timeout"]),
        ('[tools]\ncall_timeout = "60"\n', ["tools.call_timeout", "seconds"]),
        ("[tools]\nresult_limit = 99\n", ["tools.result_limit", "100"]),
        ("[tools]\nmax_round = 3\n", ["tools.max_round", "did you mean 'max_rounds'"]),
        ("tools = []\n", ["tools", "must be a table"]),
    ],
)
def test_a_bad_value_is_one_line_naming_the_key(home: Path, text: str, expected: list[str]) -> None:
    path = write(home, text)
    before = path.read_bytes()
    with pytest.raises(ConfigError) as err:
        load_settings(Paths.resolve(), env={})
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    for part in expected:
        assert part in message
    assert path.read_bytes() == before


def test_the_readme_examples_are_valid_config(tmp_path: Path) -> None:
    import tomllib

    from deepseek_tui.config import parse_config

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Tools (MCP)", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    settings = parse_config(tomllib.loads(example), tmp_path / "config.toml")
    assert [s.name for s in settings.mcp] == ["time", "git", "docs"]
    reference = readme.split("## Configuration reference", 1)[1].split("```toml\n", 1)[1]
    settings = parse_config(tomllib.loads(reference.split("```", 1)[0]), tmp_path / "c.toml")
    assert settings.tools == ToolsConfig()
    assert [s.command for s in settings.mcp] == [("uvx", "mcp-server-time")]
