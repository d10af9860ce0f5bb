"""Export the open conversation to a file and import a JSON export, for the
TUI. The formats are those of ``deepseek-tui export`` (``Store.export_markdown``
/ ``Store.export_json``). Blocking; the screen calls these in a thread.

Every failure is a :class:`TransferError` whose ``str()`` is one line to show.
``deepseek-tui import`` uses the same import.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from deepseek_tui.safefile import UnreadableFile, read_regular
from deepseek_tui.sanitize import json_text
from deepseek_tui.store import Conversation, InvalidImportError, Store, StoreError

FORMATS = {"markdown": ".md", "json": ".json"}


class TransferError(Exception):
    """An export or import failed; ``str()`` says why, naming the file."""


def default_path(conversation_id: str, fmt: str) -> str:
    """``~/deepseek-<id>.md|json`` (the home directory, else the working one)."""
    home = Path.home()
    base = home if home.is_dir() else Path(start_dir())
    return str(base / f"deepseek-{conversation_id}{FORMATS[fmt]}")


def start_dir() -> str:
    """Where a path dialog starts: the working directory, or home if that is gone."""
    try:
        return str(Path.cwd()) + "/"
    except OSError:  # the directory the app was started in was deleted
        return str(Path.home()) + "/"


def resolve(path: str) -> Path:
    """The file a typed path means (``~`` expanded, relative to the working directory)."""
    try:
        return Path(os.path.expandvars(path.strip())).expanduser().absolute()
    except OSError:
        raise TransferError(
            f"{path}: the working directory no longer exists; type a full path"
        ) from None


def export_to(store: Store, conversation_id: str, path: Path, fmt: str) -> int:
    """Write the conversation to ``path``; return the number of bytes written."""
    try:
        if fmt == "json":
            text = json_text(store.export_json(conversation_id), indent=2)
        else:
            text = store.export_markdown(conversation_id)
    except StoreError as exc:
        raise TransferError(str(exc)) from None
    data = (text.rstrip("\n") + "\n").encode("utf-8")
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise TransferError(f"cannot write {path}: {exc.strerror or exc}") from None
    return len(data)


def import_from(store: Store, path: Path) -> Conversation:
    """Add the conversation exported (as JSON) in ``path`` to the store."""
    return import_bytes(store, read(path), str(path))


#: An export larger than this is not one of ours (a long conversation is a few MiB).
IMPORT_LIMIT = 64 * 1024 * 1024


def read(path: Path) -> bytes:
    """The bytes of a file to import: a regular file (a pipe or a device
    would hang the read), at most :data:`IMPORT_LIMIT` of them."""
    try:
        return read_regular(path, IMPORT_LIMIT)
    except FileNotFoundError:
        raise TransferError(f"cannot read {path}: no such file") from None
    except UnreadableFile as exc:
        raise TransferError(f"cannot import {path}: it {exc}") from None


def import_bytes(store: Store, raw: bytes, source: str) -> Conversation:
    """Add the conversation in ``raw``, a JSON export read from ``source``."""
    data = parse(raw, source)
    try:
        return add(store, data, source)
    except StoreError as exc:  # the store's own failure (disk full, read-only), not the file's
        raise TransferError(str(exc)) from None


def parse(raw: bytes, source: str) -> Any:
    """The JSON in ``raw``, read from ``source``.

    Bytes that are not UTF-8 become U+FFFD rather than a refusal, and a BOM is
    allowed, so an export that passed through an editor still imports.
    """
    try:
        return json.loads(raw.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, a number too long, nesting
        raise TransferError(
            f"{source} is not a JSON export of deepseek-tui ({exc.__class__.__name__}: "
            f"{' '.join(str(exc).split())[:80]}); Markdown exports cannot be imported"
        ) from None


def add(store: Store, data: Any, source: str) -> Conversation:
    """Add the conversation exported as ``data`` (from ``source``) to the store.

    Nothing in it is trusted: the store checks and sanitizes every field. Data
    that is not an export is a :class:`TransferError`; a failure of the store
    itself (a full disk, a database a newer version wrote) is raised as the
    :class:`StoreError` it is.
    """
    try:
        return store.import_json(data)
    except InvalidImportError as exc:
        raise TransferError(f"{source} is not a valid export: {exc}") from None
