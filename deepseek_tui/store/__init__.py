"""SQLite conversation store: schema migrations, search, export. No Textual.

Open it with :meth:`Store.open`, which creates, upgrades, or repairs the
database and returns notices to show the user::

    result = Store.open(paths.database)
    for notice in result.notices:
        show(notice)
    with result.store as store:
        store.recover_interrupted()
        ...

An answer ends ``complete``, ``stopped`` (the user stopped it), ``error``
or ``interrupted`` (the app ended while it streamed); :func:`ending_label`
gives the words every view shows for it.

Every storage failure is a :class:`StoreError` whose ``str()`` is one line
naming the file; a full disk is a :class:`DiskFullError`, a database a newer
deepseek-tui wrote (read-only here) a :class:`NewerSchemaError`. A
:class:`Store` may be used from any thread, one call at a time (it locks
internally).
"""

from typing import TYPE_CHECKING, Any

from ._clock import Clock, IdFactory, format_timestamp, parse_timestamp
from ._conversations import TITLE_LENGTH, derive_title
from ._endings import ending_label
from ._errors import (
    AmbiguousIdError,
    DiskFullError,
    InvalidImportError,
    NewerSchemaError,
    NotFoundError,
    ReadOnlyError,
    StoreError,
)
from ._messages import RECOVER_AFTER
from ._migrations import MIGRATIONS, SCHEMA_VERSION, Migration
from ._store import OpenResult, Store
from ._tool_choices import ToolChoices
from ._types import (
    FINAL_STATUSES,
    ROLES,
    STATUSES,
    TOOL_STATUSES,
    Conversation,
    ConversationSummary,
    Message,
    Role,
    Status,
)

if TYPE_CHECKING:
    from ._export import EXPORT_FORMAT


def __getattr__(name: str) -> Any:
    """``EXPORT_FORMAT``, from the export module, loaded when first asked for."""
    if name == "EXPORT_FORMAT":
        from ._export import EXPORT_FORMAT

        return EXPORT_FORMAT
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "RECOVER_AFTER",
    "EXPORT_FORMAT",
    "FINAL_STATUSES",
    "MIGRATIONS",
    "ROLES",
    "SCHEMA_VERSION",
    "STATUSES",
    "TITLE_LENGTH",
    "TOOL_STATUSES",
    "AmbiguousIdError",
    "Clock",
    "Conversation",
    "ConversationSummary",
    "DiskFullError",
    "IdFactory",
    "InvalidImportError",
    "Message",
    "Migration",
    "NewerSchemaError",
    "NotFoundError",
    "OpenResult",
    "ReadOnlyError",
    "Role",
    "Status",
    "Store",
    "StoreError",
    "ToolChoices",
    "derive_title",
    "ending_label",
    "format_timestamp",
    "parse_timestamp",
]
