"""Copying answers and code blocks, and saying truthfully where the text went.

A copy goes two ways at once:

* to the system clipboard through the platform's own tool, when one is there
  and works: ``wl-copy`` under Wayland, ``xclip`` or ``xsel`` under X,
  ``pbcopy`` on macOS, ``clip.exe`` under WSL. It runs as a subprocess with
  the text on its stdin, in a worker with a short timeout, so the app never
  waits for it (these tools fork a process that keeps serving the clipboard;
  it is started in a session of its own so closing the terminal does not
  take the copied text with it);
* to the terminal by OSC 52, through Textual's
  :meth:`~textual.app.App.copy_to_clipboard`, which also keeps the text for a
  paste inside the app. OSC 52 reaches the clipboard of the machine in front
  of the user even over SSH, but only when the terminal honours it: tmux drops
  it under its default ``set-clipboard external``, GNU screen drops it, and
  some terminals ignore it.

The notification names what carried the text ("with xclip", "sent by OSC
52"), and when only OSC 52 could, inside tmux or screen, it says so and how
to let it through.

What is copied is the text with terminal control sequences removed
(:func:`~deepseek_tui.sanitize.clean`); bidi and zero-width characters are kept,
because they may be meaningful, but the notification warns about them so
nobody pastes a disguised command into a shell unawares.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from textual.app import App

from deepseek_tui.sanitize import clean, has_invisible

__all__ = ["TOOL_TIMEOUT", "ClipboardTool", "clipboard_tools", "code_blocks", "copy_text"]

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})[^\n]*\n", re.MULTILINE)


def code_blocks(markdown: str) -> list[str]:
    """The fenced code blocks of ``markdown``, in order, without their fences.

    An unclosed fence runs to the end of the text (as a Markdown renderer shows it).
    """
    blocks: list[str] = []
    pos = 0
    while (start := _FENCE.search(markdown, pos)) is not None:
        fence = start.group("fence")
        closing = re.compile(
            rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.MULTILINE
        )
        end = closing.search(markdown, start.end())
        body_end = end.start() if end else len(markdown)
        body = markdown[start.end() : body_end]
        indent = len(start.group("indent"))
        if indent:
            body = "\n".join(
                line[min(indent, len(line) - len(line.lstrip(" "))) :] for line in body.split("\n")
            )
        blocks.append(body.removesuffix("\n"))
        pos = end.end() if end else len(markdown)
    return blocks


TOOL_TIMEOUT = 3.0
"""Seconds a clipboard tool may take to read the text before it counts as failed."""


@dataclass(frozen=True, slots=True)
class ClipboardTool:
    """A command that puts its stdin on the system clipboard."""

    name: str
    argv: tuple[str, ...]
    bom_utf16: bool = False
    """The tool reads UTF-16 with a byte order mark (``clip.exe`` mangles UTF-8)."""


WL_COPY = ClipboardTool("wl-copy", ("wl-copy", "--type", "text/plain;charset=utf-8"))
XCLIP = ClipboardTool("xclip", ("xclip", "-selection", "clipboard"))
XSEL = ClipboardTool("xsel", ("xsel", "--clipboard", "--input"))
PBCOPY = ClipboardTool("pbcopy", ("pbcopy",))
CLIP_EXE = ClipboardTool("clip.exe", ("clip.exe",), bom_utf16=True)

_timed_out: set[str] = set()
"""Tools (by path) that hung once: not waited for again in this run."""


def clipboard_tools(
    env: Mapping[str, str] | None = None, platform: str | None = None
) -> list[tuple[ClipboardTool, str]]:
    """The clipboard tools worth trying here, in order, each with its path."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    wanted: list[ClipboardTool] = []
    if env.get("WAYLAND_DISPLAY"):
        wanted.append(WL_COPY)
    if env.get("DISPLAY"):
        wanted += [XCLIP, XSEL]
    if platform == "darwin":
        wanted.append(PBCOPY)
    if platform == "linux" and _is_wsl(env):
        wanted.append(CLIP_EXE)
    found: list[tuple[ClipboardTool, str]] = []
    for tool in wanted:
        path = shutil.which(tool.argv[0], path=env.get("PATH", os.defpath))
        if path is not None and path not in _timed_out:
            found.append((tool, path))
    return found


def _is_wsl(env: Mapping[str, str]) -> bool:
    if env.get("WSL_DISTRO_NAME") or env.get("WSL_INTEROP"):
        return True
    try:
        release = Path("/proc/sys/kernel/osrelease").read_text(errors="replace")
    except OSError:
        return False
    return "microsoft" in release.lower()


async def _run_tool(tool: ClipboardTool, path: str, text: str) -> str | None:
    """Give ``text`` to ``tool``; ``None`` when it took it, else why not (one line).

    Only the tool's exit is awaited, never the end of its output: xclip, xsel
    and wl-copy leave a process behind that holds the clipboard (and their
    stderr) until something else is copied. So stderr goes to a file."""
    data = (
        b"\xff\xfe" + text.encode("utf-16-le", "replace")
        if tool.bom_utf16
        else text.encode("utf-8", "replace")
    )
    with tempfile.TemporaryFile() as errors:
        try:
            proc = await asyncio.create_subprocess_exec(
                path,
                *tool.argv[1:],
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=errors,
                start_new_session=True,
            )
        except OSError as exc:
            return f"could not start: {exc.strerror or exc}"
        try:
            await asyncio.wait_for(proc.communicate(data), TOOL_TIMEOUT)
        except TimeoutError:
            _timed_out.add(path)
            proc.kill()
            await proc.wait()
            return f"did not answer within {TOOL_TIMEOUT:g} s"
        except (OSError, asyncio.CancelledError):
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            raise
        if proc.returncode == 0:
            return None
        errors.seek(0)
        said = clean(errors.read(2000).decode("utf-8", "replace")).strip().splitlines()
        reason = said[0].strip()[:120] if said else ""
        return f"failed: {reason}" if reason else f"failed (exit status {proc.returncode})"


async def _tmux_clipboard() -> str | None:
    """tmux's set-clipboard option ("on", "external", "off"), or None if unknown."""
    path = shutil.which("tmux")
    if path is None:
        return None
    try:
        proc = await asyncio.create_subprocess_exec(
            path,
            "show-options",
            "-sv",
            "set-clipboard",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
    except OSError:
        return None
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), TOOL_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return None
    return out.decode("ascii", "replace").strip() if proc.returncode == 0 else None


def copy_text(app: App[object], text: str, what: str) -> None:
    """Put ``text`` on the clipboard and say how (``what``: "the answer", …).

    Returns at once: the system clipboard tool runs in a worker, and the
    notification comes when it is done."""
    text = clean(text)
    if not text:
        app.notify(f"Nothing to copy: {what} is empty", severity="warning", timeout=3)
        return
    app.copy_to_clipboard(text)  # OSC 52, and the app's own clipboard for a paste
    app.run_worker(
        _to_system_clipboard(app, text, what),
        name="clipboard",
        group="clipboard",
        exclusive=True,
        exit_on_error=False,
    )


async def _to_system_clipboard(app: App[object], text: str, what: str) -> None:
    failures: list[str] = []
    used: str | None = None
    for tool, path in clipboard_tools():
        problem = await _run_tool(tool, path, text)
        if problem is None:
            used = tool.name
            break
        failures.append(f"{tool.name} {problem}")
    lines = text.rstrip("\n").count("\n") + 1
    size = f"{lines} line{'s' if lines != 1 else ''}, {len(text):,} characters"
    tmux = await _tmux_clipboard() if used is None and os.environ.get("TMUX") else None
    message, warn = _how(used, failures, os.environ, tmux)
    message = f"Copied {what} ({size}){message}"
    if has_invisible(text):
        message += (
            ". It holds invisible or bidi characters (shown as ⟨NAME⟩ on screen):"
            " check it before pasting it anywhere that runs it."
        )
        warn = True
    app.notify(
        message,
        severity="warning" if warn else "information",
        timeout=8 if warn else 4,
        markup=False,
    )


def _how(
    used: str | None, failures: list[str], env: Mapping[str, str], tmux: str | None = None
) -> tuple[str, bool]:
    """How the text went (after "Copied the answer (…)") and whether to warn;
    ``tmux``: the value of tmux's set-clipboard option, when known."""
    if used is not None:
        return f" with {used}", False
    said = ", sent by OSC 52 to the terminal"
    if failures:
        said += f" ({'; '.join(failures)})"
    if env.get("TMUX") and tmux == "on":
        return f"{said} (tmux passes it on: its set-clipboard is on)", bool(failures)
    if env.get("TMUX"):
        return (
            f"{said}; tmux drops it unless its set-clipboard option is on:"
            " add `set -s set-clipboard on` to ~/.tmux.conf",
            True,
        )
    if env.get("STY"):
        return (
            f"{said}; GNU screen may drop it: copy outside screen, or with a"
            " clipboard tool (wl-copy, xclip, xsel)",
            True,
        )
    if env.get("WAYLAND_DISPLAY") or env.get("DISPLAY"):
        tool = "wl-copy (wl-clipboard)" if env.get("WAYLAND_DISPLAY") else "xclip or xsel"
        return f"{said}; if it does not arrive, install {tool}", bool(failures)
    return said, bool(failures)
