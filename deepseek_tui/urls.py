"""Base URLs of API hosts, as users type them.

One rule for the config file, the environment, ``--base-url`` and the client:
``https://host``, ``https://host/v1``, trailing slashes and a pasted
``…/chat/completions`` all name the same base that paths are appended to. No
third-party imports, so the command line can use it without loading httpx.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["BadBaseURL", "beta_base_url", "normalize_base_url"]


class BadBaseURL(ValueError):
    """The base URL cannot be used; ``str()`` says why in one line."""


def normalize_base_url(url: str) -> str:
    """The base that ``/chat/completions``, ``/models`` … are appended to.

    Raises ``ValueError`` (a message that does not repeat the URL, which may
    carry credentials) for anything that is not an http(s) URL naming a host.
    """
    url = url.strip().rstrip("/")
    for suffix in ("/chat/completions", "/completions"):
        if url.endswith(suffix):
            url = url[: -len(suffix)].rstrip("/")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError("a base URL must start with http:// or https:// and name a host")
    if parts.query or parts.fragment:
        raise ValueError("a base URL cannot have a query or fragment")
    try:  # what the HTTP client would refuse only when it is built, a traceback then
        _ = parts.port  # reading it checks it: a number from 0 to 65535
        parts.hostname.encode("idna")
    except ValueError:
        raise ValueError("a base URL must name a valid host name and port") from None
    return url


def beta_base_url(base: str) -> str:
    """DeepSeek's beta base for a normalized ``base``: ``https://host/beta``
    (chat prefix completion works only there). A ``/v1`` that only names the
    OpenAI-compatible path is dropped: ``/v1/beta`` is not a route."""
    if base.endswith("/v1"):
        base = base[: -len("/v1")]
    return base + "/beta"
