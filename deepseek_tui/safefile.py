"""Reading a file the user names, whatever sits at the path.

A named pipe or ``/dev/zero`` makes a plain read wait or fill memory forever,
and a huge file is never what was meant. :func:`read_regular` reads only a
regular file, under a size limit, without ever blocking, and turns every
problem into an :class:`UnreadableFile` whose ``str()`` says why in a few words
(for the caller to put after the file's name). Used for ``config.toml``, theme
files and imports.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["UnreadableFile", "read_regular"]

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class UnreadableFile(Exception):
    """The file cannot be read; ``str()`` says why, without the file's name."""


def _not_regular(mode: int) -> UnreadableFile | None:
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "not a file")
    return UnreadableFile(f"is {kind}, not a regular file")


def _human(size: int) -> str:
    return f"{size // 1024} KiB" if size < 1024 * 1024 else f"{size // (1024 * 1024)} MiB"


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them.

    The path is checked before it is opened (so a device is never opened) and
    the open file again (so a path swapped in between cannot slip past); the
    open is non-blocking, so even a pipe that appears in between cannot make
    it wait. :class:`FileNotFoundError` passes through; every other problem is
    a :class:`UnreadableFile`.
    """
    too_big = UnreadableFile(f"is larger than {_human(limit)}; this cannot be the right file")
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
        raise UnreadableFile(f"cannot be read: {exc.strerror or exc}") from None
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
        raise UnreadableFile(f"cannot be read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if size > limit:
        raise too_big
    return b"".join(chunks)
