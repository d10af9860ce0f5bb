"""Reading a TOML file the user controls: ``config.toml`` and the theme files.

Anything may sit at such a path: a named pipe or ``/dev/zero`` (a plain read
would wait or fill memory forever), a huge file, or TOML nested so deeply
that :mod:`tomllib` runs out of recursion. :func:`read_toml` reads only a
regular file under a size limit, never blocks, and turns each of these into a
:class:`TomlFileError` whose ``str()`` is the problem in a few words, for the
caller to put after the file's name.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

__all__ = ["MAX_DEPTH", "TomlFileError", "read_toml"]

MAX_DEPTH = 32
"""Tables and arrays deeper than this are refused: no file of ours needs more
than a few levels, and code that walks the data recursively (``tomli-w``
writing the config back, for one) must never meet a value it cannot walk."""

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class TomlFileError(Exception):
    """The file cannot be used; ``str()`` says why, without the file's name."""


def _not_regular(mode: int) -> TomlFileError | None:
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a file")
    return TomlFileError(f"is {kind}, not a regular file")


def _human(size: int) -> str:
    return f"{size // 1024} KiB" if size < 1024 * 1024 else f"{size // (1024 * 1024)} MiB"


def _read_limited(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    The path is checked before it is opened (so a device is never opened) and
    the open file again (so a path swapped in between cannot slip past); the
    open is non-blocking, so even a pipe that appears in between cannot make
    it wait. :class:`FileNotFoundError` passes through; every other problem is
    a :class:`TomlFileError`.
    """
    too_big = TomlFileError(f"is larger than {_human(limit)}; this cannot be the right file")
    try:
        before = os.stat(path)
        problem = _not_regular(before.st_mode)
        if problem is not None:
            raise problem
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise TomlFileError(f"cannot be read: {exc.strerror or exc}") from None
    try:
        opened = os.fstat(fd)
        problem = _not_regular(opened.st_mode)
        if problem is not None:
            raise problem
        if opened.st_size > limit:
            raise too_big
        chunks: list[bytes] = []
        size = 0
        while size <= limit:  # the file may grow after fstat
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise TomlFileError(f"cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if size > limit:
        raise too_big
    return b"".join(chunks)


def read_toml(path: Path, *, limit: int) -> dict[str, Any]:
    """Parse the regular file ``path`` (UTF-8 TOML, at most ``limit`` bytes).

    :class:`FileNotFoundError` passes through, so a caller can treat a missing
    file as empty; every other problem is a :class:`TomlFileError`.
    """
    data = _read_limited(path, limit)
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
    todo: list[tuple[Any, int]] = [(data, 1)]
    while todo:
        value, depth = todo.pop()
        if depth > limit:
            return True
        children = value.values() if isinstance(value, dict) else value
        todo.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False
