"""Export (JSON per DESIGN.md, Markdown for people) and JSON import."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from deepseek_tui.store import (
    EXPORT_FORMAT,
    AmbiguousIdError,
    InvalidImportError,
    NotFoundError,
    Store,
)

CONTRACT_TOP = {"id", "title", "created", "updated", "system", "messages"}
CONTRACT_MESSAGE = {
    "role",
    "content",
    "reasoning",
    "model",
    "params",
    "usage",
    "finish_reason",
    "status",
    "created",
}


def make_conversation(store: Store) -> str:
    """A conversation with every kind of ending: complete, interrupted, error, stopped,
    streaming."""
    conv = store.create_conversation(
        model="deepseek-flash",
        params={"temperature": 0.3, "thinking": True, "effort": "high"},
        system="You are terse.",
        provider="deepseek",
    )
    _, a = store.begin_turn(
        conv.id,
        user_content="Why is the sky blue?",
        model="deepseek-flash",
        params={"temperature": 0.3},
        attachments=[{"name": "sky.png", "mime": "image/png"}],
    )
    store.finish_message(
        a.id,
        content="Rayleigh scattering.",
        reasoning="Short wavelengths scatter more.",
        status="complete",
        finish_reason="stop",
        usage={"prompt_tokens": 12, "completion_tokens": 3},
        cost=0.0001,
    )
    _, b = store.begin_turn(conv.id, user_content="Longer please", model="m2", params={})
    store.checkpoint(b.id, "Sunlight hits", None)
    store.finish_message(b.id, content="Sunlight hits", reasoning=None, status="interrupted")
    _, c = store.begin_turn(conv.id, user_content="Again", model="m2", params={})
    store.finish_message(c.id, content="", reasoning=None, status="error", error="HTTP 500")
    _, e = store.begin_turn(conv.id, user_content="Stop that", model="m2", params={})
    store.finish_message(e.id, content="Well, the", reasoning=None, status="stopped")
    _, d = store.begin_turn(conv.id, user_content="Once more", model="m2", params={})
    store.checkpoint(d.id, "Partial while", "still thinking")
    return conv.id


def test_json_export_has_the_contract_shape(store: Store) -> None:
    cid = make_conversation(store)
    data = store.export_json(cid)
    json.dumps(data)  # serialisable as is
    assert set(data) >= CONTRACT_TOP
    conv = store.get_conversation(cid)
    assert data["id"] == cid and data["format"] == EXPORT_FORMAT
    assert (data["title"], data["created"], data["updated"]) == (
        "Why is the sky blue?",
        conv.created,
        conv.updated,
    )
    assert data["system"] == "You are terse."
    assert data["model"] == "deepseek-flash" and data["params"]["effort"] == "high"
    messages = data["messages"]
    assert len(messages) == 10
    for m in messages:
        assert set(m) >= CONTRACT_MESSAGE
        assert m["status"] in ("complete", "stopped", "interrupted", "error")
    assert [m["role"] for m in messages] == ["user", "assistant"] * 5
    user, answer = messages[0], messages[1]
    assert user == {
        "role": "user",
        "content": "Why is the sky blue?",
        "reasoning": None,
        "model": None,
        "params": None,
        "usage": None,
        "finish_reason": None,
        "status": "complete",
        "created": user["created"],
        "cost": None,
        "error": None,
        "attachments": [{"name": "sky.png", "mime": "image/png"}],
    }
    assert answer["content"] == "Rayleigh scattering."
    assert answer["reasoning"] == "Short wavelengths scatter more."
    assert (answer["model"], answer["params"]) == ("deepseek-flash", {"temperature": 0.3})
    assert answer["usage"] == {"prompt_tokens": 12, "completion_tokens": 3}
    assert (answer["finish_reason"], answer["status"], answer["cost"]) == ("stop", "complete", 1e-4)
    assert messages[3]["status"] == "interrupted" and messages[3]["content"] == "Sunlight hits"
    assert messages[5]["status"] == "error" and messages[5]["error"] == "HTTP 500"
    assert messages[7]["status"] == "stopped" and messages[7]["content"] == "Well, the"
    # Still streaming: exported with what was received, as a partial answer.
    assert messages[9]["status"] == "interrupted"
    assert (messages[9]["content"], messages[9]["reasoning"]) == ("Partial while", "still thinking")
    assert [m["created"] for m in messages] == sorted(m["created"] for m in messages)


def test_export_resolves_prefixes(db_path: Path, ids) -> None:
    with Store.open(db_path, new_id=ids).store as s:
        one = s.create_conversation(title="one")
        s.create_conversation(title="two")
        assert s.export_json(one.id[:-1] + "1")["id"] == one.id
        with pytest.raises(AmbiguousIdError):
            s.export_markdown("c0ffee")
        with pytest.raises(NotFoundError):
            s.export_json("nope")


def test_markdown_export_is_readable(store: Store) -> None:
    cid = make_conversation(store)
    text = store.export_markdown(cid)
    assert text.startswith("# Why is the sky blue?\n")
    assert f"`{cid}`" in text
    assert "## System prompt\n\n> You are terse." in text
    assert "## User · " in text and "## Assistant · `deepseek-flash` · " in text
    assert "<details>\n<summary>Reasoning</summary>\n\nShort wavelengths scatter more." in text
    assert "Rayleigh scattering." in text
    # Each way an answer can end has its own words, the TUI's (ending_label).
    assert "Sunlight hits\n\n*(interrupted)*\n" in text
    assert "*(failed: HTTP 500)*" in text
    assert "Well, the\n\n*(stopped)*\n" in text
    assert "Partial while\n\n*(interrupted)*\n" in text  # still streaming
    assert text.count("*(") == 4
    assert text.index("Why is the sky blue?") < text.index("Rayleigh") < text.index("Longer")
    assert text.endswith("\n") and "\n\n\n" not in text


def test_markdown_of_an_untitled_empty_conversation(store: Store) -> None:
    conv = store.create_conversation()
    text = store.export_markdown(conv.id)
    assert text.startswith("# Untitled conversation")


def test_markdown_notes_a_length_cut(store: Store) -> None:
    conv = store.create_conversation()
    _, a = store.begin_turn(conv.id, user_content="q", model="m", params={})
    store.finish_message(
        a.id, content="cut", reasoning=None, status="complete", finish_reason="length"
    )
    assert "max_tokens" in store.export_markdown(conv.id)


def test_import_round_trip_into_another_database(store: Store, tmp_path: Path) -> None:
    cid = make_conversation(store)
    exported = store.export_json(cid)
    with Store.open(tmp_path / "other.db").store as other:
        imported = other.import_json(json.loads(json.dumps(exported)))
        assert imported.id != cid  # an import always gets a new id
        assert other.export_json(imported.id) == {**exported, "id": imported.id}
        assert other.list_conversations(search="rayleigh")[0].id == imported.id


def test_import_into_the_same_database_gets_a_new_id(store: Store) -> None:
    cid = make_conversation(store)
    exported = store.export_json(cid)
    copy = store.import_json(exported)
    assert copy.id != cid
    again = store.export_json(copy.id)
    assert {**again, "id": cid} == exported
    assert len(store.list_conversations()) == 2


def test_minimal_import(store: Store, clock) -> None:
    conv = store.import_json({"messages": [{"role": "user", "content": "hi"}]})
    assert conv.title == "" and conv.params == {} and conv.system is None
    (msg,) = store.messages(conv.id)
    assert (msg.role, msg.content, msg.status, msg.created) == (
        "user",
        "hi",
        "complete",
        conv.created,
    )


def test_import_normalises_times_and_streaming(store: Store) -> None:
    conv = store.import_json(
        {
            "title": "t",
            "created": "2025-03-04T05:06:07+02:00",
            "messages": [{"role": "assistant", "content": "part", "status": "streaming"}],
        }
    )
    assert conv.created == conv.updated == "2025-03-04T03:06:07.000Z"
    assert store.messages(conv.id)[0].status == "interrupted"


BAD: list[tuple[Any, str]] = [
    ([], "top level"),
    ("text", "top level"),
    ({}, "messages"),
    ({"messages": {}}, "messages"),
    ({"format": "other/9", "messages": []}, "format"),
    ({"title": 3, "messages": []}, "title"),
    ({"params": [1], "messages": []}, "params"),
    ({"messages": ["hi"]}, r"messages\[0\]"),
    ({"messages": [{"role": "bot", "content": "x"}]}, r"messages\[0\]\.role"),
    ({"messages": [{"role": "user", "content": 5}]}, r"messages\[0\]\.content"),
    ({"messages": [{"role": "user", "content": "", "status": "done"}]}, "status"),
    ({"messages": [{"role": "user", "content": "", "cost": "1"}]}, "cost"),
    ({"messages": [{"role": "user", "content": "", "cost": True}]}, "cost"),
    ({"messages": [{"role": "user", "content": "", "usage": 3}]}, "usage"),
    ({"messages": [{"role": "user", "content": "", "attachments": "a"}]}, "attachments"),
    ({"messages": [{"role": "user", "content": "", "reasoning": 1}]}, "reasoning"),
]


@pytest.mark.parametrize(("data", "where"), BAD)
def test_invalid_imports_are_refused_clearly(store: Store, data: Any, where: str) -> None:
    with pytest.raises(InvalidImportError, match=f"not a deepseek-tui export: .*{where}"):
        store.import_json(data)
    assert store.list_conversations() == []


def test_invalid_message_late_in_the_list_writes_nothing(store: Store) -> None:
    data = {"messages": [{"role": "user", "content": "ok"}] * 5 + [{"role": "x"}]}
    with pytest.raises(InvalidImportError, match=r"messages\[5\]"):
        store.import_json(data)
    assert store.list_conversations() == []


def test_markdown_cleans_each_field_on_its_own(store: Store) -> None:
    """An unterminated escape sequence in one answer swallows nothing after it:
    each field is sanitized alone, and the document holds no control character."""
    conv = store.create_conversation(title="t\x1b]0;title", model="m\x1b[31m", system="s\x1b]52;c;")
    for i, answer in enumerate(["first\x1b]0;evil", "second\x1b[", "third\x9d0;x", "fourth"]):
        _, a = store.begin_turn(conv.id, user_content=f"question {i}", model="m\x1b]0;", params={})
        store.finish_message(a.id, content=answer, reasoning=f"why {i}\x1bP", status="complete")
    text = store.export_markdown(conv.id)
    assert not any(ord(c) < 0x20 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F for c in text)
    for i, answer in enumerate(["first", "second", "third", "fourth"]):
        assert f"question {i}" in text and answer in text and f"why {i}" in text
    assert text.startswith("# t\n") and "> s\n" in text


def test_markdown_names_bidi_controls_as_every_other_output_does(store: Store) -> None:
    """The Markdown export (the command line's and the TUI's file alike) shows
    a right-to-left override by name, so "exe.txt" cannot pose as "txt.exe";
    the JSON export keeps the text exact."""
    conv = store.create_conversation(title="invoice \u202etxt.exe")
    _, a = store.begin_turn(conv.id, user_content="open \u2066it\u2069", model="m", params={})
    store.finish_message(a.id, content="file \u202excod.exe", reasoning=None, status="complete")
    text = store.export_markdown(conv.id)
    assert "\u202e" not in text and "\u2066" not in text
    assert "# invoice ⟨RLO⟩txt.exe" in text and "file ⟨RLO⟩xcod.exe" in text
    assert "open ⟨LRI⟩it⟨PDI⟩" in text
    exported = store.export_json(conv.id)
    assert exported["messages"][-1]["content"] == "file \u202excod.exe"


# Every way a string can act on a terminal: OSC 0 (title), OSC 52 (clipboard),
# CSI, 8-bit CSI/OSC (C1), BEL, a lone ESC, CR, and a lone surrogate.
HOSTILE = "A\x1b]0;pwned\x07B\x1b]52;c;aGk=\x07C\x1b[2J\x9b31m\x9d0;t\x9c\x07\rD\x1b\ud800E"
TEXT = "ABC\nD\ufffdE"  # what is left of it: the text, a lone CR as a newline
NAME = "ABC D\ufffdE"  # ... and as a title, model or key: on one line


def _inert(value: Any) -> None:
    """No control character but newline and tab, no lone surrogate, anywhere in ``value``."""
    if isinstance(value, str):
        bad = [c for c in value if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]
        assert not bad, f"{value!r} holds {bad!r}"
        value.encode("utf-8")
    elif isinstance(value, dict):
        for key, item in value.items():
            _inert(key)
            _inert(item)
    elif isinstance(value, list):
        for item in value:
            _inert(item)


def hostile_export() -> dict[str, Any]:
    """An export whose every string field holds :data:`HOSTILE`."""
    h = HOSTILE
    message = {
        "role": "assistant",
        "content": h,
        "reasoning": h,
        "model": h,
        "params": {h: h, "stop": [h], "nested": {h: [h, 1.5]}},
        "usage": {
            h: 3,
            "prompt_tokens": h,
            "completion_tokens": 7,
            "total_tokens": -1,
            "reasoning_tokens": None,
            "details": {"cached_tokens": 2, "x": [1]},
        },
        "finish_reason": h,
        "status": "error",
        "created": h,
        "cost": float("nan"),
        "error": h,
        "attachments": [{"name": h, "kind": "text", "text": h}],
    }
    return {
        "format": EXPORT_FORMAT,
        "id": h,
        "title": h,
        "created": h,
        "updated": "2026-01-01T00:00:00Z",
        "model": h,
        "params": {h: h},
        "system": h,
        "provider": h,
        "messages": [{"role": "user", "content": h}, message],
    }


def test_import_trusts_no_field(store: Store) -> None:
    conv = store.import_json(hostile_export())
    assert re.fullmatch(r"[0-9a-f]{16}", conv.id)  # a new id of the store's own shape
    exported = store.export_json(conv.id)
    _inert(exported)
    assert exported["title"] == NAME and exported["system"] == TEXT
    assert exported["model"] == exported["provider"] == NAME
    user, answer = exported["messages"]
    assert user["content"] == answer["content"] == answer["error"] == TEXT
    assert answer["params"] == {
        NAME: TEXT,
        "stop": [TEXT],
        "nested": {NAME: [TEXT, 1.5]},
    }
    # Usage keeps counts only; a NaN cost is no cost; a time that is not one is replaced.
    assert answer["usage"] == {
        NAME: 3,
        "completion_tokens": 7,
        "reasoning_tokens": None,  # unknown, as the API may say
        "details": {"cached_tokens": 2},
    }
    assert answer["cost"] is None
    assert exported["created"] == answer["created"] == conv.created
    assert exported["updated"] == "2026-01-01T00:00:00.000Z"
    assert answer["attachments"] == [{"name": TEXT, "kind": "text", "text": TEXT}]
    assert "\x1b" not in store.export_markdown(conv.id)


def test_import_gets_a_new_id_even_when_the_old_one_is_free(db_path: Path, ids) -> None:
    with Store.open(db_path, new_id=ids).store as s:
        conv = s.create_conversation(title="kept?")
        data = s.export_json(conv.id)
        s.delete_conversation(conv.id)
        assert s.import_json(data).id != conv.id
        # Undoing a delete keeps the id, when it is one of the store's.
        s.delete_conversation(s.list_conversations()[0].id)
        assert s.import_json(data, keep_id=True).id == conv.id
        assert s.import_json({**data, "id": "x\x1b]0;y"}, keep_id=True).id != "x\x1b]0;y"


@pytest.mark.parametrize(
    "created", ["yesterday", 5, None, "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"]
)
def test_import_replaces_what_is_not_a_time(store: Store, created: Any) -> None:
    conv = store.import_json({"created": created, "messages": [{"role": "user"}]})
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", conv.created)
    assert conv.created.startswith("2026-")  # the import's time, from the test clock


def test_import_refuses_values_nested_without_end(store: Store) -> None:
    deep: Any = "x"
    for _ in range(100):
        deep = {"k": deep}
    with pytest.raises(InvalidImportError, match="nested too deeply"):
        store.import_json({"params": deep, "messages": []})
