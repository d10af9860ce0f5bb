"""The terminal-size classes every screen gets (Textual's breakpoints).

``-narrow`` below 100 columns (``-wide`` from there): the settings sidebar
covers the chat instead of squeezing it. ``-short`` below 30 rows (``-tall``
from there): dialogs give their spacing to their lists. app.tcss and the
dialogs' CSS use them.

Textual sets them when a screen first gets its size, after the screen's
widgets were styled: every widget is styled again. A screen given them when
it is made (:func:`size_classes`) is styled once.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.geometry import Size

HORIZONTAL = [(0, "-narrow"), (100, "-wide")]
VERTICAL = [(0, "-short"), (30, "-tall")]


def size_classes(size: Size) -> Mapping[str, bool]:
    """Which of the size classes a screen of ``size`` has (for ``update_classes``)."""
    return {
        name: name == _pick(HORIZONTAL, size.width) or name == _pick(VERTICAL, size.height)
        for _, name in HORIZONTAL + VERTICAL
    }


def _pick(breakpoints: list[tuple[int, str]], cells: int) -> str:
    return next(name for at, name in sorted(breakpoints, reverse=True) if cells >= at)
