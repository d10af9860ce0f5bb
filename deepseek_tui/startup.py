"""Start-up without the cyclic garbage collector.

Nearly everything the TUI allocates before its first frame -- modules, classes,
CSS rules, widgets, the catalog -- lives as long as the process. CPython's
collector still runs every few hundred allocations and, by the first frame,
has walked the growing heap some 125 times (one full collection among them):
~40 ms of a ~350 ms start, to free about 1,700 of 88,000 objects.

:func:`hold` switches it off for the start; :func:`release`, once the first
frame is out, moves everything alive into the permanent generation (so later
full collections never walk it again, which also shortens their pauses while
answers stream) and switches it back on. The few cycles left from start-up
stay with it: some hundreds of kilobytes at most.
"""

from __future__ import annotations

import gc

_held = False


def hold() -> None:
    """Switch the collector off until :func:`release` (if it is on)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release() -> None:
    """Freeze what start-up made and switch the collector back on (if
    :func:`hold` switched it off; otherwise do nothing)."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()
