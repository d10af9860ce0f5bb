"""``ask --off-peak``: real subprocesses on a test clock (DEEPSEEK_TUI_TEST_NOW)
against the loopback server; the server's request log shows whether anything
was sent. 2026-12-07 is a Monday: 09:00 UTC is peak, the window opens at 10:00."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from deepseek_tui.testing import FakeDeepSeek, Reply

from .conftest import configure, rows

PEAK = "2026-12-07T09:00:00Z"
OFF_PEAK = "2026-12-07T12:00:00Z"
JUST_BEFORE = "2026-12-07T09:59:58Z"  # the window opens two seconds later
HOLIDAY = "2026-10-05T09:00:00Z"  # a Monday in the National Day holiday: off-peak

WAIT_LIMIT = 120.0 if os.environ.get("CI") else 60.0


def at(moment: str) -> dict[str, str]:
    return {"DEEPSEEK_TUI_TEST_NOW": moment, "TZ": "UTC"}


def test_fail_at_peak_exits_2_with_when_the_window_opens_and_sends_nothing(
    run_cli, server: FakeDeepSeek
) -> None:
    r = run_cli("ask", "--off-peak=fail", "hello", env=at(PEAK))
    assert r.code == 2, r.stderr
    assert r.stdout == ""
    [line] = r.stderr.splitlines()
    assert re.search(r"off-peak window opens at 10:00 UTC \(in (1h 00m 00s|59m 5\ds)\)", line)
    assert "not sent" in line
    assert server.chat_requests == []


def test_off_peak_now_sends_at_once(run_cli, server: FakeDeepSeek) -> None:
    for flag in ("--off-peak", "--off-peak=fail"):
        server.push(Reply("cheap answer"))
        r = run_cli("ask", flag, "hello", env=at(OFF_PEAK))
        assert r.code == 0, r.stderr
        assert r.stdout == "cheap answer\n"
        assert r.stderr == ""
    assert len(server.chat_requests) == 2
    assert server.chat_requests[0].body["messages"][-1]["content"] == "hello"


def test_a_holiday_is_off_peak(run_cli, server: FakeDeepSeek) -> None:
    server.push(Reply("holiday answer"))
    r = run_cli("ask", "--off-peak=fail", "hello", env=at(HOLIDAY))
    assert r.code == 0, r.stderr
    assert r.stdout == "holiday answer\n"


def test_waits_for_the_window_then_sends(run_cli, server: FakeDeepSeek, home: Path) -> None:
    server.push(Reply("sent when the window opened"))
    r = run_cli("ask", "--off-peak", "hello", env=at(JUST_BEFORE), timeout=WAIT_LIMIT)
    assert r.code == 0, r.stderr
    assert r.stdout == "sent when the window opened\n"
    waiting, sending = r.stderr.splitlines()  # one line each when stderr is not a terminal
    assert "waiting for the off-peak window at 10:00 UTC" in waiting
    assert "Ctrl+C cancels" in waiting
    assert sending == "deepseek-tui: off-peak now: sending"
    assert len(server.chat_requests) == 1
    assert rows(home, "SELECT content FROM messages WHERE role = 'assistant'") == [
        ("sent when the window opened",)
    ]


def test_a_prompt_after_a_bare_off_peak_is_the_prompt(run_cli, server: FakeDeepSeek) -> None:
    server.push(Reply("ok"))
    r = run_cli("ask", "--off-peak", "fail", env=at(OFF_PEAK))  # the prompt is "fail"
    assert r.code == 0, r.stderr
    assert server.chat_requests[0].body["messages"][-1]["content"] == "fail"


def test_ctrl_c_while_waiting_sends_nothing_and_exits_130(server: FakeDeepSeek, home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPSEEK_")}
    env.update(at(PEAK), DEEPSEEK_TUI_HOME=str(home))
    proc = subprocess.Popen(
        [sys.executable, "-m", "deepseek_tui", "ask", "--off-peak", "hello"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()  # written when the wait begins
        assert "waiting for the off-peak window" in line
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=WAIT_LIMIT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert out == "" and "Traceback" not in err
    assert server.chat_requests == []
    assert rows(home, "SELECT count(*) FROM messages") == [(0,)]


def test_a_host_without_peak_prices_sends_at_once_with_a_note(run_cli, home: Path) -> None:
    with FakeDeepSeek(api_key="sk-test-key-0123456789abcd", host="generic").run_in_thread() as srv:
        configure(home, srv.base_url, kind="openai-compatible")
        srv.push(Reply("sent"))
        r = run_cli("ask", "--off-peak=fail", "--model", "deepseek-chat", "hi", env=at(PEAK))
    assert r.code == 0, r.stderr
    assert r.stdout == "sent\n"
    assert "has no off-peak price on this host; sending now" in r.stderr


@pytest.mark.parametrize("value", ["--off-peak=later"])
def test_an_unknown_mode_is_a_usage_error(run_cli, server: FakeDeepSeek, value: str) -> None:
    r = run_cli("ask", value, "hi")
    assert r.code == 2
    assert server.chat_requests == []


def test_on_a_terminal_the_wait_is_a_countdown_on_one_line(
    server: FakeDeepSeek, home: Path
) -> None:
    import pty

    server.push(Reply("sent"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPSEEK_")}
    env.update(at(JUST_BEFORE), DEEPSEEK_TUI_HOME=str(home))
    master, slave = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "deepseek_tui", "ask", "--off-peak", "hello"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=slave,
            text=True,
            timeout=WAIT_LIMIT,
        )
        os.close(slave)
        shown = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(master)
    assert proc.returncode == 0 and proc.stdout == "sent\n"
    text = shown.decode()
    assert "\r\x1b[Kdeepseek-tui: waiting for the off-peak window at 10:00 UTC: " in text
    assert "(Ctrl+C cancels)" in text
    assert text.rstrip().endswith("deepseek-tui: off-peak now: sending")
    assert len(server.chat_requests) == 1
