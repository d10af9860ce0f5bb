"""``ask --tools``: the model calls a real MCP server's tools (mcp-server-time,
from the package index), the loopback server plays DeepSeek, the database is
real. What the user sees (stdout, stderr, exit code), what DeepSeek is sent,
and what history keeps."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from deepseek_tui.store import Store
from deepseek_tui.testing import FakeDeepSeek, Reply

from .conftest import configure, rows

TIME = "time__get_current_time"


def call(
    name: str = TIME, arguments: str = '{"timezone": "UTC"}', ident: str = "call_1"
) -> dict[str, Any]:
    return {"id": ident, "type": "function", "function": {"name": name, "arguments": arguments}}


def with_time_server(home: Path, server: FakeDeepSeek, *, trust: str = "", tools: str = "") -> None:
    command = json.dumps([sys.executable, "-m", "mcp_server_time", "--local-timezone", "UTC"])
    extra = f"\n[mcp.time]\ncommand = {command}\n{trust}\n"
    if tools:
        extra += f"\n[tools]\n{tools}\n"
    configure(home, server.base_url, extra=extra)


def tool_messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in body["messages"] if m["role"] == "tool"]


def test_yes_runs_the_call_and_the_answer_goes_on(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    with_time_server(home, server)
    server.push(Reply(content="", tool_calls=[call()]), Reply(content="It is noon in UTC."))
    r = run_cli("ask", "--tools", "--yes", "what time is it?", timeout=120)
    assert r.code == 0, r.stderr
    assert r.stdout == "It is noon in UTC.\n"
    assert f"tool: {TIME}" in r.stderr and f"ok: {TIME}" in r.stderr
    first, second = (req.body for req in server.chat_requests)
    assert [t["function"]["name"] for t in first["tools"]] == [TIME, "time__convert_time"]
    assert first["tool_choice"] == "auto"
    asked = second["messages"][-2]
    assert asked["role"] == "assistant" and asked["tool_calls"][0]["id"] == "call_1"
    assert "reasoning_content" in asked  # V4 thinking: the tool-call turn's reasoning goes back
    [result] = tool_messages(second)
    assert result["tool_call_id"] == "call_1" and '"timezone": "UTC"' in result["content"]
    # History keeps the call, its result and the answer, in order.
    kept = rows(home, "SELECT role, tool_name, tool_status, content FROM messages ORDER BY id")
    assert [(role, name, status) for role, name, status, _ in kept] == [
        ("user", None, None),
        ("assistant", None, None),
        ("tool", TIME, "ok"),
        ("assistant", None, None),
    ]
    assert kept[-1][3] == "It is noon in UTC."


def test_without_yes_an_untrusted_call_is_declined_and_the_model_told(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    with_time_server(home, server)
    server.push(Reply(content="", tool_calls=[call()]), Reply(content="I could not check."))
    r = run_cli("ask", "--tools", "what time is it?", timeout=120)
    assert r.code == 0, r.stderr
    assert r.stdout == "I could not check.\n"
    assert f"declined {TIME}" in r.stderr and "--yes" in r.stderr
    [result] = tool_messages(server.chat_requests[1].body)
    assert "declined" in result["content"]
    assert rows(home, "SELECT tool_status FROM messages WHERE role = 'tool'") == [("declined",)]


def test_a_trusted_tool_runs_without_yes_and_json_lists_the_calls(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    with_time_server(home, server, trust='trust = ["get_current_time"]')
    server.push(Reply(content="", tool_calls=[call()]), Reply(content="Noon."))
    r = run_cli("ask", "--tools", "--json", "time?", timeout=120)
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["content"] == "Noon."
    [listed] = data["tool_calls"]
    assert listed["name"] == TIME and listed["status"] == "ok"
    assert json.loads(listed["arguments"]) == {"timezone": "UTC"}
    assert "UTC" in listed["result"]
    assert data["usage"]["total_tokens"] > 0 and data["cost"] > 0  # both requests counted


def test_broken_arguments_and_unknown_tools_are_not_run_and_the_model_is_told(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    with_time_server(home, server, trust='trust = ["get_current_time"]')
    server.push(
        Reply(
            content="",
            tool_calls=[call(arguments='{"timezone": ', ident="a"), call("nope__x", "{}", "b")],
        ),
        Reply(content="Sorry."),
    )
    r = run_cli("ask", "--tools", "time?", timeout=120)
    assert r.code == 0, r.stderr
    broken, unknown = tool_messages(server.chat_requests[1].body)
    assert broken["tool_call_id"] == "a" and "JSON" in broken["content"]
    assert unknown["tool_call_id"] == "b" and "No tool named 'nope__x'" in unknown["content"]
    assert rows(home, "SELECT tool_status FROM messages WHERE role = 'tool' ORDER BY id") == [
        ("invalid",),
        ("error",),
    ]


def test_the_round_limit_ends_a_runaway_loop_with_one_line(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    with_time_server(home, server, trust='trust = ["get_current_time"]', tools="max_rounds = 1")
    server.push(
        Reply(content="", tool_calls=[call(ident="one")]),
        Reply(content="", tool_calls=[call(ident="two")]),
    )
    r = run_cli("ask", "--tools", "loop", timeout=120)
    assert r.code == 1
    assert r.stderr.strip().splitlines()[-1] == (
        "deepseek-tui: stopped after 1 tool rounds ([tools] max_rounds); "
        "ask again to let the model go on"
    )
    assert len(server.chat_requests) == 2
    assert rows(home, "SELECT tool_call_id, tool_status FROM messages WHERE role = 'tool'") == [
        ("one", "ok"),
        ("two", "not_run"),
    ]


def test_a_server_that_does_not_start_is_one_line_and_the_answer_still_comes(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    configure(
        home,
        server.base_url,
        extra='\n[mcp.ghost]\ncommand = ["deepseek-tui-no-such-mcp-server"]\n',
    )
    server.push(Reply(content="Hello."))
    r = run_cli("ask", "--tools", "hi", timeout=120)
    assert r.code == 0, r.stderr
    assert r.stdout == "Hello.\n"
    warning = [line for line in r.stderr.splitlines() if "ghost" in line]
    assert len(warning) == 1 and "did not start" in warning[0]
    assert "tools" not in server.chat_requests[0].body


@pytest.mark.parametrize("flags", [(), ("--tools",)], ids=["no --tools", "no servers"])
def test_no_tools_are_offered_without_tools_or_servers(
    run_cli, server: FakeDeepSeek, home: Path, flags: tuple[str, ...]
) -> None:
    server.push(Reply(content="Hi."))
    r = run_cli("ask", *flags, "hi")
    assert r.code == 0, r.stderr
    assert "tools" not in server.chat_requests[0].body


@pytest.mark.parametrize("how", ["--resume", "-c"])
def test_a_continued_conversation_keeps_the_tools_chosen_in_it(
    run_cli, server: FakeDeepSeek, home: Path, how: str
) -> None:
    """What the user chose in the TUI holds in ``ask``: a tool switched off in
    the conversation is not offered, one always allowed runs without --yes,
    and stderr says no more than for any call that runs."""
    with_time_server(home, server)
    server.push(Reply(content="Hello."))
    first = run_cli("ask", "--json", "hi")
    assert first.code == 0, first.stderr
    ident = json.loads(first.stdout)["conversation_id"]
    with Store.open(home / "conversations.db").store as store:
        store.set_tool_choices(ident, off=["time__convert_time"], allowed=[TIME])
    server.push(Reply(content="", tool_calls=[call()]), Reply(content="Noon."))
    flags = ["--resume", ident] if how == "--resume" else ["-c"]
    r = run_cli("ask", *flags, "--tools", "time?", timeout=120)
    assert r.code == 0, r.stderr
    assert r.stdout == "Noon.\n"
    assert [t["function"]["name"] for t in server.chat_requests[1].body["tools"]] == [TIME]
    lines = r.stderr.splitlines()
    assert [line.split(":")[1].strip() for line in lines] == ["tool", "ok"], r.stderr
    assert rows(home, "SELECT tool_status FROM messages WHERE role = 'tool'") == [("ok",)]
    # A new conversation starts from the defaults: every tool, and asking first.
    server.push(Reply(content="", tool_calls=[call(ident="n1")]), Reply(content="Declined."))
    r = run_cli("ask", "--tools", "time?", timeout=120)
    assert r.code == 0, r.stderr
    assert [t["function"]["name"] for t in server.chat_requests[3].body["tools"]] == [
        TIME,
        "time__convert_time",
    ]
    assert f"declined {TIME}" in r.stderr
