"""``deepseek-tui models``: the host's ids joined with the catalog."""

from __future__ import annotations

import json
from pathlib import Path

from deepseek_tui.testing import FakeDeepSeek

from .conftest import KEY, configure


def test_models_on_deepseek(run_cli, server: FakeDeepSeek) -> None:
    r = run_cli("models")
    assert r.code == 0, r.stderr
    lines = r.stdout.splitlines()
    flash = next(line for line in lines if line.startswith("deepseek-flash "))
    assert "1000K" in flash and "switchable" in flash and "USD" in flash
    data = json.loads(run_cli("models", "--json").stdout)
    ids = {row["id"]: row for row in data}
    assert ids["deepseek-v4-pro"]["context"] == 1_000_000
    assert ids["deepseek-v4-pro"]["price"]["currency"] == "USD"


def test_models_on_a_reseller(run_cli, home: Path) -> None:
    with FakeDeepSeek(api_key=KEY, host="r1").run_in_thread() as srv:
        configure(home, srv.base_url, kind="openai-compatible")
        data = json.loads(run_cli("models", "--json").stdout)
    ids = {row["id"]: row for row in data}
    assert ids["deepseek-ai/DeepSeek-R1"]["thinking"] == "on"
    assert ids["deepseek-chat"]["retired"] is False
    assert ids["deepseek-ai/DeepSeek-R1"]["price"] is None


def test_models_unreachable_host(run_cli, home: Path) -> None:
    configure(home, "http://127.0.0.1:9")
    r = run_cli("models")
    assert r.code == 1
    assert r.stderr.count("\n") == 1 and "127.0.0.1" in r.stderr
    assert "Traceback" not in r.stderr
