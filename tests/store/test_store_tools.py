"""Tool use in the store: calls on the answer that asked for them, results
after it, the answer that continues, branches, crash recovery and search."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from deepseek_tui.store import RECOVER_AFTER, Store

from .conftest import TickingClock


def call(ident: str, name: str = "time__now", arguments: str = '{"tz":"UTC"}') -> dict[str, Any]:
    return {"id": ident, "type": "function", "function": {"name": name, "arguments": arguments}}


def tool_loop(store: Store, cid: str, question: str, answer: str, *ids: str) -> list[int]:
    """question → assistant asking for ``ids`` → their results → ``answer``; the row ids."""
    user, asked = store.begin_turn(cid, user_content=question, model="m", params={})
    store.finish_message(
        asked.id,
        content="",
        reasoning=f"think {question}",
        status="complete",
        finish_reason="tool_calls",
        tool_calls=[call(i) for i in ids],
    )
    rows = [user.id, asked.id]
    for i in ids:
        rows.append(
            store.add_tool_result(
                cid, tool_call_id=i, name="time__now", content=f"result {i}", status="ok"
            ).id
        )
    final = store.begin_answer(cid, model="m", params={"t": 1})
    store.finish_message(final.id, content=answer, reasoning=None, status="complete")
    return [*rows, final.id]


def shape(store: Store, cid: str) -> list[tuple[str, str]]:
    return [(m.role, m.content) for m in store.messages(cid)]


def test_a_tool_loop_is_stored_in_order_with_every_field(store: Store) -> None:
    c = store.create_conversation()
    calls = [call("call_a", arguments='{"tz": "Europe/Paris", "x": [1, 2]}'), call("call_b")]
    user, asked = store.begin_turn(c.id, user_content="time?", model="m", params={})
    done = store.finish_message(
        asked.id, content="", reasoning="r", status="complete", tool_calls=calls
    )
    assert done.tool_calls == calls
    a = store.add_tool_result(
        c.id, tool_call_id="call_a", name="time__now", content="1", status="ok"
    )
    b = store.add_tool_result(
        c.id, tool_call_id="call_b", name="time__now", content="no", status="declined"
    )
    final = store.begin_answer(c.id, model="m2", params={"x": 1})
    assert (final.role, final.status, final.model, final.parent_id) == (
        "assistant",
        "streaming",
        "m2",
        b.id,
    )
    assert (a.role, a.status, a.tool_call_id, a.tool_name, a.tool_status) == (
        "tool",
        "complete",
        "call_a",
        "time__now",
        "ok",
    )
    assert b.tool_status == "declined" and b.parent_id == a.id and a.parent_id == asked.id
    assert [m.id for m in store.messages(c.id)] == [user.id, asked.id, a.id, b.id, final.id]
    reread = store.get_message(asked.id)
    assert reread.tool_calls == calls
    assert list(reread.tool_calls[0]) == ["id", "type", "function"]  # key order kept


def test_calls_are_stored_exactly_as_received(store: Store, db_path: Path) -> None:
    c = store.create_conversation()
    odd = {
        "function": {"arguments": '{"a":"é\\u00e9"}', "name": "x"},
        "id": "c1",
        "type": "function",
    }
    _, asked = store.begin_turn(c.id, user_content="q", model="m", params={})
    store.finish_message(asked.id, content="", reasoning=None, status="complete", tool_calls=[odd])
    assert store.get_message(asked.id).tool_calls == [odd]
    raw = sqlite3.connect(db_path).execute(
        "SELECT tool_calls FROM messages WHERE id = ?", (asked.id,)
    )
    assert raw.fetchone()[0] == (
        '[{"function":{"arguments":"{\\"a\\":\\"é\\\\u00e9\\"}","name":"x"},"id":"c1","type":"function"}]'
    )


def test_a_result_must_answer_a_call_of_the_last_exchange(store: Store) -> None:
    c = store.create_conversation()
    tool_loop(store, c.id, "q1", "a1", "call_1")
    store.begin_turn(c.id, user_content="q2", model="m", params={})
    with pytest.raises(ValueError, match="call_1"):  # an earlier exchange's call
        store.add_tool_result(c.id, tool_call_id="call_1", name="t", content="", status="ok")
    with pytest.raises(ValueError, match="status"):
        store.add_tool_result(c.id, tool_call_id="x", name="t", content="", status="fine")  # type: ignore[arg-type]


def test_regenerating_the_question_replaces_the_whole_loop(store: Store) -> None:
    c = store.create_conversation()
    tool_loop(store, c.id, "q1", "a1", "call_1")
    first = tool_loop(store, c.id, "q2", "a2", "call_2", "call_3")
    store.rewind(first[0])  # regenerate: branch from the question
    assert shape(store, c.id) == [
        ("user", "q1"),
        ("assistant", ""),
        ("tool", "result call_1"),
        ("assistant", "a1"),
    ]
    second = tool_loop(store, c.id, "q2", "a2 again", "call_9")
    assert [m.role for m in store.messages(c.id)][-4:] == ["user", "assistant", "tool", "assistant"]
    assert store.messages(c.id)[-1].content == "a2 again"
    assert [m.id for m in store.alternatives(second[0])] == [first[0], second[0]]
    store.select_branch(first[0])  # the old loop comes back whole, down to its answer
    assert [m.id for m in store.messages(c.id)][4:] == first
    store.select_branch(second[0])
    assert [m.id for m in store.messages(c.id)][4:] == second
    assert len(store.all_messages(c.id)) == 4 + len(first) + len(second)


def test_editing_an_earlier_question_leaves_its_loop_on_the_old_branch(store: Store) -> None:
    c = store.create_conversation()
    loop = tool_loop(store, c.id, "q1", "a1", "call_1")
    store.rewind(loop[0])
    tool_loop(store, c.id, "q1 edited", "a1'", "call_2")
    assert [m.tool_call_id for m in store.messages(c.id) if m.role == "tool"] == ["call_2"]
    store.select_branch(loop[0])
    assert [m.tool_call_id for m in store.messages(c.id) if m.role == "tool"] == ["call_1"]


def test_a_crash_after_the_results_leaves_an_interrupted_answer(
    db_path: Path, clock: TickingClock
) -> None:
    with Store.open(db_path, clock=clock).store as s:
        c = s.create_conversation()
        _, asked = s.begin_turn(c.id, user_content="q", model="m", params={})
        s.finish_message(
            asked.id, content="", reasoning="r", status="complete", tool_calls=[call("c1")]
        )
        s.add_tool_result(c.id, tool_call_id="c1", name="t", content="42", status="ok")
        answer = s.begin_answer(c.id, model="m", params={})
        assert s.checkpoint(answer.id, "The answer is", "because")
        # the process dies here: the answer is never finished
    clock.advance(seconds=RECOVER_AFTER.total_seconds() + 1)
    with Store.open(db_path, clock=clock).store as s:
        assert s.recover_interrupted(older_than=RECOVER_AFTER) == 1
        rows = s.messages(c.id)
    assert [(m.role, m.status) for m in rows] == [
        ("user", "complete"),
        ("assistant", "complete"),
        ("tool", "complete"),
        ("assistant", "interrupted"),
    ]
    assert (rows[-1].content, rows[-1].reasoning) == ("The answer is", "because")


def test_search_finds_call_arguments_and_results(store: Store) -> None:
    c = store.create_conversation(title="untitled")
    _, asked = store.begin_turn(c.id, user_content="q", model="m", params={})
    store.finish_message(
        asked.id,
        content="",
        reasoning=None,
        status="complete",
        tool_calls=[call("c1", "weather__forecast", '{"city":"Trondheim"}')],
    )
    store.add_tool_result(c.id, tool_call_id="c1", name="t", content="sleet tomorrow", status="ok")
    other = store.create_conversation(title="other")
    store.begin_turn(other.id, user_content="nothing here", model="m", params={})

    def found(text: str) -> list[str]:
        return [s.id for s in store.list_conversations(search=text)]

    assert found("trondheim") == [c.id]
    assert found("forecast") == [c.id]
    assert found("sleet") == [c.id]
    assert found("arguments") == [] and found("function") == []  # the JSON keys are not text
    assert found("東京") == []
    store.delete_conversation(c.id)
    assert found("trondheim") == []


def test_search_of_cjk_text_looks_in_arguments_too(store: Store) -> None:
    c = store.create_conversation()
    _, asked = store.begin_turn(c.id, user_content="q", model="m", params={})
    store.finish_message(
        asked.id,
        content="",
        reasoning=None,
        status="complete",
        tool_calls=[call("c1", "t", '{"city":"東京"}')],
    )
    assert [s.id for s in store.list_conversations(search="東京")] == [c.id]


def test_finishing_an_answer_with_calls_reindexes_it(store: Store, db_path: Path) -> None:
    c = store.create_conversation()
    _, asked = store.begin_turn(c.id, user_content="q", model="m", params={})
    store.checkpoint(asked.id, "partial", None)
    store.finish_message(
        asked.id,
        content="partial",
        reasoning=None,
        status="complete",
        tool_calls=[call("c1", "t", '{"q":"zebra"}')],
    )
    assert [s.id for s in store.list_conversations(search="zebra")] == [c.id]
    store.delete_message(asked.id)
    assert store.list_conversations(search="zebra") == []
    conn = sqlite3.connect(db_path)
    conn.execute("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')")
    conn.close()
