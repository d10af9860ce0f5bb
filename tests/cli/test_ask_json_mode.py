"""``ask --json-mode`` against the loopback server, which refuses JSON mode the
way DeepSeek does when the prompt never says "json"."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from deepseek_tui.request import JSON_INSTRUCTION
from deepseek_tui.testing import JSON_WORD_MESSAGE, FakeDeepSeek, Reply

from .conftest import KEY, configure, rows


def test_json_mode_without_the_word_json_gets_an_instruction_and_a_note(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content='{"colours": ["red", "green", "blue"]}'))
    r = run_cli("ask", "--json-mode", "Name three colours")
    assert r.code == 0, r.stderr
    assert r.stdout == '{"colours": ["red", "green", "blue"]}\n'
    body = server.chat_requests[-1].body
    assert body["response_format"] == {"type": "json_object"}
    assert body["messages"] == [
        {"role": "system", "content": JSON_INSTRUCTION},
        {"role": "user", "content": "Name three colours"},
    ]
    notes = [line for line in r.stderr.splitlines() if "note:" in line]
    assert len(notes) == 1 and 'the word "json"' in notes[0], r.stderr
    # Remembered with the conversation; the stored system prompt is the user's (none).
    assert rows(home, "SELECT system FROM conversations") == [(None,)]

    # A system prompt of the user's gets the instruction after it, the same every turn.
    server.push(Reply(content="{}"), Reply(content="{}"))
    assert run_cli("ask", "--system", "Be terse.", "--json-mode", "one").code == 0
    first = server.chat_requests[-1].body["messages"]
    assert run_cli("ask", "-c", "two").code == 0  # JSON mode comes back with the conversation
    second = server.chat_requests[-1].body
    assert second["response_format"] == {"type": "json_object"}
    assert first[0] == {"role": "system", "content": f"Be terse.\n\n{JSON_INSTRUCTION}"}
    assert second["messages"][:2] == first  # the replayed prefix is byte-identical


def test_a_prompt_that_says_json_is_sent_as_it_is(run_cli, server: FakeDeepSeek) -> None:
    server.push(Reply(content='{"a": 1}'))
    r = run_cli("ask", "--json-mode", "Answer in Json: what is a?")
    assert r.code == 0, r.stderr
    assert server.chat_requests[-1].body["messages"] == [
        {"role": "user", "content": "Answer in Json: what is a?"}
    ]
    assert "note:" not in r.stderr


def test_json_mode_from_the_config_and_no_json_mode(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    configure(home, server.base_url, extra="\n[generation]\njson_mode = true\n")
    server.push(Reply(content="{}"), Reply(content="plain"))
    assert run_cli("ask", "hello").code == 0
    assert server.chat_requests[-1].body["response_format"] == {"type": "json_object"}
    r = run_cli("ask", "--no-json-mode", "hello")
    assert r.code == 0, r.stderr
    body = server.chat_requests[-1].body
    assert "response_format" not in body
    assert body["messages"] == [{"role": "user", "content": "hello"}]


def test_the_fake_refuses_json_mode_without_json_like_deepseek(server: FakeDeepSeek) -> None:
    """The loopback server's check, seen through a request that skips ours."""
    body = {
        "model": "deepseek-flash",
        "messages": [{"role": "user", "content": "Name three colours"}],
        "response_format": {"type": "json_object"},
    }
    r = httpx.post(
        f"{server.base_url}/chat/completions",
        json=body,
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert r.status_code == 400
    assert r.json() == {
        "error": {
            "message": JSON_WORD_MESSAGE,
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_request_error",
        }
    }


def test_an_empty_json_mode_answer_is_a_failure_not_an_empty_stdout(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content=""))
    r = run_cli("ask", "--json-mode", "json please")
    assert r.code == 1
    assert r.stdout == ""
    assert "warning: JSON mode: the model sent an empty answer" in r.stderr
    assert rows(home, "SELECT status FROM messages WHERE role = 'assistant'") == [("error",)]

    # DeepSeek may also send blanks; --json says so too.
    server.push(Reply(content="  \n "))
    r = run_cli("ask", "--json-mode", "--json", "json please")
    assert r.code == 1
    data = json.loads(r.stdout)
    assert data["status"] == "error" and "empty answer" in data["error"]

    # The failed exchanges are not replayed to the model.
    server.push(Reply(content='{"ok": true}'))
    assert run_cli("ask", "-c", "--json-mode", "json again").code == 0
    assert [m["role"] for m in server.chat_requests[-1].body["messages"]] == ["user"]
