"""An unforeseen error in a command is one line on stderr and a private report
that holds the traceback without locals and without any key."""

from __future__ import annotations

import argparse
import stat
from pathlib import Path
from typing import TextIO

import pytest

from deepseek_tui import cli, commands
from deepseek_tui.crash import scrub

KEY = "sk-abcdef0123456789abcdef"


def test_unforeseen_error_in_a_command_is_one_line(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DEEPSEEK_API_KEY", KEY)

    def history(args: argparse.Namespace, out: TextIO) -> int:
        headers = {"Authorization": f"Bearer {KEY}"}  # what a library frame may hold
        raise KeyError(f"\x1b]52;c;ZXZpbA==\x07broken {headers}")

    monkeypatch.setattr(commands, "history", history)
    assert cli.main(["history"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    line = captured.err.strip()
    assert "\n" not in line
    assert line.startswith("deepseek-tui: stopped on an unexpected error (KeyError)")
    report = Path(line.rsplit(" with ", 1)[1])
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    text = report.read_text()
    assert "broken" in text and "Traceback" in text
    assert KEY not in text and "\x1b" not in text and "\x07" not in text


def test_scrub_masks_known_secrets_and_key_shapes() -> None:
    assert scrub("key=hunter2-secret here", ["hunter2-secret"]) == "key=**** here"
    assert scrub(f"Authorization: Bearer {KEY}") == "Authorization: Bearer ****"
    assert scrub(f"url?k={KEY}&x=1") == "url?k=****&x=1"
