"""Make untrusted text inert for a terminal.

Model output, reasoning, server error messages and titles come from outside. Before
any of it reaches a terminal -- the TUI or ``ask`` writing to stdout -- it goes
through :func:`clean`, which removes every terminal control sequence (CSI, OSC
such as OSC 52 clipboard writes, OSC 8 hyperlinks and window titles, DCS, APC,
PM, SOS, bare ESC pairs and C0/C1 controls) while keeping newlines and tabs.
:func:`reveal` additionally makes invisible characters that can disguise text
(bidi overrides, zero-width characters) visible, for places where a reader must
see exactly what is there.

:func:`name_bidi` shows only the bidi embedding, override and isolate controls
(U+202A-U+202E, U+2066-U+2069) as ``⟨NAME⟩``: what the command line writes
(``ask``'s answer, ``history``, ``export``), to a terminal or a pipe alike, goes
through it, so text reads the same there as in the TUI. They are named rather
than removed: the reader sees that the text held them (a Trojan Source trick
stays visible, not silently repaired), and none of them is needed to show
right-to-left text, which the terminal's own bidi handling lays out. Zero-width
characters and the LRM/RLM/ALM marks are kept: they reorder nothing, and
Persian, Indic scripts and emoji sequences need them.

:class:`StreamSanitizer` does the same over a stream of fragments whose escape
sequences may be split at any byte, so that streaming output is as safe as
whole output.

:func:`json_text` is ``json.dumps`` for JSON a terminal may show: the data is
kept exactly, but the characters a terminal acts on and JSON leaves raw (C1
controls such as U+009B CSI, DEL) are written as ``\\uXXXX`` escapes.
"""

from __future__ import annotations

import re
from typing import Any

# An escape sequence: ESC followed by its kind. String-type sequences (OSC, DCS,
# SOS, PM, APC) run until ST (ESC \) or BEL; CSI runs until a final byte.
_ESCAPE = re.compile(
    r"""
    \x1b\[ [0-?]* [ -/]* [@-~]          # CSI ... final
  | \x1b[\]PX^_] .*? (?:\x07|\x9c|\x1b\\|\Z)  # OSC / DCS / SOS / PM / APC ... ST or BEL
  | \x1b [ -/]* [0-~]                   # two-character and nF escapes
  | \x9b [0-?]* [ -/]* [@-~]            # 8-bit CSI
  | [\x90\x98\x9d\x9e\x9f] .*? (?:\x07|\x9c|\x1b\\|\Z)  # 8-bit string sequences
  | \x1b                                # a lone ESC
  | \x9b                                # a lone 8-bit CSI
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

#: The controls that reorder the text around them (embeddings, overrides, isolates).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile("[" + BIDI_CONTROLS + "]")


def clean(text: str) -> str:
    """Remove terminal control sequences and control characters; keep ``\\n`` and ``\\t``."""
    if not text:
        return text
    text = _CRLF.sub("\n", text)
    text = _ESCAPE.sub("", text)
    return _CONTROLS.sub("", text)


# What ``json.dumps(ensure_ascii=False)`` leaves raw that a terminal acts on (DEL,
# C1, the bidi controls that reorder what is around them), and lone surrogates,
# which UTF-8 cannot encode. JSON's structure is ASCII, so these occur only
# inside strings, where a ``\uXXXX`` escape means the same.
_JSON_RAW = re.compile("[\x7f-\x9f\ud800-\udfff" + BIDI_CONTROLS + "]")


def json_text(value: Any, *, indent: int | None = None) -> str:
    """``value`` as JSON that is safe to print: readable non-ASCII text, and no
    control character, bidi control or lone surrogate written raw (C0 controls
    ``json`` escapes itself). Parses back to exactly ``value``: JSON is data,
    so bidi controls are escaped, not named as :func:`name_bidi` does."""
    import json

    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def reveal(text: str) -> str:
    """Like :func:`clean`, and show bidi / zero-width characters as ``⟨NAME⟩``."""
    return _INVISIBLE.sub(lambda m: f"⟨{INVISIBLE[m.group()]}⟩", clean(text))


def name_bidi(text: str) -> str:
    """``text`` with every bidi control shown as ``⟨NAME⟩`` (as :func:`reveal`
    shows it); nothing else changes, so fragments can be named one by one."""
    return _BIDI.sub(lambda m: f"⟨{INVISIBLE[m.group()]}⟩", text)


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


# What an escape sequence looks like while it still waits for bytes.
_PARTIAL = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*\Z|\x1b[ -/]*\Z", re.DOTALL)
_STRING_START = re.compile(r"\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f]")
_STRING_END = ("\x07", "\x9c", "\x1b\\")


def _unsafe_tail_start(text: str) -> int:
    """Index from which ``text`` might still be the start of an unfinished sequence.

    Tokens are found exactly as :func:`clean` finds them; only the last one can
    change when more text arrives, so only it is examined.
    """
    last = None
    for last in _ESCAPE.finditer(text):  # noqa: B007 - we want the final match
        pass
    if last is not None:
        tail = text[last.start() :]
        if _PARTIAL.match(tail):
            return last.start()
        token = last.group()
        if (
            last.end() == len(text)
            and _STRING_START.match(token)
            and not token.endswith(_STRING_END)
        ):
            return last.start()
    if text.endswith("\r"):
        return len(text) - 1
    return len(text)
