"""The command palette reaches the chat actions by name."""

from __future__ import annotations

from textual.command import CommandPalette

from deepseek_tui.testing import FakeDeepSeek
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.screens.conversations import ConversationsScreen

from .conftest import SIZE, make_app, palette_offers, wait_for


async def test_palette_opens_the_conversations_panel(server: FakeDeepSeek) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"conversations")
        await wait_for(pilot, lambda: palette_offers(app, "Conversations: open"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen))


def test_every_chat_binding_has_an_id_and_a_palette_entry() -> None:
    from textual.binding import Binding

    from deepseek_tui.ui.palette import ACTIONS

    in_palette = {action for _, action, _ in ACTIONS}
    for binding in ChatScreen.BINDINGS + ConversationsScreen.BINDINGS:
        assert isinstance(binding, Binding) and binding.id, binding
    for binding in ChatScreen.BINDINGS:
        assert isinstance(binding, Binding)
        assert binding.action in in_palette, binding.action


async def test_help_lists_the_new_keys(server: FakeDeepSeek) -> None:
    from .conftest import screen_text

    app = make_app()
    async with app.run_test(size=(100, 60)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        ids = [row[2] for row in app.key_rows()]
        for wanted in (
            "copy-answer",
            "copy-code",
            "continue-answer",
            "export",
            "conversations-rename",
            "conversations-down",
        ):
            assert wanted in ids
        await pilot.press("f1")
        await wait_for(pilot, lambda: "copy-answer" in screen_text(app))
