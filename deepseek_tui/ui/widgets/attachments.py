"""Attachment chips: the files waiting to go with the next message (a tray
above the prompt), and the same chips under a sent message.

A chip shows the kind, the file name and its size. In the tray a chip is
removed by clicking it, or by focusing it (Shift+Tab from the prompt) and
pressing Delete or Backspace. Names come from the file system: they are shown
as plain text, never as markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from deepseek_tui.sanitize import reveal

if TYPE_CHECKING:
    from deepseek_tui.attachments import Attachment

_ICONS = {"image": "🖼", "file": "📄", "text": "📝"}


def chip_text(name: str, kind: str, size: int | None) -> str:
    """``🖼 photo.png · 34 KB`` (the size is left out when unknown)."""
    from deepseek_tui.attachments import human_size  # loads with the first chip

    icon = _ICONS.get(kind, "📎")
    return f"{icon} {reveal(name)}" + (f" · {human_size(size)}" if size is not None else "")


def record_chips(records: Iterable[Any] | None) -> list[str]:
    """Chip texts for stored attachment records (``Message.attachments``); entries
    that are not records (the store returns whatever JSON was saved) are skipped."""
    out: list[str] = []
    for r in records or ():
        if not isinstance(r, Mapping):
            continue
        size = r.get("size")
        out.append(
            chip_text(
                str(r.get("name", "attachment")),
                str(r.get("kind", "file")),
                size if isinstance(size, int) and not isinstance(size, bool) else None,
            )
        )
    return out


def chips_content(chips: Sequence[str]) -> Content:
    """A line of chips, as the user message shows them."""
    parts: list[str | tuple[str, str]] = []
    for i, chip in enumerate(chips):
        if i:
            parts.append(" ")
        parts.append((f" {chip} ", "$text-accent on $accent-muted"))
    return Content.assemble(*parts)


class AttachmentChip(Static):
    """One attached file in the tray; click it or press Delete to remove it."""

    DEFAULT_CSS = """
    AttachmentChip {
        width: auto;
        height: 1;
        margin-right: 1;
        padding: 0 1;
        color: $text-accent;
        background: $accent-muted;

        &:hover {
            background: $accent 40%;
        }
        &:focus {
            text-style: bold reverse;
        }
    }
    """

    can_focus = True

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("delete,backspace", "remove", "Remove attachment", id="attachment-remove"),
    ]

    class Remove(Message):
        def __init__(self, chip: AttachmentChip, by_key: bool = False) -> None:
            super().__init__()
            self.chip = chip
            self.by_key = by_key

    def __init__(self, attachment: Attachment) -> None:
        label = chip_text(attachment.name, attachment.kind, attachment.size)
        super().__init__(Content(f"{label} ✕"), classes="attachment-chip", markup=False)
        self.attachment = attachment
        self.tooltip = f"{reveal(str(attachment.path))} — click or press Delete to remove"

    def action_remove(self) -> None:
        self.post_message(self.Remove(self, by_key=True))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(self.Remove(self))


class AttachmentTray(Horizontal):
    """The files attached to the next message; hidden while there are none."""

    class Changed(Message):
        """Files were added or removed; ``focus_lost`` when the focused chip went
        (the screen puts the focus back where typing happens)."""

        def __init__(self, tray: AttachmentTray, focus_lost: bool = False) -> None:
            super().__init__()
            self.tray = tray
            self.focus_lost = focus_lost

        @property
        def control(self) -> AttachmentTray:
            return self.tray

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._items: list[Attachment] = []

    def on_mount(self) -> None:
        self.display = False

    @property
    def items(self) -> list[Attachment]:
        """The attached files, in the order they were attached."""
        return list(self._items)

    async def add(self, attachment: Attachment) -> bool:
        """Attach one more file; the same file twice is ignored (returns ``False``)."""
        if any(a.path == attachment.path for a in self._items):
            return False
        self._items.append(attachment)
        await self.mount(AttachmentChip(attachment))
        self.display = True
        self.post_message(self.Changed(self))
        return True

    async def remove_item(self, attachment: Attachment) -> None:
        await self._remove(attachment, focus_lost=False)

    async def _remove(self, attachment: Attachment, *, focus_lost: bool) -> None:
        if attachment not in self._items:
            return
        self._items.remove(attachment)
        for chip in list(self.query(AttachmentChip)):
            if chip.attachment is attachment:
                await chip.remove()
        self.display = bool(self._items)
        self.post_message(self.Changed(self, focus_lost=focus_lost))

    async def clear(self) -> None:
        """Forget every attachment (they were sent)."""
        if not self._items:
            return
        self._items.clear()
        await self.remove_children()
        self.display = False
        self.post_message(self.Changed(self))

    @on(AttachmentChip.Remove)
    async def _chip_removed(self, event: AttachmentChip.Remove) -> None:
        event.stop()
        focused = self.screen.focused is event.chip
        others = [c for c in self.query(AttachmentChip) if c is not event.chip]
        keep = focused and event.by_key and bool(others)
        await self._remove(event.chip.attachment, focus_lost=focused and not keep)
        if keep:
            others[-1].focus()
