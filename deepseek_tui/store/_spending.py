"""Spending: what the stored answers cost since given moments, for the caps of
``[budget]`` (see :mod:`deepseek_tui.budget`). ``ask`` and the TUI write to the
same file, so summing it is what lets them share one budget."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ._base import StoreBase
from ._clock import format_timestamp


class SpendingPart(StoreBase):
    """The spending methods of :class:`~deepseek_tui.store.Store`."""

    def spent_since(self, *moments: datetime) -> tuple[float, ...]:
        """For each of ``moments``, the summed ``cost`` of every answer begun
        at or after it (one pass over the table for all of them).

        Answers of unknown price (``cost`` NULL) count as nothing; a deleted
        conversation takes its answers' cost with it. Every branch counts: a
        regenerated answer was paid for too. There is no index on ``created``
        (a schema change), so this reads every message: about 4 ms per
        thousand answers of 2 KB.
        """
        if not moments:
            return ()
        stamps: Sequence[str] = [format_timestamp(m) for m in moments]
        sums = ", ".join("total(CASE WHEN created >= ? THEN cost END)" for _ in stamps)
        with self._reading("sum what was spent") as conn:
            row = conn.execute(
                f"SELECT {sums} FROM messages WHERE role = 'assistant' "
                "AND cost IS NOT NULL AND created >= ?",
                (*stamps, min(stamps)),
            ).fetchone()
            return tuple(float(v) for v in row)
