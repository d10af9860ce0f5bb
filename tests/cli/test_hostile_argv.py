"""What a shell can hand the program besides good text: empty ids, bytes that
are not UTF-8 in the arguments (Python keeps them as lone surrogates, which
nothing downstream can encode) and binary stdin. Real subprocesses, bytes
arguments, the loopback server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from deepseek_tui.testing import FakeDeepSeek, Reply

from .conftest import rows


def run_bytes(
    home: Path,
    *args: bytes | str,
    stdin: bytes = b"",
    timeout: float = 30,
    env_url: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """``python -m deepseek_tui ARGS`` with arguments (and DEEPSEEK_BASE_URL)
    passed as raw bytes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPSEEK_")}
    env.update(DEEPSEEK_TUI_HOME=str(home), PYTHONIOENCODING="utf-8", LC_ALL="C.UTF-8")
    if env_url is not None:
        env["DEEPSEEK_BASE_URL"] = os.fsdecode(env_url)  # the bytes, as the shell sets them
    raw = [a if isinstance(a, bytes) else a.encode() for a in args]
    return subprocess.run(
        [sys.executable.encode(), b"-m", b"deepseek_tui", *raw],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=timeout,
    )


def one_line(stderr: bytes) -> str:
    text = stderr.decode("utf-8")
    assert "Traceback" not in text, text
    assert text.count("\n") == 1, text
    return text


# --- empty ids -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--resume", ""], "--resume needs a conversation id"),
        (["--resume", "  "], "--resume needs a conversation id"),
        (["ask", "--resume", "", "hi"], "--resume needs a conversation id"),
        (["ask", "hi", "--resume="], "--resume needs a conversation id"),
        (["export", ""], "export needs a conversation id"),
        (["export", " ", "--format", "json"], "export needs a conversation id"),
    ],
)
def test_an_empty_id_is_a_usage_error(
    server: FakeDeepSeek, home: Path, args: list[str], message: str
) -> None:
    """``--resume ''`` used to open a new conversation (a new ``ask`` thread, or
    the TUI on an empty chat) as if no id had been given."""
    server.push(Reply(content="must not be asked"))
    r = run_bytes(home, *args)
    assert r.returncode == 2, r.stderr
    assert one_line(r.stderr) == f"deepseek-tui: {message}\n"
    assert server.chat_requests == []


# --- bytes that are not UTF-8 ----------------------------------------------------------


def test_undecodable_argument_bytes_become_replacement_characters(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content="understood"))
    r = run_bytes(home, "ask", "--system", b"be \xfe brief", b"caf\xff \xc3(bad")
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == b"understood\n"
    body = server.chat_requests[-1].body
    assert body["messages"] == [
        {"role": "system", "content": "be \ufffd brief"},
        {"role": "user", "content": "caf\ufffd \ufffd(bad"},
    ]
    saved = rows(home, "SELECT role, content FROM messages ORDER BY seq")
    assert saved[0] == ("user", "caf\ufffd \ufffd(bad")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["export", b"\xff"], "no conversation with id '\ufffd'"),
        (["ask", "--resume", b"ab\xff", "hi"], "no conversation with id 'ab\ufffd'"),
        (["ask", "--model", b"\xff", "hi"], ""),
        (["history", "--search", b"\xff"], ""),
        (["--theme", b"\xff", "history"], ""),
    ],
)
def test_undecodable_ids_and_options_never_give_a_traceback(
    server: FakeDeepSeek, home: Path, args: list[bytes | str], expected: str
) -> None:
    r = run_bytes(home, *args)
    text = r.stderr.decode("utf-8")
    assert "Traceback" not in text and "\\udc" not in text, text
    assert expected in text


@pytest.mark.parametrize("url", [b"http://h\xff/", b"http://h:abc/", b"http://a..b/v1"])
def test_a_base_url_the_client_cannot_use_is_one_line(
    server: FakeDeepSeek, home: Path, url: bytes
) -> None:
    """Such a host or port passed the base-URL check, then made ``httpx`` raise
    where the client was built: a traceback from ``models``."""
    r = run_bytes(home, "models", "--base-url", url)
    assert r.returncode == 2, r.stderr  # a wrong flag: a usage error
    line = one_line(r.stderr)
    assert "--base-url: a base URL must name a valid host name and port" in line
    assert "file" not in line  # nothing to do with the config file
    r = run_bytes(home, "models", env_url=url)
    assert r.returncode == 1, r.stderr
    line = one_line(r.stderr)
    assert (
        line.startswith("deepseek-tui: DEEPSEEK_BASE_URL: a base URL must") and "file" not in line
    )


def test_an_attachment_whose_name_is_not_utf8_is_refused_by_name(
    server: FakeDeepSeek, home: Path, tmp_path: Path
) -> None:
    """The file exists, but its name could not be sent or stored: say so
    rather than 'no such file' (or a traceback)."""
    directory = os.fsencode(tmp_path)
    with open(directory + b"/notes\xff.txt", "wb") as fh:
        fh.write(b"some notes\n")
    r = run_bytes(home, "ask", "--attach", directory + b"/notes\xff.txt", "summarise")
    assert r.returncode == 2, r.stderr
    line = one_line(r.stderr)
    assert "notes\ufffd.txt" in line and "not valid UTF-8" in line and "rename" in line
    assert server.chat_requests == []


def test_binary_stdin_is_read_with_replacement_characters(server: FakeDeepSeek, home: Path) -> None:
    server.push(Reply(content="got it"))
    r = run_bytes(home, "ask", stdin=b"bin\xff\xfeary \x00nul\n")
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == b"got it\n"
    sent = server.chat_requests[-1].body["messages"][-1]["content"]
    assert sent == "bin\ufffd\ufffdary \x00nul\n"


@pytest.mark.parametrize("command", [("models",), ("ask", "hi")], ids=["models", "ask"])
def test_a_host_name_only_the_client_rejects_is_one_line(
    server: FakeDeepSeek, home: Path, command: tuple[str, ...]
) -> None:
    """``xn--zz`` passes Python's IDNA codec but not httpx's: the client
    refused it while being built, a traceback from ``models``."""
    r = run_bytes(home, *command, "--base-url", b"http://xn--zz/")
    assert r.returncode == 1, r.stderr
    line = one_line(r.stderr)
    assert "the base URL http://xn--zz does not name a valid host" in line
    assert server.chat_requests == []
