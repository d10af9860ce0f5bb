"""Opening long conversations: mount the last screenful, the rest on request.

Every mounted message costs widgets, layout and memory, and a conversation of
2,000 messages mounted whole takes seconds and hundreds of megabytes. The chat
screen instead keeps a :class:`HistoryWindow` over the stored messages, mounts
``window.latest()`` under an :class:`EarlierMessages` line, and when that line
is pressed mounts ``window.earlier()`` right after it::

    window = HistoryWindow(messages)
    await pane.mount(EarlierMessages(window.hidden))
    await pane.mount_all(make_widgets(window.latest()))
    ...
    @on(EarlierMessages.Pressed)
    async def _earlier(self, event: EarlierMessages.Pressed) -> None:
        batch = window.earlier()
        await pane.mount_all(make_widgets(batch), after=event.line)
        event.line.update_count(window.hidden)

Text of messages never mounted is never parsed or rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from textual import events
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

T = TypeVar("T")

#: Messages mounted when a conversation opens: more than a tall screen shows.
LATEST = 40
#: Messages mounted per press of "earlier messages".
PAGE = 100
#: Weight (lines of text) after which the first batch stops; pages take twice it.
#: The chat screen passes one screen's height instead.
BUDGET = 400


class HistoryWindow(Generic[T]):
    """Which stored messages are mounted: a suffix that grows backwards.

    With a ``weight`` (say, a message's line count) a batch also stops once it
    weighs ``budget``, so a few very long answers do not get mounted at once.
    Every batch holds at least one message."""

    def __init__(
        self,
        items: Sequence[T],
        *,
        latest: int = LATEST,
        page: int = PAGE,
        weight: Callable[[T], int] | None = None,
        budget: int = BUDGET,
    ) -> None:
        self._items = items
        self._start = len(items)
        self._latest = latest
        self._page = page
        self._weight = weight
        self._budget = budget

    @property
    def hidden(self) -> int:
        """How many earlier messages are not mounted yet."""
        return self._start

    def latest(self) -> Sequence[T]:
        """The last messages, to mount when the conversation opens."""
        self._start = len(self._items)
        return self._take(self._latest, self._budget)

    def earlier(self) -> Sequence[T]:
        """The page before what is mounted (empty when everything is)."""
        return self._take(self._page, 2 * self._budget)

    def _take(self, count: int, budget: int) -> Sequence[T]:
        end = self._start
        start = max(0, end - count)
        if self._weight is not None:
            used = 0
            for i in range(end - 1, start - 1, -1):
                used += self._weight(self._items[i])
                if used >= budget:
                    start = i
                    break
        self._start = start
        return self._items[start:end]


class EarlierMessages(Static, can_focus=True):
    """ "↑ N earlier messages" at the top of a long conversation; Enter or a
    click asks for the next page (the screen mounts it)."""

    DEFAULT_CSS = """
    EarlierMessages {
        width: 100%;
        content-align: center middle;
        color: $text-muted;
        margin: 1 0 0 0;
        &:focus { text-style: reverse; }
    }
    """
    BINDINGS = [("enter", "press", "Show earlier messages")]

    class Pressed(Message):
        """The user asked for earlier messages."""

        def __init__(self, line: EarlierMessages) -> None:
            super().__init__()
            self.line = line

        @property
        def control(self) -> EarlierMessages:
            return self.line

    def __init__(self, hidden: int) -> None:
        super().__init__(self._label(hidden))
        self.display = hidden > 0

    @staticmethod
    def _label(hidden: int) -> Content:
        noun = "message" if hidden == 1 else "messages"
        return Content(f"↑ {hidden:,} earlier {noun} · click or Enter to show")

    def update_count(self, hidden: int) -> None:
        """Say how many are still hidden; disappear when none are."""
        self.update(self._label(hidden))
        self.display = hidden > 0

    def action_press(self) -> None:
        self.post_message(self.Pressed(self))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.action_press()
