"""``history``, ``export`` and ``import`` on a database a newer deepseek-tui wrote
and on a full disk: one line on stderr, exit 1, never a traceback -- and what
can still be read is read.

The full disk is real SQLite behaviour: the child process caps the size of the
database with ``PRAGMA max_page_count`` on every connection it opens (a
wrapper around ``sqlite3.connect``, before the CLI runs), and SQLite then fails
as it does on a full disk (``SQLITE_FULL``).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from deepseek_tui.store import Store

from .conftest import rows

REPO = Path(__file__).resolve().parents[2]

_FULL_DISK = textwrap.dedent(
    """
    import sqlite3, sys
    _connect = sqlite3.connect
    def connect(*args, **kwargs):
        conn = _connect(*args, **kwargs)
        conn.execute("PRAGMA max_page_count = 1")  # no room to grow at all
        return conn
    sqlite3.connect = connect
    from deepseek_tui.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def run_on_full_disk(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPSEEK_")}
    env["DEEPSEEK_TUI_HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-c", _FULL_DISK, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def seed(home: Path) -> str:
    with Store.open(home / "conversations.db").store as store:
        conv = store.create_conversation(title="saved before")
        _, a = store.begin_turn(conv.id, user_content="question", model="m", params={})
        store.finish_message(a.id, content="answer", reasoning=None, status="complete")
        return conv.id


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    (line,) = stderr.splitlines()
    assert line.startswith("deepseek-tui: ")
    return line


def make_newer(home: Path, *sql: str) -> None:
    with sqlite3.connect(home / "conversations.db") as conn:
        for statement in sql:
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 99")


def export_file(tmp_path: Path, content: str = "hello") -> Path:
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"messages": [{"role": "user", "content": content}]}))
    return path


def test_a_newer_database_is_read_and_never_written(run_cli, home: Path, tmp_path: Path) -> None:
    cid = seed(home)
    make_newer(home)

    listed = run_cli("history")
    assert listed.code == 0 and "saved before" in listed.stdout
    notice = one_line(listed.stderr)
    assert "newer deepseek-tui (schema v99;" in notice and "read-only" in notice
    exported = run_cli("export", cid, "--format", "json")
    assert exported.code == 0 and json.loads(exported.stdout)["title"] == "saved before"
    one_line(exported.stderr)

    r = run_cli("import", str(export_file(tmp_path)))
    assert r.code == 1 and r.stdout == ""
    line = one_line(r.stderr)
    assert line.startswith("deepseek-tui: could not import the conversation: the conversation ")
    assert "written by a newer deepseek-tui (schema v99;" in line
    assert "upgrade deepseek-tui, or set DEEPSEEK_TUI_HOME to use another" in line
    assert rows(home, "SELECT count(*) FROM conversations") == [(1,)]


def test_a_newer_schema_this_version_cannot_read(run_cli, home: Path) -> None:
    cid = seed(home)
    make_newer(home, "ALTER TABLE conversations RENAME COLUMN title TO name")
    for args in (("history",), ("history", "--json"), ("export", cid)):
        r = run_cli(*args)
        assert r.code == 1 and r.stdout == ""
        line = one_line(r.stderr)
        assert "newer deepseek-tui (schema v99;" in line and "upgrade deepseek-tui" in line


def test_a_full_disk(run_cli, home: Path, tmp_path: Path) -> None:
    cid = seed(home)
    r = run_on_full_disk(home, "import", str(export_file(tmp_path, "x" * 200_000)))
    assert r.returncode == 1 and r.stdout == ""
    line = one_line(r.stderr)
    assert "could not import the conversation: the disk is full" in line
    assert "free some space and try again; what was saved is kept" in line
    assert str(home / "conversations.db") in line
    assert rows(home, "SELECT title FROM conversations") == [("saved before",)]

    # What was saved can still be read.
    r = run_on_full_disk(home, "export", cid)
    assert r.returncode == 0 and "answer" in r.stdout, r.stderr
    r = run_on_full_disk(home, "history", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)[0]["id"] == cid, r.stderr


def test_a_full_disk_before_there_is_a_database(tmp_path: Path) -> None:
    home = tmp_path / "fresh"
    r = run_on_full_disk(home, "history")
    assert r.returncode == 1 and r.stdout == ""
    line = one_line(r.stderr)
    assert "the disk is full" in line and str(home / "conversations.db") in line
