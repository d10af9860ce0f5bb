"""The chat screen: the conversation, the prompt with the messages queued
behind a streaming answer, the status line and the settings sidebar.

It composes parts that own their state and wires them together:
:class:`~deepseek_tui.ui.widgets.conversation.ConversationView` shows stored
messages (and pages through long ones); a :class:`~deepseek_tui.ui.live.LiveTurn`
per streaming answer feeds its view while its conversation is shown and keeps
streaming and saving when it is not; the
:class:`~deepseek_tui.session.Session` owns the settings, store and client.
Actions on earlier messages and on files live in :mod:`deepseek_tui.ui.chat`.

Each turn runs in its own worker (several conversations may stream at once);
Esc cancels the shown one and keeps what arrived. No worker's failure can end
the app: :meth:`ChatScreen.on_worker_state_changed` turns it into a message.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerState

from deepseek_tui.config import ConfigError
from deepseek_tui.sanitize import reveal
from deepseek_tui.session import ProviderUnavailable, Session, choose_model
from deepseek_tui.store import Conversation, Message, Store, StoreError
from deepseek_tui.ui.widgets.attachments import AttachmentTray
from deepseek_tui.ui.widgets.conversation import ConversationView
from deepseek_tui.ui.widgets.footer import Footer
from deepseek_tui.ui.widgets.prompt import PromptInput
from deepseek_tui.ui.widgets.queue import QueuedPrompts
from deepseek_tui.ui.widgets.sidebar import ModelTraits, SettingsSidebar, SidebarValues
from deepseek_tui.ui.widgets.status import StatusLine

if TYPE_CHECKING:
    from deepseek_tui.attachments import Attachment
    from deepseek_tui.context_window import Overflow
    from deepseek_tui.turn import Prepared
    from deepseek_tui.ui.live import LiveTurn, QueuedSend
    from deepseek_tui.ui.screens.conversations import Picked, Trash
    from deepseek_tui.ui.widgets.message import AnswerFooter, AssistantMessage, ErrorBlock
    from deepseek_tui.ui.widgets.message_actions import MessageActions


class ChatContext(NamedTuple):  # cheaper to create than a dataclass, before the first frame
    """What the chat screen works with."""

    session: Session
    conversation: Conversation | None
    demo: bool
    now: Callable[[], datetime]
    clock: Callable[[], float]
    switch_provider: Callable[[str], Awaitable[None]] | None = None


class _Failed(NamedTuple):
    """A turn that can be run again: its prompt, and what to clean up first."""

    prompt: str
    block: ErrorBlock
    view: AssistantMessage | None
    switch_to: tuple[str, bool | None] | None = None
    attachments: tuple[Attachment, ...] = ()
    branch_from: int | None = None
    """The failed prompt's stored id: the retry becomes an alternative to it."""


class ChatScreen(Screen[None]):
    """One conversation shown at a time; Ctrl+N starts another."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Stop", id="stop"),
        Binding("f5", "retry", "Retry", id="retry"),
        Binding("ctrl+n", "new", "New", id="new"),
        Binding("ctrl+o", "conversations", "Conversations", id="conversations"),
        Binding("ctrl+s", "sidebar", "Settings", id="sidebar"),
        Binding("ctrl+r", "reasoning", "Reasoning", id="reasoning"),
        Binding("ctrl+end", "bottom", "Follow", id="bottom", show=False),
        Binding("ctrl+g", "regenerate", "Regenerate", id="regenerate", show=False),
        Binding(
            "alt+left", "alternative(-1)", "Prev alternative", id="previous-alternative", show=False
        ),
        Binding(
            "alt+right", "alternative(1)", "Next alternative", id="next-alternative", show=False
        ),
        Binding("f4", "edit", "Edit last prompt", id="edit-prompt", show=False),
        Binding("f2", "copy_answer", "Copy last answer", id="copy-answer", show=False),
        Binding("f3", "copy_code", "Copy last code block", id="copy-code", show=False),
        Binding("f9", "export", "Export conversation", id="export", show=False),
        Binding("f8", "continue_answer", "Continue cut answer", id="continue-answer", show=False),
        Binding("ctrl+t", "attach", "Attach file", id="attach", show=False),
    ]

    def __init__(self, context: ChatContext, messages: list[Message] | None = None) -> None:
        """``messages``: the conversation's, when they were read before the app
        started (shown without another read, then let go)."""
        super().__init__()
        self.ctx = context
        self.session = context.session
        self.conversation = context.conversation
        self._preloaded = messages
        self.live: dict[str, LiveTurn] = {}
        """Answers streaming now, by conversation id (shown or not)."""
        self.shown_live: LiveTurn | None = None
        """The streaming answer of the conversation on screen."""
        self._held: dict[str, list[QueuedSend]] = {}
        """Queued messages of conversations whose answer failed while not shown."""
        self.failed: _Failed | None = None
        self.editing: int | None = None
        """The user message being edited: the next send branches from it."""
        self._trash: Trash | None = None
        self._cost: float | None = None
        self._measured: int | None = None
        """The last answer's prompt + completion tokens, as the host reported them."""

    @property
    def store(self) -> Store:
        store = self.session.store
        assert store is not None, "the TUI always has a store"
        return store

    @property
    def busy(self) -> bool:
        """Whether an answer streams into the conversation on screen."""
        return self.shown_live is not None

    # --- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        if self.ctx.demo:
            yield Static(
                "DEMO · answers come from a built-in offline server · nothing is saved",
                id="demo-banner",
            )
        with Horizontal(id="main"):
            with Vertical(id="chat"):
                yield Static("", id="conv-title")
                yield ConversationView(id="conversation")
                yield QueuedPrompts(id="queued")
                yield AttachmentTray(id="attachments")
                yield PromptInput(id="prompt")
                yield StatusLine(id="status")
            s = self.session.settings
            yield SettingsSidebar(
                self._values_for(self.conversation),
                self._model_ids(),
                self._traits,
                providers=list(s.providers),
                provider=s.provider,
                id="sidebar",
            )
        yield Footer()

    def _values_for(self, c: Conversation | None) -> SidebarValues:
        return SidebarValues.of(*self.session.settings_for(c))

    def _model_ids(self) -> list[str]:
        return [*self.session.catalog.ids(self.session.host), *self.session.settings.active.models]

    def _traits(self, model: str) -> ModelTraits:
        spec = self.session.spec(model)
        return ModelTraits(
            switchable=spec.thinking == "switchable",
            thinks=spec.thinks(None),
            efforts=spec.efforts,
            default_effort=spec.default_effort,
            ignores_when_thinking=spec.ignored(True),
            max_output=spec.max_output,
            label=spec.label,
        )

    @property
    def pane(self) -> ConversationView:
        return self.query_one(ConversationView)

    @property
    def prompt(self) -> PromptInput:
        return self.query_one(PromptInput)

    @property
    def sidebar(self) -> SettingsSidebar:
        return self.query_one(SettingsSidebar)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    @property
    def tray(self) -> AttachmentTray:
        return self.query_one(AttachmentTray)

    async def on_mount(self) -> None:
        self.sidebar.display = False
        self.query_one(QueuedPrompts).display = False
        self.query_one("#conv-title").display = self.conversation is not None
        self._show_title()
        self.pane.anchor()
        self.pane.set_class(not self.session.settings.ui.show_reasoning, "-hide-reasoning")
        self.status.set(demo=self.ctx.demo)
        self._show_mode()
        self.set_focus(self.prompt)
        self._open()
        await self.query_one(Footer).show()  # in the first frame, with the prompt's keys

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a worker's failure ends up: a message, never a crash."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(
                f"Something went wrong: {reveal(str(error) or type(error).__name__)}",
                severity="error",
                timeout=10,
                markup=False,
            )

    def _run(self, work: Awaitable[Any], group: str, *, exclusive: bool = False) -> Worker[Any]:
        return self.run_worker(work, group=group, exclusive=exclusive, exit_on_error=False)

    # --- background work -------------------------------------------------------------

    @work(group="open", exit_on_error=False)
    async def _open(self) -> None:
        """Restore a resumed conversation -- its provider first, so nothing is
        sent to another host, then its messages -- and once they and the first
        frame are on screen, fetch the host's model list and the balance."""
        c = self.conversation
        s = self.session.settings
        if (
            c is not None
            and c.provider is not None
            and c.provider != s.provider
            and c.provider in s.providers
            and await self.use_provider(c.provider, fetch=False)
        ):
            self.sidebar.load(self._values_for(c))
            self._show_mode()
        if c is not None:
            read, self._preloaded = self._preloaded, None
            if read is None:
                # Read on a thread while the first frame is drawn, the messages
                # would wait for the GIL at every row and take 5x longer.
                await self.status.drawn.wait()
            await self._load_history(c, read)
            painted = asyncio.Event()
            self.call_after_refresh(painted.set)  # after the frame that shows them
            await painted.wait()
        await self.status.drawn.wait()  # the first frame is out
        await asyncio.sleep(SETTLE)
        self._fetch_models()
        self._fetch_balance()

    @work(exclusive=True, group="models", exit_on_error=False)
    async def _fetch_models(self) -> None:
        """Add the host's own model list to the sidebar, after the first frame;
        a new conversation whose model nobody chose takes one the host lists."""
        from deepseek_tui.api import APIError

        try:
            offered = [reveal(m.id) for m in await (await self.session.client()).list_models()]
        except (APIError, ProviderUnavailable):
            return  # the catalog's list still works; the first message will say more
        self.sidebar.add_models(offered)
        if not offered:
            return
        choice = choose_model(self.session.settings, self.session.catalog, offered)
        if self.sidebar.model != self.session.default_model() or self.conversation is not None:
            # Chosen in the sidebar or by the conversation: only warn.
            if not choice.note or self.sidebar.model in offered:
                return
            note = f"This host does not list {self.sidebar.model}; pick another with Ctrl+S."
            self.notify(note, severity="warning", timeout=8, markup=False)
            return
        if choice.model != self.sidebar.model:
            self.sidebar.set_model(choice.model)
            self._show_mode()
        if choice.note:
            self.notify(choice.note, timeout=8, markup=False)

    @work(exclusive=True, group="balance", exit_on_error=False)
    async def _fetch_balance(self) -> None:
        """The account balance in the status line, where the host reports one."""
        from deepseek_tui.api import APIError
        from deepseek_tui.ui.chat.failures import money

        try:
            balance = await (await self.session.client()).balance()
        except (APIError, ProviderUnavailable):
            return  # optional information: a failure here is not worth a message
        if balance is None or not balance.infos:
            self.status.set(balance="")
            return
        self.status.set(balance=", ".join(money(i.total, i.currency) for i in balance.infos))

    async def _load_history(
        self, conversation: Conversation, messages: list[Message] | None
    ) -> None:
        """Show ``conversation`` (its ``messages`` when already read) and, when an
        answer is streaming into it, that answer live at the end."""
        if messages is None:
            messages = await asyncio.to_thread(self.store.messages, conversation.id)
        live = self.live.get(conversation.id)
        if live is not None:  # its placeholder row is shown live, not as stored
            placeholder = live.turn.outcome.assistant_message_id
            messages = [m for m in messages if m.id != placeholder]
        await self.show_path(messages)
        if self.conversation is None or self.conversation.id != conversation.id:
            return  # another conversation was opened meanwhile
        if live is not None and self.live.get(conversation.id) is live:
            from deepseek_tui.ui.widgets.message import AssistantMessage

            view = AssistantMessage(reveal(live.turn.settings.model))
            await self.pane.mount(view)
            await live.attach(view)
            self._show_live(live)
        elif live is not None:  # it ended while we were reading: show it as stored
            await self._load_history(conversation, None)
        held = self._held.pop(conversation.id, None)
        if held:
            self._unqueue_into_prompt(held)

    async def show_path(self, messages: Sequence[Message]) -> None:
        """Show these stored messages as the conversation, with its cost and
        context use in the status line."""
        from deepseek_tui.context_window import estimate, exchange_chars

        for m in messages:
            if m.role == "user":
                self.prompt.remember(m.content)
        await self.pane.show(messages, rows=max(self.app.size.height, 24))
        costs = [m.cost for m in messages if m.role == "assistant" and m.cost is not None]
        self._cost = sum(costs) if costs else None
        last = next((m for m in reversed(messages) if m.role == "assistant" and m.usage), None)
        self._measured = None
        if messages and messages[-1] is last and last.usage:
            self._measured = last.usage.get("total_tokens")
            self.status.set(
                last_tokens=last.usage.get("completion_tokens"),
                context_tokens=self._measured,
                context_estimated=False,
            )
        elif messages:
            chars = sum(exchange_chars(list(messages)))
            self.status.set(context_tokens=estimate(chars), context_estimated=True)
        self.status.set(cost=self._cost)

    # --- sending -----------------------------------------------------------------

    @on(PromptInput.Submitted)
    async def _send(self, event: PromptInput.Submitted) -> None:
        problems = self.sidebar.problems()
        if problems:
            self.prompt.load_text(event.text)
            self.notify(
                "Fix the settings first: " + "; ".join(problems), severity="error", markup=False
            )
            return
        attachments = tuple(self.tray.items)
        refused = self.refused(attachments)
        if refused:
            self.prompt.load_text(event.text)
            self.prompt.move_cursor(self.prompt.document.end)
            self.notify(f"Not sent: {reveal(refused)}", severity="error", markup=False)
            return
        if self.shown_live is not None:  # an answer streams: send this when it ends
            from deepseek_tui.ui.live import QueuedSend

            values = self.sidebar.values()
            self.shown_live.queue.append(
                QueuedSend(event.text, attachments, values.turn(), values.system)
            )
            await self.tray.clear()
            await self._show_queue()
            return
        overflow = await self._overflow(event.text, attachments)
        if overflow is not None:
            self._run(self._ask_to_drop(event.text, overflow, attachments), "overflow")
            return
        await self._send_text(event.text, attachments=attachments)

    async def _send_text(
        self, text: str, drop: int = 0, attachments: tuple[Attachment, ...] = ()
    ) -> None:
        from deepseek_tui.ui.chat.branches import branch_from
        from deepseek_tui.ui.widgets.message import UserMessage

        await self.clear_failure()
        if self.editing is not None:
            editing, self.editing = self.editing, None
            await branch_from(self, editing)
        await self.pane.mount(
            UserMessage(reveal(text), attachments=[a.record() for a in attachments])
        )
        self.pane.follow()
        await self.tray.clear()
        await self.start(text, drop, attachments)

    def refused(self, attachments: tuple[Attachment, ...]) -> str:
        """Why the chosen model cannot take these attachments (``""`` when it can)."""
        from deepseek_tui.attachments import AttachmentError, check_attachments

        if not attachments:
            return ""
        spec = self.session.spec(self.sidebar.values().model)
        try:
            check_attachments(
                attachments, spec, catalog=self.session.catalog, host=self.session.host
            )
        except AttachmentError as exc:
            return str(exc)
        return ""

    async def _overflow(self, prompt: str, attachments: tuple[Attachment, ...]) -> Overflow | None:
        """Whether the request for ``prompt`` would outgrow the model's context."""
        from deepseek_tui.context_window import check_fit

        prompt += "".join(a.text or "" for a in attachments)  # text files are inlined
        values = self.sidebar.values()
        window = self.session.spec(values.model).context
        if not window:
            return None
        fit = partial(check_fit, prompt=prompt, system=values.system, window=window)
        if self.conversation is None or fit((), measured=self._measured) is None:
            return None  # nothing before it, or it fits by the host's own count
        history = await asyncio.to_thread(self.store.messages, self.conversation.id)
        return fit(history, measured=self._measured)

    async def _ask_to_drop(
        self, text: str, o: Overflow, attachments: tuple[Attachment, ...]
    ) -> None:
        """The request would not fit: offer to leave the oldest exchanges out of it."""
        from deepseek_tui.ui.screens.confirm import ConfirmScreen

        fits = o.after <= o.window
        detail = (
            f"Leave the {o.drop} oldest of {o.exchanges} exchanges out of this request "
            f"(≈{o.after:,} tokens). They stay saved in the conversation."
            if fits
            else f"Even without all {o.exchanges} earlier exchanges it is ≈{o.after:,} tokens;"
            " shorten the message or pick a model with a larger context (Ctrl+S)."
        )
        drop = await self.app.push_screen_wait(
            ConfirmScreen(
                "This message would not fit the model's context",
                f"The request would be ≈{o.tokens:,} tokens; the model takes {o.window:,}.",
                detail=detail,
                yes=f"Drop {o.drop} oldest and send" if fits else "Send anyway",
            )
        )
        if not drop:
            self.prompt.load_text(text)
            self.prompt.move_cursor(self.prompt.document.end)
            self.notify("Not sent; the message is back in the prompt", timeout=3)
            return
        await self._send_text(text, o.drop if fits else 0, attachments)

    async def start(
        self,
        prompt: str,
        drop: int = 0,
        attachments: tuple[Attachment, ...] = (),
        *,
        branch_from: int | None = None,
        queued: QueuedSend | None = None,
        conversation: Conversation | None = None,
        shown: bool = True,
    ) -> LiveTurn:
        """Start a turn in the conversation on screen (or, with ``shown=False``,
        in ``conversation`` behind the scenes)."""
        from deepseek_tui.ui.live import LiveTurn
        from deepseek_tui.ui.widgets.message import AssistantMessage

        if queued is not None:
            settings, system = queued.settings, queued.system
        else:
            values = self.sidebar.values()
            settings, system = values.turn(), values.system
        turn = await self.session.turn(
            prompt,
            settings,
            conversation=self.conversation if shown else conversation,
            system=system or None,
            attachments=attachments,
            drop_oldest=drop,
            branch_from=branch_from,
        )
        live = LiveTurn(
            turn, clock=self.ctx.clock, collapse=self.session.settings.ui.collapse_reasoning
        )
        if shown:
            for row in self.query("MessageActions"):
                row.set_cut(False)  # type: ignore[attr-defined]
            view = AssistantMessage(reveal(settings.model))
            await self.pane.mount(view)
            await live.attach(view)
            self._show_live(live)
        elif turn.conversation is not None:
            self.live[turn.conversation.id] = live
        live.worker = self._run(self._stream(live), "turn")
        return live

    def _show_live(self, live: LiveTurn | None) -> None:
        """``live`` streams into the conversation on screen (``None``: nothing does)."""
        self.shown_live = live
        self.set_class(live is not None, "-busy")
        if live is None:
            self.status.set(rate=None, activity="")
        self.refresh_bindings()
        self.call_later(self._show_queue)

    async def _stream(self, live: LiveTurn) -> None:
        """Consume one turn's events; whatever happens, :meth:`_ended` follows."""
        from deepseek_tui.turn import AnswerText, Prepared, ReasoningText, Waiting

        timer = self.set_interval(0.5, partial(self._tick, live))
        try:
            async with contextlib.aclosing(live.turn.run()) as events:
                async for event in events:
                    if isinstance(event, AnswerText | ReasoningText):
                        await live.feed(event)
                        if live.shown:
                            self._new_text()
                    elif isinstance(event, Prepared):
                        self._prepared(live, event)
                    elif isinstance(event, Waiting):
                        seconds = event.seconds
                        live.activity = (
                            "" if seconds is None else f"queued by server · {seconds:.0f}s"
                        )
                        if live is self.shown_live:
                            self.status.set(activity=live.activity)
        finally:
            timer.stop()
            self.call_later(self._ended, live)

    def _prepared(self, live: LiveTurn, event: Prepared) -> None:
        c = event.conversation
        if c is not None:
            self.live[c.id] = live
            if live is self.shown_live:
                self.conversation = c
        if live is self.shown_live:
            for note in event.request.notes:
                self.notify(reveal(note), severity="warning", timeout=6, markup=False)

    def _tick(self, live: LiveTurn) -> None:
        live.tick()
        rate = live.rate()
        if live is self.shown_live and rate is not None:
            self.status.set(rate=rate)

    async def _ended(self, live: LiveTurn) -> None:
        """A turn ended (complete, stopped, failed, interrupted or not sent)."""
        out = live.turn.outcome
        conversation = live.turn.conversation
        if conversation is not None and self.live.get(conversation.id) is live:
            del self.live[conversation.id]
        shown = live is self.shown_live
        if shown:
            if conversation is not None:
                self.conversation = conversation
            self._show_live(None)
            await self._close_answer(live)
            self._show_title()
            self.prompt.focus()
        elif out.status == "error" and conversation is not None:
            title = reveal(conversation.title) or "another conversation"
            self.notify(f"The answer in {title} failed: {reveal(out.error or '')}", markup=False)
        self._fetch_balance()
        await self._after(live, shown)

    async def _after(self, live: LiveTurn, shown: bool) -> None:
        """Send what was queued behind an answer that ended well; put it back
        in the prompt (nothing is lost) when it did not."""
        queue, live.queue = live.queue, []
        if not queue:
            return
        conversation = live.turn.conversation
        if live.turn.outcome.status in ("complete", "stopped") and conversation is not None:
            first, rest = queue[0], queue[1:]
            if shown:
                from deepseek_tui.ui.widgets.message import UserMessage

                records = [a.record() for a in first.attachments]
                await self.pane.mount(UserMessage(reveal(first.text), attachments=records))
                self.pane.follow()
            started = await self.start(
                first.text,
                attachments=first.attachments,
                queued=first,
                conversation=conversation,
                shown=shown,
            )
            started.queue = rest
            await self._show_queue()
        elif shown:
            self._unqueue_into_prompt(queue)
        elif conversation is not None:
            self._held[conversation.id] = queue

    def _unqueue_into_prompt(self, queue: Sequence[QueuedSend]) -> None:
        texts = [q.text for q in queue]
        if self.prompt.text.strip():
            texts.append(self.prompt.text)
        self.prompt.load_text("\n\n".join(texts))
        self.prompt.move_cursor(self.prompt.document.end)
        self.notify(
            "The answer did not finish; your queued messages are back in the prompt.",
            severity="warning",
            timeout=6,
        )

    async def _show_queue(self) -> None:
        live = self.shown_live
        queue = live.queue if live is not None else []
        self.prompt.has_queued = bool(queue)
        await self.query_one(QueuedPrompts).show([reveal(q.text) for q in queue])

    @on(QueuedPrompts.Cancel)
    async def _cancel_queued(self, event: QueuedPrompts.Cancel) -> None:
        live = self.shown_live
        if live is not None and 0 <= event.index < len(live.queue):
            taken = live.queue.pop(event.index)
            self.notify(f"Not sent: {reveal(taken.text[:60])}", timeout=3, markup=False)
            await self._show_queue()

    @on(PromptInput.Unqueue)
    async def _unqueue_last(self) -> None:
        """Up in an empty prompt takes the last queued message back to edit."""
        live = self.shown_live
        if live is not None and live.queue:
            taken = live.queue.pop()
            self.prompt.load_text(taken.text)
            self.prompt.move_cursor(self.prompt.document.end)
            for a in taken.attachments:
                await self.tray.add(a)
            await self._show_queue()

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
                await self._show_failure(
                    _Failed(live.turn.prompt, block, None, switch, live.turn.attachments)
                )
            elif out.refused == "attachment":
                self.notify(f"Not sent: {reveal(out.error or '')}", severity="error", markup=False)
            else:
                block = error_block(out.error or "", None)
                await self._show_failure(
                    _Failed(live.turn.prompt, block, None, None, live.turn.attachments)
                )
            return
        left = view
        if view is not None and out.status == "error" and not out.content:
            await view.remove()
            left = None
        elif view is not None and view.is_attached:
            await view.close(out.status, self._footer(live))
            await self.pane.mount(
                actions_for(out.content, cut=out.finish_reason == "length"), after=view
            )
        if out.usage is not None:
            self._measured = out.usage.total_tokens
            self.status.set(
                last_tokens=out.usage.completion_tokens,
                context_tokens=out.usage.total_tokens,
                context_estimated=False,
            )
        if out.cost is not None:
            self._cost = (self._cost or 0.0) + out.cost
            self.status.set(cost=self._cost)
        if out.status == "stopped":
            self.status.set(activity="stopped")
        if out.status == "error":
            block = error_block(out.error or "the answer failed", out.cause)
            failed = _Failed(
                live.turn.prompt, block, left, None, live.turn.attachments, out.user_message_id
            )
            await self._show_failure(failed)

    def _footer(self, live: LiveTurn) -> AnswerFooter:
        from deepseek_tui.ui.widgets.message import AnswerFooter

        out = live.turn.outcome
        price = live.turn.spec.price_at(self.ctx.now())
        return AnswerFooter(
            completion_tokens=out.usage.completion_tokens if out.usage else None,
            prompt_tokens=out.usage.prompt_tokens if out.usage else None,
            cost=out.cost,
            currency=price.currency if price else "USD",
            note=reveal("; ".join(out.notes)),
        )

    # --- failures ------------------------------------------------------------------

    async def _show_failure(self, failed: _Failed) -> None:
        await self.pane.mount(failed.block)
        self.failed = failed
        self.refresh_bindings()

    async def clear_failure(self) -> _Failed | None:
        failed, self.failed = self.failed, None
        if failed is not None:
            await failed.block.remove()
            self.refresh_bindings()
        return failed

    async def on_error_block_retry(self) -> None:
        await self.action_retry()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.busy
        if action == "retry":
            return self.failed is not None and not self.busy
        return True

    async def action_retry(self) -> None:
        """Ask the failed turn again: the request holds its prompt once, and
        the failed answer stays as an alternative (Alt+Left/Right)."""
        from deepseek_tui.ui.widgets.message_actions import MessageActions

        if self.busy:
            return
        failed = await self.clear_failure()
        if failed is None:
            return
        view = failed.view
        if view is not None and view.is_attached:  # the failed answer: kept as an alternative
            children = list(self.pane.children)
            after = children[children.index(view) + 1 : children.index(view) + 2]
            if after and isinstance(after[0], MessageActions):
                await after[0].remove()
            await view.remove()
        if failed.switch_to is not None:
            model, thinking = failed.switch_to
            self.sidebar.set_model(model, thinking)
            self._show_mode()
        await self.start(
            failed.prompt, attachments=failed.attachments, branch_from=failed.branch_from
        )

    def action_stop(self) -> None:
        if self.shown_live is not None:
            self.shown_live.stop()

    # --- conversations ---------------------------------------------------------------

    async def action_new(self) -> None:
        await self.switch_to(None)
        self.notify("New conversation", timeout=2)

    async def switch_to(self, conversation: Conversation | None) -> None:
        """Show another conversation (or a new, empty one) with its own settings.
        An answer streaming into the one left keeps streaming and saving."""
        if self.shown_live is not None:
            self.shown_live.detach()
            self._show_live(None)
        wanted = conversation.provider if conversation is not None else None
        if wanted is not None and wanted in self.session.settings.providers:
            await self.use_provider(wanted)
        self.conversation = conversation
        self.failed = None
        self.editing = None
        self._cost, self._measured = None, None
        await self.pane.clear()
        self.status.set(last_tokens=None, context_tokens=None, cost=None, activity="")
        self.sidebar.load(self._values_for(conversation))
        self._show_mode()
        self._show_title()
        self.prompt.focus()
        if conversation is not None:
            self._run(self._load_history(conversation, None), "history", exclusive=True)
        self.refresh_bindings()

    @property
    def trash(self) -> Trash:
        """Conversations deleted in this session, for undo."""
        if self._trash is None:
            from deepseek_tui.ui.screens.conversations import Trash

            self._trash = Trash()
        return self._trash

    def action_conversations(self) -> None:
        from deepseek_tui.ui.screens.conversations import ConversationsScreen

        current = self.conversation.id if self.conversation else None

        def picked(choice: Picked | None) -> None:
            self._run(self._picked(choice), "pick")

        screen = ConversationsScreen(self.store, self.trash, current, streaming=set(self.live))
        self.app.push_screen(screen, callback=picked)

    async def _picked(self, picked: Picked | None) -> None:
        if picked is None:
            return
        current = self.conversation.id if self.conversation else None
        if picked.new:
            await self.action_new()
            return
        wanted = picked.open or (current if current in picked.changed else None)
        if wanted is None:
            return
        try:
            conversation = await asyncio.to_thread(self.store.get_conversation, wanted)
        except StoreError:
            if wanted == current:  # the open conversation was deleted
                await self.switch_to(None)
                return
            raise
        if wanted == current and picked.open is None:
            self.conversation = conversation
            self._show_title()
        elif wanted != current or picked.open:
            await self.switch_to(conversation)

    def streaming(self) -> list[LiveTurn]:
        """Every answer streaming now, in any conversation."""
        seen = list(self.live.values())
        if self.shown_live is not None and self.shown_live not in seen:
            seen.append(self.shown_live)
        return seen

    # --- actions on messages and files (see deepseek_tui.ui.chat) ---------------------

    async def action_regenerate(self) -> None:
        from deepseek_tui.ui.chat import branches

        await branches.regenerate(self)

    async def action_alternative(self, step: int) -> None:
        from deepseek_tui.ui.chat import branches

        await branches.alternative(self, step)

    async def action_edit(self) -> None:
        from deepseek_tui.ui.chat import branches

        await branches.edit_last(self)

    def action_copy_answer(self) -> None:
        from deepseek_tui.ui.chat import branches

        branches.copy_answer(self)

    def action_copy_code(self) -> None:
        from deepseek_tui.ui.chat import branches

        branches.copy_code(self)

    async def action_continue_answer(self) -> None:
        from deepseek_tui.ui.chat import branches

        await branches.continue_answer(self)

    async def on_message_actions_pressed(self, event: MessageActions.Pressed) -> None:
        from deepseek_tui.ui.chat import branches

        await branches.actions_pressed(self, event)

    def action_attach(self) -> None:
        from deepseek_tui.ui.chat import files

        self._run(files.pick_attachment(self), "files")

    async def attach(self, path: str) -> bool:
        from deepseek_tui.ui.chat import files

        return await files.attach(self, path)

    @on(PromptInput.AttachRequested)
    async def _attach_typed(self, event: PromptInput.AttachRequested) -> None:
        if not event.path:
            self.action_attach()
            return
        await self.attach(event.path)

    @on(AttachmentTray.Changed)
    def _tray_changed(self, event: AttachmentTray.Changed) -> None:
        self.prompt.allow_empty = bool(self.tray.items)
        if event.focus_lost or self.focused is None:
            self.prompt.focus()

    def action_export(self) -> None:
        from deepseek_tui.ui.chat import files

        self._run(files.export(self), "files")

    def action_import(self) -> None:
        from deepseek_tui.ui.chat import files

        self._run(files.import_(self), "files")

    async def action_undo_delete(self) -> None:
        from deepseek_tui.ui.chat import files

        await files.undo_delete(self)

    # --- settings --------------------------------------------------------------------

    @on(SettingsSidebar.SaveDefault)
    async def _save_default_pressed(self) -> None:
        await self.action_save_default()

    async def action_save_default(self) -> None:
        """Write the sidebar's settings to config.toml as the defaults for new
        conversations; values left at the model's default are removed there."""
        if self.ctx.demo:
            self.notify(
                "Not saved: the demo never changes your config file.",
                severity="warning",
                markup=False,
            )
            return
        problems = self.sidebar.problems()
        if problems:
            self.notify(
                "Not saved; fix the settings first: " + "; ".join(problems),
                severity="error",
                markup=False,
            )
            return
        path = self.session.settings.source
        values = self.sidebar.values()
        try:
            await asyncio.to_thread(self.session.save_defaults, values.turn(), values.system)
        except ConfigError as exc:
            self.notify(f"Not saved: {reveal(str(exc))}", severity="error", markup=False)
            return
        except OSError as exc:
            where = f"{reveal(str(path))}: " if path is not None else ""
            self.notify(f"Not saved: {where}{exc.strerror or exc}", severity="error", markup=False)
            return
        self.notify(
            f"Saved as the default for new conversations in {reveal(str(path))}", markup=False
        )

    async def action_sidebar(self) -> None:
        sidebar = self.sidebar
        await sidebar.build()
        sidebar.display = not sidebar.display
        if sidebar.display:
            sidebar.query_one("#model").focus()
        else:
            self.prompt.focus()

    def action_bottom(self) -> None:
        self.pane.follow()

    @on(Button.Pressed, "#follow")
    def _follow_pressed(self) -> None:
        self.action_bottom()
        self.prompt.focus()

    @on(ConversationView.Following)
    def _following(self, event: ConversationView.Following) -> None:
        if event.following:
            for button in self.query("#follow"):
                button.display = False

    def _new_text(self) -> None:
        """Text arrived: offer the way back down when the user is reading above."""
        if self.pane.following:
            return
        found = self.query("#follow")
        if found:
            found.first().display = True
        else:  # mounted when first needed: most starts never show it
            button = Button("↓ new text  (Ctrl+End)", id="follow", compact=True)
            self.query_one("#chat").mount(button, after=self.pane)

    def _show_title(self) -> None:
        """The open conversation's title above it (re-read: the first message names it)."""
        self._run(self._load_title(), "title", exclusive=True)

    async def _load_title(self) -> None:
        line = self.query_one("#conv-title", Static)
        c = self.conversation
        if c is not None:
            with contextlib.suppress(StoreError):
                fresh = await asyncio.to_thread(self.store.get_conversation, c.id)
                if self.conversation is not None and self.conversation.id == fresh.id:
                    self.conversation = c = fresh
        line.display = c is not None
        if c is not None:
            line.update(Content(reveal(c.title) or "untitled"))

    def action_reasoning(self) -> None:
        self.pane.toggle_class("-hide-reasoning")

    @on(SettingsSidebar.ProviderChanged)
    async def _provider_changed(self, event: SettingsSidebar.ProviderChanged) -> None:
        await self.use_provider(event.provider)

    async def use_provider(self, name: str, *, fetch: bool = True) -> bool:
        """Talk to another configured provider from the next message on (and,
        with ``fetch``, get its model list and balance now)."""
        session = self.session
        if name == session.settings.provider:
            return True
        problem = "wait for the answer to finish (or stop it with Esc)" if self.busy else ""
        if not problem:
            try:
                await session.switch_provider(name)
            except ProviderUnavailable as exc:
                problem = str(exc)
        if problem:
            self.sidebar.set_provider(session.settings.provider)
            self.notify(f"Provider not switched: {reveal(problem)}", severity="error", markup=False)
            return False
        self.sidebar.set_provider(name)
        self.sidebar.set_models(self._model_ids(), session.default_model())
        self._show_mode()
        if fetch:
            self._fetch_models()
            self._fetch_balance()
        if self.conversation is not None:
            self.conversation = await asyncio.to_thread(
                self.store.update_conversation, self.conversation.id, provider=name
            )
        host = reveal(session.settings.active.base_url)
        self.notify(f"Provider: {reveal(name)} ({host})", timeout=4, markup=False)
        return True

    @on(SettingsSidebar.Changed)
    def _settings_changed(self) -> None:
        self._show_mode()

    def _show_mode(self) -> None:
        values = self.sidebar.values()
        spec = self.session.spec(values.model)
        if spec.thinks(values.thinking):
            effort = spec.effort(values.effort)
            mode = f"thinking {effort}" if effort else "thinking"
        else:
            mode = "no thinking"
        self.status.set(model=reveal(values.model), mode=mode, context_window=spec.context)


#: Seconds after the first frame before the models and balance are fetched: making
#: the client (httpx, TLS) on a thread would slow what the frame still draws
#: (the footer's keys arrive a moment later).
SETTLE = 0.15

__all__ = ["ChatContext", "ChatScreen"]
