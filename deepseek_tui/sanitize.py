"""Make untrusted text inert for a terminal.

Model output, reasoning, server error messages and titles come from outside. Before
any of it reaches a terminal -- the TUI or ``ask`` writing to stdout -- it goes
through :func:`clean`, which removes every terminal control sequence (CSI, OSC
such as OSC 52 clipboard writes, OSC 8 hyperlinks and window titles, DCS, APC,
PM, SOS, bare ESC pairs and C0/C1 controls) while keeping newlines and tabs.
:func:`reveal` additionally makes invisible characters that can disguise text
(bidi overrides, zero-width characters) visible, for places where a reader must
see exactly what is there.

:class:`StreamSanitizer` does the same over a stream of fragments whose escape
sequences may be split at any byte, so that streaming output is as safe as
whole output.
"""

from __future__ import annotations

import re

# An escape sequence: ESC followed by its kind. String-type sequences (OSC, DCS,
# SOS, PM, APC) run until ST (ESC \) or BEL; CSI runs until a final byte.
_ESCAPE = re.compile(
    r"""
    \x1b\[ [0-?]* [ -/]* [@-~]          # CSI ... final
  | \x1b[\]PX^_] .*? (?:\x07|\x1b\\|$)  # OSC / DCS / SOS / PM / APC ... ST or BEL
  | \x1b [ -/]* [0-~]                   # two-character and nF escapes
  | \x9b [0-?]* [ -/]* [@-~]            # 8-bit CSI
  | [\x90\x98\x9d\x9e\x9f] .*? (?:\x07|\x9c|\x1b\\|$)  # 8-bit string sequences
  | \x1b                                # a lone ESC
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 controls except TAB and LF, DEL, and the C1 range.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Carriage return alone would let text overwrite what came before it on a line.
_CRLF = re.compile(r"\r\n?")

#: Characters that change how text around them is displayed without being seen.
INVISIBLE = {
    "\u200b": "ZWSP",
    "\u200c": "ZWNJ",
    "\u200d": "ZWJ",
    "\u2060": "WJ",
    "\ufeff": "BOM",
    "\u00ad": "SHY",
    "\u061c": "ALM",
    "\u200e": "LRM",
    "\u200f": "RLM",
    "\u202a": "LRE",
    "\u202b": "RLE",
    "\u202c": "PDF",
    "\u202d": "LRO",
    "\u202e": "RLO",
    "\u2066": "LRI",
    "\u2067": "RLI",
    "\u2068": "FSI",
    "\u2069": "PDI",
}
_INVISIBLE = re.compile("[" + "".join(INVISIBLE) + "]")


def clean(text: str) -> str:
    """Remove terminal control sequences and control characters; keep ``\\n`` and ``\\t``."""
    if not text:
        return text
    text = _CRLF.sub("\n", text)
    text = _ESCAPE.sub("", text)
    return _CONTROLS.sub("", text)


def reveal(text: str) -> str:
    """Like :func:`clean`, and show bidi / zero-width characters as ``⟨NAME⟩``."""
    return _INVISIBLE.sub(lambda m: f"⟨{INVISIBLE[m.group()]}⟩", clean(text))


def has_invisible(text: str) -> bool:
    """Whether ``text`` holds bidi or zero-width characters (to flag on copy)."""
    return _INVISIBLE.search(text) is not None


class StreamSanitizer:
    """:func:`clean` for text that arrives in fragments.

    An escape sequence or a CR LF pair may be split across fragments; the
    sanitizer holds back the shortest tail that could still be the start of one
    and releases it with the next fragment (or :meth:`flush`). Output is the same
    as ``clean`` of the whole text, whatever the split.
    """

    # Longest tail we hold back while a string sequence stays unterminated; past
    # this an unterminated OSC/DCS is dropped rather than buffered for ever.
    MAX_PENDING = 64 * 1024

    def __init__(self) -> None:
        self._pending = ""

    def feed(self, fragment: str) -> str:
        text = self._pending + fragment
        cut = _unsafe_tail_start(text)
        if len(text) - cut > self.MAX_PENDING:
            # Never terminated: drop what cannot be shown safely.
            self._pending = ""
            return clean(text[:cut])
        self._pending = text[cut:]
        return clean(text[:cut])

    def flush(self) -> str:
        text, self._pending = self._pending, ""
        return clean(text)


def _unsafe_tail_start(text: str) -> int:
    """Index from which ``text`` might still be the start of an unfinished sequence."""
    n = len(text)
    if n == 0:
        return 0
    # Look for the last introducer that might begin an unfinished sequence.
    last = max(text.rfind("\x1b"), text.rfind("\x9b"), *(text.rfind(c) for c in "\x90\x98\x9d\x9e\x9f"))
    if last != -1:
        tail = text[last:]
        if _is_unfinished(tail):
            return last
    if text.endswith("\r"):
        return n - 1
    return n


def _is_unfinished(tail: str) -> bool:
    """Whether ``tail`` (starting at an introducer) is an escape still waiting for bytes."""
    m = _ESCAPE.match(tail)
    if m is None:
        return True
    if m.end() != len(tail):
        return False
    # The match runs to the end: it is finished only if it ended with a terminator.
    head = tail[:2]
    if tail[0] in "\x90\x98\x9d\x9e\x9f" or head in ("\x1b]", "\x1bP", "\x1bX", "\x1b^", "\x1b_"):
        return not (tail.endswith("\x07") or tail.endswith("\x1b\\") or tail.endswith("\x9c"))
    if tail == "\x1b":
        return True
    if tail[0] == "\x9b" or head == "\x1b[":
        return not ("@" <= tail[-1] <= "~") or tail in ("\x1b[",)
    # ESC followed by intermediates only.
    return not ("0" <= tail[-1] <= "~")
