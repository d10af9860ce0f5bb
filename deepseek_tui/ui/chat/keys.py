"""The chat screen's keys for reading and acting on messages: scrolling the
conversation from the prompt, find (Ctrl+F), moving between messages
(Alt+Up / Alt+Down), reasoning (Ctrl+R) and the actions on the focused (else
the last) message. A mixin of :class:`~deepseek_tui.ui.screens.chat.ChatScreen`,
which declares the bindings; the work is in :mod:`.branches`, :mod:`.focus`
and :mod:`.find`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from deepseek_tui.ui.chat.find import Finder
    from deepseek_tui.ui.screens.chat import ChatScreen
    from deepseek_tui.ui.widgets.findbar import FindBar
    from deepseek_tui.ui.widgets.message_actions import MessageActions
    from deepseek_tui.ui.widgets.prompt import PromptInput


class MessageKeys:
    """Actions and handlers of the chat screen's message keys."""

    _finder: Finder | None = None

    @property
    def _chat(self) -> ChatScreen:
        return cast("ChatScreen", self)

    # --- scrolling ---------------------------------------------------------------------

    def action_bottom(self) -> None:
        self._chat.pane.follow()

    def action_top(self) -> None:
        self._chat.pane.scroll_home(animate=False)

    def on_prompt_input_page(self, event: PromptInput.Page) -> None:
        pane = self._chat.pane
        if event.step < 0:
            pane.scroll_page_up(animate=False)
        else:
            pane.scroll_page_down(animate=False)

    # --- moving between messages, reasoning ------------------------------------------

    async def action_message(self, step: int) -> None:
        from deepseek_tui.ui.chat import focus

        shown = focus.messages(self._chat)
        first = step < 0 and shown and focus.focused(self._chat) is shown[0]
        if first and await self._chat.pane.show_earlier():  # the page above, if any
            from deepseek_tui.ui.chat.branches import mark_alternatives

            self._chat.background(mark_alternatives(self._chat), "alternatives")
        focus.move(self._chat, step)

    def action_reasoning(self) -> None:
        from deepseek_tui.ui.chat import focus

        focus.reasoning(self._chat)

    # --- find --------------------------------------------------------------------------

    @property
    def finder(self) -> Finder:
        if self._finder is None:
            from deepseek_tui.ui.chat.find import Finder

            self._finder = Finder(self._chat)
        return self._finder

    async def action_find(self) -> None:
        await self.finder.open()

    def on_find_bar_changed(self, event: FindBar.Changed) -> None:
        self.finder.search(event.query)

    def on_find_bar_step(self, event: FindBar.Step) -> None:
        self.finder.step(event.step)

    def on_find_bar_closed(self) -> None:
        self.finder.close()

    # --- actions on messages (see deepseek_tui.ui.chat.branches) -------------------------

    async def action_regenerate(self) -> None:
        from deepseek_tui.ui.chat import branches

        await branches.regenerate(self._chat)

    async def action_alternative(self, step: int) -> None:
        from deepseek_tui.ui.chat import branches

        await branches.alternative(self._chat, step)

    async def action_edit(self) -> None:
        from deepseek_tui.ui.chat import branches

        await branches.edit_last(self._chat)

    def action_copy_answer(self) -> None:
        from deepseek_tui.ui.chat import branches

        branches.copy_answer(self._chat)

    def action_copy_code(self) -> None:
        from deepseek_tui.ui.chat import branches

        branches.copy_code(self._chat)

    async def action_continue_answer(self) -> None:
        from deepseek_tui.ui.chat import branches

        await branches.continue_answer(self._chat)

    async def on_message_actions_pressed(self, event: MessageActions.Pressed) -> None:
        from deepseek_tui.ui.chat import branches

        await branches.actions_pressed(self._chat, event)
