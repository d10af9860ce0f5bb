"""Hostile data never reaches the terminal: every user-facing output path, walked.

A conversation is planted through the front door -- ``deepseek-tui import`` of
a JSON file whose every string field holds terminal control sequences (OSC 0
window title, OSC 52 clipboard write, CSI, 8-bit C1 controls, BEL, a lone ESC,
a lone surrogate) -- and then every command that prints it runs as a real
subprocess. Not one byte of ESC, BEL or a C1 control may come out, on stdout
or stderr, and what comes out must be valid UTF-8.

To extend: add the command line to :data:`OUTPUTS` (``{id}`` is the planted
conversation's id), or call :func:`assert_inert` on other output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from deepseek_tui.store import EXPORT_FORMAT
from deepseek_tui.testing import FakeDeepSeek, Reply

REPO = Path(__file__).resolve().parents[2]

# OSC 0 (title, BEL-terminated), OSC 52 (clipboard, ST-terminated), CSI (clear
# screen), 8-bit CSI and OSC, a lone BEL, a lone ESC, and a lone surrogate.
HOSTILE = (
    "alpha\x1b]0;owned\x07 \x1b]52;c;ZXZpbA==\x1b\\ \x1b[2J\x1b[31m"
    " \x9b6n \x9d0;t\x9c \x85 \x07 \x1b \ud800 omega"
)
# One more that never ends: what is left of the field after it is gone.
UNTERMINATED = " zeta\x1b]0;evil"


def hostile_export() -> dict[str, Any]:
    h = HOSTILE

    def message(role: str, tail: str = "") -> dict[str, Any]:
        return {
            "role": role,
            "content": h + tail,
            "reasoning": h,
            "model": h,
            "params": {h: h, "stop": [h]},
            "usage": {h: 1, "prompt_tokens": h},
            "finish_reason": h,
            "status": "error",
            "created": h,
            "cost": 0.5,
            "error": h,
            "attachments": [{"name": h, "kind": "text", "mime": h, "text": h}],
        }

    return {
        "format": EXPORT_FORMAT,
        "id": h,
        "title": h,
        "created": h,
        "updated": h,
        "model": h,
        "params": {h: h},
        "system": h,
        "provider": h,
        "messages": [
            message("user"),
            message("assistant", UNTERMINATED),
            message("user", " the last word"),
        ],
    }


OUTPUTS: list[tuple[str, ...]] = [
    ("history",),
    ("history", "--json"),
    ("history", "--search", "omega"),
    ("history", "--search", "omega", "--json"),
    ("export", "{id}"),
    ("export", "{id}", "--format", "json"),
]


def run_bytes(
    home: Path, *args: str, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    """The real CLI, its output kept as bytes (a text-mode pipe would hide bad UTF-8)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEEPSEEK_API_KEY", "DEEPSEEK_BASE_URL", "DEEPSEEK_TUI_HOME", "NO_COLOR")
    }
    env["DEEPSEEK_TUI_HOME"] = str(home)
    env["PYTHONIOENCODING"] = "utf-8"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "deepseek_tui", *args],
        input=stdin,
        capture_output=True,
        env=env,
        timeout=60,
    )


def assert_inert(data: bytes, where: str) -> None:
    """No ESC, no BEL, no C1 control (raw or as UTF-8), and valid UTF-8."""
    assert b"\x1b" not in data, f"{where}: ESC in {data!r}"
    assert b"\x07" not in data, f"{where}: BEL in {data!r}"
    text = data.decode("utf-8")  # raises on anything that is not UTF-8
    c1 = [c for c in text if 0x80 <= ord(c) <= 0x9F]
    assert not c1, f"{where}: C1 controls {c1!r}"


@pytest.fixture(params=["escaped", "raw"])
def planted(request: pytest.FixtureRequest, home: Path, tmp_path: Path) -> str:
    """The hostile conversation, imported from a file written with ``\\u`` escapes
    (as ``export`` writes it) or with the characters raw (a lone surrogate then
    becomes bytes that are not UTF-8)."""
    data = hostile_export()
    if request.param == "escaped":
        raw = json.dumps(data).encode("ascii")
    else:
        raw = json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass")
    path = tmp_path / "hostile.json"
    path.write_bytes(raw)
    r = run_bytes(home, "import", str(path))
    assert r.returncode == 0, r.stderr
    assert_inert(r.stdout + r.stderr, "import")
    return r.stdout.decode().strip()


@pytest.mark.parametrize("command", OUTPUTS, ids=" ".join)
def test_no_control_byte_reaches_the_terminal(
    home: Path, planted: str, command: tuple[str, ...]
) -> None:
    args = [a.replace("{id}", planted) for a in command]
    r = run_bytes(home, *args)
    assert r.returncode == 0, r.stderr
    assert_inert(r.stdout, f"{' '.join(command)} stdout")
    assert_inert(r.stderr, f"{' '.join(command)} stderr")
    assert b"omega" in r.stdout, "the conversation is not in the output"


def test_every_message_survives_the_unterminated_sequence(home: Path, planted: str) -> None:
    md = run_bytes(home, "export", planted).stdout.decode()
    assert md.count("## User") == 2 and md.count("## Assistant") == 1
    assert "zeta" in md and "evil" not in md
    assert md.index("zeta") < md.index("the last word")  # after the unterminated one


def test_ask_on_the_hostile_conversation_is_inert(
    server: FakeDeepSeek, home: Path, planted: str
) -> None:
    """``ask --resume``: the conversation's model id, its history and an answer
    full of control sequences go through the notes, the errors and stdout."""
    server.push(Reply(content=HOSTILE), Reply(content=HOSTILE))
    for args in (
        ("ask", "--resume", planted, "and now?"),  # the stored (hostile) model id
        ("ask", "--resume", planted, "--model", "deepseek-v4-pro", "again"),
        ("ask", "--resume", planted, "--model", "deepseek-v4-pro", "--json", "json"),
    ):
        r = run_bytes(home, *args)
        assert r.returncode in (0, 1), r.stderr
        assert_inert(r.stdout, f"{' '.join(args)} stdout")
        assert_inert(r.stderr, f"{' '.join(args)} stderr")
    assert b"omega" in r.stdout  # the answer did arrive, cleaned
