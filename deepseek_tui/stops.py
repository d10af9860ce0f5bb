"""Stop sequences: text that ends the answer where the model writes it.

DeepSeek takes up to :data:`MAX_STOPS` sequences (``stop`` in the request); the
matched text is cut from the answer and ``finish_reason`` is ``stop``. They are
a setting like the sampling parameters: ``[generation] stop = [...]`` in
``config.toml``, ``ask --stop TEXT`` (repeatable), and the sidebar's *Stop
sequences* field, which holds one sequence per line.

A sequence often *is* a line break (``\\n\\n``), which one-per-line text and a
shell argument cannot show plainly, so the sidebar and ``--stop`` read the
escapes ``\\n`` (newline), ``\\r`` (carriage return), ``\\t`` (tab) and ``\\\\``
(a backslash); any other backslash is kept as it is. ``config.toml`` strings
are TOML's own, taken as they are.

Imported before the TUI's first frame: nothing heavy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["MAX_STOPS", "check", "decode", "encode", "from_stored", "parse_lines", "show_lines"]

MAX_STOPS = 16
"""How many sequences DeepSeek accepts in one request."""

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}
_ESCAPE = re.compile(r"\\([nrt\\])")


def decode(text: str) -> str:
    """``text`` with ``\\n``, ``\\r``, ``\\t`` and ``\\\\`` read as what they stand for."""
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group(1)], text)


def encode(sequence: str) -> str:
    """``sequence`` as :func:`decode` reads it back, on one line."""
    for char, escape in (("\\", "\\\\"), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
        sequence = sequence.replace(char, escape)
    return sequence


def check(sequences: Iterable[str]) -> str | None:
    """Why these sequences cannot be sent (``None`` when they can)."""
    items = list(sequences)
    if any(not s for s in items):
        return "a stop sequence cannot be empty"
    if len(items) > MAX_STOPS:
        return f"{len(items)} stop sequences; DeepSeek takes at most {MAX_STOPS}"
    return None


def parse_lines(text: str) -> tuple[tuple[str, ...], str | None]:
    """The sequences typed one per line (empty lines skipped, escapes read;
    a line of spaces is a sequence of spaces) and, when they cannot be sent,
    why (then the sequences are ``()``)."""
    items = tuple(dict.fromkeys(decode(line) for line in text.split("\n") if line))
    error = check(items)
    return ((), error) if error else (items, None)


def show_lines(sequences: Iterable[str]) -> str:
    """The text :func:`parse_lines` reads back as ``sequences``."""
    return "\n".join(encode(s) for s in sequences)


def from_stored(value: Any) -> tuple[str, ...]:
    """Stop sequences from stored settings (an old database, a hand-edited or
    imported file): the non-empty strings of a list, at most :data:`MAX_STOPS`;
    anything else is dropped."""
    if not isinstance(value, list | tuple):
        return ()
    kept = tuple(dict.fromkeys(s for s in value if isinstance(s, str) and s))
    return kept[:MAX_STOPS]
