"""Ctrl+O: every saved conversation, newest first; type to search titles and
message text; open, rename, delete (with undo while the app runs) or start a
new one. Store calls run in workers, never on the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from deepseek_tui.sanitize import reveal
from deepseek_tui.store import ConversationSummary, Store, StoreError
from deepseek_tui.ui.screens.confirm import ConfirmScreen
from deepseek_tui.ui.screens.dialog import Dialog
from deepseek_tui.ui.screens.rename import RenameScreen


@dataclass
class Trash:
    """Conversations deleted while the app runs, newest last, as JSON exports
    (so undo restores them with their ids and time stamps)."""

    items: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Picked:
    """What the user chose: a conversation to open, a new one, or nothing."""

    open: str | None = None
    new: bool = False
    changed: frozenset[str] = frozenset()
    """Ids renamed, deleted or restored (the open one may need a refresh)."""


def describe(s: ConversationSummary, *, streaming: bool = False) -> Row:
    """One row: title (and whether an answer is streaming into it right now),
    then model, date and message count, as much of them as the width leaves."""
    when = _when(s.updated)
    count = f"{s.message_count} message" + ("" if s.message_count == 1 else "s")
    return Row(
        Content.styled(reveal(s.title) or "untitled", "bold"),
        Content.styled("  ● streaming", "$accent bold") if streaming else Content(),
        tuple(
            Content.styled(meta, "dim")
            for meta in (f"{reveal(s.model or '?')} · {when} · {count}", f"{when} · {count}", when)
        ),
    )


class Row(Visual):
    """A conversation on one line: the title on the left, the details on the
    right. A list too narrow for the title's :data:`TITLE_ROOM` next to every
    detail drops details (the model, then the count, then the date), the same
    ones on every row; then it cuts the title, which ends in "…"."""

    def __init__(self, title: Content, badge: Content, details: tuple[Content, ...]) -> None:
        self.title = title
        self.badge = badge
        """Kept whole whatever the width (the streaming mark)."""
        self.details = details
        """The same details from the longest to the shortest."""

    def line(self, width: int) -> Content:
        """The row at ``width`` cells: at most that wide, details flush right."""
        detail = next(
            (d for d in self.details if width - d.cell_length - 2 >= TITLE_ROOM), Content()
        )
        room = width - detail.cell_length - (2 if detail else 0)
        head = self.title + self.badge
        if head.cell_length > room:
            cut = max(1, room - self.badge.cell_length)
            head = (self.title.truncate(cut, ellipsis=True) + self.badge).truncate(width)
        gap = max(0, width - head.cell_length - detail.cell_length)
        return Content.assemble(head, " " * gap, detail)

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self.line(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.title.cell_length + self.badge.cell_length + 2 + self.details[0].cell_length

    def get_height(self, rules: RulesMap, width: int) -> int:
        return 1


#: The cells a row keeps for its title before it shows a detail.
TITLE_ROOM = 32


def _when(stamp: str) -> str:
    try:
        moment = datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return reveal(stamp)
    return moment.strftime("%Y-%m-%d %H:%M")


class ConversationsScreen(Dialog[Picked]):
    """The conversation picker; dismisses with a :class:`Picked`."""

    DEFAULT_CSS = """
    #conversations-box {
        width: 90;
        max-width: 95%;
        height: 80%;
        border-title-color: $text-accent;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
    }
    #conversation-list {
        height: 1fr;
        margin-top: 1;
    }
    #conversations-keys {
        margin-top: 1;
    }
    /* Under 30 rows (the app's -short class) every row goes to the list. */
    ConversationsScreen.-short {
        #conversations-box {
            height: 100%;
            max-width: 100%;
            padding: 0 1;
        }
        #search {
            height: 1;
            border: none;
            padding: 0 1;
        }
        #conversation-list {
            margin: 0;
            border: none;
        }
        #conversations-keys {
            margin: 0;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="conversations-close"),
        Binding("down", "move(1)", "Next conversation", id="conversations-down", show=False),
        Binding("up", "move(-1)", "Previous conversation", id="conversations-up", show=False),
        Binding("f2", "rename", "Rename", id="conversations-rename"),
        Binding("delete", "delete", "Delete", id="conversations-delete", priority=True),
        Binding("ctrl+z", "undo", "Undo delete", id="conversations-undo", priority=True),
        Binding("ctrl+n", "new", "New", id="conversations-new"),
    ]

    def __init__(
        self,
        store: Store,
        trash: Trash,
        current: str | None,
        streaming: Collection[str] = (),
    ) -> None:
        """``streaming``: ids of the conversations an answer streams into now."""
        super().__init__()
        self.store = store
        self.trash = trash
        self.current = current
        self.streaming = streaming
        self.summaries: list[ConversationSummary] = []
        self.changed: set[str] = set()

    def compose(self) -> ComposeResult:
        with Vertical(id="conversations-box", classes="dialog-box") as box:
            box.border_title = "Conversations"
            yield Input(placeholder="Type to search titles and messages…", id="search")
            yield OptionList(id="conversation-list")
            yield Static(
                "Enter open · F2 rename · Del delete · Ctrl+Z undo · Ctrl+N new · Esc close",
                id="conversations-keys",
                classes="field-help",
            )

    def on_mount(self) -> None:
        self.query_one("#search", Input).focus()
        self.reload()

    @property
    def options(self) -> OptionList:
        return self.query_one("#conversation-list", OptionList)

    # --- loading -------------------------------------------------------------------

    @on(Input.Changed, "#search")
    def _typed(self) -> None:
        self.reload(debounce=0.15)

    @work(exclusive=True, group="list")
    async def reload(self, debounce: float = 0.0) -> None:
        if debounce:
            await asyncio.sleep(debounce)
        query = self.query_one("#search", Input).value
        try:
            found = await asyncio.to_thread(
                self.store.list_conversations, search=query or None, limit=500
            )
        except StoreError as exc:
            self.notify(reveal(str(exc)), severity="error", markup=False)
            return
        self.show(found, query)

    def show(self, found: list[ConversationSummary], query: str) -> None:
        keep = self.selected
        self.summaries = found
        options = self.options
        options.clear_options()
        options.add_options(
            [Option(describe(s, streaming=s.id in self.streaming), id=s.id) for s in found]
        )
        ids = [s.id for s in found]
        want = keep if keep in ids else self.current if self.current in ids else None
        if found:
            options.highlighted = ids.index(want) if want else 0
        count = f"{len(found)} conversation" + ("" if len(found) == 1 else "s")
        if query.strip():
            count += " match"
        self.query_one("#conversations-box").border_subtitle = count

    @property
    def selected(self) -> str | None:
        """The id of the highlighted conversation."""
        options = self.options
        if options.highlighted is None or not options.option_count:
            return None
        return options.get_option_at_index(options.highlighted).id

    # --- actions -------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        options = self.options
        if not options.option_count:
            return
        current = options.highlighted or 0
        options.highlighted = max(0, min(options.option_count - 1, current + step))

    @on(Input.Submitted, "#search")
    @on(OptionList.OptionSelected)
    def _open(self) -> None:
        ident = self.selected
        if ident is not None:
            self.dismiss(Picked(open=ident, changed=frozenset(self.changed)))

    def action_close(self) -> None:
        self.dismiss(Picked(changed=frozenset(self.changed)))

    def action_new(self) -> None:
        self.dismiss(Picked(new=True, changed=frozenset(self.changed)))

    def _summary(self, ident: str) -> ConversationSummary | None:
        return next((s for s in self.summaries if s.id == ident), None)

    def action_rename(self) -> None:
        ident = self.selected
        s = self._summary(ident) if ident else None
        if s is None:
            return

        def renamed(title: str | None) -> None:
            if title is not None:
                self._rename(s.id, title)

        self.app.push_screen(RenameScreen(reveal(s.title)), callback=renamed)

    @work(group="edit")
    async def _rename(self, ident: str, title: str) -> None:
        try:
            await asyncio.to_thread(self.store.rename, ident, title)
        except StoreError as exc:
            self.notify(reveal(str(exc)), severity="error", markup=False)
            return
        self.changed.add(ident)
        self.notify("Renamed", timeout=2)
        self.reload()

    def action_delete(self) -> None:
        ident = self.selected
        s = self._summary(ident) if ident else None
        if s is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(s.id)

        self.app.push_screen(
            ConfirmScreen(
                "Delete this conversation?",
                f"{s.message_count} messages are removed from the database. "
                "Ctrl+Z here (or “Undo delete” in the command palette) brings it back "
                "until you quit.",
                detail=reveal(s.title) or "untitled",
                yes="Delete",
            ),
            callback=answered,
        )

    @work(group="edit")
    async def _delete(self, ident: str) -> None:
        try:
            saved = await asyncio.to_thread(self.store.export_json, ident)
            await asyncio.to_thread(self.store.delete_conversation, ident)
        except StoreError as exc:
            self.notify(reveal(str(exc)), severity="error", markup=False)
            return
        self.trash.items.append(saved)
        self.changed.add(ident)
        self.notify("Deleted; Ctrl+Z brings it back", timeout=4)
        self.reload()

    @work(group="edit")
    async def action_undo(self) -> None:
        if not self.trash.items:
            self.notify("Nothing to undo", timeout=2)
            return
        saved = self.trash.items.pop()
        try:
            restored = await asyncio.to_thread(self.store.import_json, saved, keep_id=True)
        except StoreError as exc:
            self.trash.items.append(saved)
            self.notify(reveal(str(exc)), severity="error", markup=False)
            return
        self.changed.add(restored.id)
        self.notify("Restored", timeout=2)
        self.reload()
