"""Widgets that carry their own CSS use only Textual's theme variables, so
they can be shown by any Textual app (the benchmarks' plain apps among them);
the app's own variables ($user-bubble...) are used only in app.tcss."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult

from deepseek_tui.attachments import Attachment
from deepseek_tui.ui.render.history import EarlierMessages
from deepseek_tui.ui.screens.confirm import ConfirmScreen
from deepseek_tui.ui.screens.first_run import FirstRunScreen
from deepseek_tui.ui.screens.help import HelpScreen
from deepseek_tui.ui.screens.path_dialog import PathScreen
from deepseek_tui.ui.screens.rename import RenameScreen
from deepseek_tui.ui.widgets.attachments import AttachmentChip
from deepseek_tui.ui.widgets.message import AnswerFooter, AssistantMessage, ErrorBlock, UserMessage
from deepseek_tui.ui.widgets.message_actions import MessageActions
from deepseek_tui.ui.widgets.reasoning import ReasoningBlock


async def _no_check(key: str) -> str | None:
    return None


class Plain(App[None]):
    def compose(self) -> ComposeResult:
        yield UserMessage("question")
        yield AssistantMessage("deepseek-flash", content="**answer**", reasoning="thought")
        yield MessageActions("answer", code=1)
        yield ErrorBlock("it failed", "press F5")
        yield ReasoningBlock("more thought")
        yield EarlierMessages(3)
        yield AttachmentChip(
            Attachment("notes.txt", Path("notes.txt"), "text", "text/plain", 5, b"hello", "hello")
        )


async def test_message_widgets_and_dialogs_style_in_a_plain_textual_app() -> None:
    app = Plain()
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        answer = app.query_one(AssistantMessage)
        await answer.close("complete", AnswerFooter(completion_tokens=3, cost=0.0))
        dialogs = [
            ConfirmScreen("Open this link?", "It opens.", detail="https://x"),
            RenameScreen("a title"),
            PathScreen("Export this conversation", "/tmp/a.md"),
            FirstRunScreen("https://api.deepseek.com", _no_check),
            HelpScreen([("Send", "enter", "send")]),
        ]
        for dialog in dialogs:
            await app.push_screen(dialog)
            await pilot.pause()
            assert app.screen is dialog
        assert "answer" in app.query_one(AssistantMessage).body.text
