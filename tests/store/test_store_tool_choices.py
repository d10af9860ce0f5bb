"""Tool choices kept with their conversation (schema v7): stored, replaced,
deleted with it, exported, and imported as untrusted data -- a file may switch
a tool off, never allow one."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from deepseek_tui.store import InvalidImportError, NotFoundError, Store, ToolChoices


def stored(db_path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_path) as db:
        return db.execute(
            "SELECT conversation_id, tool, choice FROM tool_choices ORDER BY 1, 2, 3"
        ).fetchall()


def test_a_conversation_starts_from_the_defaults_and_keeps_what_is_set(
    store: Store, db_path: Path
) -> None:
    c = store.create_conversation()
    assert store.tool_choices(c.id) == ToolChoices(frozenset(), frozenset())
    store.set_tool_choices(c.id, off=["time__now", "git__log"], allowed=["time__now"])
    assert store.tool_choices(c.id) == ({"git__log", "time__now"}, {"time__now"})
    # Each write is the whole state: what is not named any more goes.
    back = store.set_tool_choices(c.id, off=["git__log"], allowed=[])
    assert back == ({"git__log"}, set())
    assert stored(db_path) == [(c.id, "git__log", "off")]
    other = store.create_conversation()
    assert store.tool_choices(other.id) == (set(), set())


def test_unknown_conversations_and_names_that_are_not_tools_are_refused(
    store: Store, db_path: Path
) -> None:
    c = store.create_conversation()
    store.set_tool_choices(c.id, off=["a__b"], allowed=[])
    with pytest.raises(NotFoundError):
        store.set_tool_choices("nope", off=["a__b"], allowed=[])
    with pytest.raises(NotFoundError):
        store.tool_choices("nope")
    for bad in ["", "a b", "x" * 65, "[bold]x", "\x1b[31m"]:
        with pytest.raises(ValueError, match="wire name"):
            store.set_tool_choices(c.id, off=["c__d"], allowed=[bad])
    assert stored(db_path) == [(c.id, "a__b", "off")]  # nothing half written


def test_choices_go_with_their_conversation(store: Store, db_path: Path) -> None:
    c, d = store.create_conversation(), store.create_conversation()
    store.set_tool_choices(c.id, off=["a__b"], allowed=["a__c"])
    store.set_tool_choices(d.id, off=["a__b"], allowed=[])
    store.delete_conversation(c.id)
    assert stored(db_path) == [(d.id, "a__b", "off")]


def test_export_carries_them_and_undo_of_a_delete_brings_them_all_back(store: Store) -> None:
    c = store.create_conversation(title="tides")
    store.begin_turn(c.id, user_content="high tide?", model="m", params={})
    store.set_tool_choices(c.id, off=["time__zone", "git__log"], allowed=["time__now"])
    data = store.export_json(c.id)
    assert data["tool_choices"] == {"off": ["git__log", "time__zone"], "allowed": ["time__now"]}
    store.delete_conversation(c.id)
    restored = store.import_json(json.loads(json.dumps(data)), keep_id=True)
    assert restored.id == c.id
    assert store.tool_choices(c.id) == ({"git__log", "time__zone"}, {"time__now"})


def test_a_file_may_switch_tools_off_but_never_allow_one(store: Store) -> None:
    c = store.create_conversation(title="tides")
    store.set_tool_choices(c.id, off=["git__log"], allowed=["shell__run"])
    imported = store.import_json(store.export_json(c.id))
    assert imported.id != c.id
    assert store.tool_choices(imported.id) == ({"git__log"}, set())


def test_an_export_without_choices_imports_with_the_defaults(store: Store) -> None:
    for absent in ({}, {"tool_choices": None}, {"tool_choices": {}}):
        imported = store.import_json({"messages": [], **absent})
        assert store.tool_choices(imported.id) == (set(), set())


@pytest.mark.parametrize(
    ("value", "where"),
    [
        (["a__b"], "tool_choices must be an object"),
        ({"off": "a__b"}, "tool_choices.off must be an array"),
        ({"off": ["a__b", 3]}, "tool_choices.off[1] is not a tool name"),
        ({"off": ["[red]x\x1b[0m"]}, "tool_choices.off[0] is not a tool name"),
        ({"allowed": ["a b"]}, "tool_choices.allowed[0] is not a tool name"),
        ({"off": [f"t__{i}" for i in range(4097)]}, "tool_choices.off has more than 4096"),
    ],
)
def test_bad_choices_in_a_file_are_refused_naming_the_field(
    store: Store, value: Any, where: str
) -> None:
    with pytest.raises(InvalidImportError, match="not a deepseek-tui export") as info:
        store.import_json({"messages": [], "tool_choices": value})
    assert where in str(info.value)
    assert "\x1b" not in str(info.value)
    assert store.list_conversations() == []
