"""Only ui/ may import Textual: the headless core must load without it."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
import textwrap

import deepseek_tui


def headless_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(deepseek_tui.__path__, "deepseek_tui."):
        if info.name.startswith("deepseek_tui.ui") or info.name == "deepseek_tui.__main__":
            continue
        names.append(info.name)
    return names


def test_core_never_imports_textual() -> None:
    modules = headless_modules()
    assert "deepseek_tui.api" in modules and "deepseek_tui.config" in modules
    code = textwrap.dedent(
        f"""
        import importlib, sys
        for name in {modules!r}:
            importlib.import_module(name)
        bad = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
        print(",".join(bad))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"textual imported by the core: {out.stdout}"


def test_cli_help_stays_light() -> None:
    """``--help`` and ``paths`` must not pay for Textual or httpx."""
    code = textwrap.dedent(
        """
        import sys, io, contextlib
        from deepseek_tui.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            main(["paths"])
        print(",".join(sorted(m for m in ("textual", "httpx", "sqlite3") if m in sys.modules)))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_tui_imports_only_what_its_first_frame_needs() -> None:
    """The chat's first frame needs neither the network client nor the turn
    machinery, nor the dialogs it may never open, nor (for an empty chat) the
    widgets that show messages: they load on first use."""
    later = (
        "httpx",
        "deepseek_tui.api",
        "deepseek_tui.turn",
        "deepseek_tui.request",
        "deepseek_tui.store._export",
        "deepseek_tui.ui.screens.conversations",
        "deepseek_tui.ui.screens.help",
        "deepseek_tui.ui.screens.path_dialog",
        "deepseek_tui.ui.screens.first_run",
        "deepseek_tui.ui.demo",
        "deepseek_tui.ui.widgets.message",  # an empty chat has no messages
        "deepseek_tui.ui.widgets.message_actions",
        "deepseek_tui.ui.render.history",
        "deepseek_tui.context_window",
        "deepseek_tui.ui.clipboard",
        "markdown_it",
        "secrets",  # hashlib and OpenSSL, for random ids
    )
    code = textwrap.dedent(
        f"""
        import sys
        import deepseek_tui.cli, deepseek_tui.ui.app, deepseek_tui.launch
        print(",".join(m for m in {later!r} if m in sys.modules))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"imported before the first frame: {out.stdout}"


def test_mcp_sdk_loads_only_when_a_server_starts() -> None:
    """The ``mcp`` SDK costs most of a second to import: the config, the
    tool values and the runtime itself load without it (and the CLI and the
    TUI's first frame with them)."""
    code = textwrap.dedent(
        """
        import sys
        import deepseek_tui.config, deepseek_tui.tools, deepseek_tui.tools.host
        import deepseek_tui.tools.arguments, deepseek_tui.tools.content, deepseek_tui.tools.settings
        import deepseek_tui.cli, deepseek_tui.ui.app, deepseek_tui.launch
        print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in ("mcp", "mcp_types"))))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"imported at start: {out.stdout}"
