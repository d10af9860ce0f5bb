"""Copying answers and code blocks: OSC 52 through Textual's
:meth:`~textual.app.App.copy_to_clipboard` (works locally and over SSH in most
terminals), with a notification saying what was copied.

What is copied is the answer's text with terminal control sequences removed
(:func:`~deepseek_tui.sanitize.clean`); bidi and zero-width characters are kept,
because they may be meaningful, but the notification warns about them so
nobody pastes a disguised command into a shell unawares.
"""

from __future__ import annotations

import re

from textual.app import App

from deepseek_tui.sanitize import clean, has_invisible

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})[^\n]*\n", re.MULTILINE)


def code_blocks(markdown: str) -> list[str]:
    """The fenced code blocks of ``markdown``, in order, without their fences.

    An unclosed fence runs to the end of the text (as a Markdown renderer shows it).
    """
    blocks: list[str] = []
    pos = 0
    while (start := _FENCE.search(markdown, pos)) is not None:
        fence = start.group("fence")
        closing = re.compile(
            rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.MULTILINE
        )
        end = closing.search(markdown, start.end())
        body_end = end.start() if end else len(markdown)
        body = markdown[start.end() : body_end]
        indent = len(start.group("indent"))
        if indent:
            body = "\n".join(
                line[min(indent, len(line) - len(line.lstrip(" "))) :] for line in body.split("\n")
            )
        blocks.append(body.removesuffix("\n"))
        pos = end.end() if end else len(markdown)
    return blocks


def copy_text(app: App[object], text: str, what: str) -> None:
    """Put ``text`` on the clipboard and say so (``what``: "the answer", …)."""
    text = clean(text)
    if not text:
        app.notify(f"Nothing to copy: {what} is empty", severity="warning", timeout=3)
        return
    app.copy_to_clipboard(text)
    lines = text.count("\n") + 1
    size = f"{lines} line{'s' if lines != 1 else ''}, {len(text):,} characters"
    if has_invisible(text):
        app.notify(
            f"Copied {what} ({size}). It holds invisible or bidi characters "
            "(shown as ⟨NAME⟩ on screen): check it before pasting it anywhere that runs it.",
            severity="warning",
            timeout=8,
            markup=False,
        )
    else:
        app.notify(f"Copied {what} ({size})", timeout=3, markup=False)
