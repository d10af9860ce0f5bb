"""How an answer ended: one vocabulary for the store, the exports, the CLI and the TUI.

A message ends in one of four statuses, and every place that shows one uses
the words of :func:`ending_label`, so a user reads the same thing in the chat,
in ``export`` and in ``history --json``:

* ``complete`` -- the model finished (``finish_reason`` says how);
* ``stopped`` -- the user stopped it (Esc); what arrived is kept;
* ``error`` -- it failed; ``error`` holds the reason; partial text may be kept;
* ``interrupted`` -- the app ended while it streamed: a crash (rows are
  recovered at the next start by ``Store.recover_interrupted``), a closed pipe,
  a signal.

``streaming`` is not an ending: it is a row being written right now, or one a
crash left behind that has not been recovered yet. Anything reading it from
outside the writing process can only say that the answer is partial, which is
what ``interrupted`` means; :func:`reported_status` maps it so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: ``_types`` imports this module
    from ._types import Status

#: The ``error`` text that versions before schema v4 stored with ``interrupted``
#: when the user pressed Esc; such rows (and such imported messages) become
#: ``stopped``.
LEGACY_STOPPED_ERROR = "stopped"


def reported_status(status: Status) -> Status:
    """The status to show or export: ``streaming`` is reported as ``interrupted``."""
    return "interrupted" if status == "streaming" else status


def ending_label(status: Status, error: str | None = None) -> str:
    """A few words on how an answer ended; ``""`` for a complete one.

    ``stopped``, ``failed: REASON`` (just ``failed`` without a reason; the
    reason on one line) or ``interrupted`` (also for a row still streaming).
    The caller sanitizes the reason for its medium: it is the host's text.
    """
    if status == "complete":
        return ""
    if status == "stopped":
        return "stopped"
    if status == "error":
        reason = " ".join((error or "").split())
        return f"failed: {reason}" if reason else "failed"
    return "interrupted"
