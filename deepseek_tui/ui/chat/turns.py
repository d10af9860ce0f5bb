"""The answers of a chat screen while they stream, and what follows them.

:class:`Turns` owns that state: the :class:`~deepseek_tui.ui.live.LiveTurn`
of every conversation an answer streams into (shown or not), the one shown,
the messages queued behind it, and the failed turn F5 can ask again. The
screen routes keys and messages here and gives it its widgets to feed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, NamedTuple

from deepseek_tui.sanitize import reveal

if TYPE_CHECKING:
    from deepseek_tui.attachments import Attachment
    from deepseek_tui.store import Conversation, Message
    from deepseek_tui.turn import Prepared
    from deepseek_tui.turn_events import ProposedCall
    from deepseek_tui.ui.live import LiveTurn, QueuedSend
    from deepseek_tui.ui.screens.chat import ChatScreen
    from deepseek_tui.ui.widgets.message import AnswerFooter, AssistantMessage, ErrorBlock


class Failed(NamedTuple):
    """A turn that can be run again: its prompt, and what to clean up first."""

    prompt: str
    block: ErrorBlock
    view: AssistantMessage | None
    switch_to: tuple[str, bool | None] | None = None
    attachments: tuple[Attachment, ...] = ()
    branch_from: int | None = None
    """The failed prompt's stored id: the retry becomes an alternative to it."""
    continuing: bool = False
    """A failed continuation in place: the retry continues the answer again."""


class Turns:
    """The streaming answers of one chat screen (see the module docstring)."""

    def __init__(self, screen: ChatScreen) -> None:
        self.screen = screen
        self.live: dict[str, LiveTurn] = {}
        """Answers streaming now, by conversation id (shown or not)."""
        self.shown: LiveTurn | None = None
        """The streaming answer of the conversation on screen."""
        self.held: dict[str, list[QueuedSend]] = {}
        """Queued messages of conversations whose answer failed while not shown."""
        self.failed: Failed | None = None
        self.told: set[tuple[str, str]] = set()
        """Request notes already shown, by conversation id: each is said once
        (JSON mode's added instruction would otherwise come with every turn)."""

    def streaming(self) -> list[LiveTurn]:
        """Every answer streaming now, in any conversation."""
        seen = list(self.live.values())
        if self.shown is not None and self.shown not in seen:
            seen.append(self.shown)
        return seen

    def leave(self) -> None:
        """The conversation on screen is being replaced: its answer streams on unseen."""
        if self.shown is not None:
            self.shown.detach()
            self.show(None)
        self.failed = None

    async def start(
        self,
        prompt: str,
        drop: int = 0,
        attachments: tuple[Attachment, ...] = (),
        *,
        branch_from: int | None = None,
        queued: QueuedSend | None = None,
        conversation: Conversation | None = None,
        answer_limit: int | None = None,
        shown: bool = True,
    ) -> LiveTurn:
        """Start a turn in the conversation on screen (or, with ``shown=False``,
        in ``conversation`` behind the scenes)."""
        from deepseek_tui.ui.live import LiveTurn
        from deepseek_tui.ui.widgets.message import AssistantMessage

        if queued is not None:
            settings, system = queued.settings, queued.system
            answer_limit = queued.answer_limit
        else:
            values = self.screen.sidebar.values()
            settings, system = values.turn(), values.system
        target = self.screen.conversation if shown else conversation
        choices = (
            self.screen.tool_choices
            if shown
            else self.screen.tools.choices(target.id if target is not None else None)
        )
        box = await self.screen.tools.box(choices)
        if box is not None and not self.screen.session.spec(settings.model).tools:
            box = None  # the catalog says this model takes no tools
        holder: list[LiveTurn] = []

        async def approve(calls: Sequence[ProposedCall]) -> list[bool]:
            from deepseek_tui.ui.chat import toolturn

            return await toolturn.approve(self.screen, holder[0], calls)

        turn = self.screen.session.turn(
            prompt,
            settings,
            conversation=target,
            system=system or None,
            attachments=attachments,
            drop_oldest=drop,
            branch_from=branch_from,
            tools=box,
            approve=approve if box is not None else None,
            answer_limit=answer_limit,
        )
        live = LiveTurn(
            turn,
            clock=self.screen.ctx.clock,
            collapse=self.screen.session.settings.ui.collapse_reasoning,
        )
        live.choices = choices
        holder.append(live)
        if shown:
            from deepseek_tui.ui.widgets.message_actions import MessageActions

            for row in self.screen.query(MessageActions):
                row.set_cut(False)
            view = AssistantMessage(reveal(settings.model))
            await self.screen.pane.mount(view)
            await live.attach(view)
            self.show(live)
        elif turn.conversation is not None:
            self.live[turn.conversation.id] = live
        live.worker = self.screen.background(self._stream(live), "turn")
        return live

    async def continue_in_place(self, partial: Message) -> LiveTurn:
        """Continue ``partial``, the conversation's last answer (cut off), with
        DeepSeek's prefix completion: its view is replaced by one that shows
        it and grows with what follows, one answer on screen as in the store."""
        from deepseek_tui.ui.live import LiveTurn
        from deepseek_tui.ui.widgets.message import AssistantMessage

        values = self.screen.sidebar.values()
        turn = self.screen.session.continuation(
            partial,
            values.turn(),
            conversation=self.screen.conversation,
            system=values.system or None,
        )
        live = LiveTurn(
            turn,
            clock=self.screen.ctx.clock,
            collapse=self.screen.session.settings.ui.collapse_reasoning,
        )
        live.seed(reveal(partial.content), reveal(partial.reasoning or ""))
        pane = self.screen.pane
        children = list(pane.children)
        last = [w for w in children if isinstance(w, AssistantMessage)][-1:]
        # the answer and its links go; the new view takes their place
        olds = children[children.index(last[0]) :] if last else []
        view = AssistantMessage(reveal(turn.settings.model))
        await pane.mount(view, after=olds[-1] if olds else None)
        for old in olds:
            await old.remove()
        await live.attach(view)
        self.show(live)
        pane.follow()
        live.worker = self.screen.background(self._stream(live), "turn")
        return live

    def show(self, live: LiveTurn | None) -> None:
        """``live`` streams into the conversation on screen (``None``: nothing does)."""
        self.shown = live
        self.screen.set_class(live is not None, "-busy")
        if live is None:
            self.screen.status.set(rate=None, activity="")
        self.screen.refresh_bindings()
        self.screen.call_later(self.show_queue)

    async def _stream(self, live: LiveTurn) -> None:
        """Consume one turn's events; whatever happens, :meth:`_ended` follows."""
        from deepseek_tui.turn import AnswerText, Prepared, ReasoningText, Waiting
        from deepseek_tui.turn_events import NextRound, ToolCallDone, ToolCallsProposed
        from deepseek_tui.ui.chat import toolturn

        timer = self.screen.set_interval(0.5, partial(self._tick, live))
        try:
            async with contextlib.aclosing(live.turn.run()) as events:
                async for event in events:
                    if isinstance(event, AnswerText | ReasoningText):
                        if live.activity:  # the server stopped queueing: text flows
                            live.activity = ""
                            if live is self.shown:
                                self.screen.status.set(activity="")
                        await live.feed(event)
                        if live.shown:
                            self.screen.new_text()
                    elif isinstance(event, Prepared):
                        self._prepared(live, event)
                        if event.conversation is not None and live.choices is not None:
                            await self.screen.tools.adopt(event.conversation.id, live.choices)
                    elif isinstance(event, Waiting):
                        seconds = event.seconds
                        live.activity = (
                            "" if seconds is None else f"queued by server · {seconds:.0f}s"
                        )
                        if live is self.shown:
                            self.screen.status.set(activity=live.activity)
                    elif isinstance(event, ToolCallsProposed):
                        await toolturn.proposed(self.screen, live, event)
                    elif isinstance(event, ToolCallDone):
                        await toolturn.done(self.screen, live, event)
                    elif isinstance(event, NextRound):
                        await toolturn.next_round(self.screen, live, event)
        finally:
            timer.stop()
            self.screen.call_later(self._ended, live)

    def _prepared(self, live: LiveTurn, event: Prepared) -> None:
        c = event.conversation
        if c is not None:
            self.live[c.id] = live
            if live is self.shown:
                self.screen.conversation = c
        if live is self.shown:
            for note in event.request.notes:
                if c is not None:
                    if (c.id, note) in self.told:
                        continue
                    self.told.add((c.id, note))
                self.screen.notify(reveal(note), severity="warning", timeout=6, markup=False)

    def _tick(self, live: LiveTurn) -> None:
        live.tick()
        rate = live.rate()
        if live is self.shown and rate is not None:
            self.screen.status.set(rate=rate)

    async def _ended(self, live: LiveTurn) -> None:
        """A turn ended (complete, stopped, failed, interrupted or not sent)."""
        out = live.turn.outcome
        conversation = live.turn.conversation
        if conversation is not None and self.live.get(conversation.id) is live:
            del self.live[conversation.id]
        shown = live is self.shown
        if shown:
            if conversation is not None:
                self.screen.conversation = conversation
            self.show(None)
            from deepseek_tui.ui.chat import toolturn

            await toolturn.ended(self.screen, live)
            await self._close_answer(live)
            self.screen.show_title()
            self.screen.prompt.focus()
        elif out.status == "error" and conversation is not None:
            title = reveal(conversation.title) or "another conversation"
            self.screen.notify(
                f"The answer in {title} failed: {reveal(out.error or '')}", markup=False
            )
        self.screen.fetch_balance()
        await self._after(live, shown)

    async def _after(self, live: LiveTurn, shown: bool) -> None:
        """Send what was queued behind an answer that ended well; put it back
        in the prompt (nothing is lost) when it did not."""
        queue, live.queue = live.queue, []
        turn = live.turn
        if not shown and turn.outcome.status == "refused":
            # A queued message that could not go out behind the scenes: keep it
            # with the rest, for the prompt when its conversation is shown.
            from deepseek_tui.ui.live import QueuedSend

            again = QueuedSend(turn.prompt, turn.attachments, turn.settings, turn.system or "")
            queue.insert(0, again)
        if not queue:
            return
        conversation = live.turn.conversation
        if live.turn.outcome.status in ("complete", "stopped") and conversation is not None:
            first, rest = queue[0], queue[1:]
            if shown:
                from deepseek_tui.ui.widgets.message import UserMessage

                records = [a.record() for a in first.attachments]
                await self.screen.pane.mount(UserMessage(reveal(first.text), attachments=records))
                self.screen.pane.follow()
            started = await self.start(
                first.text,
                attachments=first.attachments,
                queued=first,
                conversation=conversation,
                shown=shown,
            )
            started.queue = rest
            await self.show_queue()
        elif shown:
            self.unqueue_into_prompt(queue)
        elif conversation is not None:
            self.held[conversation.id] = queue

    def unqueue_into_prompt(self, queue: Sequence[QueuedSend]) -> None:
        texts = [q.text for q in queue]
        if self.screen.prompt.text.strip():
            texts.append(self.screen.prompt.text)
        self.screen.prompt.load_text("\n\n".join(texts))
        self.screen.prompt.move_cursor(self.screen.prompt.document.end)
        self.screen.notify(
            "The answer did not finish; your queued messages are back in the prompt.",
            severity="warning",
            timeout=6,
        )

    async def show_queue(self) -> None:
        """Show the messages queued behind the answer on screen (if any)."""
        from deepseek_tui.ui.widgets.queue import QueuedPrompts

        live = self.shown
        queue = live.queue if live is not None else []
        self.screen.prompt.has_queued = bool(queue)
        found = self.screen.query(QueuedPrompts)
        if not found and not queue:
            return
        if found:
            line = found.first()
        else:  # mounted when first needed: most chats never queue anything
            line = QueuedPrompts(id="queued")
            await self.screen.query_one("#chat").mount(line, before=self.screen.tray)
        await line.show([reveal(q.text) for q in queue])

    async def cancel_queued(self, index: int) -> None:
        live = self.shown
        if live is not None and 0 <= index < len(live.queue):
            taken = live.queue.pop(index)
            self.screen.notify(f"Not sent: {reveal(taken.text[:60])}", timeout=3, markup=False)
            await self.show_queue()

    async def unqueue_last(self) -> None:
        """Up in an empty prompt takes the last queued message back to edit."""
        live = self.shown
        if live is not None and live.queue:
            taken = live.queue.pop()
            self.screen.prompt.load_text(taken.text)
            self.screen.prompt.move_cursor(self.screen.prompt.document.end)
            for a in taken.attachments:
                await self.screen.tray.add(a)
            await self.show_queue()

    async def _close_answer(self, live: LiveTurn) -> None:
        """Give the answer on screen its footer, links and, if it failed, the way out."""
        from deepseek_tui.ui.chat.failures import error_block, retired_block
        from deepseek_tui.ui.widgets.conversation import actions_for

        out, view = live.turn.outcome, live.view
        live.detach()
        if out.status == "refused":
            if view is not None:
                await view.remove()
            if out.retired is not None:
                block, switch = retired_block(out.error or "", out.retired)
                await self.show_failure(
                    Failed(live.turn.prompt, block, None, switch, live.turn.attachments)
                )
            elif out.refused == "attachment":
                self.screen.notify(
                    f"Not sent: {reveal(out.error or '')}", severity="error", markup=False
                )
            else:
                block = error_block(out.error or "", None, out.refused)
                await self.show_failure(
                    Failed(live.turn.prompt, block, None, None, live.turn.attachments)
                )
            return
        left = view
        state, finish = out.status, out.finish_reason
        old = live.turn.continuing
        if old is not None and live.turn.unchanged():  # the answer is as it was
            state, finish = old.status, old.finish_reason
        if view is not None and out.status == "error" and not out.content.strip():
            await view.remove()
            left = None
        elif view is not None and view.is_attached:
            await view.close(state, self._footer(live))
            await self.screen.pane.mount(
                actions_for(out.content, cut=finish == "length"), after=view
            )
            from deepseek_tui.ui.chat.branches import mark_alternatives

            self.screen.background(mark_alternatives(self.screen), "alternatives", exclusive=True)
        if out.unsaved is not None:
            self.screen.notify(out.unsaved, severity="error", timeout=20, markup=False)
        if out.usage is not None:
            self.screen.measured = out.usage.total_tokens
            self.screen.status.set(
                last_tokens=out.usage.completion_tokens,
                context_tokens=out.usage.total_tokens,
                context_estimated=False,
            )
        # This request's (and the earlier tool rounds'), in the price table's currency
        cost = out.total_cost() if out.rounds else out.cost
        if cost is not None:
            self.screen.cost = (self.screen.cost or 0.0) + cost
            self.screen.status.set(cost=self.screen.cost, currency=self.currency(live))
        self.screen.quote.answered(out, live.turn.settings.model)  # the cache-hit ratio
        if out.status == "stopped":
            self.screen.status.set(activity="stopped")
        if out.status == "error":
            block = error_block(out.error or "the answer failed", out.cause)
            failed = Failed(
                live.turn.prompt,
                block,
                left,
                None,
                live.turn.attachments,
                out.user_message_id,
                continuing=old is not None,
            )
            await self.show_failure(failed)

    def _footer(self, live: LiveTurn) -> AnswerFooter:
        """Tokens, cached tokens and cost of the whole answer (a continued one
        adds up its requests), in the price table's currency."""
        from deepseek_tui.ui.widgets.message import AnswerFooter

        out = live.turn.outcome
        old = live.turn.continuing
        if old is not None and live.turn.unchanged():
            from deepseek_tui.ui.widgets.conversation import stored_footer

            return stored_footer(old, currency=self.currency(live))
        usage = out.answer_usage()
        return AnswerFooter(
            completion_tokens=usage.completion_tokens if usage else None,
            prompt_tokens=usage.prompt_tokens if usage else None,
            cached_tokens=usage.cache_hit_tokens if usage else None,
            cost=out.answer_cost(),
            currency=self.currency(live),
            note=reveal("; ".join(out.notes)),
            billed=bool(out.content or out.reasoning),
        )

    def currency(self, live: LiveTurn) -> str:
        """The currency of the answer's price table (``USD`` when unknown)."""
        price = live.turn.spec.price_at(self.screen.session.now())
        return price.currency if price else "USD"

    async def show_failure(self, failed: Failed) -> None:
        await self.screen.pane.mount(failed.block)
        self.failed = failed
        self.screen.refresh_bindings()

    async def clear_failure(self) -> Failed | None:
        failed, self.failed = self.failed, None
        if failed is not None:
            await failed.block.remove()
            self.screen.refresh_bindings()
        return failed

    async def retry(self) -> None:
        """Ask the failed turn again: the request holds its prompt once, and
        the failed answer stays as an alternative (Alt+Left/Right)."""
        from deepseek_tui.ui.widgets.message_actions import MessageActions

        if self.shown is not None:
            return
        failed = await self.clear_failure()
        if failed is None:
            return
        if failed.continuing:  # the answer stays; it is continued again
            from deepseek_tui.ui.chat.branches import continue_answer

            await continue_answer(self.screen, again=True)
            return
        view = failed.view
        if view is not None and view.is_attached:  # the failed answer: kept as an alternative
            children = list(self.screen.pane.children)
            after = children[children.index(view) + 1 : children.index(view) + 2]
            if after and isinstance(after[0], MessageActions):
                await after[0].remove()
            await view.remove()
        if failed.switch_to is not None:
            model, thinking = failed.switch_to
            self.screen.sidebar.set_model(model, thinking)
            self.screen.show_mode()
        await self.start(
            failed.prompt, attachments=failed.attachments, branch_from=failed.branch_from
        )

    def stop(self) -> None:
        """Stop the answer on screen (Esc); what arrived is kept as ``stopped``."""
        if self.shown is not None:
            self.shown.stop()
