"""Turning what a user types into a safe full-text query.

FTS5 has its own query language (``AND``, ``NEAR(``, ``"``, ``*``, ``^``,
column filters), so raw input must never reach ``MATCH``: a stray quote would
be a syntax error and ``OR`` would silently change the meaning. Each
whitespace-separated term is therefore quoted as a phrase (with ``"`` doubled)
and the terms are ANDed; the last term is a prefix (``"term"*``) so results
appear while the user is still typing.

The ``unicode61`` tokenizer does not split Chinese, Japanese or Korean text
into words, so a CJK term could only match a whole run of ideographs. Queries
containing such characters use a plain substring scan (``LIKE``) instead,
which is slower but finds what the user expects.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

#: Bounds that keep a pasted essay from becoming a pathological query.
MAX_TERMS = 16
MAX_TERM_CHARS = 100


@dataclass(frozen=True, slots=True)
class SearchPlan:
    """How to run one search.

    Exactly one of ``match`` (an FTS5 query) and ``like`` (``LIKE`` patterns,
    all of which must match) is set, or neither when nothing searchable was
    typed (then nothing matches).
    """

    match: str | None = None
    like: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.match is None and not self.like


def _is_cjk(char: str) -> bool:
    return char.isalnum() and unicodedata.east_asian_width(char) in ("W", "F")


def _clean(term: str) -> str:
    # Control characters (NUL included) have no business in a search.
    return "".join(c for c in term if unicodedata.category(c)[0] != "C")[:MAX_TERM_CHARS]


def terms(query: str) -> list[str]:
    """The searchable terms of ``query``: words with at least one letter or digit."""
    out = []
    for raw in query.split():
        term = _clean(raw)
        if any(c.isalnum() for c in term):
            out.append(term)
        if len(out) == MAX_TERMS:
            break
    return out


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def plan(query: str) -> SearchPlan:
    """The search to run for ``query``; see the module docstring."""
    words = terms(query)
    if not words:
        return SearchPlan()
    if any(_is_cjk(c) for word in words for c in word):
        return SearchPlan(like=tuple(_like_pattern(w) for w in words))
    quoted = [_quote(w) for w in words]
    quoted[-1] += "*"
    return SearchPlan(match=" ".join(quoted))
