"""Options of ``ask`` either apply or say why not: thinking a model cannot do,
a continued conversation's system prompt, and stop sequences as a setting."""

from __future__ import annotations

import json
from pathlib import Path

from deepseek_tui.testing import FakeDeepSeek, Reply

from .conftest import KEY, configure, rows


def test_thinking_on_for_a_model_that_cannot_think_says_so(run_cli, home: Path) -> None:
    models = ("deepseek-chat", "deepseek-reasoner")
    with FakeDeepSeek(api_key=KEY, host="r1", models=models).run_in_thread() as host:
        configure(home, host.base_url, kind="openai-compatible")
        host.push(Reply(content="Hi."))
        r = run_cli("ask", "--model", "deepseek-chat", "--thinking", "on", "--effort", "max", "hi")
        assert r.code == 0, r.stderr
        assert r.stdout == "Hi.\n"
        body = host.chat_requests[-1].body
        assert "thinking" not in body and "reasoning_effort" not in body
        assert "note: deepseek-chat cannot think" in r.stderr
        assert "--thinking on has no effect" in r.stderr
        assert "note: deepseek-chat is not thinking; --effort max has no effect" in r.stderr

        host.push(Reply(content="Hi.", reasoning="r"))
        r = run_cli("ask", "--model", "deepseek-reasoner", "--thinking", "off", "hi")
        assert r.code == 0, r.stderr
        assert "note: deepseek-reasoner always thinks" in r.stderr

        host.push(Reply(content="Hi."))
        r = run_cli("ask", "--model", "deepseek-chat", "--thinking", "off", "hi")
        assert r.code == 0 and "note:" not in r.stderr, r.stderr


def test_continue_with_system_replaces_the_conversations_and_says_so(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content="A."), Reply(content="B."), Reply(content="C."), Reply(content="D."))
    assert run_cli("ask", "--system", "Answer in French.", "first").code == 0
    r = run_cli("ask", "-c", "--system", "Answer in German.", "second")
    assert r.code == 0, r.stderr
    assert "note: --system replaced this conversation's system prompt" in r.stderr
    assert server.chat_requests[-1].body["messages"][0] == {
        "role": "system",
        "content": "Answer in German.",
    }
    assert rows(home, "SELECT system FROM conversations") == [("Answer in German.",)]
    r = run_cli("ask", "-c", "third")  # kept for the next answers
    assert server.chat_requests[-1].body["messages"][0]["content"] == "Answer in German."
    assert "note:" not in r.stderr
    r = run_cli("ask", "-c", "--system", "Answer in German.", "fourth")  # the same: no note
    assert r.code == 0 and "note:" not in r.stderr, r.stderr


def test_stop_sequences_are_sent_remembered_and_checked(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content="one"), Reply(content="two"), Reply(content="three"))
    r = run_cli("ask", "--stop", "\\n\\n", "--stop", "END", "--stop", "a\\\\nb", "count")
    assert r.code == 0, r.stderr
    assert server.chat_requests[-1].body["stop"] == ["\n\n", "END", "a\\nb"]
    stored = rows(home, "SELECT params FROM conversations")
    assert json.loads(stored[0][0])["stop"] == ["\n\n", "END", "a\\nb"]
    assert run_cli("ask", "-c", "again").code == 0  # the conversation remembers them
    assert server.chat_requests[-1].body["stop"] == ["\n\n", "END", "a\\nb"]
    assert run_cli("ask", "-c", "--stop", "###", "again").code == 0  # --stop replaces them
    assert server.chat_requests[-1].body["stop"] == ["###"]

    sent = len(server.chat_requests)
    r = run_cli("ask", *[a for i in range(17) for a in ("--stop", f"s{i}")], "too many")
    assert r.code == 2
    assert "--stop: 17 stop sequences; DeepSeek takes at most 16" in r.stderr
    r = run_cli("ask", "--stop", "", "empty")
    assert r.code == 2 and "a stop sequence cannot be empty" in r.stderr
    assert len(server.chat_requests) == sent


def test_stop_sequences_from_the_config(run_cli, server: FakeDeepSeek, home: Path) -> None:
    configure(home, server.base_url, extra='\n[generation]\nstop = ["\\n\\n", "END"]\n')
    server.push(Reply(content="ok"))
    r = run_cli("ask", "hi")
    assert r.code == 0, r.stderr
    assert server.chat_requests[-1].body["stop"] == ["\n\n", "END"]

    configure(home, server.base_url, extra='\n[generation]\nstop = ["x", ""]\n')
    r = run_cli("ask", "hi")
    assert r.code == 1
    assert "generation.stop" in r.stderr and "up to 16 non-empty strings" in r.stderr
