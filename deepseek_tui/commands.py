"""The command-line commands behind ``cli.py``: each takes the parsed arguments and
an output stream, and returns an exit status or raises :class:`cli.Failure`."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

from deepseek_tui.cli import EXIT_OK, Failure
from deepseek_tui.config import ConfigError, Settings, load_settings
from deepseek_tui.paths import Paths


def _settings(args: argparse.Namespace, paths: Paths) -> Settings:
    """Settings for this run; a bad config stops every command with one message."""
    try:
        settings = load_settings(
            paths,
            model=getattr(args, "model", None),
            base_url=getattr(args, "base_url", None),
            theme=getattr(args, "theme", None),
        )
    except ConfigError as exc:
        raise Failure(f"{exc} (the file was left unchanged)") from None
    for notice in settings.notices:
        print(f"deepseek-tui: {notice}", file=sys.stderr)
    return settings


def paths(args: argparse.Namespace, out: TextIO) -> int:
    """Print where config and data live (whether or not the files exist yet)."""
    p = Paths.resolve()
    rows = [
        ("config", p.config_file),
        ("data", p.data_dir),
        ("database", p.database),
        ("themes", p.themes_dir),
    ]
    for label, path in rows:
        out.write(f"{label:<9} {path}\n")
    if os.environ.get("DEEPSEEK_TUI_HOME"):
        out.write("(from DEEPSEEK_TUI_HOME)\n")
    return EXIT_OK


def _not_yet(name: str) -> Failure:
    return Failure(f"'{name}' is not available yet in this version")


def ask(args: argparse.Namespace, out: TextIO) -> int:
    _settings(args, Paths.resolve())
    raise _not_yet("ask")


def history(args: argparse.Namespace, out: TextIO) -> int:
    _settings(args, Paths.resolve())
    raise _not_yet("history")


def export(args: argparse.Namespace, out: TextIO) -> int:
    _settings(args, Paths.resolve())
    raise _not_yet("export")


def models(args: argparse.Namespace, out: TextIO) -> int:
    _settings(args, Paths.resolve())
    raise _not_yet("models")


def tui(args: argparse.Namespace, out: TextIO) -> int:
    _settings(args, Paths.resolve())
    raise Failure("the chat TUI is not available yet in this version; try 'deepseek-tui ask'")
