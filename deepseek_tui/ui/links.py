"""Links in answers: never opened without asking, and only http(s).

A model (or whoever wrote the page it quotes) chooses the link target, so a
click shows the whole, sanitized URL and waits for a yes; other schemes
(``file:``, ``javascript:``, custom handlers) are refused with the reason.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from deepseek_tui.sanitize import has_invisible, reveal

OPENABLE = ("http", "https")


def why_not(url: str) -> str | None:
    """Why ``url`` may not be opened, or ``None`` when it may (after confirmation)."""
    shown = reveal(url)
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return f"not a valid link: {shown}"
    if parts.scheme.lower() not in OPENABLE:
        scheme = parts.scheme or "no scheme"
        return f"only http and https links open in the browser; this one is {reveal(scheme)}"
    if not parts.netloc:
        return f"the link has no host: {shown}"
    if url != reveal(url) or has_invisible(url):
        return "the link holds control or invisible characters; copy it by hand if you trust it"
    return None
