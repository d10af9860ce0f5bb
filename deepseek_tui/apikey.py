"""Whether an API key can be sent at all, said without ever showing it.

A key travels in an HTTP header, which takes printable ASCII only. A key
pasted with a space, a line break or a typographic character inside cannot
be sent; httpx would raise a ``ValueError`` deep in a request, with the key in
the frame's locals. Every place a key enters (the environment, the config
file, the first-run dialog) asks :func:`key_problem` first and shows its one
line instead. Imports nothing heavy: ``ask`` and ``models`` check before
importing httpx.
"""

from __future__ import annotations

__all__ = ["UnusableKey", "key_problem"]


class UnusableKey(ValueError):
    """The key cannot go into a header; ``str()`` says why, never the key."""


def key_problem(key: str, where: str = "", fix: str = "paste it again") -> str | None:
    """Why ``key`` (already stripped of surrounding blanks) cannot be sent, or None.

    ``where`` names its origin (" in DEEPSEEK_API_KEY"); ``fix`` says what to do."""
    for position, char in enumerate(key, 1):
        code = ord(char)
        if 33 <= code <= 126:
            continue
        if char in "\r\n":
            what = "a line break"
        elif char.isspace():
            what = "a space"
        elif code < 32 or code == 127:
            what = "a control character"
        else:
            what = "a non-ASCII character (a typographic quote or dash?)"
        return f"the API key{where} holds {what} at character {position} and cannot be sent; {fix}"
    return None
