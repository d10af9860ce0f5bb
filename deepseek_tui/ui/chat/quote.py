"""The quote in the status line while the user types, and the ``[budget]``
caps at send (see :mod:`deepseek_tui.quote` and :mod:`deepseek_tui.budget`).

A keystroke only restarts a short timer; when typing pauses for
:data:`DEBOUNCE` seconds the quote is made from the conversation's
:class:`~deepseek_tui.quote.Basis` (read from the store on a thread, once per
change of the conversation) and the prompt's text. Beside the conversation's
cost the line shows the share of its prompt tokens served from cache.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from deepseek_tui.sanitize import reveal

if TYPE_CHECKING:
    from collections.abc import Sequence

    from textual.timer import Timer

    from deepseek_tui.attachments import Attachment
    from deepseek_tui.budget import Verdict
    from deepseek_tui.quote import Basis, Quote
    from deepseek_tui.store import Message
    from deepseek_tui.turn_events import TurnOutcome
    from deepseek_tui.ui.screens.chat import ChatScreen

__all__ = ["DEBOUNCE", "QuoteWatcher"]

#: Seconds of no typing before the quote is worked out again.
DEBOUNCE = 0.15


class QuoteWatcher:
    """Keeps the status line's quote and cache share up to date for one chat screen.

    The cache share is set at once when a conversation is shown
    (:meth:`loaded`) or an answer ends (:meth:`answered`), from what is at
    hand; the quote of typed text waits for a pause (:meth:`changed`). A
    quote worked out from an older state of the conversation is dropped."""

    def __init__(self, screen: ChatScreen) -> None:
        self.screen = screen
        self._timer: Timer | None = None
        self._basis: Basis | None = None
        self._key: tuple[object, ...] | None = None
        self._generation = 0
        """Bumped whenever the conversation's basis changes under a pending quote."""
        self.shown = ""
        """The segment's text as last set (what a test reads)."""

    def changed(self) -> None:
        """The prompt (or the settings) changed: quote again after a pause."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.screen.set_timer(DEBOUNCE, self._update)

    def loaded(self, messages: Sequence[Message]) -> None:
        """A conversation is shown with these messages (its branch)."""
        from deepseek_tui.quote import basis

        self._set(basis(messages, system=self.screen.sidebar.values().system or None))

    def answered(self, outcome: TurnOutcome, model: str) -> None:
        """An answer ended in the conversation on screen."""
        from deepseek_tui.quote import after_answer

        last = outcome.usage
        if last is None or self._basis is None:
            self._basis, self._key = None, None  # read again from the store when needed
            self._generation += 1
            self.changed()
            return
        self._set(
            after_answer(
                self._basis,
                last,
                outcome.total_usage(),
                model=model,
                tool_calls=bool(outcome.calls),
                complete=outcome.status == "complete",
            )
        )

    def _set(self, b: Basis) -> None:
        self._generation += 1
        self._basis, self._key = b, self._state()
        self.screen.status.set(cache_share=b.hit_ratio)
        if self.screen.prompt.text.strip():
            self.changed()
        else:
            self.show("")

    def _state(self) -> tuple[object, ...]:
        screen = self.screen
        c = screen.conversation
        return (c.id if c else None, screen.measured, screen.cost)

    async def basis(self) -> Basis:
        """The conversation's basis, read again only when the conversation changed."""
        from deepseek_tui.quote import Basis, basis

        key = self._state()
        if self._basis is None or key != self._key:
            c = self.screen.conversation
            system = self.screen.sidebar.values().system or None
            if c is None:
                b = Basis()
            else:
                generation = self._generation
                history = await asyncio.to_thread(self.screen.store.messages, c.id)
                if generation != self._generation and self._basis is not None:
                    return self._basis  # the conversation moved on while it was read
                b = basis(history, system=system)
            self._basis, self._key = b, key
        return self._basis

    async def quote(self, text: str, attachments: tuple[Attachment, ...] = ()) -> Quote:
        """What sending ``text`` (with ``attachments``) would cost now."""
        from deepseek_tui.quote import quote_message

        screen = self.screen
        b = await self.basis()
        values = screen.sidebar.values()
        return quote_message(
            b,
            text,
            screen.session.spec(values.model),
            screen.session.now(),
            system=values.system,
            max_tokens=values.turn().max_tokens,
            attachments=attachments,
        )

    async def _update(self) -> None:
        from deepseek_tui.quote import status_text

        screen = self.screen
        if not screen.is_attached:
            return
        generation = self._generation
        text = screen.prompt.text
        try:
            shown = ""
            if text.strip():
                shown = status_text(await self.quote(text, tuple(screen.tray.items)))
            share = (await self.basis()).hit_ratio
        except Exception:  # a store that went away: the quote is optional, say nothing
            shown, share = "", None
        if generation == self._generation and text == screen.prompt.text:
            self.show(shown)
            screen.status.set(cache_share=share)

    def show(self, text: str) -> None:
        self.shown = text
        self.screen.status.set(quote=reveal(text))

    async def over_cap(self, text: str, attachments: tuple[Attachment, ...]) -> Verdict:
        """This send under ``[budget]``: refused (the one line saying why), or
        sent with a lower ``max_tokens`` that keeps it under the caps, or as it
        is. Unknown prices are never refused: a note says the caps do not apply."""
        from deepseek_tui import budget

        limits = self.screen.session.settings.budget
        if not limits.any:
            return budget.Verdict()
        quote = await self.quote(text, attachments)
        note = budget.unpriced_note(limits, quote)
        if note is not None:
            self.screen.notify(note, timeout=5, markup=False)
            return budget.Verdict()
        from deepseek_tui.store import StoreError

        try:
            now = self.screen.session.now()
            spent = await asyncio.to_thread(budget.spent, self.screen.store, now)
        except StoreError as exc:  # the caps cannot be checked: say so, ask first
            return budget.Verdict(f"what was spent could not be read ({exc})")
        return budget.check(limits, quote, spent)


async def confirm_over_cap(screen: ChatScreen, text: str, refusal: str) -> bool:
    """Say why the message was not sent and offer to send it anyway, once
    (Cancel has the focus, so a reflexive Enter does not spend past a cap:
    Shift+Tab then Enter, or a click, sends; Esc keeps it in the prompt)."""
    from deepseek_tui.ui.screens.confirm import ConfirmScreen

    go = await screen.app.push_screen_wait(
        ConfirmScreen(
            "Over your budget",
            f"Not sent: {reveal(refusal)}.",
            detail="Send anyway sends this one message; the caps are in [budget] in config.toml.",
            yes="Send anyway",
        )
    )
    if not go:
        screen.prompt.load_text(text)
        screen.prompt.move_cursor(screen.prompt.document.end)
        screen.notify("Not sent; the message is back in the prompt", timeout=3)
    return bool(go)
