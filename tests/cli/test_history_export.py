"""``history`` and ``export`` read what ``ask`` (or the TUI) saved, in the contract's shapes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from deepseek_tui.store import Status, Store
from deepseek_tui.testing import Fail, FakeDeepSeek, Reply


def test_history_and_export(run_cli, server: FakeDeepSeek, home: Path) -> None:
    server.push(Reply(content="Bergen gets rain.", reasoning="Weather facts."))
    assert run_cli("ask", "Where does it rain in Norway?").code == 0
    server.push(Reply(content="Sourdough needs time."))
    assert run_cli("ask", "--thinking", "off", "How do I bake \x1b[31mbread\x1b[0m?").code == 0

    r = run_cli("history", "--json")
    assert r.code == 0
    listed = json.loads(r.stdout)
    assert [c["title"] for c in listed][0].startswith("How do I bake")
    assert len(listed) == 2
    for c in listed:
        assert {"id", "title", "created", "updated", "model", "messages"} <= set(c)
        assert c["messages"] == 2
    assert listed[0]["updated"] >= listed[1]["updated"]

    text = run_cli("history").stdout
    assert "Where does it rain in Norway?" in text
    assert "\x1b" not in text

    found = json.loads(run_cli("history", "--search", "sourdough", "--json").stdout)
    assert [c["id"] for c in found] == [listed[0]["id"]]
    assert json.loads(run_cli("history", "--search", "zeppelin", "--json").stdout) == []

    rain_id = listed[1]["id"]
    exported = json.loads(run_cli("export", rain_id[:5], "--format", "json").stdout)
    assert exported["id"] == rain_id
    assert {"title", "created", "updated", "system", "messages"} <= set(exported)
    user, answer = exported["messages"]
    assert user["role"] == "user" and user["content"] == "Where does it rain in Norway?"
    assert answer["content"] == "Bergen gets rain."
    assert answer["reasoning"] == "Weather facts."
    assert answer["model"] == "deepseek-flash"
    assert answer["status"] == "complete" and answer["finish_reason"] == "stop"
    assert answer["usage"]["completion_tokens"] > 0
    for key in ("params", "created"):
        assert key in answer

    md = run_cli("export", rain_id).stdout
    assert "Where does it rain in Norway?" in md and "Bergen gets rain." in md


def test_export_unknown_id(run_cli, server: FakeDeepSeek) -> None:
    r = run_cli("export", "nope")
    assert r.code == 1
    assert "nope" in r.stderr
    assert "Traceback" not in r.stderr


def test_history_empty(run_cli, server: FakeDeepSeek) -> None:
    r = run_cli("history", "--json")
    assert r.code == 0 and json.loads(r.stdout) == []


def _every_ending(home: Path) -> str:
    """A conversation whose answers end in each of the four ways (stored as the
    TUI stores them), the last one stopped."""
    with Store.open(home / "conversations.db").store as store:
        conv = store.create_conversation(model="deepseek-flash")
        endings: list[tuple[str, Status, str | None]] = [
            ("Rain in Bergen", "complete", None),
            ("It rains", "interrupted", None),
            ("", "error", "HTTP 500: *boom*"),
            ("Well, the", "stopped", None),
        ]
        for i, (content, status, error) in enumerate(endings):
            _, a = store.begin_turn(conv.id, user_content=f"q{i}", model="m", params={})
            store.finish_message(a.id, content=content, reasoning=None, status=status, error=error)
        return conv.id


def test_export_names_each_ending(run_cli, server: FakeDeepSeek, home: Path) -> None:
    cid = _every_ending(home)
    exported = json.loads(run_cli("export", cid, "--format", "json").stdout)
    answers = [(m["status"], m["error"]) for m in exported["messages"] if m["role"] != "user"]
    assert answers == [
        ("complete", None),
        ("interrupted", None),
        ("error", "HTTP 500: *boom*"),
        ("stopped", None),
    ]
    md = run_cli("export", cid).stdout
    assert "It rains\n\n*(interrupted)*\n" in md
    assert "*(failed: HTTP 500: \\*boom\\*)*" in md
    assert "Well, the\n\n*(stopped)*\n" in md
    assert md.count("*(") == 3


def test_history_json_gives_the_last_status(run_cli, server: FakeDeepSeek, home: Path) -> None:
    server.push(Reply(content="Fine."))
    assert run_cli("ask", "all good?").code == 0
    stopped = _every_ending(home)
    server.push(Fail(400, message="Invalid request"))
    assert run_cli("ask", "doomed").code == 1

    listed = json.loads(run_cli("history", "--json").stdout)
    assert [c["last_status"] for c in listed] == ["error", "stopped", "complete"]
    assert listed[1]["id"] == stopped
    for c in listed:  # additive: the contract's fields are all still there
        assert {"id", "title", "created", "updated", "model", "messages"} <= set(c)
    found = json.loads(run_cli("history", "--search", "bergen", "--json").stdout)
    assert [(c["id"], c["last_status"]) for c in found] == [(stopped, "stopped")]

    # The text listing keeps its columns: id, updated, model, title.
    lines = run_cli("history").stdout.splitlines()
    assert len(lines) == 3
    assert all(len(line.split()) >= 4 for line in lines)
    assert "stopped" not in "\n".join(lines) and "complete" not in "\n".join(lines)


def test_json_output_escapes_c1_controls(run_cli, home: Path) -> None:
    """JSON with ``ensure_ascii=False`` leaves U+0080-U+009F raw, and U+009B is
    CSI to a terminal: they are written as ``\\u009b``, parsing to the same text."""
    title = "eight-bit \x9b2J CSI and \x9d0;title\x9c OSC"
    with Store.open(home / "conversations.db").store as store:
        conv = store.create_conversation(title=title, model="m\x9b1m")
        _, a = store.begin_turn(conv.id, user_content="q \x85", model="m", params={})
        store.finish_message(a.id, content="a \x9b31m", reasoning="r \x90", status="complete")

    listed = run_cli("history", "--json")
    exported = run_cli("export", conv.id, "--format", "json")
    for r in (listed, exported):
        assert r.code == 0, r.stderr
        assert not any(0x80 <= ord(c) <= 0x9F for c in r.stdout + r.stderr)
        assert "\\u009b" in r.stdout
    assert json.loads(listed.stdout)[0]["title"] == title
    data = json.loads(exported.stdout)
    assert (data["title"], data["model"]) == (title, "m\x9b1m")
    assert [(m["content"], m["reasoning"]) for m in data["messages"]] == [
        ("q \x85", None),
        ("a \x9b31m", "r \x90"),
    ]


def test_markdown_export_keeps_every_message_after_an_unterminated_escape(
    run_cli, home: Path
) -> None:
    with Store.open(home / "conversations.db").store as store:
        conv = store.create_conversation(title="escapes")
        for q, answer in [("q1", "one\x1b]0;evil"), ("q2", "two \x1b[ end"), ("q3", "three")]:
            _, a = store.begin_turn(conv.id, user_content=q, model="m", params={})
            store.finish_message(a.id, content=answer, reasoning=None, status="complete")
    r = run_cli("export", conv.id)
    assert r.code == 0, r.stderr
    assert "\x1b" not in r.stdout
    for shown in ("q1", "one", "q2", "two", "q3", "three"):
        assert shown in r.stdout
    assert r.stdout.count("## Assistant") == 3


def test_history_cleans_every_column(run_cli, home: Path) -> None:
    """A row an earlier version imported as it was (id, model and title holding
    OSC 0 / OSC 52 / CSI) is listed without a byte of them."""
    with Store.open(home / "conversations.db").store:
        pass
    hostile = "\x1b]0;owned\x07\x1b]52;c;aGk=\x07\x1b[2J\x9b1m"
    with sqlite3.connect(home / "conversations.db") as db:
        db.execute(
            "INSERT INTO conversations (id, title, created, updated, model) VALUES (?, ?, ?, ?, ?)",
            (f"id{hostile}", f"title{hostile}", "2026-01-01T00:00:00.000Z", "2026-01-01", hostile),
        )
    r = run_cli("history")
    assert r.code == 0, r.stderr
    assert not any(c in r.stdout for c in "\x1b\x07\x9b")
    assert r.stdout.startswith("id  2026-01-01")
    assert "title" in r.stdout
