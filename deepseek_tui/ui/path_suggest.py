"""Path completion for a text field: the first entry of the typed directory
that starts with what was typed (Right or End accepts it, as in a shell)."""

from __future__ import annotations

import asyncio
import os

from textual.suggester import Suggester


class PathSuggester(Suggester):
    """Suggests file and directory names; directories end with ``/``."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        return await asyncio.to_thread(complete_path, value)


def complete_path(value: str) -> str | None:
    """``value`` completed with the first matching name in its directory."""
    head, sep, prefix = value.rpartition("/")
    if not sep:
        head, folder = "", "."
    else:
        folder = os.path.expanduser(head + "/")
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return None
    hidden = prefix.startswith(".")
    for name in names:
        if name.startswith(prefix) and name != prefix and (hidden or not name.startswith(".")):
            full = os.path.join(folder, name)
            suffix = "/" if os.path.isdir(full) else ""
            return f"{head}{sep}{name}{suffix}"
    return None
