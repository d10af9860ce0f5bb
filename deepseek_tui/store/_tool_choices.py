"""What the user chose about tools in one conversation, kept with it (schema v7).

Two choices, each a set of wire names (``server__tool``): tools switched
``off`` (not offered to the model in this conversation) and tools ``allowed``
(their calls run without asking in this conversation: "Always allow"). A
conversation with no row has the defaults: every tool on, none allowed beyond
the config's ``trust``. The rows go when the conversation is deleted; export
and import carry them (``tool_choices`` in the JSON; an import from a file
keeps only ``off``: consent to run a tool is not something a file can give).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Collection
from typing import NamedTuple

from ._base import StoreBase

#: What a wire name looks like (``deepseek_tui.tools.wire_name``; the API's rule).
WIRE_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")


class ToolChoices(NamedTuple):
    """A conversation's tool choices: wire names switched off and always allowed."""

    off: frozenset[str] = frozenset()
    allowed: frozenset[str] = frozenset()


def _checked(names: Collection[str], what: str) -> list[str]:
    bad = [n for n in names if not isinstance(n, str) or not WIRE_NAME.fullmatch(n)]
    if bad:
        raise ValueError(f"not a tool's wire name ({what}): {bad[0]!r}")
    return sorted(set(names))


def read(conn: sqlite3.Connection, conversation_id: str) -> ToolChoices:
    """The stored choices of a conversation (the defaults when there are none)."""
    rows = conn.execute(
        "SELECT tool, choice FROM tool_choices WHERE conversation_id = ?", (conversation_id,)
    ).fetchall()
    off = frozenset(str(r[0]) for r in rows if r[1] == "off")
    allowed = frozenset(str(r[0]) for r in rows if r[1] == "allowed")
    return ToolChoices(off, allowed)


def write(
    conn: sqlite3.Connection,
    conversation_id: str,
    off: Collection[str],
    allowed: Collection[str],
) -> None:
    """Replace a conversation's choices, inside the caller's transaction."""
    rows = [(conversation_id, t, "off") for t in _checked(off, "off")]
    rows += [(conversation_id, t, "allowed") for t in _checked(allowed, "allowed")]
    conn.execute("DELETE FROM tool_choices WHERE conversation_id = ?", (conversation_id,))
    conn.executemany(
        "INSERT INTO tool_choices (conversation_id, tool, choice) VALUES (?, ?, ?)", rows
    )


class ToolChoicesPart(StoreBase):
    """The tool-choice methods of :class:`~deepseek_tui.store.Store`."""

    def tool_choices(self, conversation_id: str) -> ToolChoices:
        """What the user chose about tools in this conversation (see the module
        docstring). Raises :class:`NotFoundError` for an unknown id."""
        with self._reading("read the conversation's tool choices") as conn:
            self._require_conversation(conn, conversation_id)
            return read(conn, conversation_id)

    def set_tool_choices(
        self, conversation_id: str, *, off: Collection[str], allowed: Collection[str]
    ) -> ToolChoices:
        """Replace this conversation's tool choices with these (wire names;
        :class:`ValueError` for anything else). The conversation's ``updated``
        stays as it was: choosing tools is not a message. Raises
        :class:`NotFoundError` for an unknown id."""
        with self._writing("save the conversation's tool choices") as conn:
            self._require_conversation(conn, conversation_id)
            write(conn, conversation_id, off, allowed)
            return read(conn, conversation_id)
