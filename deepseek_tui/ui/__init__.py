"""Everything that imports Textual lives in this package.

:func:`run_app` is the entry point; Textual is imported only when it is called,
so the command-line tools that never open the TUI do not pay for it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deepseek_tui.config import Settings
    from deepseek_tui.paths import Paths

__all__ = ["run_app"]


def run_app(
    settings: Settings,
    paths: Paths,
    *,
    resume: str | None = None,
    continue_: bool = False,
    demo: bool = False,
) -> int:
    """Run the chat TUI until the user quits; returns the exit status.

    The store, catalog and conversation open before anything is drawn, so a
    launch error (a missing ``--resume`` id, a broken database) is printed as
    one line on stderr, with exit status 1, instead of a half-drawn screen."""
    from deepseek_tui.clock import from_env
    from deepseek_tui.launch import LaunchError, open_launch
    from deepseek_tui.ui.app import DeepSeekApp

    try:
        session = open_launch(settings, paths, resume=resume, continue_=continue_, demo=demo)
    except LaunchError as exc:
        print(f"deepseek-tui: {exc}", file=sys.stderr)
        return 1
    app = DeepSeekApp(settings, paths, session, now=from_env())
    try:
        app.run()
    finally:
        session.close()
    if app.failure:
        print(f"deepseek-tui: {app.failure}", file=sys.stderr)
    return app.return_code or 0
