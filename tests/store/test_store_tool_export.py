"""Tool calls and results in ``export`` (JSON and Markdown) and ``import``."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from deepseek_tui.store import InvalidImportError, Store


def call(ident: str, name: str, arguments: str) -> dict[str, Any]:
    return {"id": ident, "type": "function", "function": {"name": name, "arguments": arguments}}


def conversation_with_tools(store: Store) -> str:
    c = store.create_conversation(title="tools")
    _, a = store.begin_turn(c.id, user_content="Time in Oslo and Lima?", model="m", params={})
    store.finish_message(
        a.id,
        content="Checking.",
        reasoning="two calls",
        status="complete",
        finish_reason="tool_calls",
        tool_calls=[
            call("call_1", "time__now", '{"tz":"Europe/Oslo"}'),
            call("call_2", "time__now", '{"tz":"America/Lima"}'),
        ],
    )
    store.add_tool_result(
        c.id, tool_call_id="call_1", name="time__now", content="12:00", status="ok"
    )
    store.add_tool_result(
        c.id, tool_call_id="call_2", name="time__now", content="user said no", status="declined"
    )
    b = store.begin_answer(c.id, model="m", params={})
    store.finish_message(b.id, content="Oslo: noon.", reasoning=None, status="complete")
    return c.id


def test_json_export_carries_calls_and_results_as_the_contract_says(store: Store) -> None:
    data = store.export_json(conversation_with_tools(store))
    messages = data["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "tool", "assistant"]
    assert messages[1]["tool_calls"] == [
        {
            "id": "call_1",
            "type": "function",
            "name": "time__now",
            "arguments": '{"tz":"Europe/Oslo"}',
        },
        {
            "id": "call_2",
            "type": "function",
            "name": "time__now",
            "arguments": '{"tz":"America/Lima"}',
        },
    ]
    assert messages[1]["status"] == "complete" and messages[1]["reasoning"] == "two calls"
    first, second = messages[2], messages[3]
    assert {k: first[k] for k in ("tool_call_id", "name", "content", "status")} == {
        "tool_call_id": "call_1",
        "name": "time__now",
        "content": "12:00",
        "status": "ok",
    }
    assert second["status"] == "declined"
    assert "tool_calls" not in messages[0] and "tool_call_id" not in messages[4]
    json.dumps(data)  # plain JSON


def test_import_round_trips_tool_use(store: Store, tmp_path: Path) -> None:
    cid = conversation_with_tools(store)
    data = json.loads(json.dumps(store.export_json(cid)))
    with Store.open(tmp_path / "other.db").store as other:
        back = other.import_json(data)
        again = other.export_json(back.id)
        rows = other.messages(back.id)
    assert again["messages"] == data["messages"]
    assert rows[1].tool_calls == store.messages(cid)[1].tool_calls  # the stored (OpenAI) shape
    assert [(m.tool_call_id, m.tool_status) for m in rows[2:4]] == [
        ("call_1", "ok"),
        ("call_2", "declined"),
    ]
    assert [m.parent_id for m in rows[1:]] == [m.id for m in rows[:-1]]


def test_import_reads_the_openai_shape_of_a_call(store: Store) -> None:
    data = {
        "messages": [
            {"role": "user", "content": "q"},
            {"role": "assistant", "content": None, "tool_calls": [call("c1", "f", "{}")]},
            {"role": "tool", "content": "r", "tool_call_id": "c1", "name": "f", "status": "ok"},
        ]
    }
    back = store.import_json(data)
    assert store.messages(back.id)[1].tool_calls == [call("c1", "f", "{}")]


def test_import_makes_arguments_and_results_inert(store: Store) -> None:
    data = store.export_json(conversation_with_tools(store))
    data["messages"][1]["tool_calls"][0]["arguments"] = '{"tz":"\x1b]0;pwned\x07Oslo"}'
    data["messages"][2]["content"] = "\x1b[31mred\x1b[0m"
    back = store.import_json(data)
    rows = store.messages(back.id)
    assert rows[1].tool_calls is not None
    assert rows[1].tool_calls[0]["function"]["arguments"] == '{"tz":"Oslo"}'
    assert rows[2].content == "red"


BASE: dict[str, Any] = {
    "messages": [
        {"role": "user", "content": "q"},
        {"role": "assistant", "content": "", "tool_calls": [call("c1", "f", "{}")]},
        {"role": "tool", "content": "r", "tool_call_id": "c1", "name": "f", "status": "ok"},
    ]
}


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        ((1, "tool_calls"), "not a list", "messages[1].tool_calls"),
        ((1, "tool_calls", 0), "x", "messages[1].tool_calls[0]"),
        ((1, "tool_calls", 0, "id"), "bad id\x1b[2J", "messages[1].tool_calls[0].id"),
        ((1, "tool_calls", 0, "id"), None, "messages[1].tool_calls[0].id"),
        ((1, "tool_calls", 0, "function", "name"), "<b>x</b>", "messages[1].tool_calls[0].name"),
        ((1, "tool_calls", 0, "function", "arguments"), {"a": 1}, "tool_calls[0].arguments"),
        ((1, "tool_calls", 0, "type"), "code", "messages[1].tool_calls[0].type"),
        ((2, "tool_call_id"), "x" * 129, "messages[2].tool_call_id"),
        ((2, "tool_call_id"), 7, "messages[2].tool_call_id"),
        ((2, "name"), "a b", "messages[2].name"),
        ((2, "status"), "complete", "messages[2].status"),
        ((2, "status"), "exploded", "messages[2].status"),
    ],
)
def test_bad_tool_fields_are_refused_naming_the_field(
    store: Store, path: tuple[Any, ...], value: Any, where: str
) -> None:
    data = copy.deepcopy(BASE)
    target: Any = data["messages"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(InvalidImportError, match=r"not a deepseek-tui export") as info:
        store.import_json(data)
    assert where in str(info.value)
    assert "\x1b" not in str(info.value)
    assert store.list_conversations() == []


def test_too_many_calls_are_refused(store: Store) -> None:
    data = copy.deepcopy(BASE)
    data["messages"][1]["tool_calls"] = [call(f"c{i}", "f", "{}") for i in range(257)]
    with pytest.raises(InvalidImportError, match="more than 256"):
        store.import_json(data)


def test_markdown_folds_each_call_with_its_result(store: Store) -> None:
    text = store.export_markdown(conversation_with_tools(store))
    assert text.count("<details>") == 3  # reasoning, two calls
    assert "<summary>tool: time__now({&quot;tz&quot;:&quot;Europe/Oslo&quot;})</summary>" in text
    assert (
        "<summary>tool: time__now({&quot;tz&quot;:&quot;America/Lima&quot;}) — declined</summary>"
        in text
    )
    oslo = text.index("Europe/Oslo")
    assert text.index("12:00") > oslo and text.index("user said no") > text.index("America/Lima")
    assert "## Tool" not in text  # results sit under their calls
    assert text.index("Checking.") < oslo < text.index("Oslo: noon.")


def test_markdown_sanitizes_every_tool_field_on_its_own(store: Store) -> None:
    c = store.create_conversation()
    _, a = store.begin_turn(c.id, user_content="q", model="m", params={})
    long_args = '{"q":"' + "y" * 100 + '"}'
    store.finish_message(
        a.id,
        content="",
        reasoning=None,
        status="complete",
        tool_calls=[
            call("c1", "evil\x1b]0;title", '{"a":"\x1b]8;;http://x\x07"}'),
            call("c2", "f", long_args),
            call("c3", "g", "{}"),
        ],
    )
    store.add_tool_result(
        c.id, tool_call_id="c1", name="f", content="```\n</details>\u202eok", status="error"
    )
    store.add_tool_result(c.id, tool_call_id="c2", name="f", content="fine", status="ok")
    store.append_message(c.id, role="tool", content="an old note")
    text = store.export_markdown(c.id)
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "⟨RLO⟩" in text
    assert "<summary>tool: evil(" in text and " — error</summary>" in text
    assert "````\n```\n</details>⟨RLO⟩ok\n````" in text  # a longer fence keeps it inert
    assert "y" * 50 + "…)" in text and "y" * 100 in text  # short summary, whole arguments
    assert "<summary>tool: g({}) — not run</summary>" in text
    assert "<summary>tool result: ?</summary>" in text and "an old note" in text
