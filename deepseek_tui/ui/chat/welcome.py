"""What an empty conversation shows: a muted hint of what to type and the keys
worth knowing, drawn by the conversation view itself while it holds nothing.

It is not a widget: it cannot take focus or clicks, and it is gone as soon as
the first message is mounted (and back after ``Ctrl+N``). A stored
conversation being opened does not flash it: it shows only while the screen
has no conversation. The keys are the ones in force, remappings included. In
the demo it says how to start the tour.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import RenderResult
from textual.content import Content

from deepseek_tui.ui.widgets.conversation import ConversationView

__all__ = ["ChatView", "hint"]


def hint(keys: dict[str, str], *, demo: bool) -> Content:
    """The hint's text; ``keys`` maps binding ids to the keys shown for them."""

    def key(ident: str, fallback: str) -> str:
        return keys.get(ident) or fallback

    send = key("send", "enter")
    if demo:
        lines = [
            "This is the demo: canned answers from a server inside the app.",
            f"Type anything below (say, hello) and press {send} to start the tour.",
            "",
            f"{key('sidebar', '^s')} settings · {key('palette', '^p')} commands"
            f" · {key('help', 'f1')} keys · {key('quit', '^q')} quit",
        ]
    else:
        lines = [
            "New conversation",
            f"Type a message below and press {send} to send it.",
            "",
            f"{key('sidebar', '^s')} model and settings · {key('conversations', '^o')}"
            " conversations",
            f"{key('attach', '^t')} attach a file · {key('help', 'f1')} every key",
        ]
    return Content("\n".join(lines))


class ChatView(ConversationView):
    """The conversation view of the chat screen: shows :func:`hint` while empty."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"chat-view--hint"}

    DEFAULT_CSS = """
    ChatView {
        content-align: center middle;
        text-align: center;

        .chat-view--hint {
            color: $text-muted;
        }
    }
    """

    def __init__(self, *, demo: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.demo = demo

    def render(self) -> RenderResult:
        if not self.is_empty or getattr(self.screen, "conversation", None) is not None:
            return super().render()  # messages, or a stored conversation on its way
        rows = getattr(self.app, "key_rows", None)
        keys = {ident: shown.split(", ")[0] for _, shown, ident in rows()} if rows else {}
        return hint(keys, demo=self.demo).stylize(self.get_visual_style("chat-view--hint"))
