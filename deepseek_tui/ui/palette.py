"""Command palette (Ctrl+P) entries for the chat screen's actions, so every
action can be found by name, with its current key shown next to it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

#: (title, action on the chat screen, help)
ACTIONS: tuple[tuple[str, str, str], ...] = (
    ("Conversations: open, search, rename, delete", "conversations", "Ctrl+O"),
    ("New conversation", "new", "Start an empty conversation"),
    ("Regenerate the last answer", "regenerate", "The old answer stays as an alternative"),
    ("Previous alternative", "alternative(-1)", "Show the earlier answer or branch"),
    ("Next alternative", "alternative(1)", "Show the later answer or branch"),
    ("Edit the last prompt", "edit", "Resend it as a new branch"),
    ("Copy last answer", "copy_answer", "The marked message (Alt+Up), else the last answer"),
    ("Copy last code block", "copy_code", "The last fenced code block of the answers"),
    ("Continue the cut-off answer", "continue_answer", "Ask the model to go on after max_tokens"),
    ("Export conversation to Markdown or JSON", "export", "Write the open conversation to a file"),
    ("Import conversation from JSON", "import", "Open a JSON export as a new conversation"),
    (
        "Send at off-peak",
        "send_off_peak",
        "Hold the message until DeepSeek's off-peak window (half price) opens",
    ),
    ("Attach a file or an image", "attach", "Send it with the next message (or /attach PATH)"),
    (
        "Save settings as default",
        "save_default",
        "Sidebar values become the defaults for new chats",
    ),
    ("Undo delete", "undo_delete", "Bring back the conversation deleted last"),
    ("Toggle settings sidebar", "sidebar", "Model, thinking, parameters"),
    ("Reasoning: open, fold or hide", "reasoning", "Of the marked answer, else the last"),
    ("Find in the conversation", "find", "Ctrl+F; Enter next, Shift+Enter previous"),
    ("Follow new text", "bottom", "Jump to the end of the conversation"),
    ("Top of the conversation", "top", "Ctrl+Home, also from the prompt"),
    ("Mark the previous message", "message(-1)", "Alt+Up: the message keys act on it"),
    ("Mark the next message", "message(1)", "Alt+Down; past the last clears the mark"),
    ("Stop generating", "stop", "Keep what arrived"),
    ("Help: every key and how to remap it", "app.help", "F1"),
    ("Retry the failed message", "retry", "Run the failed turn again"),
    ("Tools (MCP): servers and on/off switches", "tools", "In the settings sidebar"),
)


class ChatCommands(Provider):
    """Every chat action by name."""

    async def discover(self) -> Hits:
        for title, action, help_text in ACTIONS:
            yield DiscoveryHit(title, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in ACTIONS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(title), partial(self._run, action), help=help_text
                )

    async def _run(self, action: str) -> None:
        await self.screen.run_action(action)


class ToolCommands(Provider):
    """A tool on or off for the conversation on screen, per configured tool
    (the chat screen lists them: ``palette_tools()``)."""

    def _entries(self) -> list[tuple[str, Callable[[], object], str]]:
        entries = getattr(self.screen, "palette_tools", None)
        return list(entries()) if callable(entries) else []

    async def discover(self) -> Hits:
        for title, run, help_text in self._entries():
            yield DiscoveryHit(Content(title), run, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, run, help_text in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
