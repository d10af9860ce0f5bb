"""``ask`` against a hostile host: a real subprocess, the loopback server, a real
database. What the host sends must end in one clear line (or a clean answer),
in bounded memory, with the row in history in a final state and no key shown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deepseek_tui.testing import Fail, FakeDeepSeek, Reply

from .conftest import KEY, configure, rows

#: Far more than `ask` needs (about 60 MB), far less than a decoded bomb (gigabytes).
RSS_BOUND = 300 * 1024 * 1024


def _high_water(pid: int) -> int:
    """The process's peak resident memory so far (VmHWM), in bytes; 0 once it is gone.

    Not ``wait4``'s ``ru_maxrss``: a child started by fork/vfork and exec starts
    that figure at its parent's size, so under a pytest process grown to 300 MB
    it measures pytest, not ``ask``."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def ask_measured(home: Path, *args: str, timeout: float = 120) -> tuple[int, str, str, int]:
    """Run ``deepseek-tui ask ARGS``: exit code, stdout, stderr and its peak RSS in bytes
    (its high-water mark read while it runs; a bomb grows it long before the end)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEEPSEEK_", "NO_COLOR"))}
    env["DEEPSEEK_TUI_HOME"] = str(home)
    env["PYTHONIOENCODING"] = "utf-8"
    out, err = home / "ask.out", home / "ask.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "deepseek_tui", "ask", *args],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            env=env,
        )
    deadline = time.monotonic() + timeout
    peak = 0
    while proc.poll() is None:
        peak = max(peak, _high_water(proc.pid))
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            raise TimeoutError(f"ask did not end within {timeout}s")
        time.sleep(0.02)
    assert peak > 0, "the child's memory could not be read (/proc/PID/status)"
    return proc.returncode, out.read_text(), err.read_text(), peak


def test_a_gzip_keepalive_bomb_times_out_in_bounded_memory(
    server: FakeDeepSeek, home: Path
) -> None:
    configure(home, server.base_url, extra="first_token_timeout = 3\n")
    server.push(Reply("never", encoding="gzip", fault="keepalive_bomb"))
    code, stdout, stderr, rss = ask_measured(home, "hello?")
    assert code == 1
    assert stdout == ""
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("deepseek-tui: ") and "first_token timeout" in last
    assert "Traceback" not in stderr
    assert rss < RSS_BOUND, f"peak RSS {rss >> 20} MiB"
    [(status, error)] = rows(home, "SELECT status, error FROM messages WHERE role='assistant'")
    assert status == "error" and "first_token timeout" in error


def test_a_gzip_bomb_of_one_endless_line_is_one_clear_error(
    server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply("never", encoding="gzip", fault="line_bomb"))
    code, stdout, stderr, rss = ask_measured(home, "hello?")
    assert code == 1
    assert stdout == ""
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("deepseek-tui: ") and "longer than 8388608 bytes" in last
    assert rss < RSS_BOUND, f"peak RSS {rss >> 20} MiB"
    [(status,)] = rows(home, "SELECT status FROM messages WHERE role='assistant'")
    assert status == "error"


# --- text that is valid JSON but not valid UTF-8 -------------------------------------------


def test_lone_surrogates_become_replacement_characters(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    # "\ud800" is valid JSON (the fake sends the escape) and no UTF-8 can hold it.
    server.push(Reply(content="Half \ud800 a pair.", reasoning="Odd \udfff thought."))
    r = run_cli("ask", "--reasoning", "hi")
    assert r.code == 0, r.stderr
    assert r.stdout == "Half \ufffd a pair.\n"
    assert "Odd \ufffd thought." in r.stderr
    [listed] = json.loads(run_cli("history", "--json").stdout)
    exported = json.loads(run_cli("export", listed["id"], "--format", "json").stdout)
    answer = exported["messages"][-1]
    assert answer["status"] == "complete"
    assert answer["content"] == "Half \ufffd a pair."
    assert answer["reasoning"] == "Odd \ufffd thought."


def test_a_lone_surrogate_in_an_error_message(run_cli, server: FakeDeepSeek, home: Path) -> None:
    server.push(Fail(400, message="Bad \ud800 request"))
    r = run_cli("ask", "hi")
    assert r.code == 1
    assert "Traceback" not in r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("deepseek-tui: ") and "Bad \ufffd request" in last
    [(status, error)] = rows(home, "SELECT status, error FROM messages WHERE role='assistant'")
    assert status == "error" and "Bad \ufffd request" in error


def test_a_lone_surrogate_in_a_model_id(run_cli, home: Path) -> None:
    with FakeDeepSeek(
        api_key=KEY, models=["deepseek-flash", "odd-\udc80-model"]
    ).run_in_thread() as srv:
        configure(home, srv.base_url)
        r = run_cli("models")
    assert r.code == 0, r.stderr
    assert "odd-\ufffd-model" in r.stdout


# --- the key echoed back ---------------------------------------------------------------


@pytest.mark.parametrize(
    "location",
    [f"https://evil.example/v1?key={KEY}", f"https://{KEY}@evil.example/v1"],
    ids=["query", "userinfo"],
)
def test_a_redirect_to_the_key_is_shown_and_stored_masked(
    run_cli, server: FakeDeepSeek, home: Path, location: str
) -> None:
    server.push(Fail(307, headers={"Location": location}, body=""))
    r = run_cli("ask", "hi")
    assert r.code == 1
    last = r.stderr.strip().splitlines()[-1]
    assert "redirected to https://" in last and "****" in last
    [(status, error)] = rows(home, "SELECT status, error FROM messages WHERE role='assistant'")
    assert status == "error" and "****" in error
    secret = KEY[len("sk-test-") :]
    assert secret not in r.stdout + r.stderr + error


# --- impossible usage -------------------------------------------------------------------------


def numbers(value: object) -> list[float]:
    """Every number in a JSON value."""
    if isinstance(value, dict):
        return [n for v in value.values() for n in numbers(v)]
    if isinstance(value, list):
        return [n for v in value for n in numbers(v)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


PLAUSIBLE = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}


@pytest.mark.parametrize(
    "usage",
    [
        {**PLAUSIBLE, "prompt_tokens": -5, "total_tokens": 0},
        {**PLAUSIBLE, "prompt_cache_hit_tokens": -1_000_000, "prompt_cache_miss_tokens": 10},
        {**PLAUSIBLE, "completion_tokens": 1e20, "total_tokens": 1e20},
        {**PLAUSIBLE, "completion_tokens": 10**20},
        {**PLAUSIBLE, "completion_tokens": 50_000_000, "total_tokens": 50_000_010},
        {**PLAUSIBLE, "completion_tokens": 2.5},
        {**PLAUSIBLE, "completion_tokens_details": {"reasoning_tokens": -3}},
    ],
    ids=[
        "negative",
        "negative-cache",
        "1e20",
        "10**20",
        "absurd",
        "fraction",
        "negative-reasoning",
    ],
)
def test_impossible_usage_is_no_usage(
    run_cli, server: FakeDeepSeek, home: Path, usage: dict[str, object]
) -> None:
    server.push(Reply("Counted wrong.", usage=usage))
    r = run_cli("ask", "--json", "hi")
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["content"] == "Counted wrong."
    assert data["usage"] is None and data["cost"] is None
    assert all(n >= 0 for n in numbers(data))
    [(saved, cost)] = rows(home, "SELECT usage, cost FROM messages WHERE role='assistant'")
    assert saved is None and cost is None
