"""Tool loops in the replayed history: shapes per pass-back policy, results cut
and answered, models without tools, and a byte-identical prefix from one request
of a loop to the next (against the loopback server, which refuses a V4 thinking
request that drops a tool-call turn's reasoning)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from deepseek_tui.api import ChatRequest, DeepSeekClient, Timeouts, collect
from deepseek_tui.models import Catalog, ModelSpec
from deepseek_tui.replay import tools_left_out
from deepseek_tui.request import NO_TOOLS_NOTE, prepare_continuation, prepare_request
from deepseek_tui.store import Message, Store
from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.tools import NOT_RUN, ToolResult, ToolSpec
from deepseek_tui.turn_settings import TurnSettings

KEY = "sk-test-key"
TOOLS = [ToolSpec("time", "now", "time__now", "The time", {"type": "object"}).to_wire()]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "conversations.db").store as s:
        yield s


@pytest.fixture
def flash() -> ModelSpec:
    return Catalog.load().lookup("deepseek-flash", "deepseek")


def call(ident: str, arguments: str = '{"tz":"UTC"}') -> dict[str, Any]:
    return {
        "id": ident,
        "type": "function",
        "function": {"name": "time__now", "arguments": arguments},
    }


def asked(store: Store, cid: str, question: str, *ids: str, reasoning: str = "r") -> None:
    """A question whose answer asked for ``ids`` (no results yet)."""
    _, a = store.begin_turn(cid, user_content=question, model="m", params={})
    store.finish_message(
        a.id,
        content="",
        reasoning=reasoning,
        status="complete",
        finish_reason="tool_calls",
        tool_calls=[call(i) for i in ids],
    )


def answered(store: Store, cid: str, text: str, reasoning: str | None = "final r") -> None:
    a = store.begin_answer(cid, model="m", params={})
    store.finish_message(a.id, content=text, reasoning=reasoning, status="complete")


def loop(store: Store, question: str = "time?") -> str:
    cid = store.create_conversation().id
    asked(store, cid, question, "c1", reasoning="need the time")
    store.add_tool_result(cid, tool_call_id="c1", name="time__now", content="noon", status="ok")
    answered(store, cid, "It is noon.")
    return cid


def body(
    spec: ModelSpec, history: list[Message], prompt: str | None = "next", **kw: Any
) -> dict[str, Any]:
    prepared = prepare_request(
        spec=spec,
        settings=TurnSettings(model=spec.id),
        system=None,
        history=history,
        prompt=prompt,
        **kw,
    )
    return prepared.request.to_body(stream=True)


def test_v4_sends_calls_results_and_the_call_turns_reasoning(
    store: Store, flash: ModelSpec
) -> None:
    cid = loop(store)
    sent = body(flash, store.messages(cid))["messages"]
    assert sent == [
        {"role": "user", "content": "time?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [call("c1")],
            "reasoning_content": "need the time",
        },
        {"role": "tool", "content": "noon", "tool_call_id": "c1"},
        {"role": "assistant", "content": "It is noon.", "reasoning_content": ""},
        {"role": "user", "content": "next"},
    ]


def test_tool_calls_policy_keeps_reasoning_only_inside_the_open_loop(
    store: Store, flash: ModelSpec
) -> None:
    v32 = replace(flash, passback="tool_calls")
    cid = store.create_conversation().id
    asked(store, cid, "time?", "c1", reasoning="need the time")
    store.add_tool_result(cid, tool_call_id="c1", name="time__now", content="noon", status="ok")
    inside = body(v32, store.messages(cid), prompt=None)["messages"]
    assert inside[1]["reasoning_content"] == "need the time"
    assert inside[-1]["role"] == "tool"  # the loop goes on: no new user message
    answered(store, cid, "It is noon.")
    after = body(v32, store.messages(cid))["messages"]
    assert after[1]["tool_calls"] == [call("c1")] and after[1]["reasoning_content"] == ""
    assert "reasoning_content" not in after[3]


def test_never_policy_sends_no_reasoning(store: Store, flash: ModelSpec) -> None:
    r1_like = replace(flash, passback="never")
    cid = loop(store)
    for prompt in ("next", None):
        sent = body(r1_like, store.messages(cid), prompt=prompt)["messages"]
        assert not any("reasoning_content" in m for m in sent)
        assert sent[1]["tool_calls"] == [call("c1")]


def test_a_call_without_a_result_is_answered_not_run_in_call_order(
    store: Store, flash: ModelSpec
) -> None:
    cid = store.create_conversation().id
    asked(store, cid, "q", "c1", "c2", "c3")
    store.add_tool_result(cid, tool_call_id="c3", name="time__now", content="three", status="ok")
    store.add_tool_result(cid, tool_call_id="c1", name="time__now", content="one", status="error")
    store.begin_answer(cid, model="m", params={})
    store.recover_interrupted()  # the app died: the answer never began, c2 never ran
    sent = body(flash, store.messages(cid))["messages"]
    assert [(m["role"], m.get("tool_call_id"), m["content"]) for m in sent[2:]] == [
        ("tool", "c1", "one"),
        ("tool", "c2", NOT_RUN),
        ("tool", "c3", "three"),
        ("user", None, "next"),
    ]


def test_a_result_no_call_asked_for_is_left_out(store: Store, flash: ModelSpec) -> None:
    cid = store.create_conversation().id
    asked(store, cid, "q", "c1")
    store.add_tool_result(cid, tool_call_id="c1", name="time__now", content="one", status="ok")
    store.append_message(cid, role="tool", content="stray")  # no call id
    sent = body(flash, store.messages(cid))["messages"]
    assert [m["content"] for m in sent] == ["q", None, "one", "next"]


def test_results_are_cut_to_the_limit_and_stored_whole(store: Store, flash: ModelSpec) -> None:
    cid = store.create_conversation().id
    asked(store, cid, "q", "c1")
    whole = "x" * 50
    store.add_tool_result(cid, tool_call_id="c1", name="time__now", content=whole, status="ok")
    sent = body(flash, store.messages(cid), tool_result_limit=10)["messages"]
    assert sent[2]["content"] == ToolResult("ok", whole).for_model(10) != whole
    assert store.messages(cid)[-1].content == whole


def test_an_empty_answer_after_tools_keeps_the_loop(store: Store, flash: ModelSpec) -> None:
    cid = store.create_conversation().id
    asked(store, cid, "q", "c1")
    store.add_tool_result(cid, tool_call_id="c1", name="time__now", content="one", status="ok")
    failed = store.begin_answer(cid, model="m", params={})
    store.finish_message(failed.id, content="", reasoning=None, status="error", error="boom")
    sent = body(flash, store.messages(cid))["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool", "user"]


def test_a_failed_exchange_without_tools_is_still_left_out(store: Store, flash: ModelSpec) -> None:
    cid = store.create_conversation().id
    _, a = store.begin_turn(cid, user_content="lost", model="m", params={})
    store.finish_message(a.id, content="", reasoning=None, status="error", error="boom")
    assert body(flash, store.messages(cid))["messages"] == [{"role": "user", "content": "next"}]


def test_tools_are_offered_with_auto_only_when_there_are_some(flash: ModelSpec) -> None:
    sent = body(flash, [], tools=TOOLS)
    assert sent["tools"] == TOOLS and sent["tool_choice"] == "auto"
    for none in (None, []):
        assert "tools" not in body(flash, [], tools=none)
        assert "tool_choice" not in body(flash, [], tools=none)


def test_a_model_without_tools_gets_none_and_no_tool_rounds(store: Store) -> None:
    reasoner = Catalog.load().lookup("deepseek-reasoner", "*")
    assert not reasoner.tools
    cid = loop(store)
    prepared = prepare_request(
        spec=reasoner,
        settings=TurnSettings(model=reasoner.id),
        system=None,
        history=store.messages(cid),
        prompt="next",
        tools=TOOLS,
    )
    sent = prepared.request.to_body(stream=True)
    assert "tools" not in sent and "tool_choice" not in sent
    assert sent["messages"] == [
        {"role": "user", "content": "time?"},
        {"role": "assistant", "content": "It is noon."},
        {"role": "user", "content": "next"},
    ]
    assert NO_TOOLS_NOTE.format(model=reasoner.id) in prepared.notes
    assert tools_left_out(reasoner.id) in prepared.notes


def test_catalog_says_which_models_take_tools() -> None:
    catalog = Catalog.load()
    assert catalog.lookup("deepseek-flash", "deepseek").tools
    assert catalog.lookup("deepseek-v4-pro", "deepseek").tools
    assert catalog.lookup("deepseek-chat", "*").tools
    assert not catalog.lookup("deepseek-ai/DeepSeek-R1", "*").tools
    assert catalog.lookup("some-new-id", "deepseek").tools  # unknown: V4 rules


def test_continuing_a_cut_answer_inside_a_loop_keeps_the_loop(
    store: Store, flash: ModelSpec
) -> None:
    v32 = replace(flash, passback="tool_calls")
    cid = store.create_conversation().id
    asked(store, cid, "q", "c1", reasoning="loop thought")
    store.add_tool_result(cid, tool_call_id="c1", name="time__now", content="one", status="ok")
    partial = store.begin_answer(cid, model="m", params={})
    partial = store.finish_message(
        partial.id, content="Half", reasoning=None, status="complete", finish_reason="length"
    )
    history = store.messages(cid)[:-1]
    prepared = prepare_continuation(
        spec=v32,
        settings=TurnSettings(model=v32.id),
        system=None,
        history=history,
        partial=partial,
    )
    sent = prepared.request.to_body(stream=True)["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "tool", "assistant"]
    assert sent[1]["reasoning_content"] == "loop thought" and sent[-1]["prefix"] is True


def _messages_prefix(raw: bytes) -> str:
    """The raw body up to the end of its last message (the array left open)."""
    text = raw.decode()
    start = text.index('"messages":') + len('"messages":')
    _, end = json.JSONDecoder().raw_decode(text, start)
    return text[: end - 1]


async def test_each_request_of_a_loop_starts_with_the_previous_one_byte_for_byte(
    store: Store, flash: ModelSpec
) -> None:
    tool_call = call("call_0", '{"tz": "Europe/Oslo", "note": "ø \\u00f8"}')
    async with FakeDeepSeek(api_key=KEY) as server:
        server.push(
            Reply("", reasoning="I should look it up.", tool_calls=[tool_call], chunk_chars=3),
            Reply("It is noon in Oslo.", reasoning="Got it."),
            Reply("You're welcome."),
        )
        client = DeepSeekClient(
            server.base_url, KEY, timeouts=Timeouts(connect=2, read=5, total=20), max_retries=0
        )
        async with client:
            cid = store.create_conversation().id

            def request(prompt: str | None, history: list[Message]) -> ChatRequest:
                return prepare_request(
                    spec=flash,
                    settings=TurnSettings(model="deepseek-flash"),
                    system="Be brief.",
                    history=history,
                    prompt=prompt,
                    tools=TOOLS,
                ).request

            history = store.messages(cid)
            _, placeholder = store.begin_turn(cid, user_content="Time?", model="m", params={})
            first = await collect(client.stream_chat(request("Time?", history)))
            assert first.tool_calls == (tool_call,)
            store.finish_message(
                placeholder.id,
                content=first.content,
                reasoning=first.reasoning,
                status="complete",
                finish_reason=first.finish_reason,
                tool_calls=first.tool_calls,
            )
            store.add_tool_result(
                cid, tool_call_id="call_0", name="time__now", content="12:00", status="ok"
            )
            answer = store.begin_answer(cid, model="m", params={})
            # the turn reads the branch with its new placeholder: it is left out
            second = await collect(client.stream_chat(request(None, store.messages(cid))))
            store.finish_message(
                answer.id, content=second.content, reasoning=second.reasoning, status="complete"
            )
            history = store.messages(cid)
            store.begin_turn(cid, user_content="Thanks", model="m", params={})
            await collect(client.stream_chat(request("Thanks", history)))
    raws = [r.raw for r in server.chat_requests]
    assert len(raws) == 3  # none refused (a dropped tool-call reasoning is a 400 there)
    for before, after in zip(raws, raws[1:], strict=False):
        assert _messages_prefix(after).startswith(_messages_prefix(before) + ",")
    last = server.chat_requests[-1].body["messages"]
    assert last[2]["reasoning_content"] == "I should look it up."
    assert last[2]["tool_calls"] == [tool_call]
