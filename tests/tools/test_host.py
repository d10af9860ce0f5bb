"""ToolHost against real servers: the third-party ``mcp-server-time`` and a
fault server written with the SDK. Nothing of ours is mocked; timeouts are
generous because two loaded cores start a Python MCP server in seconds."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

import pytest

from deepseek_tui.tools import McpServerConfig, ServerState, ToolsConfig
from deepseek_tui.tools.host import ToolHost

from .fault_server import ESCAPES
from .servers import Fault, HttpFault, alive, free_port, time_server

LIMITS = ToolsConfig(call_timeout=30.0)


def state(host: ToolHost, name: str) -> ServerState:
    return next(s for s in host.states() if s.name == name)


async def wait_for(check: object, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


async def test_the_time_server_lists_and_runs_its_tools() -> None:
    host = ToolHost([time_server(trust=("get_current_time",))], LIMITS)
    try:
        await host.start()
        time_state = state(host, "time")
        assert time_state.status == "ready", time_state.error
        assert time_state.error is None
        names = [t.wire_name for t in host.specs()]
        assert names == ["time__get_current_time", "time__convert_time"]
        assert [t.wire_name for t in time_state.tools] == names
        spec = host.find("time__get_current_time")
        assert spec is not None and spec.server == "time" and spec.name == "get_current_time"
        assert spec.parameters["type"] == "object" and "timezone" in spec.parameters["required"]
        assert spec.description
        assert spec.to_wire()["function"]["name"] == "time__get_current_time"
        assert host.find("time__nothing") is None
        assert host.trusted("time__get_current_time")
        assert not host.trusted("time__convert_time")
        assert not host.trusted("nope__nope")

        result = await host.call("time__get_current_time", '{"timezone": "Etc/UTC"}')
        assert result.status == "ok", result.content
        assert json.loads(result.content)["timezone"] == "Etc/UTC"

        converted = await host.call(
            "time__convert_time",
            '{"source_timezone": "Etc/UTC", "time": "12:00", "target_timezone": "Asia/Tokyo"}',
        )
        assert converted.status == "ok" and "21:00" in converted.content

        wrong = await host.call("time__get_current_time", '{"timezone": "Nowhere/Atlantis"}')
        assert wrong.status == "error" and "Nowhere/Atlantis" in wrong.content
    finally:
        await host.aclose()


async def test_servers_that_cannot_start_are_one_line_each_and_the_rest_work(
    fault: Fault,
) -> None:
    port = free_port()  # nothing listens there
    servers = [
        fault.config("fault"),
        McpServerConfig("ghost", command=("no-such-mcp-server-here", "--x")),
        fault.config("early", "--exit-at-start"),
        fault.config("babble", "--not-mcp"),
        McpServerConfig("web", url=f"http://127.0.0.1:{port}/mcp"),
        fault.config("off", enabled=False),
    ]
    host = ToolHost(servers, LIMITS)
    try:
        await host.start()
        states = {s.name: s for s in host.states()}
        assert [s.name for s in host.states()] == [
            "fault",
            "ghost",
            "early",
            "babble",
            "web",
            "off",
        ]
        assert states["fault"].status == "ready"
        expected = {
            "ghost": "MCP server ghost: command not found: no-such-mcp-server-here",
            "early": "MCP server early: the server exited during start-up",
            "babble": "what it wrote to stdout is not MCP",
            "web": f"MCP server web: cannot connect to http://127.0.0.1:{port}/mcp",
        }
        for name, words in expected.items():
            failed = states[name]
            assert failed.status == "failed" and failed.tools == ()
            assert failed.error is not None and words in failed.error, failed.error
            assert "\n" not in failed.error and "\x1b" not in failed.error
        # the last line of its stderr, made inert
        assert states["early"].error is not None
        assert "it said: fault server: refusing to start (on request)" in states["early"].error
        assert states["off"] == ServerState("off", "disabled", None, ())
        assert {t.server for t in host.specs()} == {"fault"}
        # "fault" started once, "early" and "babble" once each, "off" never
        assert len(fault.started()) == 3
    finally:
        await host.aclose()
    assert not any(alive(pid) for pid in fault.started())


async def test_stderr_of_a_server_never_reaches_the_terminal(
    fault: Fault, capfd: pytest.CaptureFixture[str]
) -> None:
    host = ToolHost([fault.config("fault"), fault.config("early", "--exit-at-start")], LIMITS)
    try:
        await host.start()
        assert (await host.call("fault__die", "{}")).status == "error"
    finally:
        await host.aclose()
    out, err = capfd.readouterr()
    assert "fault server" not in out + err


async def test_a_start_slower_than_its_timeout_fails_and_leaves_no_process(fault: Fault) -> None:
    host = ToolHost([fault.config("slow", "--slow-start", "120")], LIMITS, start_timeout=3)
    await host.start()
    slow = state(host, "slow")
    assert slow.status == "failed"
    assert slow.error is not None
    assert "did not finish starting within 3 seconds" in slow.error
    assert "it said: fault server: starting" in slow.error
    await host.aclose()
    assert fault.started() and not any(alive(pid) for pid in fault.started())


async def test_start_can_be_cancelled_and_stops_what_it_started(fault: Fault) -> None:
    host = ToolHost([fault.config("slow", "--slow-start", "120")], LIMITS)
    starting = asyncio.create_task(host.start())
    await wait_for(lambda: fault.started())
    assert state(host, "slow").status == "starting"
    starting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await starting
    cancelled = state(host, "slow")
    assert cancelled.status == "failed" and "cancelled" in (cancelled.error or "")
    assert not any(alive(pid) for pid in fault.started())
    await host.aclose()


async def test_a_tool_that_raises_gives_its_error_text(fault: Fault) -> None:
    host = ToolHost([fault.config()], LIMITS)
    try:
        await host.start()
        result = await host.call("fault__fail", '{"message": "the disk is on fire"}')
        assert result.status == "error"
        assert "the disk is on fire" in result.content
        assert (await host.call("fault__echo", '{"text": "still here"}')).content == "still here"
    finally:
        await host.aclose()


async def test_a_tool_that_hangs_times_out_and_the_server_goes_on(fault: Fault) -> None:
    host = ToolHost([fault.config()], ToolsConfig(call_timeout=2.0))
    try:
        await host.start()
        began = time.monotonic()
        result = await host.call("fault__hang", "{}")
        assert time.monotonic() - began < 20
        assert result.status == "timeout"
        assert "did not finish within 2 seconds" in result.content
        after = await host.call("fault__echo", '{"text": "next"}')
        assert after.status == "ok" and after.content == "next"
    finally:
        await host.aclose()


async def test_calls_run_side_by_side(fault: Fault) -> None:
    host = ToolHost([fault.config()], LIMITS)
    try:
        await host.start()
        results = await asyncio.gather(
            *(host.call("fault__echo", json.dumps({"text": f"n{i}"})) for i in range(5))
        )
        assert [r.content for r in results] == [f"n{i}" for i in range(5)]
    finally:
        await host.aclose()


async def test_megabytes_are_kept_whole_and_cut_for_the_model(fault: Fault) -> None:
    host = ToolHost([fault.config()], ToolsConfig(call_timeout=60.0, result_limit=1000))
    try:
        await host.start()
        result = await host.call("fault__big", '{"chars": 3000005}')
        assert result.status == "ok"
        assert len(result.content) == 3_000_005 and result.content.endswith("0123456789xxxxx")
        sent = result.for_model(host.config.result_limit)
        assert sent.startswith(result.content[:1000])
        assert "2,999,005 more characters not shown" in sent
        assert len(sent) < 1100
    finally:
        await host.aclose()


async def test_control_sequences_are_stored_raw_and_descriptions_made_inert(
    fault: Fault,
) -> None:
    host = ToolHost([fault.config()], LIMITS)
    try:
        await host.start()
        result = await host.call("fault__escapes", "")
        assert result.status == "ok" and result.content == ESCAPES  # the UI cleans on display
        spec = host.find("fault__escapes")
        assert spec is not None and spec.description == "Paint red text now"
    finally:
        await host.aclose()


BAD_ARGUMENTS = [
    ('{"text": ', "not valid JSON"),
    ("not json at all", "not valid JSON"),
    ('["hi"]', "must be a JSON object, not an array"),
    ('"hi"', "must be a JSON object, not a string"),
    ("{}", "missing required argument: text"),
    ('{"times": 2}', "missing required argument: text"),
    ('{"text": 5}', "argument 'text' must be a string, not a number"),
    ('{"text": "a", "times": "2"}', "argument 'times' must be a whole number, not a string"),
    ('{"text": "a", "times": 1.5}', "argument 'times' must be a whole number"),
    ('{"text": "a", "loud": "yes"}', "argument 'loud' must be true or false"),
]


async def test_bad_arguments_are_not_run_and_the_model_is_told_why(fault: Fault) -> None:
    host = ToolHost([fault.config()], LIMITS)
    try:
        await host.start()
        for arguments, words in BAD_ARGUMENTS:
            result = await host.call("fault__echo", arguments)
            assert result.status == "invalid", arguments
            assert words in result.content, result.content
            assert "was not run" in result.content and '"text"' in result.content  # the schema
        assert fault.ran() == []
        assert (await host.call("fault__echo", '{"text": "a", "times": 2.0}')).content == "a a"
        assert fault.ran() == ["echo"]
    finally:
        await host.aclose()


async def test_nested_types_and_an_unknown_tool(fault: Fault) -> None:
    host = ToolHost([fault.config()], LIMITS)
    try:
        await host.start()
        ok = await host.call("fault__nested", '{"options": {"a": 1}, "tags": ["x"], "ratio": null}')
        assert ok.status == "ok", ok.content
        bad = await host.call("fault__nested", '{"options": [], "tags": {}, "ratio": "high"}')
        assert bad.status == "invalid"
        for words in ("'options' must be an object", "'tags' must be an array", "'ratio' must"):
            assert words in bad.content
        unknown = await host.call("fault__nothing", "{}")
        assert unknown.status == "invalid" and "no tool named 'fault__nothing'" in unknown.content
        assert fault.ran() == ["nested"]
    finally:
        await host.aclose()


async def test_wire_names_are_unique_and_reach_the_right_tool(fault: Fault) -> None:
    host = ToolHost([fault.config()], LIMITS)
    try:
        await host.start()
        by_name = {s.name: s.wire_name for s in host.specs()}
        assert by_name["echo.v2"] != by_name["echo_v2"]
        assert len(set(by_name.values())) == len(by_name)
        for wire in by_name.values():
            assert wire.startswith("fault__") and len(wire) <= 64
        dotted = await host.call(by_name["echo.v2"], '{"text": "a"}')
        underscored = await host.call(by_name["echo_v2"], '{"text": "b"}')
        assert (dotted.content, underscored.content) == ("dotted a", "underscored b")
    finally:
        await host.aclose()


async def test_a_server_that_dies_in_a_call_restarts_at_the_next(fault: Fault) -> None:
    host = ToolHost([fault.config()], LIMITS)
    try:
        await host.start()
        died = await host.call("fault__die", "{}")
        assert died.status == "error"
        assert "The MCP server fault stopped while running die" in died.content
        assert "fault server: dying on request" in died.content
        stopped = state(host, "fault")
        assert stopped.status == "stopped" and stopped.tools, "its tools stay offered"
        assert "restarts at the next call" in (stopped.error or "")
        first = fault.started()[0]
        assert not alive(first)

        again = await host.call("fault__echo", '{"text": "back"}')
        assert again.status == "ok" and again.content == "back"
        assert state(host, "fault").status == "ready" and state(host, "fault").error is None
        assert len(fault.started()) == 2
    finally:
        await host.aclose()
    assert not any(alive(pid) for pid in fault.started())


async def test_a_server_killed_while_idle_is_restarted_by_the_next_call(fault: Fault) -> None:
    host = ToolHost([fault.config()], LIMITS)
    try:
        await host.start()
        os.kill(fault.started()[0], signal.SIGKILL)
        await wait_for(lambda: state(host, "fault").status == "stopped")
        result = await host.call("fault__echo", '{"text": "hello again"}')
        assert result.status == "ok" and result.content == "hello again"
        assert len(fault.started()) == 2
    finally:
        await host.aclose()


async def test_a_server_that_cannot_be_restarted_says_so(fault: Fault) -> None:
    host = ToolHost([fault.config()], LIMITS)
    try:
        await host.start()
        await host.call("fault__die", "{}")
        fault.pids.unlink()
        fault.pids.mkdir()  # writing its pid fails now: the server exits at start
        result = await host.call("fault__echo", '{"text": "x"}')
        assert result.status == "error"
        assert result.content.startswith("The tool was not run: MCP server fault:")
        assert "exited during start-up" in result.content
        assert state(host, "fault").status == "failed"
    finally:
        await host.aclose()


async def test_aclose_ends_every_process(fault: Fault) -> None:
    host = ToolHost([fault.config("a"), fault.config("b"), time_server()], LIMITS)
    await host.start()
    assert [s.status for s in host.states()] == ["ready", "ready", "ready"]
    pids = fault.started()
    assert len(pids) == 2 and all(alive(pid) for pid in pids)
    await host.aclose()
    assert not any(alive(pid) for pid in pids)
    assert [s.status for s in host.states()] == ["stopped", "stopped", "stopped"]
    await host.aclose()  # twice is harmless


async def test_a_streamable_http_server_reconnects_after_it_comes_back(
    http_fault: HttpFault,
) -> None:
    http_fault.start()
    host = ToolHost([McpServerConfig("web", url=http_fault.url)], LIMITS)
    try:
        await host.start()
        assert state(host, "web").status == "ready", state(host, "web").error
        assert (await host.call("web__echo", '{"text": "one"}')).content == "one"
        http_fault.stop()
        lost = await host.call("web__echo", '{"text": "two"}')
        assert lost.status == "error" and "web" in lost.content
        down = await host.call("web__echo", '{"text": "three"}')
        assert down.status == "error" and "cannot connect to" in down.content
        http_fault.start()
        back = await host.call("web__echo", '{"text": "four"}')
        assert back.status == "ok" and back.content == "four"
    finally:
        await host.aclose()
