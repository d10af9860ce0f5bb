"""The scrolling conversation.

It follows new text while the user is at the bottom and stops following as
soon as they scroll up, telling the screen so it can offer a way back (the
"↓ new text" button).

It also owns the stored messages it shows (:meth:`ConversationView.show`): a
long conversation mounts only about a screen of its last messages under an
"earlier messages" line, and mounts the rest a page at a time when the user
scrolls to the top or presses that line. A stored answer is laid out at
estimated heights and drawn only near the view (``RenderedLines.realize``):
when the user scrolls, the blocks within a screen of what is shown are drawn
and the scroll moves by what the blocks above changed in height, so nothing
on screen jumps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import var
from textual.scrollbar import ScrollBar
from textual.widget import Widget

from deepseek_tui.sanitize import clean, reveal

if TYPE_CHECKING:
    from deepseek_tui.store import Message as Stored
    from deepseek_tui.ui.render.history import EarlierMessages, HistoryWindow
    from deepseek_tui.ui.widgets.message import AnswerFooter, AssistantMessage
    from deepseek_tui.ui.widgets.message_actions import MessageActions
    from deepseek_tui.ui.widgets.toolcall import ToolCallBlock


class ConversationView(VerticalScroll):
    """A :class:`VerticalScroll` anchored to its end, reporting when it lets go,
    that shows a stored conversation a page at a time."""

    class Following(Message):
        """Whether the view follows new text (``False``: the user scrolled up)."""

        def __init__(self, view: ConversationView, following: bool) -> None:
            super().__init__()
            self.view = view
            self.following = following

        @property
        def control(self) -> ConversationView:
            return self.view

    shifted: var[int] = var(0, init=False)
    """Counts the times lazy drawing moved the text under the view (the scroll
    kept what is on screen in place, without a ``scroll_y`` change to watch):
    what is laid over the text (find's marks) must be placed again."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._following = True
        self._window: HistoryWindow[Stored] | None = None
        self._paging = False
        self._offered = False

    @property
    def following(self) -> bool:
        """Whether new text scrolls into view by itself."""
        return self._following

    def follow(self) -> None:
        """Jump to the end and follow new text again."""
        self.anchor()
        self._set_following(True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        # Textual lets go of the anchor when the user scrolls and takes it back
        # when they reach the end again; mirror that as a message.
        self._set_following(not (self.is_anchored and self._anchor_released))
        self.realize()
        if new_value <= 0 < old_value and not self._following and not self._paging:
            self.call_later(self.show_earlier)

    def on_resize(self) -> None:
        self.call_after_refresh(self.realize)

    def realize(self) -> None:
        """Draw the lazy text within a screen of the view, keeping the line at
        its top where it is."""
        from deepseek_tui.ui.render.lines import RenderedLines

        top = round(self.scroll_y)
        height = self.scrollable_content_region.height
        start, end = top - height, top + 2 * height
        shift = 0
        for child in self.children:
            region = child.virtual_region
            if region.bottom < start or region.y > end or not child.display:
                continue
            for lines in child.query(RenderedLines):
                if lines.lazy and lines.display:
                    at = offset_in(lines, self)
                    shift += lines.realize(start - at, end - at, top - at)
        if shift and not (self.is_anchored and not self._anchor_released):
            # Before the next frame is laid out, so what is on screen stays put.
            y, target = self.scroll_y + shift, self.scroll_target_y + shift
            gliding = self.app.animator.is_being_animated(self, "scroll_y")
            self.set_reactive(ConversationView.scroll_y, y)
            self.set_reactive(ConversationView.scroll_target_y, target)
            self.vertical_scrollbar.set_reactive(ScrollBar.position, y)
            if gliding:  # an animated scroll (Page Up) heads for the same text
                self.scroll_to(y=target, animate=True, duration=0.1)
        if shift:
            self.shifted += 1

    def offer_new_text(self) -> bool:
        """Whether the "new text" way back must be offered now: once per time
        the user scrolls away (text arrives many times a second)."""
        offer, self._offered = not self._offered, True
        return offer

    def _set_following(self, following: bool) -> None:
        if following:
            self._offered = False
        if following != self._following:
            self._following = following
            self.post_message(self.Following(self, following))

    # --- stored messages --------------------------------------------------------------

    async def clear(self) -> None:
        """Show nothing (a new conversation)."""
        self._window = None
        await self.remove_children()

    async def show(self, messages: Sequence[Stored], *, rows: int) -> None:
        """Show a stored conversation: its last messages, about ``rows`` lines of
        them (topped up if wrapping makes that fall short), under a line that
        mounts the rest."""
        from deepseek_tui.ui.render.history import EarlierMessages, HistoryWindow

        window: HistoryWindow[Stored] = HistoryWindow(list(messages), weight=_lines, budget=rows)
        self._window = window
        widgets, closing = history_widgets(window.latest(), messages[-1] if messages else None)
        await self.remove_children()
        await self.mount_all([EarlierMessages(window.hidden), *widgets])
        await close_views(closing)
        self.scroll_end(animate=False)
        self.call_after_refresh(self._fill)

    async def _fill(self) -> None:
        """Mount earlier messages while what is mounted does not fill the view."""
        self.realize()
        short = self.virtual_size.height <= self.size.height
        if self._window is not None and short and await self.show_earlier():
            self.call_after_refresh(self._fill)

    async def on_earlier_messages_pressed(self, event: EarlierMessages.Pressed) -> None:
        await self.show_earlier()

    async def show_earlier(self) -> bool:
        """Mount the page of stored messages before the first one shown, keeping
        what the user is reading where it is on screen; ``False`` when there
        are none left."""
        from deepseek_tui.ui.render.history import EarlierMessages

        window = self._window
        lines = self.query_children(EarlierMessages)
        if window is None or not window.hidden or not lines:
            return False
        line = lines.first()
        widgets, closing = history_widgets(window.earlier())
        before = self.virtual_size.height
        top = self.scroll_y
        self._paging = True
        try:
            await self.mount_all(widgets, after=line)
            line.update_count(window.hidden)
            await close_views(closing)
        finally:
            self._paging = False

        def keep_place() -> None:
            self.scroll_to(y=top + self.virtual_size.height - before, animate=False, immediate=True)

        self.call_after_refresh(keep_place)
        return True


def history_widgets(
    batch: Sequence[Stored], last: Stored | None = None
) -> tuple[list[Widget], list[tuple[AssistantMessage, Stored]]]:
    """Widgets for stored messages; ``last`` is the conversation's final
    message (the only one that can offer "continue")."""
    from deepseek_tui.ui.widgets.message import AssistantMessage, UserMessage

    widgets: list[Widget] = []
    closing: list[tuple[AssistantMessage, Stored]] = []
    calls: dict[str, ToolCallBlock] = {}
    for m in batch:
        if m.role == "user":
            widgets.append(UserMessage(reveal(m.content), attachments=m.attachments))
        elif m.role == "tool":
            block = calls.pop(m.tool_call_id or "", None)
            if block is None:  # its call is on the page before: shown on its own
                block = call_block({"id": m.tool_call_id, "function": {"name": m.tool_name}})
                widgets.append(block)
            block.stored_result(m.tool_status or "ok", m.content)
        elif m.role == "assistant" and m.tool_calls:
            if m.content.strip() or m.reasoning:
                view = AssistantMessage(
                    reveal(m.model or "?"),
                    content=reveal(m.content),
                    reasoning=reveal(m.reasoning or ""),
                )
                widgets.append(view)
                closing.append((view, m))
            for call in m.tool_calls:
                block = call_block(call)
                calls[block.call_id] = block
                widgets.append(block)
        elif m.role == "assistant":
            view = AssistantMessage(
                reveal(m.model or "?"),
                content=reveal(m.content),
                reasoning=reveal(m.reasoning or ""),
            )
            widgets.append(view)
            closing.append((view, m))
            cut = m is last and m.finish_reason == "length"
            widgets.append(actions_for(m.content, cut=cut))
    if last is not None:  # the end of the conversation: nothing answers these calls
        from deepseek_tui.tools import NOT_RUN

        for block in calls.values():
            block.stored_result("not_run", NOT_RUN)
    return widgets, closing


def call_block(call: Mapping[str, Any]) -> ToolCallBlock:
    """A stored call (OpenAI shape) as a block; ``server__tool`` names are
    split for display (the store keeps the wire name only)."""
    from deepseek_tui.ui.widgets.toolcall import ToolCallBlock

    function = call.get("function")
    function = function if isinstance(function, Mapping) else {}
    name = str(function.get("name") or "?")
    server, _, tool = name.partition("__")
    return ToolCallBlock(
        str(call.get("id") or ""),
        server if tool else None,
        tool or name,
        str(function.get("arguments") or ""),
    )


async def close_views(closing: Sequence[tuple[AssistantMessage, Stored]]) -> None:
    """Give each stored answer its footer: tokens, cost, and how it ended."""
    for view, m in closing:
        state = m.status if m.status != "streaming" else "interrupted"
        await view.close(state, stored_footer(m))


def stored_footer(m: Stored, *, currency: str = "USD") -> AnswerFooter:
    """The footer of a stored answer: its tokens (cached ones too) and cost."""
    from deepseek_tui.ui.widgets.message import AnswerFooter

    usage = m.usage or {}
    state = m.status if m.status != "streaming" else "interrupted"
    cached = usage.get("cache_hit_tokens")
    prompt = usage.get("prompt_tokens")
    return AnswerFooter(
        completion_tokens=usage.get("completion_tokens"),
        prompt_tokens=prompt if isinstance(prompt, int) else None,
        cached_tokens=cached if isinstance(cached, int) else None,
        cost=m.cost,
        currency=currency,
        note=reveal(m.error or "") if state == "error" else "",
        billed=bool(m.content or m.reasoning),
    )


def actions_for(content: str, *, cut: bool = False) -> MessageActions:
    """The copy / continue links for an answer with this (raw) text."""
    from deepseek_tui.ui.clipboard import code_blocks
    from deepseek_tui.ui.widgets.message_actions import MessageActions

    text = clean(content)
    return MessageActions(text, code=len(code_blocks(text)), cut=cut)


def offset_in(widget: Widget, view: Widget) -> int:
    """Where ``widget``'s first line is in ``view``'s scrolled content, as laid
    out now."""
    y = 0
    node: Widget = widget
    while node is not view:
        y += node.virtual_region.y
        parent = node.parent
        if not isinstance(parent, Widget):
            break
        if parent is not view:
            y += parent.styles.gutter.top
        node = parent
    return y


def _lines(m: Stored) -> int:
    """About how many lines a stored message takes on screen (reasoning folds)."""
    calls = len(m.tool_calls or ()) * 4
    return m.content.count("\n") + 2 + calls
