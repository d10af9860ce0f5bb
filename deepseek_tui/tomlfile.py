"""Reading a TOML file the user controls: ``config.toml`` and the theme files.

Anything may sit at such a path: a named pipe or ``/dev/zero`` (a plain read
would wait or fill memory forever), a huge file, or TOML nested so deeply
that :mod:`tomllib` runs out of recursion. :func:`read_toml` reads only a
regular file under a size limit, never blocks, and turns each of these into a
:class:`TomlFileError` whose ``str()`` is the problem in a few words, for the
caller to put after the file's name.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from deepseek_tui.safefile import UnreadableFile, read_regular

__all__ = ["MAX_DEPTH", "TomlFileError", "read_toml"]

MAX_DEPTH = 32
"""Tables and arrays deeper than this are refused: no file of ours needs more
than a few levels, and code that walks the data recursively (``tomli-w``
writing the config back, for one) must never meet a value it cannot walk."""


class TomlFileError(UnreadableFile):
    """The file cannot be used; ``str()`` says why, without the file's name."""


def read_toml(path: Path, *, limit: int) -> dict[str, Any]:
    """Parse the regular file ``path`` (UTF-8 TOML, at most ``limit`` bytes).

    :class:`FileNotFoundError` passes through, so a caller can treat a missing
    file as empty; every other problem is a :class:`TomlFileError`.
    """
    try:
        data = read_regular(path, limit)
    except UnreadableFile as exc:
        if isinstance(exc, TomlFileError):
            raise
        raise TomlFileError(str(exc)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise TomlFileError("is not UTF-8 text") from None
    try:
        parsed = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlFileError(f"invalid TOML: {exc}") from None
    except RecursionError:
        parsed = None
    if parsed is None or _deeper_than(parsed, MAX_DEPTH):
        raise TomlFileError(
            f"is nested too deeply (tables and arrays more than {MAX_DEPTH} levels deep)"
        )
    return parsed


def _deeper_than(data: dict[str, Any], limit: int) -> bool:
    """Whether tables and arrays in ``data`` nest more than ``limit`` levels
    (``data`` itself is level 1); walked without recursion."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        pending.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False
