"""What the user sees when something unforeseen breaks: one line, never a key.

A traceback rendered with its frames' locals (Textual's default) shows
whatever the code held: the API key, the prompt, the answer. Here an
unexpected exception becomes one line on stderr naming its type and a crash
report: the traceback *without locals*, with every known key and anything
shaped like one masked, cleaned of terminal control sequences, written 0600
to the data directory (or the temp directory when that cannot be written).
"""

from __future__ import annotations

import os
import re
import tempfile
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["report", "scrub"]

# Bearer tokens and sk-… keys, whatever they belong to.
_SECRET = re.compile(r"(?i)(bearer\s+)\S+|\bsk-[A-Za-z0-9_\-]{4,}")


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with the given secrets and anything that looks like a key masked."""
    for secret in secrets:
        secret = secret.strip()
        if len(secret) >= 4:
            text = text.replace(secret, "****")
    return _SECRET.sub(lambda m: f"{m.group(1) or ''}****", text)


def report(exc: BaseException, directory: Path | None, secrets: Iterable[str] = ()) -> str:
    """Write a crash report for ``exc``; return the one line to show the user."""
    from deepseek_tui.sanitize import clean

    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    text = clean(scrub(text, [*secrets, *_env_secrets()]))
    name = f"crash-{datetime.now(UTC):%Y%m%d-%H%M%S}-{os.getpid()}.txt"
    where = None
    for folder in (directory, Path(tempfile.gettempdir())):
        if folder is None:
            continue
        try:
            where = _write_private(folder / name, text)
            break
        except OSError:
            continue
    what = type(exc).__name__
    if where is None:
        return f"stopped on an unexpected error ({what}); nothing was written about it"
    return f"stopped on an unexpected error ({what}); please report it with {where}"


def _env_secrets() -> list[str]:
    return [v for k, v in os.environ.items() if k.endswith(("_API_KEY", "_TOKEN")) and v]


def _write_private(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as handle:
        handle.write(text)
    return path
