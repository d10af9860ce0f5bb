"""Limits per host and model (issue 17, items 2-4), against the loopback hosts
that reject what the real ones reject: ``max_tokens`` above a model's max output
and a temperature out of the aggregator's range are sent as the bound, with a
note; an R1 reseller whose own default (512) cuts answers gets the catalog's
default instead."""

from __future__ import annotations

import json
from pathlib import Path

from deepseek_tui.testing import FakeDeepSeek, Reply

from .conftest import KEY, configure

NOTE_393216 = (
    "deepseek-tui: note: max_tokens 500,000 is above deepseek-flash's maximum output of"
    " 393,216 tokens on this host; sent 393,216\n"
)


def test_ask_max_tokens_above_max_output_is_sent_as_it(run_cli, server: FakeDeepSeek) -> None:
    server.push(Reply(content="Short."))
    r = run_cli("ask", "--max-tokens", "500000", "hi")
    assert r.code == 0, r.stderr
    assert r.stdout == "Short.\n"
    assert server.chat_requests[-1].body["max_tokens"] == 393_216
    assert NOTE_393216 in r.stderr
    server.push(Reply(content="ok"))
    r = run_cli("ask", "--max-tokens", "393216", "hi")
    assert (r.code, server.chat_requests[-1].body["max_tokens"]) == (0, 393_216)
    assert "note" not in r.stderr


def test_config_max_tokens_is_clamped_the_same_way(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    configure(home, server.base_url, extra="\n[generation]\nmax_tokens = 500000\n")
    server.push(Reply(content="ok"))
    r = run_cli("ask", "hi")
    assert r.code == 0, r.stderr
    assert server.chat_requests[-1].body["max_tokens"] == 393_216
    assert NOTE_393216 in r.stderr


def test_r1_reseller_takes_8192_at_most(run_cli, home: Path) -> None:
    with FakeDeepSeek(api_key=KEY, host="r1").run_in_thread() as srv:
        configure(home, srv.base_url, kind="openai-compatible")
        srv.push(Reply(content="ok", reasoning="hm"))
        r = run_cli("ask", "--model", "deepseek-ai/DeepSeek-R1", "--max-tokens", "20000", "hi")
        assert r.code == 0, r.stderr
        assert srv.chat_requests[-1].body["max_tokens"] == 8_192
        assert (
            "max_tokens 20,000 is above deepseek-ai/DeepSeek-R1's maximum output of 8,192"
            in r.stderr
        )


def test_r1_reseller_default_does_not_cut_the_answer(run_cli, home: Path) -> None:
    """The reseller stops at 512 tokens (reasoning included) when a request
    names no max_tokens; the catalog's default for the model is sent instead."""
    reasoning = "Thinking it through step by step. " * 60  # ~510 tokens on its own
    answer = "The answer, in full. " * 40
    with FakeDeepSeek(api_key=KEY, host="r1").run_in_thread() as srv:
        configure(home, srv.base_url, kind="openai-compatible")
        srv.push(Reply(content=answer, reasoning=reasoning))
        r = run_cli("ask", "--model", "deepseek-ai/DeepSeek-R1", "--json", "hi")
        assert r.code == 0, r.stderr
        assert srv.chat_requests[-1].body["max_tokens"] == 8_192
        out = json.loads(r.stdout)
        assert (out["content"], out["finish_reason"]) == (answer, "stop")
        assert "cut off" not in r.stderr and "note" not in r.stderr

        # A [[models]] entry in config.toml changes the default for this host kind.
        configure(
            home,
            srv.base_url,
            kind="openai-compatible",
            extra=(
                '\n[[models]]\nhost = "*"\npattern = "*deepseek-r1*"\ndefault_max_tokens = 2048\n'
            ),
        )
        srv.push(Reply(content="ok"))
        r = run_cli("ask", "--model", "deepseek-ai/DeepSeek-R1", "hi")
        assert r.code == 0, r.stderr
        assert srv.chat_requests[-1].body["max_tokens"] == 2_048


AGGREGATOR = """
[providers.aggregator]
base_url = "{url}"
kind = "openai-compatible"
api_key = "{key}"
model = "deepseek-v3.2"
"""


def test_aggregator_temperature_range_comes_from_the_catalog(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    """No ``temperature_max`` in the config: the catalog knows deepseek-v3.2
    on such hosts takes 0-1, and the loopback aggregator refuses 1.5."""
    with FakeDeepSeek(api_key=KEY, host="generic").run_in_thread() as agg:
        configure(home, server.base_url, extra=AGGREGATOR.format(url=agg.base_url, key=KEY))
        agg.push(Reply(content="Warm."))
        r = run_cli("ask", "--provider", "aggregator", "--temperature", "1.5", "hi")
        assert r.code == 0, r.stderr
        assert agg.chat_requests[-1].body["temperature"] == 1.0
        assert (
            "deepseek-tui: note: temperature 1.5 is above this host's maximum of 1 for"
            " deepseek-v3.2; sent 1\n" in r.stderr
        )
        # temperature_max in [providers.NAME] still overrides the catalog's bound.
        extra = AGGREGATOR.format(url=agg.base_url, key=KEY) + "temperature_max = 0.5\n"
        configure(home, server.base_url, extra=extra)
        agg.push(Reply(content="Cool."))
        r = run_cli("ask", "--provider", "aggregator", "--temperature", "0.8", "hi")
        assert r.code == 0, r.stderr
        assert agg.chat_requests[-1].body["temperature"] == 0.5
    # DeepSeek's own API takes 0-2: 1.5 goes out as it is.
    server.push(Reply(content="ok"))
    r = run_cli("ask", "--thinking", "off", "--temperature", "1.5", "hi")
    assert (r.code, server.chat_requests[-1].body["temperature"]) == (0, 1.5)
    assert "note" not in r.stderr
