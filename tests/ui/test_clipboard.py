"""Copy tells the truth: F2, F3 and the copy buttons put the text on the system
clipboard with the platform's tool when one works (fake ``xclip``, ``xsel``,
``wl-copy``, ``clip.exe`` on PATH here, each a small script that writes its
stdin to a file), send it by OSC 52 as well, and the notification names what
carried it -- and, when only OSC 52 could inside tmux or screen, says how to
let it through."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.drivers.headless_driver import HeadlessDriver
from textual.widgets import TextArea

from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui import clipboard
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage

from .conftest import SIZE, make_app, notified, wait_for

ANSWER = "Run this:\n\n```sh\necho two\n```\n\nThat is all.\n"


class Tools:
    """A directory of fake clipboard tools, alone on PATH."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.bin = root / "bin"
        self.bin.mkdir()
        self.out = root / "out"
        self.out.mkdir()
        monkeypatch.setenv("PATH", str(self.bin))

    def add(self, name: str, body: str | None = None) -> None:
        """A tool that writes its stdin to ``out/NAME`` and its arguments to
        ``out/NAME.args`` (or runs ``body``)."""
        out = self.out / name
        script = self.bin / name
        script.write_text(
            "#!/bin/sh\nPATH=/usr/bin:/bin\n"
            + (body or f'printf "%s\\n" "$@" > "{out}.args"\nexec cat > "{out}"\n')
        )
        script.chmod(0o755)

    def got(self, name: str) -> bytes | None:
        path = self.out / name
        return path.read_bytes() if path.exists() else None

    def args(self, name: str) -> list[str]:
        return (self.out / f"{name}.args").read_text().split()


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Tools:
    return Tools(tmp_path, monkeypatch)


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Everything the app writes to the (headless) terminal."""
    written: list[str] = []
    monkeypatch.setattr(HeadlessDriver, "write", lambda self, data: written.append(data))
    return written


def osc52(text: str) -> str:
    return f"\x1b]52;c;{base64.b64encode(text.encode()).decode()}\a"


def done(app: Any) -> bool:
    views = app.screen.query(AssistantMessage)
    return bool(views) and views.last().state == "complete"


async def answered(pilot: Any) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
    await pilot.press(*"how?", "enter")
    await wait_for(pilot, lambda: done(app))


@asynccontextmanager
async def copied(
    server: FakeDeepSeek, copy: str, until: str, content: str = ANSWER
) -> AsyncIterator[Any]:
    """A chat with one answer (``content``) in which ``copy`` was pressed (or
    ``#copy-code`` clicked) and a notification saying ``until`` came; the pilot."""
    server.push(Reply(content=content))
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await answered(pilot)
        if copy.startswith("#"):
            await pilot.click(copy)
        else:
            await pilot.press(copy)
        await wait_for(pilot, lambda: notified(app, until))
        yield pilot


def copy_notice(app: Any) -> str:
    """The one notification about the copy."""
    (notice,) = [n for n in app._notifications if n.message.startswith("Copied")]
    return str(notice.message)


async def test_f2_copies_with_xclip_and_says_so(
    server: FakeDeepSeek, tools: Tools, terminal: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", ":99")
    tools.add("xclip")
    tools.add("xsel")
    async with copied(server, "f2", "with xclip") as pilot:
        app = pilot.app
        assert (
            copy_notice(app)
            == f"Copied the last answer (7 lines, {len(ANSWER)} characters) with xclip"
        )
        assert "OSC 52" not in copy_notice(app)
    assert tools.got("xclip") == ANSWER.encode()
    assert tools.args("xclip") == ["-selection", "clipboard"]
    assert tools.got("xsel") is None  # the first tool that works is the one used
    assert osc52(ANSWER) in terminal  # and the terminal's clipboard gets it too


async def test_copy_code_button_uses_wl_copy_under_wayland(
    server: FakeDeepSeek, tools: Tools, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setenv("DISPLAY", ":0")  # XWayland too: wl-copy comes first
    tools.add("wl-copy")
    tools.add("xclip")
    async with copied(server, "#copy-code", "with wl-copy") as pilot:
        assert copy_notice(pilot.app).startswith("Copied the code block (1 line, 8 characters)")
    assert tools.got("wl-copy") == b"echo two"
    assert tools.args("wl-copy") == ["--type", "text/plain;charset=utf-8"]
    assert tools.got("xclip") is None


async def test_no_tool_inside_tmux_says_osc52_and_how_to_enable_it(
    server: FakeDeepSeek, tools: Tools, terminal: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,1234,0")
    async with copied(server, "f3", "OSC 52") as pilot:
        app = pilot.app
        notice = copy_notice(app)
        assert notice.startswith("Copied the last code block (1 line, 8 characters)")
        assert "sent by OSC 52" in notice
        assert "tmux drops it" in notice and "set -s set-clipboard on" in notice
        assert "~/.tmux.conf" in notice
        assert next(n for n in app._notifications if n.message == notice).severity == "warning"
    assert osc52("echo two") in terminal


async def test_tmux_that_passes_osc52_on_is_not_warned_about(
    server: FakeDeepSeek, tools: Tools, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,1234,0")
    tools.add("tmux", 'test "$*" = "show-options -sv set-clipboard" && echo on\n')
    async with copied(server, "f3", "OSC 52") as pilot:
        app = pilot.app
        notice = copy_notice(app)
        assert "its set-clipboard is on" in notice and "drops" not in notice
        assert next(n for n in app._notifications if n.message == notice).severity != "warning"


async def test_no_tool_inside_screen_says_it_may_drop_osc52(
    server: FakeDeepSeek, tools: Tools, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STY", "1234.pts-0.host")
    async with copied(server, "f2", "OSC 52") as pilot:
        assert "GNU screen may drop it" in copy_notice(pilot.app)


async def test_a_failing_tool_falls_back_to_the_next_then_to_osc52(
    server: FakeDeepSeek, tools: Tools, terminal: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", ":99")
    tools.add("xclip", 'echo "Error: Can\'t open display: :99" >&2\nexit 1\n')
    async with copied(server, "f2", "OSC 52") as pilot:
        app = pilot.app
        notice = copy_notice(app)
        assert "sent by OSC 52" in notice
        assert "xclip failed: Error: Can't open display: :99" in notice
        assert "install xclip or xsel" in notice
        assert osc52(ANSWER) in terminal
        # A second tool that works is used instead.
        tools.add("xsel")
        await pilot.press("f2")
        await wait_for(pilot, lambda: notified(app, "with xsel"))
    assert tools.got("xsel") == ANSWER.encode()
    assert tools.args("xsel") == ["--clipboard", "--input"]


async def test_a_tool_that_hangs_is_given_up(
    server: FakeDeepSeek, tools: Tools, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(clipboard, "TOOL_TIMEOUT", 0.5)
    monkeypatch.setattr(clipboard, "_timed_out", set())
    tools.add("xclip", "exec sleep 60\n")
    async with copied(server, "f2", "OSC 52") as pilot:
        assert "xclip did not answer within 0.5 s" in copy_notice(pilot.app)


async def test_the_app_does_not_wait_for_the_tool(
    server: FakeDeepSeek, tools: Tools, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tool runs beside the app: typing goes on while it has not finished."""
    monkeypatch.setenv("DISPLAY", ":99")
    go = tmp_path / "go"
    out = tools.out / "xclip"
    tools.add("xclip", f'while [ ! -e "{go}" ]; do sleep 0.05; done\nexec cat > "{out}"\n')
    server.push(Reply(content=ANSWER))
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await answered(pilot)
        await pilot.press("f2", *"still typing")
        prompt = app.screen.query_one("#prompt", TextArea)
        await wait_for(pilot, lambda: prompt.text == "still typing")
        assert not notified(app, "Copied")
        go.touch()
        await wait_for(pilot, lambda: notified(app, "with xclip"))
    assert tools.got("xclip") == ANSWER.encode()


async def test_wsl_copies_with_clip_exe_in_utf16(
    server: FakeDeepSeek, tools: Tools, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WSL_DISTRO_NAME", "Ubuntu")
    tools.add("clip.exe")
    text = "Ünïcode ✓ — 中文"
    async with copied(server, "f2", "with clip.exe", text):
        pass
    assert tools.got("clip.exe") == b"\xff\xfe" + text.encode("utf-16-le")


async def test_bidi_warning_stays_whatever_carried_the_text(
    server: FakeDeepSeek, tools: Tools, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", ":99")
    tools.add("xclip")
    sneaky = "rm -rf \u202e/ etc\u200b"
    async with copied(server, "f2", "invisible or bidi", sneaky) as pilot:
        app = pilot.app
        notice = copy_notice(app)
        assert "with xclip" in notice and "check it before pasting" in notice
        assert next(n for n in app._notifications if n.message == notice).severity == "warning"
    assert tools.got("xclip") == sneaky.encode()


def test_tools_tried_per_platform(tools: Tools) -> None:
    for name in ("wl-copy", "xclip", "xsel", "pbcopy", "clip.exe"):
        tools.add(name)
    path = str(tools.bin)

    def names(env: dict[str, str], platform: str = "linux") -> list[str]:
        return [t.name for t, _ in clipboard.clipboard_tools({"PATH": path, **env}, platform)]

    assert names({}, "freebsd") == []
    assert names({"WAYLAND_DISPLAY": "w", "DISPLAY": ":0"}) == ["wl-copy", "xclip", "xsel"]
    assert names({"DISPLAY": ":0"}) == ["xclip", "xsel"]
    assert names({}, "darwin") == ["pbcopy"]
    assert names({"WSL_DISTRO_NAME": "Ubuntu"}) == ["clip.exe"]
    assert names({"DISPLAY": ":0", "PATH": "/nonexistent"}) == []
