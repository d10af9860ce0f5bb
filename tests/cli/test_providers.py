"""Provider profiles: ``--provider NAME``, per-host quirks, retired ids in old conversations."""

from __future__ import annotations

import json
from pathlib import Path

from deepseek_tui.store import Store
from deepseek_tui.testing import Fail, FakeDeepSeek, Reply

from .conftest import KEY, configure

AGGREGATOR = """
[providers.aggregator]
base_url = "{url}"
kind = "openai-compatible"
api_key = "{key}"
model = "deepseek-v3.2"
temperature_max = 1.0
"""


def test_provider_flag_picks_a_profile_and_its_temperature_bound(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    with FakeDeepSeek(api_key=KEY, host="generic", temperature_max=1.0).run_in_thread() as agg:
        configure(home, server.base_url, extra=AGGREGATOR.format(url=agg.base_url, key=KEY))
        agg.push(Reply(content="Hot take."))
        r = run_cli("ask", "--provider", "aggregator", "--temperature", "1.5", "hi")
        assert r.code == 0, r.stderr
        body = agg.chat_requests[-1].body
        assert body["model"] == "deepseek-v3.2"
        assert body["temperature"] == 1.0
        assert "temperature 1.5 is above this host's maximum of 1 for deepseek-v3.2; sent 1" in (
            r.stderr
        )
        agg.push(Reply(content="Calm."))
        assert run_cli("ask", "--provider", "aggregator", "--temperature", "0.4", "hi").code == 0
        assert agg.chat_requests[-1].body["temperature"] == 0.4
        r = run_cli("models", "--provider", "aggregator", "--json")
        assert r.code == 0, r.stderr
        assert {row["id"] for row in json.loads(r.stdout)} == {"deepseek-v3.2", "deepseek-chat"}
    assert server.chat_requests == [], "the default provider was not used"
    # Without the flag the default provider (DeepSeek) answers, unclamped.
    server.push(Reply(content="ok"))
    assert run_cli("ask", "--thinking", "off", "--temperature", "1.5", "hi").code == 0
    assert server.chat_requests[-1].body["temperature"] == 1.5


def test_unknown_provider_is_a_usage_error_listing_the_known_ones(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    configure(home, server.base_url, extra=AGGREGATOR.format(url=server.base_url, key=KEY))
    for argv in (
        ("ask", "--provider", "nope", "hi"),
        ("models", "--provider", "nope"),
        ("--provider", "nope"),  # the TUI: refused before it starts
    ):
        r = run_cli(*argv)
        assert r.code == 2, argv
        assert "'nope' is not a configured provider; known: aggregator, deepseek" in r.stderr
        assert r.stderr.count("\n") == 1
    assert server.chat_requests == []


def test_low_balance_403_from_an_aggregator_reads_as_balance(run_cli, home: Path) -> None:
    with FakeDeepSeek(api_key=KEY, host="generic").run_in_thread() as agg:
        configure(home, agg.base_url, kind="openai-compatible")
        agg.push(Fail(403, message="余额不足 (insufficient balance)"))
        r = run_cli("ask", "--model", "deepseek-v3.2", "hi")
    assert r.code == 1
    assert "insufficient balance" in r.stderr and "top up" in r.stderr
    assert r.stderr.count("\n") == 1


def _old_conversation(home: Path, model: str, params: dict[str, object]) -> str:
    """A conversation saved before its model id was retired."""
    store = Store.open(home / "conversations.db").store
    try:
        conv = store.create_conversation(model=model, params=params)
        _, answer = store.begin_turn(
            conv.id, user_content="old question", model=model, params=params
        )
        store.finish_message(answer.id, content="old answer", reasoning=None, status="complete")
        return conv.id
    finally:
        store.close()


def test_resumed_conversation_on_a_retired_id_names_the_successor(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    conv_id = _old_conversation(home, "deepseek-chat", {"temperature": 1.3})
    r = run_cli("ask", "-c", "new question")
    assert r.code == 1
    assert r.stderr == (
        "deepseek-tui: this conversation uses deepseek-chat: deepseek-chat was retired on "
        "2026-07-24; use deepseek-flash with thinking off (the host answers HTTP 400 for the "
        "old id); continue it with: deepseek-tui ask -c --model deepseek-flash --thinking off\n"
    )
    r = run_cli("ask", "--resume", conv_id[:6], "new question")
    assert f"continue it with: deepseek-tui ask --resume {conv_id} --model" in r.stderr
    assert server.chat_requests == [], "nothing sent to earn a bare 400"

    server.push(Reply(content="new answer"))
    r = run_cli("ask", "-c", "--model", "deepseek-flash", "--thinking", "off", "new question")
    assert r.code == 0, r.stderr
    body = server.chat_requests[-1].body
    assert body["model"] == "deepseek-flash"
    assert body["thinking"] == {"type": "disabled"}
    assert body["temperature"] == 1.3, "the conversation's settings carry over"
    assert body["messages"][:2] == [
        {"role": "user", "content": "old question"},
        {"role": "assistant", "content": "old answer", "reasoning_content": ""},
    ]
    server.push(Reply(content="later"))
    assert run_cli("ask", "-c", "and now?").code == 0, "the switch is remembered"
    assert server.chat_requests[-1].body["model"] == "deepseek-flash"


def test_the_same_old_ids_keep_working_on_other_hosts(run_cli, home: Path) -> None:
    with FakeDeepSeek(api_key=KEY, host="r1").run_in_thread() as srv:
        configure(home, srv.base_url + "/v1", kind="openai-compatible")
        _old_conversation(home, "deepseek-chat", {})
        srv.push(Reply(content="still here"))
        r = run_cli("ask", "-c", "new question")
        assert r.code == 0, r.stderr
        assert srv.chat_requests[-1].body["model"] == "deepseek-chat"
        assert len(srv.chat_requests[-1].body["messages"]) == 3
        srv.push(Reply(content="thinking", reasoning="hmm", dialect="reasoning_content"))
        r = run_cli("ask", "--model", "deepseek-reasoner", "--reasoning", "q")
        assert r.code == 0, r.stderr
        assert "hmm" in r.stderr and "retired" not in r.stderr
