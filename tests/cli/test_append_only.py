"""Requests are append-only, so DeepSeek's prefix cache keeps hitting: from one
request of a conversation to the next, the system prompt, the tool list and
every earlier message go out byte for byte as before, and only new messages
follow. A long conversation through real ``ask`` processes (each turn a new
process that resumes it from the database) against the loopback server, whose
request log keeps each body exactly as sent.

DeepSeek's cache is per model, so each request is compared with the one
before it to the same model: switching to deepseek-v4-pro and back, the
request back on deepseek-flash extends flash's last one. Where the wire rules
or the model force a change, the test says so:
- deepseek-v4-pro takes no images: an earlier image is left out of its
  requests (with a note), so they differ from flash's from that message on.
- R1-era ids never get reasoning back (a 400 there), V4 ids always get the
  field: switching between the two eras rewrites every earlier answer, but
  they are different models with different caches anyway.
- Turning JSON mode on or off adds or removes its system instruction
  (a request-only note); while it stays on, the instruction stays put.
- Adding or removing ``--tools`` adds or removes the tool list.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from deepseek_tui.testing import FakeDeepSeek, RecordedRequest, Reply

from .conftest import configure, rows


def assert_append_only(requests: list[RecordedRequest]) -> None:
    """Each request's messages array, as bytes, is the start of the next one's
    to the same model (DeepSeek's cache is per model): the next one adds ``,``
    and its new messages before the closing ``]``. The tool lists of two
    requests that both offer tools are the same bytes."""
    assert len(requests) >= 2
    last: dict[str, tuple[int, RecordedRequest]] = {}
    for n, b in enumerate(requests, start=1):
        model = b.body["model"]
        if model in last:
            m, a = last[model]
            before, after = a.raw_value("messages"), b.raw_value("messages")
            assert before is not None and after is not None
            head = before[:-1]  # without the closing bracket
            assert after.startswith(head), f"request {n} rewrote what request {m} sent:\n" + (
                _first_difference(head, after)
            )
            assert after[len(head) : len(head) + 1] in (b",", b"]"), f"request {n}"
            tools_a, tools_b = a.raw_value("tools"), b.raw_value("tools")
            if tools_a is not None and tools_b is not None:
                assert tools_a == tools_b, f"request {n} changed the tool list"
        last[model] = (n, b)


def _first_difference(a: bytes, b: bytes) -> str:
    at = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return f"  was: {a[max(at - 80, 0) : at + 80]!r}\n  now: {b[max(at - 80, 0) : at + 80]!r}"


def call(ident: str) -> dict[str, Any]:
    arguments = '{"timezone": "UTC"}'
    return {
        "id": ident,
        "type": "function",
        "function": {"name": "time__get_current_time", "arguments": arguments},
    }


def test_a_long_conversation_across_processes_is_append_only(
    run_cli, server: FakeDeepSeek, home: Path, tmp_path: Path
) -> None:
    command = json.dumps([sys.executable, "-m", "mcp_server_time", "--local-timezone", "UTC"])
    configure(home, server.base_url, extra=f"\n[mcp.time]\ncommand = {command}\n")
    notes = tmp_path / "notes.txt"
    notes.write_text('Line one ✓\nTab\there, a quote " and a backslash \\ end.\n')
    image = tmp_path / "chart.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(40)))
    server.push(
        Reply("One ✓ «é»", reasoning="Thinking, with ünïcode."),
        Reply("Two.", reasoning="More thought."),
        Reply("Three: the notes say one."),
        Reply("Four, from the other model.", reasoning="pro thinks"),
        Reply("Five, back on flash."),
        # a tool round: the call (with its reasoning), then the answer after the result
        Reply(content="", reasoning="I need the time.", tool_calls=[call("call_1")]),
        Reply("It is noon.", reasoning="Read the tool result."),
        Reply("Seven, after the tools."),
        Reply("Eight."),
    )
    turns: list[tuple[str, ...]] = [
        ("--system", 'Be brief. Ünïcode ✓ and "quotes".', "first: 1.5 and 0.1 + 0.2"),
        ("-c", "second \u2028 with a line separator and 日本語"),
        ("-c", "--attach", str(notes), "--attach", str(image), "third, with files"),
        ("-c", "--model", "deepseek-v4-pro", "fourth, another model"),
        ("-c", "--model", "deepseek-flash", "fifth, back again"),
        ("-c", "--tools", "--yes", "sixth: what time is it?"),
        ("-c", "--tools", "--yes", "seventh"),
        ("-c", "--tools", "--yes", "--thinking", "off", "eighth, thinking off"),
    ]
    for args in turns:
        r = run_cli("ask", *args, timeout=120)
        assert r.code == 0, r.stderr
    requests = server.chat_requests
    assert len(requests) == 9  # the sixth turn made two (the call, then its result)
    assert rows(home, "SELECT count(*) FROM conversations") == [(1,)]
    assert b"data:image/png;base64," in requests[-1].raw  # the image goes again, as it went
    # The tool-call turn's reasoning goes back in every later request (V4 thinking).
    for later in requests[6:]:
        asked = next(m for m in later.body["messages"] if m.get("tool_calls"))
        assert asked["reasoning_content"] == "I need the time."
    flash = [r for r in requests if r.body["model"] == "deepseek-flash"]
    assert len(flash) == 8  # every request but the fourth
    assert_append_only(requests)


def test_json_mode_keeps_its_instruction_in_place_when_a_later_message_says_json(
    run_cli, server: FakeDeepSeek
) -> None:
    server.push(Reply("{}"), Reply("{}"), Reply("{}"))
    assert run_cli("ask", "--json-mode", "--system", "Be terse.", "name a colour").code == 0
    assert run_cli("ask", "-c", "now answer in JSON with two colours").code == 0
    assert run_cli("ask", "-c", "and three").code == 0
    system = server.chat_requests[-1].body["messages"][0]["content"]
    assert system.startswith("Be terse.\n\n") and "JSON" in system
    assert_append_only(server.chat_requests)


def test_an_r1_conversation_never_sends_reasoning_and_stays_append_only(
    run_cli, home: Path
) -> None:
    key = "sk-test-key-0123456789abcd"
    with FakeDeepSeek(api_key=key, host="r1").run_in_thread() as srv:
        configure(home, srv.base_url, kind="openai-compatible")
        srv.push(
            Reply("One.", reasoning="r1 thinks"),
            Reply("Two.", reasoning="r1 thinks again"),
            Reply("Three."),
        )
        model = "deepseek-ai/DeepSeek-R1"
        for prompt in ("first", "second", "third"):
            r = run_cli("ask", "--model", model, *(["-c"] if prompt != "first" else []), prompt)
            assert r.code == 0, r.stderr
        requests = srv.chat_requests
    assert b"reasoning_content" not in requests[-1].raw  # R1: a 400 if it were sent
    assert_append_only(requests)
