"""Tool use in the TUI end to end: the real app against the loopback server,
a real database, and a real MCP server (``mcp-server-time``, run with this
Python) configured in the test home's ``config.toml``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, Collapsible

from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage
from deepseek_tui.ui.widgets.toolcall import ToolCallBlock, ToolDecisionBar

from .conftest import SIZE, configure, make_app, notified, rows, screen_text, wait_for

pytest.importorskip("mcp")
pytest.importorskip("mcp_server_time")

#: MCP servers start slowly on two loaded cores (the SDK alone takes a second).
LIMIT = 90.0
TOOL = "time__get_current_time"
ARGS = '{"timezone": "Europe/Oslo"}'


def time_server(extra: str = "") -> str:
    command = json.dumps([sys.executable, "-m", "mcp_server_time", "--local-timezone", "UTC"])
    return f"\n[mcp.time]\ncommand = {command}\n{extra}"


@pytest.fixture
async def tools_server(home: Path) -> Any:
    async with FakeDeepSeek(api_key="sk-test-key-0123456789abcd", host="deepseek") as srv:
        configure(home, srv.base_url, extra=time_server())
        yield srv


def call(call_id: str = "call_1", name: str = TOOL, arguments: str = ARGS) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


async def ready(pilot: Any, app: Any) -> ChatScreen:
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
    screen = app.screen
    assert isinstance(screen, ChatScreen)
    await wait_for(pilot, screen.tools.ready, LIMIT)
    return screen


def tool_messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for m in body["messages"] if m["role"] == "tool"]


async def asked(pilot: Any, screen: ChatScreen, text: str = "Time?") -> None:
    """Send ``text`` and wait for the bar that asks whether to run the calls."""
    await pilot.press(*text, "enter")
    await wait_for(pilot, lambda: screen.query(ToolDecisionBar), LIMIT)


async def test_call_waits_then_run_folds_result_and_next_answer_streams(
    tools_server: FakeDeepSeek, home: Path
) -> None:
    tools_server.push(Reply(content="", tool_calls=[call()]))
    tools_server.push(Reply(content="It is late in Oslo."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot, app)
        await asked(pilot, screen, "Time in Oslo?")
        block = screen.query_one(ToolCallBlock)
        text = screen_text(app)
        assert "time · get_current_time" in text and "waiting for you" in text
        assert '"timezone": "Europe/Oslo"' in text
        assert len(tools_server.chat_requests) == 1  # nothing ran yet
        assert TOOL in json.dumps(tools_server.chat_requests[0].body["tools"])
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: (a := screen.query(AssistantMessage)) and a.last().state == "complete",
            LIMIT,
        )
        assert block.status == "ok" and "Europe/Oslo" in (block.result or "")
        folded = block.query_one(Collapsible)
        assert folded.collapsed
        assert not screen.query(ToolDecisionBar)
        assert screen.query(AssistantMessage).last().content == "It is late in Oslo."
        costs = rows(home, "SELECT cost FROM messages WHERE role = 'assistant'")
        assert screen.cost == pytest.approx(sum(c for (c,) in costs))  # both rounds
        sent = tool_messages(tools_server.chat_requests[-1].body)
        assert [m["tool_call_id"] for m in sent] == ["call_1"]
        assert "Europe/Oslo" in sent[0]["content"]
    saved = rows(home, "SELECT role, tool_status FROM messages ORDER BY seq")
    assert saved == [("user", None), ("assistant", None), ("tool", "ok"), ("assistant", None)]


async def test_decline_tells_the_model(tools_server: FakeDeepSeek, home: Path) -> None:
    tools_server.push(Reply(content="Let me check.", tool_calls=[call()]))
    tools_server.push(Reply(content="Fine, I will not."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot, app)
        await asked(pilot, screen)
        await pilot.press("n")
        await wait_for(pilot, lambda: len(tools_server.chat_requests) == 2, LIMIT)
        await wait_for(pilot, lambda: screen.query_one(ToolCallBlock).status == "declined")
        await wait_for(pilot, lambda: screen.query(AssistantMessage).last().state == "complete")
        # the first answer keeps its text above the call; the second is below
        assert [a.content for a in screen.query(AssistantMessage)] == [
            "Let me check.",
            "Fine, I will not.",
        ]
    sent = tool_messages(tools_server.chat_requests[-1].body)
    assert "declined" in sent[0]["content"]
    assert rows(home, "SELECT tool_status FROM messages WHERE role = 'tool'") == [("declined",)]


async def test_trusted_tool_runs_without_asking(home: Path) -> None:
    async with FakeDeepSeek(api_key="sk-test-key-0123456789abcd", host="deepseek") as srv:
        configure(home, srv.base_url, extra=time_server('trust = ["get_current_time"]'))
        srv.push(Reply(content="", tool_calls=[call()]))
        srv.push(Reply(content="Done."))
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            screen = await ready(pilot, app)
            await pilot.press(*"Time?", "enter")
            await wait_for(pilot, lambda: len(srv.chat_requests) == 2, LIMIT)
            await wait_for(pilot, lambda: screen.query_one(ToolCallBlock).status == "ok")
            assert not screen.query(ToolDecisionBar)


async def test_always_allow_is_remembered_in_the_conversation(
    tools_server: FakeDeepSeek,
) -> None:
    tools_server.push(Reply(content="", tool_calls=[call("a1")]))
    tools_server.push(Reply(content="First."))
    tools_server.push(Reply(content="", tool_calls=[call("a2")]))
    tools_server.push(Reply(content="Second."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot, app)
        await asked(pilot, screen)
        await pilot.press("a")
        await wait_for(pilot, lambda: len(tools_server.chat_requests) == 2, LIMIT)
        await wait_for(pilot, lambda: screen.turns.shown is None, LIMIT)
        await pilot.press(*"Again?", "enter")
        await wait_for(pilot, lambda: len(tools_server.chat_requests) == 4, LIMIT)
        await wait_for(pilot, lambda: screen.turns.shown is None, LIMIT)
        assert [b.status for b in screen.query(ToolCallBlock)] == ["ok", "ok"]
        assert not screen.query(ToolDecisionBar)


async def test_escape_while_waiting_stops_and_records_not_run(
    tools_server: FakeDeepSeek, home: Path
) -> None:
    tools_server.push(Reply(content="", tool_calls=[call("s1"), call("s2", arguments="{}")]))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot, app)
        await asked(pilot, screen)
        assert len(screen.query(ToolCallBlock)) == 2
        assert "Run the checked calls (of 2)?" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.turns.shown is None, LIMIT)
        await wait_for(
            pilot, lambda: [b.status for b in screen.query(ToolCallBlock)] == ["not_run"] * 2
        )
        assert not screen.query(ToolDecisionBar)
        assert len(tools_server.chat_requests) == 1
    saved = rows(home, "SELECT role, tool_status FROM messages ORDER BY seq")
    assert saved == [("user", None), ("assistant", None), ("tool", "not_run"), ("tool", "not_run")]


async def test_failed_server_is_one_notification_and_chat_goes_on(home: Path) -> None:
    async with FakeDeepSeek(api_key="sk-test-key-0123456789abcd", host="deepseek") as srv:
        broken = json.dumps([sys.executable, "-c", "import sys; sys.exit('no such thing')"])
        configure(home, srv.base_url, extra=f"\n[mcp.broken]\ncommand = {broken}\n")
        srv.push(Reply(content="Hello."))
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            screen = app.screen
            assert isinstance(screen, ChatScreen)
            await wait_for(pilot, lambda: notified(app, "MCP server broken"), LIMIT)
            assert sum("MCP server broken" in n.message for n in app._notifications) == 1
            await pilot.press(*"Hi", "enter")
            await wait_for(pilot, lambda: screen.turns.shown is None and srv.chat_requests)
            assert "tools" not in srv.chat_requests[0].body
            assert screen.query(AssistantMessage).last().content == "Hello."


async def test_reopened_conversation_shows_the_calls_folded(
    tools_server: FakeDeepSeek, home: Path
) -> None:
    tools_server.push(Reply(content="", reasoning="Need the time.", tool_calls=[call()]))
    tools_server.push(Reply(content="Late."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot, app)
        await asked(pilot, screen)
        await pilot.press("y")
        await wait_for(pilot, lambda: len(tools_server.chat_requests) == 2, LIMIT)
        await wait_for(pilot, lambda: screen.turns.shown is None, LIMIT)
    again = make_app(continue_=True)
    async with again.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(again.screen, ChatScreen))
        screen = again.screen
        await wait_for(pilot, lambda: screen.query(ToolCallBlock))
        block = screen.query_one(ToolCallBlock)
        assert (block.server, block.tool, block.status) == ("time", "get_current_time", "ok")
        assert block.query_one(Collapsible).collapsed
        # the answer that asked: its reasoning, no empty bubble; then the final answer
        answers = list(screen.query(AssistantMessage))
        assert [a.content for a in answers] == ["", "Late."]
        assert answers[0].reasoning is not None
        assert "{" not in screen_text(again).split("get_current_time")[0]  # no raw JSON


async def test_switching_a_tool_off_leaves_it_out_of_the_request(
    tools_server: FakeDeepSeek,
) -> None:
    tools_server.push(Reply(content="No tools."))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot, app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.sidebar.tools_panel().query(Checkbox))
        panel = screen.sidebar.tools_panel()
        assert "time" in screen_text(app) or panel.query(Checkbox)
        box = next(s for s in panel.query(Checkbox) if panel._names.get(s.id or "") == TOOL)
        box.value = False
        await wait_for(pilot, lambda: TOOL in screen.tool_choices.off)
        screen.prompt.focus()
        await pilot.press(*"Hi", "enter")
        await wait_for(pilot, lambda: tools_server.chat_requests and screen.turns.shown is None)
        offered = json.dumps(tools_server.chat_requests[0].body.get("tools", []))
        assert TOOL not in offered
        assert "time__convert_time" in offered


def _children() -> list[str]:
    """Command lines of this process's live child processes (Linux)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and fields[0] != "Z":
            out.append(cmdline.replace(b"\0", b" ").decode(errors="replace"))
    return out


async def test_no_server_process_outlives_the_app(tools_server: FakeDeepSeek) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        assert any("mcp_server_time" in c for c in _children())
    assert not [c for c in _children() if "mcp_server_time" in c]


async def test_calls_waiting_in_a_conversation_not_shown_wait_for_its_return(
    tools_server: FakeDeepSeek, home: Path
) -> None:
    tools_server.push(Reply(content="", tool_calls=[call("b1")]))
    tools_server.push(Reply(content="Back with the time."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot, app)
        await asked(pilot, screen)
        conversation = screen.conversation
        assert conversation is not None
        await screen.action_new()  # the answer goes on unseen, its calls still waiting
        await pilot.pause(0.5)
        assert not screen.query(ToolCallBlock)
        assert len(tools_server.chat_requests) == 1
        assert rows(home, "SELECT COUNT(*) FROM messages WHERE role = 'tool'") == [(0,)]
        await screen.switch_to(conversation)
        await wait_for(pilot, lambda: screen.query(ToolDecisionBar), LIMIT)
        assert screen.query_one(ToolCallBlock).state == "waiting"
        await pilot.press("y")
        await wait_for(pilot, lambda: screen.turns.shown is None, LIMIT)
        assert screen.query_one(ToolCallBlock).status == "ok"
        assert screen.query(AssistantMessage).last().content == "Back with the time."


async def test_one_of_several_calls_left_out_is_declined_the_other_runs(
    tools_server: FakeDeepSeek, home: Path
) -> None:
    tools_server.push(Reply(content="", tool_calls=[call("p1"), call("p2", arguments="{}")]))
    tools_server.push(Reply(content="One ran."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot, app)
        await asked(pilot, screen)
        await wait_for(pilot, lambda: len(screen.query(".tool-pick")) == 2)
        second = screen.query(ToolCallBlock).last().query_one(Checkbox)
        second.value = False  # leave the second call out
        await pilot.pause()
        assert "Run the checked calls (of 2)?" in screen_text(app)
        screen.query_one(ToolDecisionBar).focus_run()
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.turns.shown is None, LIMIT)
        assert [b.status for b in screen.query(ToolCallBlock)] == ["ok", "declined"]
    sent = tool_messages(tools_server.chat_requests[-1].body)
    assert [m["tool_call_id"] for m in sent] == ["p1", "p2"]
    assert "declined" in sent[1]["content"] and "Europe/Oslo" in sent[0]["content"]


async def test_palette_switches_a_tool_off_and_on(tools_server: FakeDeepSeek) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot, app)
        titles = [title for title, _, _ in screen.palette_tools()]
        assert "Tool off: time · get_current_time" in titles
        entry = dict((t, run) for t, run, _ in screen.palette_tools())
        entry["Tool off: time · get_current_time"]()
        await wait_for(pilot, lambda: TOOL in screen.tool_choices.off)
        titles = [title for title, _, _ in screen.palette_tools()]
        assert "Tool on: time · get_current_time" in titles
        await screen.action_tools()  # the sidebar opens at the tools, the box cleared
        await wait_for(
            pilot,
            lambda: any(not b.value for b in screen.sidebar.tools_panel().query(Checkbox)),
        )


def test_the_mcp_sdk_is_not_imported_before_the_servers_start(home: Path) -> None:
    """Importing ``mcp`` takes most of a second: the app and its chat screen,
    built with servers configured, leave it to the worker that starts them."""
    configure(home, "http://127.0.0.1:9", extra=time_server())
    code = (
        "import sys\n"
        "from deepseek_tui.config import load_settings\n"
        "from deepseek_tui.launch import open_launch\n"
        "from deepseek_tui.paths import Paths\n"
        "from deepseek_tui.ui.app import DeepSeekApp\n"
        "from deepseek_tui.ui.screens.chat import ChatContext, ChatScreen\n"
        "paths = Paths.resolve(); settings = load_settings(paths)\n"
        "launch = open_launch(settings, paths)\n"
        "app = DeepSeekApp(settings, paths, launch)\n"
        "assert app.tools.configured\n"
        "ChatScreen(ChatContext(app.session, None, False, lambda: 0.0, app.tools))\n"
        "print(sorted(m for m in sys.modules if m == 'mcp' or m.startswith('mcp.')))\n"
    )
    env = {**os.environ, "DEEPSEEK_TUI_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def switch_of(screen: ChatScreen, wire_name: str = TOOL) -> Checkbox | None:
    """The sidebar panel's on/off switch of a tool (``None``: not shown now)."""
    panel = screen.sidebar.tools_panel()
    return next(
        (s for s in panel.query(Checkbox) if panel._names.get(s.id or "") == wire_name), None
    )


async def tool_switch(pilot: Any, screen: ChatScreen, wire_name: str = TOOL) -> Checkbox:
    """The sidebar's on/off switch of a tool, once the panel shows it."""
    if not screen.sidebar.display:
        await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: switch_of(screen, wire_name) is not None, LIMIT)
    found = switch_of(screen, wire_name)
    assert found is not None
    return found


def shown_on(screen: ChatScreen, wire_name: str = TOOL) -> bool | None:
    """Whether the panel shows the tool switched on (``None``: not shown now)."""
    switch = switch_of(screen, wire_name)
    return switch.value if switch is not None else None


def offered(srv: FakeDeepSeek, index: int = -1) -> list[str]:
    body = srv.chat_requests[index].body
    return [t["function"]["name"] for t in body.get("tools", [])]


async def send(pilot: Any, screen: ChatScreen, srv: FakeDeepSeek, text: str) -> None:
    sent = len(srv.chat_requests)
    screen.prompt.focus()
    await pilot.press(*text, "enter")
    await wait_for(pilot, lambda: len(srv.chat_requests) > sent, LIMIT)
    await wait_for(pilot, lambda: screen.turns.shown is None, LIMIT)


async def test_a_tool_switched_off_stays_off_in_the_conversation_after_a_restart(
    tools_server: FakeDeepSeek, home: Path
) -> None:
    """Switched off before the first message (the conversation has no id yet),
    kept when it is stored; a new app finds it off, whether the conversation is
    opened from a new one or resumed; a new conversation has every tool on."""
    tools_server.push(Reply(content="One."), Reply(content="Two."), Reply(content="Three."))
    tools_server.push(Reply(content="Four."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot, app)
        switch = await tool_switch(pilot, screen)
        switch.value = False
        await wait_for(pilot, lambda: TOOL in screen.tool_choices.off)
        await send(pilot, screen, tools_server, "Hi")
        assert offered(tools_server) == ["time__convert_time"]
        conversation = screen.conversation
        assert conversation is not None
    assert rows(home, "SELECT conversation_id, tool, choice FROM tool_choices") == [
        (conversation.id, TOOL, "off")
    ]

    again = make_app()  # a new conversation: the defaults
    async with again.run_test(size=SIZE) as pilot:
        screen = await ready(pilot, again)
        assert (await tool_switch(pilot, screen)).value is True
        await screen.switch_to(screen.store.get_conversation(conversation.id))  # as Ctrl+O does
        await wait_for(pilot, lambda: shown_on(screen) is False)
        assert (await tool_switch(pilot, screen)).value is False
        await send(pilot, screen, tools_server, "Again")
        assert offered(tools_server) == ["time__convert_time"]
        await screen.action_new()
        await wait_for(pilot, lambda: shown_on(screen) is True)
        await send(pilot, screen, tools_server, "Fresh")
        assert offered(tools_server) == [TOOL, "time__convert_time"]

    resumed = make_app(resume=conversation.id)
    async with resumed.run_test(size=SIZE) as pilot:
        screen = await ready(pilot, resumed)
        switch = await tool_switch(pilot, screen)
        assert switch.value is False
        switch.value = True  # and on again: kept too
        await wait_for(pilot, lambda: TOOL not in screen.tool_choices.off)
        await send(pilot, screen, tools_server, "All on")
        assert offered(tools_server) == [TOOL, "time__convert_time"]
    assert rows(home, "SELECT count(*) FROM tool_choices") == [(0,)]


async def test_always_allow_holds_after_a_restart_and_only_in_its_conversation(
    tools_server: FakeDeepSeek, home: Path
) -> None:
    tools_server.push(Reply(content="", tool_calls=[call("a1")]), Reply(content="First."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot, app)
        await asked(pilot, screen)
        await pilot.press("a")
        await wait_for(pilot, lambda: screen.turns.shown is None, LIMIT)
        conversation = screen.conversation
        assert conversation is not None
    assert rows(home, "SELECT tool, choice FROM tool_choices") == [(TOOL, "allowed")]

    tools_server.push(Reply(content="", tool_calls=[call("a2")]), Reply(content="Second."))
    again = make_app(continue_=True)
    async with again.run_test(size=SIZE) as pilot:
        screen = await ready(pilot, again)
        await wait_for(pilot, lambda: screen.query(ToolCallBlock))
        await pilot.press(*"Again?", "enter")
        # Had it asked, the bar would wait for a key: the answer would never come.
        await wait_for(pilot, lambda: len(tools_server.chat_requests) == 4, LIMIT)
        await wait_for(pilot, lambda: screen.turns.shown is None, LIMIT)
        assert [b.status for b in screen.query(ToolCallBlock)] == ["ok", "ok"]
        assert not screen.query(ToolDecisionBar)
        assert screen.query(AssistantMessage).last().content == "Second."
        await screen.action_tools()  # the sidebar, at its tools, says so
        await wait_for(pilot, lambda: "get_current_time  (always allowed)" in screen_text(again))
        # A new conversation asks.
        tools_server.push(Reply(content="", tool_calls=[call("a3")]))
        await screen.action_new()
        await wait_for(pilot, lambda: "(always allowed)" not in screen_text(again))
        await asked(pilot, screen)
        assert screen.query_one(ToolCallBlock).state == "waiting"


async def test_the_palette_takes_always_allow_back(tools_server: FakeDeepSeek, home: Path) -> None:
    tools_server.push(Reply(content="", tool_calls=[call("r1")]), Reply(content="Ran."))
    tools_server.push(Reply(content="", tool_calls=[call("r2")]))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot, app)
        await asked(pilot, screen)
        await pilot.press("a")
        await wait_for(pilot, lambda: screen.turns.shown is None, LIMIT)
        entries = {title: run for title, run, _ in screen.palette_tools()}
        entries["Tool asks again: time · get_current_time"]()
        await wait_for(pilot, lambda: not screen.tool_choices.allowed)
        assert "Tool asks again: time · get_current_time" not in {
            title for title, _, _ in screen.palette_tools()
        }
        await wait_for(pilot, lambda: rows(home, "SELECT * FROM tool_choices") == [])
        screen.prompt.focus()
        await asked(pilot, screen, "Again?")
        assert screen.query(ToolCallBlock).last().state == "waiting"


async def test_a_choice_that_cannot_be_kept_says_so_in_one_line_and_still_applies(
    tools_server: FakeDeepSeek, home: Path
) -> None:
    """A database a newer deepseek-tui wrote is read-only here: the stored
    choices are read, a change holds for this run and says why it is not kept."""
    import sqlite3

    from deepseek_tui.store import Store

    with Store.open(home / "conversations.db").store as store:
        c = store.create_conversation(title="from the future")
        store.set_tool_choices(c.id, off=["time__convert_time"], allowed=[])
    with sqlite3.connect(home / "conversations.db") as conn:
        conn.execute("PRAGMA user_version = 99")
    app = make_app(resume=c.id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await ready(pilot, app)
        assert (await tool_switch(pilot, screen, "time__convert_time")).value is False
        (await tool_switch(pilot, screen)).value = False
        await wait_for(pilot, lambda: notified(app, "could not save the conversation's tool"))
        [told] = [n.message for n in app._notifications if "tool choices" in n.message]
        assert "newer deepseek-tui" in told and "holds until the app ends" in told
        assert "\n" not in told and "Traceback" not in screen_text(app)
        assert screen.tool_choices.off == {TOOL, "time__convert_time"}
    assert rows(home, "SELECT tool, choice FROM tool_choices") == [("time__convert_time", "off")]
