"""The command-line contract: help, version, paths, exit statuses, messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepseek_tui import __version__
from deepseek_tui.params import PARAMS, Param


def test_version(run_cli) -> None:
    r = run_cli("--version")
    assert r.code == 0
    assert r.stdout.strip() == f"deepseek-tui {__version__}"


def test_help_lists_every_command_and_the_environment(run_cli) -> None:
    r = run_cli("--help")
    assert r.code == 0
    for word in (
        "ask",
        "history",
        "export",
        "models",
        "paths",
        "--continue",
        "--resume",
        "--demo",
        "--model",
        "--base-url",
        "--theme",
        "DEEPSEEK_API_KEY",
        "DEEPSEEK_TUI_HOME",
    ):
        assert word in r.stdout


@pytest.mark.parametrize("command", ["ask", "history", "export", "models", "paths"])
def test_every_subcommand_has_help(run_cli, command: str) -> None:
    r = run_cli(command, "--help")
    assert r.code == 0
    assert f"deepseek-tui {command}" in r.stdout


def test_ask_help_names_every_contract_option(run_cli) -> None:
    out = run_cli("ask", "--help").stdout
    for option in (
        "--model",
        "--thinking",
        "--effort",
        "--system",
        "--temperature",
        "--top-p",
        "--max-tokens",
        "--attach",
        "--continue",
        "--resume",
        "--reasoning",
        "--json",
        "--no-save",
    ):
        assert option in out


def test_paths(run_cli, home: Path) -> None:
    r = run_cli("paths")
    assert r.code == 0
    lines = dict(
        line.split(None, 1)
        for line in r.stdout.splitlines()
        if " " in line and not line.startswith("(")
    )
    assert lines["config"] == str(home / "config.toml")
    assert lines["database"] == str(home / "conversations.db")
    assert lines["themes"] == str(home / "themes")
    assert not home.exists(), "printing paths creates nothing"


@pytest.mark.parametrize(
    "args",
    [
        ["--no-such-flag"],
        ["frobnicate"],
        ["ask", "--temperature", "7", "hi"],
        ["ask", "--top-p", "x", "hi"],
        ["ask", "--thinking", "maybe", "hi"],
        ["ask", "--effort", "medium", "hi"],
        ["ask", "--max-tokens", "0", "hi"],
        ["ask", "-c", "--resume", "abc", "hi"],
        ["-c", "--resume", "abc"],
        ["export"],
        ["export", "x", "--format", "pdf"],
    ],
)
def test_usage_errors_exit_2(run_cli, args: list[str]) -> None:
    r = run_cli(*args)
    assert r.code == 2, r.stderr
    assert "error:" in r.stderr
    assert "Traceback" not in r.stderr


def test_max_tokens_range_is_written_in_whole_numbers(run_cli) -> None:
    r = run_cli("ask", "--max-tokens", "0", "x")
    assert r.code == 2
    assert r.stderr.splitlines()[-1] == (
        "deepseek-tui ask: error: argument --max-tokens: 0 is out of range; allowed: 1 to 1,000,000"
    )
    assert "e+" not in run_cli("ask", "--help").stdout


@pytest.mark.parametrize("param", [p for p in PARAMS if p.flag], ids=lambda p: p.name)
def test_every_sampling_flag_says_what_it_allows(run_cli, param: Param) -> None:
    for text, problem in (
        (str(param.kind(param.hi + 1)), "is out of range"),
        ("x", "is not a"),
    ):
        r = run_cli("ask", str(param.flag), text, "hi")
        assert r.code == 2, r.stderr
        assert f"argument {param.flag}: " in r.stderr
        assert problem in r.stderr and f"allowed: {param.allowed}" in r.stderr


def test_bad_config_stops_every_command_with_one_line(run_cli, home: Path) -> None:
    home.mkdir()
    cfg = home / "config.toml"
    cfg.write_text("[generation]\ntemperature = 9\n")
    before = cfg.read_bytes()
    for args in (["history"], ["ask", "hi"], ["models"], []):
        r = run_cli(*args)
        assert r.code == 1
        assert r.stderr.count("\n") == 1, r.stderr
        assert "config.toml" in r.stderr and "temperature" in r.stderr
        assert "Traceback" not in r.stderr
    assert cfg.read_bytes() == before


def test_key_never_printed_on_config_error(run_cli, home: Path) -> None:
    home.mkdir()
    key = "sk-secretsecretsecret9999"
    (home / "config.toml").write_text(f'[providers.deepseek]\napi_key = "{key}"\nbogus = 1\n')
    r = run_cli("history")
    assert r.code == 1
    assert key not in r.stderr + r.stdout


def test_exit_codes_and_failures_live_in_errors() -> None:
    """cli.py and the commands share them through errors.py, which imports nothing
    of the package, so neither has to import the other."""
    import ast

    from deepseek_tui import cli, errors

    assert (errors.EXIT_OK, errors.EXIT_FAILURE, errors.EXIT_USAGE) == (0, 1, 2)
    assert errors.EXIT_INTERRUPTED == 130
    assert errors.Failure("x").exit_code == errors.EXIT_FAILURE
    assert errors.UsageError("x").exit_code == errors.EXIT_USAGE
    assert issubclass(errors.UsageError, errors.Failure)
    assert cli.Failure is errors.Failure
    tree = ast.parse(Path(errors.__file__).read_text(encoding="utf-8"))
    imported = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert all(isinstance(n, ast.ImportFrom) and n.module == "__future__" for n in imported)
