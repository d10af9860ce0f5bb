"""Incremental Server-Sent Events decoder: bytes in, ``data`` payloads and comments out.

Why our own: the chat stream is the hot path of the app, and we need things
generic SSE libraries hide -- comment lines (DeepSeek's ``: keep-alive`` while a
request is queued), a cap on line length (a hostile or broken host must not make
us buffer gigabytes), and lenient handling of sloppy third-party hosts.

The decoder works on whole lines of bytes with ``bytes.splitlines`` (which
splits on exactly ``\\n``, ``\\r\\n`` and ``\\r``) and decodes each complete line
as UTF-8. A line ending never occurs inside a multi-byte UTF-8 character, so
decoding complete lines is incremental decoding for free: a character split
across network chunks waits in the pending line like any other byte.
"""

from __future__ import annotations

from deepseek_tui.api._errors import StreamError

__all__ = ["DEFAULT_MAX_LINE", "Comment", "SSEDecoder"]

#: Longest line we buffer before giving up on the stream (8 MiB).
DEFAULT_MAX_LINE = 8 * 1024 * 1024

_BOM = b"\xef\xbb\xbf"


class Comment:
    """A comment line (``: text``); DeepSeek sends ``: keep-alive`` while queued."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Comment) and other.text == self.text

    def __hash__(self) -> int:
        return hash(("Comment", self.text))

    def __repr__(self) -> str:
        return f"Comment({self.text!r})"


class SSEDecoder:
    """Turn a byte stream into a list of events per chunk.

    ``feed(chunk)`` returns the events completed by that chunk: a ``str`` for
    each dispatched event's data (multi-line ``data`` joined by ``\\n``) and a
    :class:`Comment` for each comment line. Fields other than ``data`` (``event``,
    ``id``, ``retry``, unknown ones) are ignored; an event without ``data`` is not
    dispatched. ``data: [DONE]`` is returned like any other payload -- ending the
    stream is the caller's decision.

    ``close()`` flushes the end of the stream. Unlike a browser, it dispatches an
    event that was not followed by a blank line (and a last line without a line
    ending): sloppy hosts end with ``data: [DONE]`` and close.

    A line longer than ``max_line`` bytes raises :class:`StreamError` (after the
    events completed before it were returned) and so does every later call.
    """

    __slots__ = (
        "_data",
        "_failed",
        "_max_line",
        "_pending",
        "_pending_len",
        "_skip_lf",
        "_started",
    )

    def __init__(self, max_line: int = DEFAULT_MAX_LINE) -> None:
        self._max_line = max_line
        self._pending: list[bytes] = []
        self._pending_len = 0
        self._data: list[str] = []
        self._skip_lf = False
        self._started = False
        self._failed = False

    def feed(self, chunk: bytes) -> list[str | Comment]:
        """Add bytes; return the events they complete."""
        if self._failed:
            raise self._too_long()
        if not chunk:
            return []
        if self._skip_lf:
            # The previous chunk ended with CR: a LF here is the rest of a CR LF.
            self._skip_lf = False
            if chunk[0] == 10:
                chunk = chunk[1:]
                if not chunk:
                    return []
        if not self._started:
            if self._pending_len + len(chunk) < 3 and _BOM.startswith(
                b"".join(self._pending) + chunk
            ):
                # Could still be the start of a BOM; wait for more.
                self._pending.append(chunk)
                self._pending_len += len(chunk)
                return []
            self._started = True
            if self._pending:
                chunk = b"".join(self._pending) + chunk
                self._pending.clear()
                self._pending_len = 0
            if chunk.startswith(_BOM):
                chunk = chunk[3:]
                if not chunk:
                    return []
        if b"\n" not in chunk and b"\r" not in chunk:
            # No line ends here: keep it (as a list, so a long line is not quadratic).
            self._pending.append(chunk)
            self._pending_len += len(chunk)
            if self._pending_len > self._max_line:
                self._failed = True
                raise self._too_long()
            return []
        if self._pending:
            self._pending.append(chunk)
            chunk = b"".join(self._pending)
            self._pending.clear()
            self._pending_len = 0
        lines = chunk.splitlines()
        last = chunk[-1]
        too_long = False
        if last == 13:
            self._skip_lf = True
        elif last != 10:
            tail = lines.pop()
            self._pending.append(tail)
            self._pending_len = len(tail)
            too_long = self._pending_len > self._max_line
        if len(chunk) > self._max_line:
            for i, line in enumerate(lines):
                if len(line) > self._max_line:
                    del lines[i:]
                    too_long = True
                    break
        out = self._lines(lines)
        if too_long:
            # Hand out the events before the bad line first; fail on the next call.
            self._failed = True
            self._pending.clear()
            self._pending_len = 0
            if not out:
                raise self._too_long()
        return out

    def close(self) -> list[str | Comment]:
        """End of stream: dispatch what is left (see the class docstring)."""
        if self._failed:
            raise self._too_long()
        lines: list[bytes] = []
        if self._pending:
            lines.append(b"".join(self._pending))
            self._pending.clear()
            self._pending_len = 0
        lines.append(b"")
        return self._lines(lines)

    def _lines(self, lines: list[bytes]) -> list[str | Comment]:
        out: list[str | Comment] = []
        data = self._data
        for line in lines:
            if not line:
                if data:
                    out.append(data[0] if len(data) == 1 else "\n".join(data))
                    data.clear()
            elif line.startswith(b"data: "):
                data.append(line[6:].decode("utf-8", "replace"))
            elif line.startswith(b"data:"):
                data.append(line[5:].decode("utf-8", "replace"))
            elif line[0] == 58:  # ":"
                out.append(Comment(line[1:].decode("utf-8", "replace").strip()))
            elif line == b"data":
                data.append("")
            # Any other field (event, id, retry, unknown) is ignored.
        return out

    def _too_long(self) -> StreamError:
        return StreamError(
            f"the server sent a line longer than {self._max_line} bytes; "
            "the stream was abandoned (try again, or check the base URL)"
        )
