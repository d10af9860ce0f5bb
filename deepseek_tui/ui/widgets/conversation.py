"""The scrolling conversation: it follows new text while the user is at the
bottom and stops following as soon as they scroll up, telling the screen so it
can offer a way back (the "↓ new text" button), and tells it when the user
scrolls to the very top (where earlier messages of a long conversation load)."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.message import Message


class ConversationView(VerticalScroll):
    """A :class:`VerticalScroll` anchored to its end, reporting when it lets go."""

    class Following(Message):
        """Whether the view follows new text (``False``: the user scrolled up)."""

        def __init__(self, view: ConversationView, following: bool) -> None:
            super().__init__()
            self.view = view
            self.following = following

        @property
        def control(self) -> ConversationView:
            return self.view

    class ReachedTop(Message):
        """The user scrolled to the top: time to show earlier messages, if any."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._following = True

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
        if new_value <= 0 < old_value and not self._following:
            self.post_message(self.ReachedTop())

    def _set_following(self, following: bool) -> None:
        if following != self._following:
            self._following = following
            self.post_message(self.Following(self, following))
