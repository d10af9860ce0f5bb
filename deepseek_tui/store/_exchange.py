"""Export and import: the :class:`~deepseek_tui.store.Store` side.

The formats themselves are in ``_export`` and the validation of an import in
``_import``; both load on first use: the TUI's first frame needs neither.
"""

from __future__ import annotations

from typing import Any

from . import _blobs, _rows, _tool_choices
from ._base import StoreBase
from ._types import Conversation, Message


class ExchangePart(StoreBase):
    """The export and import methods of :class:`~deepseek_tui.store.Store`."""

    def _export_parts(self, id_or_prefix: str) -> tuple[Conversation, list[Message]]:
        with self._reading("export the conversation") as conn:
            conversation = _rows.conversation(self._resolve(conn, id_or_prefix))
            return conversation, self._fetch_messages(conn, conversation.id)

    def export_json(self, id_or_prefix: str) -> dict[str, Any]:
        """The ``export --format json`` object (DESIGN.md) of a conversation,
        with the kept bytes of its attachments (``attachment_data``)."""
        from ._export import export_dict

        with self._reading("export the conversation") as conn:
            conversation = _rows.conversation(self._resolve(conn, id_or_prefix))
            messages = self._fetch_messages(conn, conversation.id)
            keys: set[str] = set()
            for m in messages:
                keys |= _blobs.referenced(m.attachments)
            data = _blobs.fetch(conn, keys)
            choices = _tool_choices.read(conn, conversation.id)
        return export_dict(conversation, messages, data, choices)

    def export_markdown(self, id_or_prefix: str) -> str:
        """A conversation as Markdown, for people."""
        from ._export import export_markdown

        return export_markdown(*self._export_parts(id_or_prefix))

    def import_json(self, data: Any, *, keep_id: bool = False) -> Conversation:
        """Add a conversation from an :meth:`export_json` object, trusting none of it.

        The conversation gets a new id; ``keep_id`` (for undoing a delete, whose
        data the store wrote) keeps the exported one when it is free and has the
        shape of the store's ids, and the tools the conversation always allowed
        (only the store wrote that consent). Every string is sanitized, and
        valid time stamps are kept (see ``_import``). Raises :class:`InvalidImportError`
        with the first problem found; nothing is written then.
        """
        from ._import import parse_import

        imported = parse_import(data, keep_id=keep_id)
        with self._writing("import the conversation") as conn:
            ident = self._fresh_id(conn, imported.id)
            created = imported.created or self._now()
            _blobs.put(conn, imported.attachment_data, self._now())
            _rows.insert_conversation(
                conn,
                id=ident,
                title=imported.title,
                created=created,
                updated=imported.updated or created,
                model=imported.model,
                params=imported.params,
                system=imported.system,
                provider=imported.provider,
            )
            parent: int | None = None
            for seq, m in enumerate(imported.messages, start=1):
                parent = _rows.insert_message(
                    conn,
                    conversation_id=ident,
                    seq=seq,
                    role=m.role,
                    created=m.created or created,
                    content=m.content,
                    reasoning=m.reasoning,
                    model=m.model,
                    params=m.params,
                    usage=m.usage,
                    cost=m.cost,
                    finish_reason=m.finish_reason,
                    status=m.status,
                    error=m.error,
                    attachments=m.attachments,
                    parent_id=parent,
                    tool_calls=m.tools.tool_calls,
                    tool_call_id=m.tools.tool_call_id,
                    tool_name=m.tools.tool_name,
                    tool_status=m.tools.tool_status,
                )
            self._set_head(conn, ident, parent)
            off, allowed = imported.tool_choices
            _tool_choices.write(conn, ident, off, allowed)
            return self._fetch_conversation(conn, ident)
