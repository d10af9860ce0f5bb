"""``history`` and ``export`` read what ``ask`` saved, in the contract's shapes."""

from __future__ import annotations

import json
from pathlib import Path

from deepseek_tui.testing import FakeDeepSeek, Reply


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
