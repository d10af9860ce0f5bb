"""Split inline ``<think>…</think>`` reasoning out of streamed content.

Some hosts and local servers send R1-style reasoning inside ``content``. The
tags can be split across chunks at any character, so this is a small state
machine that holds back only what could still be part of a tag.

Rules (kept deliberately narrow so ordinary answers that *mention* ``<think>``
are never mangled):

* only a ``<think>`` at the very start of the content, after optional
  whitespace, opens reasoning; that leading whitespace is dropped;
* everything up to the first ``</think>`` is reasoning, everything after it is
  content; the whitespace models put right after ``<think>`` and right after
  ``</think>`` (``"<think>\n…</think>\n\n"``) is dropped, nothing else;
* content that does not start with ``<think>`` passes through untouched;
* at the end of the stream an unclosed ``<think>`` leaves everything as
  reasoning, and a held-back prefix such as ``"  <thi"`` is content.
"""

from __future__ import annotations

__all__ = ["ThinkSplitter", "split_think"]

OPEN = "<think>"
CLOSE = "</think>"

# START: nothing decided yet; LEAD: after <think>, dropping whitespace; THINK: in
# reasoning; AFTER: after </think>, dropping whitespace; CONTENT: pass-through.
_START, _LEAD, _THINK, _AFTER, _CONTENT = range(5)


class ThinkSplitter:
    """Incremental ``<think>`` splitter: ``feed(text) -> (reasoning, content)``.

    Concatenating every returned pair plus :meth:`flush` gives the same split as
    :func:`split_think` on the whole text, whatever the chunking.
    """

    __slots__ = ("_buf", "_state")

    def __init__(self) -> None:
        self._state = _START
        self._buf = ""

    @property
    def passthrough(self) -> bool:
        """True once the rest of the stream is plain content (callers may skip us)."""
        return self._state == _CONTENT

    def feed(self, text: str) -> tuple[str, str]:
        """Add a content fragment; return the reasoning and content it releases."""
        state = self._state
        if state == _CONTENT:
            return "", text
        if state == _AFTER:
            text = text.lstrip()
            if text:
                self._state = _CONTENT
            return "", text
        buf = self._buf + text
        if state == _START:
            stripped = buf.lstrip()
            if stripped.startswith(OPEN):
                state = _LEAD
                buf = stripped[len(OPEN) :]
            elif OPEN.startswith(stripped):
                # Only whitespace and a possible start of "<think>" so far.
                self._buf = buf
                return "", ""
            else:
                self._state = _CONTENT
                self._buf = ""
                return "", buf
        if state == _LEAD:
            buf = buf.lstrip()
            if not buf:
                self._state = _LEAD
                self._buf = ""
                return "", ""
        # Inside reasoning: look for the closing tag.
        end = buf.find(CLOSE)
        if end >= 0:
            rest = buf[end + len(CLOSE) :].lstrip()
            self._state = _CONTENT if rest else _AFTER
            self._buf = ""
            return buf[:end], rest
        self._state = _THINK
        keep = _partial_suffix(buf, CLOSE)
        if keep:
            self._buf = buf[-keep:]
            return buf[:-keep], ""
        self._buf = ""
        return buf, ""

    def flush(self) -> tuple[str, str]:
        """End of stream: release whatever was held back."""
        buf, self._buf = self._buf, ""
        state, self._state = self._state, _CONTENT
        if state == _START:
            return "", buf
        if state in (_LEAD, _THINK):
            return buf, ""
        return "", ""


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of ``text`` that is a proper prefix of ``tag``."""
    for n in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:n]):
            return n
    return 0


def split_think(text: str) -> tuple[str, str]:
    """Split a whole content string into ``(reasoning, content)`` by the rules above."""
    splitter = ThinkSplitter()
    r1, c1 = splitter.feed(text)
    r2, c2 = splitter.flush()
    return r1 + r2, c1 + c2
