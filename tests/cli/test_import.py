"""``deepseek-tui import FILE``: what ``export --format json`` wrote comes back
with a new id; anything else is one line on stderr and nothing is added."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from deepseek_tui.store import Store
from deepseek_tui.testing import FakeDeepSeek, Reply

from .conftest import rows


def seed(home: Path) -> str:
    """A conversation with a system prompt, params, reasoning, usage and each ending."""
    with Store.open(home / "conversations.db").store as store:
        conv = store.create_conversation(
            model="deepseek-flash", params={"temperature": 0.3}, system="Be terse."
        )
        _, a = store.begin_turn(
            conv.id, user_content="Why is the sky blue?", model="deepseek-flash", params={}
        )
        store.finish_message(
            a.id,
            content="Rayleigh scattering.",
            reasoning="Short waves scatter.",
            status="complete",
            finish_reason="stop",
            usage={"prompt_tokens": 9, "completion_tokens": 3},
            cost=0.0001,
        )
        _, b = store.begin_turn(conv.id, user_content="More?", model="m", params={})
        store.finish_message(b.id, content="", reasoning=None, status="error", error="HTTP 500")
        return conv.id


def round_trip(run_cli, cid: str, tmp_path: Path) -> str:
    """export --format json, import, export again: the same but for the id; the new id."""
    first = run_cli("export", cid, "--format", "json")
    assert first.code == 0, first.stderr
    saved = tmp_path / f"{cid}.json"
    saved.write_text(first.stdout, encoding="utf-8")

    r = run_cli("import", str(saved))
    assert r.code == 0, r.stderr
    assert r.stderr == ""
    new_id = r.stdout.strip()
    assert r.stdout == new_id + "\n" and re.fullmatch(r"[0-9a-f]{16}", new_id)
    assert new_id != cid

    again = run_cli("export", new_id, "--format", "json")
    assert again.code == 0, again.stderr
    assert {**json.loads(again.stdout), "id": cid} == json.loads(first.stdout)
    return new_id


def test_export_import_export_round_trips(run_cli, home: Path, tmp_path: Path) -> None:
    cid = seed(home)
    new_id = round_trip(run_cli, cid, tmp_path)

    piped = run_cli("import", "-", input=run_cli("export", cid, "--format", "json").stdout)
    assert piped.code == 0, piped.stderr  # '-' reads stdin
    assert piped.stdout.strip() not in (cid, new_id)
    assert len(rows(home, "SELECT id FROM conversations")) == 3


def test_what_ask_saved_round_trips(
    run_cli, server: FakeDeepSeek, home: Path, tmp_path: Path
) -> None:
    server.push(Reply(content="Bergen gets rain.", reasoning="Weather facts."))
    assert run_cli("ask", "--system", "Be brief.", "Where does it rain?").code == 0
    server.push(Reply(content="Often."))
    assert run_cli("ask", "-c", "--thinking", "off", "How often?").code == 0
    ((cid,),) = rows(home, "SELECT id FROM conversations")
    round_trip(run_cli, cid, tmp_path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "cannot read"),  # no such file
        (b"{not json", "is not a JSON export"),
        (b"# Title\n\nA Markdown export\n", "Markdown exports cannot be imported"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "is not a JSON export"),
        (b"[" * 100_000, "is not a JSON export"),  # nested past what the parser takes
        (b'{"messages": 3}', "is not a valid export"),
        (b'{"messages": [{"role": "bot\\u001b]0;x\\u0007"}]}', "messages[0].role"),
        (b'{"format": "other/2", "messages": []}', "format"),
    ],
)
def test_a_bad_file_is_one_line_and_adds_nothing(
    run_cli, home: Path, tmp_path: Path, content: bytes | None, problem: str
) -> None:
    path = tmp_path / "in.json"
    if content is not None:
        path.write_bytes(content)
    r = run_cli("import", str(path))
    assert r.code == 1
    assert r.stdout == ""
    (line,) = r.stderr.splitlines()
    assert line.startswith("deepseek-tui: ") and problem in line
    assert "Traceback" not in r.stderr and "\x1b" not in r.stderr and "\x07" not in r.stderr
    if (home / "conversations.db").exists():
        assert rows(home, "SELECT count(*) FROM conversations") == [(0,)]


def test_a_directory_or_no_file_at_all(run_cli, tmp_path: Path) -> None:
    r = run_cli("import", str(tmp_path))
    assert r.code == 1 and len(r.stderr.splitlines()) == 1 and "a directory" in r.stderr
    r = run_cli("import")
    assert r.code == 2 and "FILE" in r.stderr


def test_text_that_is_not_utf8_is_replaced(run_cli, home: Path, tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(
        b'\xef\xbb\xbf{"title": "caf\xe9 \\ud800", "messages": [{"role": "user", "content": "x"}]}'
    )
    r = run_cli("import", str(path))
    assert r.code == 0, r.stderr
    assert rows(home, "SELECT title FROM conversations") == [("caf\ufffd \ufffd",)]


def test_help_lists_import(run_cli) -> None:
    r = run_cli("--help")
    assert r.code == 0
    assert re.search(r"^\s+import\s+add a conversation from a JSON export", r.stdout, re.M)
    r = run_cli("import", "--help")
    assert r.code == 0 and "FILE" in r.stdout and "stdin" in r.stdout


def test_readme_lists_import() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "| `deepseek-tui import FILE` |" in readme


def test_a_pipe_or_a_device_is_refused_without_reading(run_cli, tmp_path: Path) -> None:
    fifo = tmp_path / "export.json"
    os.mkfifo(fifo)  # a plain read would wait for a writer forever
    for path, kind in ((fifo, "a named pipe"), (Path("/dev/zero"), "a character device")):
        r = run_cli("import", str(path), timeout=30)
        assert r.code == 1
        assert (
            r.stderr.strip()
            == f"deepseek-tui: cannot import {path}: it is {kind}, not a regular file"
        )
