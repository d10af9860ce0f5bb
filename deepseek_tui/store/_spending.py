"""Spending: what the stored answers cost since a moment, for the caps of
``[budget]`` (see :mod:`deepseek_tui.budget`). ``ask`` and the TUI write to the
same file, so summing it is what lets them share one budget."""

from __future__ import annotations

from datetime import datetime

from ._base import StoreBase
from ._clock import format_timestamp


class SpendingPart(StoreBase):
    """The spending methods of :class:`~deepseek_tui.store.Store`."""

    def spent_since(self, moment: datetime) -> float:
        """The summed ``cost`` of every answer begun at or after ``moment``.

        Answers of unknown price (``cost`` NULL) count as nothing; a deleted
        conversation takes its answers' cost with it. Every branch counts:
        a regenerated answer was paid for too. A scan of the answers (no index
        on ``created``): milliseconds even for tens of thousands of rows.
        """
        since = format_timestamp(moment)
        with self._reading("sum what was spent") as conn:
            row = conn.execute(
                "SELECT total(cost) FROM messages WHERE role = 'assistant' "
                "AND cost IS NOT NULL AND created >= ?",
                (since,),
            ).fetchone()
            return float(row[0])
