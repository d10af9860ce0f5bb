"""Every range a person reads is written out: ``1 to 1,000,000``, ``393,216``,
never ``1e+06`` -- in the flags' errors and help, the config file's errors
and the notes about a host's narrower range."""

from __future__ import annotations

from pathlib import Path

import pytest

from deepseek_tui.testing import FakeDeepSeek, Reply

from .conftest import KEY, configure


@pytest.mark.parametrize(
    ("flag", "value", "allowed"),
    [
        ("--max-tokens", "0", "1 to 1,000,000"),
        ("--max-tokens", "2000000", "1 to 1,000,000"),
        ("--temperature", "3", "0 to 2"),
        ("--top-p", "1.5", "0 to 1"),
    ],
)
def test_flag_range_errors(run_cli, home: Path, flag: str, value: str, allowed: str) -> None:
    r = run_cli("ask", flag, value, "hi", env={"DEEPSEEK_API_KEY": KEY})
    assert r.code == 2
    last = r.stderr.strip().splitlines()[-1]
    assert last == (
        f"deepseek-tui ask: error: argument {flag}: {value} is out of range; allowed: {allowed}"
    )
    assert "e+" not in r.stderr


def test_help_and_config_errors_write_numbers_out(run_cli, home: Path) -> None:
    r = run_cli("ask", "--help")
    assert r.code == 0
    assert "maximum tokens to generate, 1 to 1,000,000" in " ".join(r.stdout.split())
    assert "e+" not in r.stdout
    configure(home, "http://127.0.0.1:9", extra="\n[generation]\nmax_tokens = 0\n")
    r = run_cli("ask", "hi")
    assert r.code != 0
    assert "generation.max_tokens: 0 is out of range; allowed: 1 to 1,000,000" in r.stderr
    assert "e+" not in r.stderr


def test_note_on_a_narrower_range_keeps_the_digits(run_cli, home: Path) -> None:
    """A host that takes temperature 0 to 1: the value as given, the bound sent."""
    with FakeDeepSeek(api_key=KEY, host="generic", temperature_max=1.0).run_in_thread() as srv:
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.toml").write_text(
            f'[providers.deepseek]\nbase_url = "{srv.base_url}"\nkind = "openai-compatible"\n'
            f'api_key = "{KEY}"\nmodel = "deepseek-v3.2"\ntemperature_max = 1.0\n'
        )
        (home / "config.toml").chmod(0o600)
        srv.push(Reply(content="ok"))
        r = run_cli("ask", "--temperature", "1.2345678", "hi")
        assert r.code == 0, r.stderr
        assert srv.chat_requests[-1].body["temperature"] == 1.0
    assert (
        "temperature 1.2345678 is above this host's maximum of 1 for deepseek-v3.2; sent 1"
        in r.stderr
    )
