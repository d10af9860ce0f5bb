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
    from deepseek_tui.ui.session import Session

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

    The store, catalog and conversation open on a thread while Textual and the
    screens are imported; a launch error (a missing ``--resume`` id, a broken
    database) is still printed as one line on stderr, with exit status 1,
    before anything is drawn."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="deepseek-tui-open") as pool:
        opening = pool.submit(_open, settings, paths, resume, continue_, demo)
        from deepseek_tui.ui.app import DeepSeekApp
        from deepseek_tui.ui.session import LaunchError

        try:
            session = opening.result()
        except LaunchError as exc:
            print(f"deepseek-tui: {exc}", file=sys.stderr)
            return 1
    app = DeepSeekApp(settings, paths, session)
    try:
        app.run()
    finally:
        session.close()
    if app.failure:
        print(f"deepseek-tui: {app.failure}", file=sys.stderr)
    return app.return_code or 0


def _open(
    settings: Settings, paths: Paths, resume: str | None, continue_: bool, demo: bool
) -> Session:
    from deepseek_tui.ui.session import open_session

    return open_session(settings, paths, resume=resume, continue_=continue_, demo=demo)
