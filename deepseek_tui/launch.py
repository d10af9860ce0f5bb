"""What the TUI opens before its first frame: the store, the model catalog and
the conversation to resume, with its messages. Done synchronously in
:func:`open_launch`, before the event loop starts, so a bad ``--resume`` or a
broken database ends with one message and an exit status instead of a
half-drawn screen (and the messages are read while nothing else runs: ~10 µs
each, where a thread competing with the first frame for the GIL takes 5x)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from deepseek_tui.config import Settings
from deepseek_tui.models import Catalog, CatalogError
from deepseek_tui.paths import Paths
from deepseek_tui.store import RECOVER_AFTER, Conversation, Message, Store, StoreError


class LaunchError(Exception):
    """The TUI cannot start; ``str()`` is one line saying why and what to do."""


@dataclass
class Launch:
    """The open store (closed by :meth:`close`), the catalog and what to show first."""

    store: Store
    catalog: Catalog
    conversation: Conversation | None
    notices: tuple[str, ...]
    demo: bool = False
    messages: list[Message] | None = None
    """The resumed conversation's messages (``None`` when there is none)."""
    _tmp: tempfile.TemporaryDirectory[str] | None = None

    def close(self) -> None:
        self.store.close()
        if self._tmp is not None:
            self._tmp.cleanup()


def open_launch(
    settings: Settings,
    paths: Paths,
    *,
    resume: str | None = None,
    continue_: bool = False,
    demo: bool = False,
) -> Launch:
    """Open the database (a throwaway one for ``--demo``) and find the conversation."""
    try:
        catalog = Catalog.load(settings.models)
    except CatalogError as exc:
        raise LaunchError(f"{settings.source}: {exc}") from None
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if demo:
        tmp = tempfile.TemporaryDirectory(prefix="deepseek-tui-demo-")
        database = Path(tmp.name) / "demo.db"
    else:
        database = paths.database
    try:
        opened = Store.open(database)
    except StoreError as exc:
        if tmp is not None:
            tmp.cleanup()
        raise LaunchError(str(exc)) from None
    store = opened.store
    try:
        if not opened.read_only:
            store.recover_interrupted(older_than=RECOVER_AFTER)
        conversation: Conversation | None = None
        if resume:
            conversation = store.get_conversation(resume)
        elif continue_:
            conversation = store.latest_conversation()
            if conversation is None:
                raise LaunchError("there is no saved conversation to continue yet")
        messages = store.messages(conversation.id) if conversation is not None else None
    except (StoreError, LaunchError) as exc:
        store.close()
        if tmp is not None:
            tmp.cleanup()
        raise LaunchError(str(exc)) from None
    return Launch(
        store, catalog, conversation, opened.notices, demo=demo, messages=messages, _tmp=tmp
    )
