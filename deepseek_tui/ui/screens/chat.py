"""The chat screen: the conversation, the prompt, the status line and the
settings sidebar. It runs each turn in one exclusive async worker that feeds
the widgets through their methods; Esc cancels that worker and keeps what
arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerCancelled

from deepseek_tui.config import (
    DEFAULT_PROVIDER,
    ConfigError,
    Generation,
    Settings,
    update_config_file,
)
from deepseek_tui.models import Catalog, ModelSpec, default_model
from deepseek_tui.sanitize import StreamSanitizer, clean, reveal
from deepseek_tui.store import Conversation, Message, Store, StoreError
from deepseek_tui.turn_settings import TurnSettings
from deepseek_tui.ui.widgets.attachments import AttachmentTray
from deepseek_tui.ui.widgets.conversation import ConversationView
from deepseek_tui.ui.widgets.footer import Footer
from deepseek_tui.ui.widgets.prompt import PromptInput
from deepseek_tui.ui.widgets.sidebar import ModelTraits, SettingsSidebar, SidebarValues
from deepseek_tui.ui.widgets.status import StatusLine

if TYPE_CHECKING:
    from deepseek_tui.api import APIError, DeepSeekClient
    from deepseek_tui.attachments import Attachment
    from deepseek_tui.chat import RetiredModel, Turn, TurnError
    from deepseek_tui.context_window import Overflow
    from deepseek_tui.ui.render.history import EarlierMessages, HistoryWindow
    from deepseek_tui.ui.screens.conversations import Picked, Trash
    from deepseek_tui.ui.widgets.message import AnswerFooter, AssistantMessage, ErrorBlock
    from deepseek_tui.ui.widgets.message_actions import MessageActions


class ChatContext(NamedTuple):  # cheaper to create than a dataclass, before the first frame
    """What the chat screen works with; the app owns all of it."""

    client: Callable[[], Awaitable[DeepSeekClient]]
    """The session's client, made on first use (not before the first frame)."""
    store: Store
    catalog: Catalog
    settings: Settings
    conversation: Conversation | None
    demo: bool
    now: Callable[[], datetime]
    clock: Callable[[], float]
    switch_provider: Callable[[str], Awaitable[Settings]] | None = None
    """Use another ``[providers.NAME]`` from now on (the app owns the client and
    reopens it); raises :class:`ProviderUnavailable` when that cannot work."""


class ProviderUnavailable(Exception):
    """Another provider cannot be used (no key); ``str()`` says what to do."""


class _Failed(NamedTuple):
    """A turn that can be run again: its prompt, and what to clean up first."""

    prompt: str
    block: ErrorBlock
    view: AssistantMessage | None
    switch_to: tuple[str, bool | None] | None = None
    attachments: tuple[Attachment, ...] = ()


class ChatScreen(Screen[None]):
    """One conversation at a time; Ctrl+N starts another."""

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
        self.settings = context.settings
        self.host = context.settings.active.catalog_host
        self.conversation = context.conversation
        self._preloaded = messages
        self.busy = False
        self.failed: _Failed | None = None
        self._worker: Worker[None] | None = None
        self._cost = 0.0
        self._cost_known = False
        self._trash: Trash | None = None
        self._editing: int | None = None
        self._measured: int | None = None
        """The last answer's prompt + completion tokens, as the host reported them."""
        """The user message being edited: the next send branches from it."""
        self._history: HistoryWindow[Message] | None = None
        """The stored messages shown, and how many of them are not mounted yet."""

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
                yield AttachmentTray(id="attachments")
                yield PromptInput(id="prompt")
                yield StatusLine(id="status")
            yield SettingsSidebar(
                self._initial_values(),
                self._model_ids(),
                self._traits,
                providers=list(self.settings.providers),
                provider=self.settings.provider,
                id="sidebar",
            )
        yield Footer()

    def _initial_values(self) -> SidebarValues:
        return self._values_for(self.conversation)

    def _values_for(self, c: Conversation | None) -> SidebarValues:
        s = self.settings
        if c is not None:
            t = TurnSettings.from_params(c.model or default_model(s, self.ctx.catalog), c.params)
            system = c.system or ""
        else:
            t = TurnSettings.from_generation(default_model(s, self.ctx.catalog), s.generation)
            system = s.generation.system_prompt
        return SidebarValues.of(t, system)

    def _model_ids(self) -> list[str]:
        return [*self.ctx.catalog.ids(self.host), *self.settings.active.models]

    def _spec(self, model: str) -> ModelSpec:
        return self.ctx.catalog.lookup(model, self.host)

    def _traits(self, model: str) -> ModelTraits:
        spec = self._spec(model)
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

    async def on_mount(self) -> None:
        self.sidebar.display = False
        self.query_one("#conv-title").display = self.conversation is not None
        self._show_title()
        self.pane.anchor()
        self.pane.set_class(not self.settings.ui.show_reasoning, "-hide-reasoning")
        self.status.set(demo=self.ctx.demo)
        self._show_mode()
        self.set_focus(self.prompt)
        self._open()
        await self.query_one(Footer).show()  # in the first frame, with the prompt's keys

    # --- background work -------------------------------------------------------------

    @work(group="open")
    async def _open(self) -> None:
        """Restore a resumed conversation -- its provider first, so nothing is
        sent to another host, then its messages -- and once they and the first
        frame are on screen, fetch the host's model list and the balance."""
        c = self.conversation
        if (
            c is not None
            and c.provider is not None
            and c.provider != self.settings.provider
            and c.provider in self.settings.providers
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
            with contextlib.suppress(WorkerCancelled):
                await self._load_history(c, read).wait()
            painted = asyncio.Event()
            self.call_after_refresh(painted.set)  # after the frame that shows them
            await painted.wait()
        await self.status.drawn.wait()  # the first frame is out
        await asyncio.sleep(SETTLE)
        self._fetch_models()
        self._fetch_balance()

    @work(exclusive=True, group="models")
    async def _fetch_models(self) -> None:
        """Add the host's own model list to the sidebar, after the first frame."""
        from deepseek_tui.api import APIError

        try:
            offered = [reveal(m.id) for m in await (await self.ctx.client()).list_models()]
        except APIError:
            return  # the catalog's list still works; the first message will say more
        self.sidebar.add_models(offered)
        model = self.sidebar.model
        if not offered or model in offered:
            return
        # Nobody chose this model (it is the catalog's default for an unknown
        # host): take a newcomer's default from another host if this one lists
        # it, else the first model it lists that the catalog knows.
        usable = [m for m in self.ctx.catalog.defaults.values() if m in offered] or [
            m for m in offered if (spec := self._spec(m)).known and not spec.is_retired()
        ]
        untouched = model == default_model(self.settings, self.ctx.catalog)
        chosen = self.settings.model or self.settings.active.model
        if usable and untouched and chosen is None and self.conversation is None:
            self.sidebar.set_model(usable[0])
            self._show_mode()
            self.notify(
                f"This host does not list {model}; using {usable[0]} (Ctrl+S to change).",
                timeout=6,
                markup=False,
            )
            return
        self.notify(
            f"This host does not list {model}; pick another model with Ctrl+S.",
            severity="warning",
            timeout=8,
            markup=False,
        )

    @work(exclusive=True, group="balance")
    async def _fetch_balance(self) -> None:
        """The account balance in the status line, where the host reports one."""
        from deepseek_tui.api import APIError

        try:
            balance = await (await self.ctx.client()).balance()
        except APIError:
            return  # optional information: a failure here is not worth a message
        if balance is None or not balance.infos:
            self.status.set(balance="")
            return
        self.status.set(balance=", ".join(_money(i.total, i.currency) for i in balance.infos))

    @work(exclusive=True, group="history")
    async def _load_history(
        self, conversation: Conversation, messages: list[Message] | None = None
    ) -> None:
        """Show ``conversation`` (its ``messages`` when they are already read)."""
        if messages is None:
            messages = await asyncio.to_thread(self.ctx.store.messages, conversation.id)
        await self._show_history(messages)

    async def _show_history(self, messages: list[Message]) -> None:
        """Show a stored conversation: only its last messages are mounted, under
        an "earlier messages" line that mounts the rest a page at a time."""
        from deepseek_tui.context_window import estimate, exchange_chars
        from deepseek_tui.ui.render.history import EarlierMessages, HistoryWindow

        # About a screen of text at first (topped up if that falls short), two
        # per page after: every mounted message is parsed, rendered and laid
        # out before the screen shows it.
        rows = max(self.app.size.height, 24)
        window: HistoryWindow[Message] = HistoryWindow(messages, weight=_lines, budget=rows)
        self._history = window
        for m in messages:
            if m.role == "user":
                self.prompt.remember(m.content)
        widgets, closing = self._history_widgets(
            window.latest(), messages[-1] if messages else None
        )
        await self.pane.remove_children()
        await self.pane.mount_all([EarlierMessages(window.hidden), *widgets])
        await self._close_views(closing)
        for m in messages:
            if m.role == "assistant" and m.cost is not None:
                self._cost += m.cost
                self._cost_known = True
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
            self.status.set(
                context_tokens=estimate(sum(exchange_chars(messages))), context_estimated=True
            )
        self.status.set(cost=self._cost if self._cost_known else None)
        self.pane.scroll_end(animate=False)
        self.call_after_refresh(self._fill_screen)

    async def _fill_screen(self) -> None:
        """Mount earlier messages while what is mounted does not fill the view
        (the first batch is sized by a line count that wrapping can fool)."""
        pane = self.pane
        short = pane.virtual_size.height <= pane.size.height
        if self._history is not None and short and await self._show_earlier():
            self.call_after_refresh(self._fill_screen)

    def _history_widgets(
        self, batch: Sequence[Message], last: Message | None = None
    ) -> tuple[list[Widget], list[tuple[AssistantMessage, Message]]]:
        """Widgets for stored messages; ``last`` is the conversation's final
        message (the only one that can offer "continue")."""
        from deepseek_tui.ui.widgets.message import AssistantMessage, UserMessage

        widgets: list[Widget] = []
        closing: list[tuple[AssistantMessage, Message]] = []
        for m in batch:
            if m.role == "user":
                widgets.append(UserMessage(reveal(m.content), attachments=m.attachments))
            elif m.role == "assistant":
                view = AssistantMessage(
                    reveal(m.model or "?"),
                    content=reveal(m.content),
                    reasoning=reveal(m.reasoning or ""),
                )
                widgets.append(view)
                closing.append((view, m))
                cut = m is last and m.finish_reason == "length"
                widgets.append(_actions(m.content, cut=cut))
        return widgets, closing

    async def _close_views(self, closing: Sequence[tuple[AssistantMessage, Message]]) -> None:
        from deepseek_tui.ui.widgets.message import AnswerFooter

        for view, m in closing:
            usage = m.usage or {}
            note = reveal(m.error or "") if m.status != "complete" else ""
            await view.close(
                m.status if m.status in ("complete", "interrupted", "error") else "interrupted",
                AnswerFooter(
                    completion_tokens=usage.get("completion_tokens"),
                    cost=m.cost,
                    note=note,
                ),
            )

    async def on_earlier_messages_pressed(self, event: EarlierMessages.Pressed) -> None:
        await self._show_earlier()

    @on(ConversationView.ReachedTop)
    async def _reached_top(self) -> None:
        await self._show_earlier()

    async def _show_earlier(self) -> bool:
        """Mount the page of stored messages before the first one shown, keeping
        what the user is reading where it is on screen; ``False`` when there
        are none left."""
        from deepseek_tui.ui.render.history import EarlierMessages

        window = self._history
        lines = self.pane.query_children(EarlierMessages)
        if window is None or not window.hidden or not lines:
            return False
        line = lines.first()
        widgets, closing = self._history_widgets(window.earlier())
        pane = self.pane
        before = pane.virtual_size.height
        top = pane.scroll_y
        with pane.prevent(ConversationView.ReachedTop):
            await pane.mount_all(widgets, after=line)
            line.update_count(window.hidden)
            await self._close_views(closing)

        def keep_place() -> None:
            pane.scroll_to(y=top + pane.virtual_size.height - before, animate=False, immediate=True)

        self.call_after_refresh(keep_place)
        return True

    # --- sending -----------------------------------------------------------------

    @on(PromptInput.Submitted)
    async def _send(self, event: PromptInput.Submitted) -> None:
        if self.busy:
            return
        problems = self.sidebar.problems()
        if problems:
            self.prompt.load_text(event.text)
            self.notify(
                "Fix the settings first: " + "; ".join(problems),
                severity="error",
                markup=False,
            )
            return
        attachments = tuple(self.tray.items)
        refused = self._refused(attachments)
        if refused:
            self.prompt.load_text(event.text)
            self.prompt.move_cursor(self.prompt.document.end)
            self.notify(f"Not sent: {reveal(refused)}", severity="error", markup=False)
            return
        overflow = await self._overflow(event.text, attachments)
        if overflow is not None:
            self._ask_to_drop(event.text, overflow, attachments)
            return
        await self._send_text(event.text, attachments=attachments)

    async def _send_text(
        self, text: str, drop: int = 0, attachments: tuple[Attachment, ...] = ()
    ) -> None:
        from deepseek_tui.ui.widgets.message import UserMessage

        await self._clear_failure()
        if self._editing is not None:
            editing, self._editing = self._editing, None
            await self._branch_from(editing)
        await self.pane.mount(
            UserMessage(reveal(text), attachments=[a.record() for a in attachments])
        )
        self.pane.follow()
        await self.tray.clear()
        self._start(text, drop, attachments)

    # --- attachments ---------------------------------------------------------------

    @property
    def tray(self) -> AttachmentTray:
        return self.query_one(AttachmentTray)

    def _refused(self, attachments: tuple[Attachment, ...]) -> str:
        """Why the chosen model cannot take these attachments (``""`` when it can);
        the reason names the models on this host that can."""
        from deepseek_tui.attachments import AttachmentError, check_attachments

        if not attachments:
            return ""
        spec = self._spec(self.sidebar.values().model)
        try:
            check_attachments(attachments, spec, catalog=self.ctx.catalog, host=self.host)
        except AttachmentError as exc:
            return str(exc)
        return ""

    @on(PromptInput.AttachRequested)
    async def _attach_typed(self, event: PromptInput.AttachRequested) -> None:
        if not event.path:
            self.action_attach()
            return
        await self.attach(event.path)

    @work(group="files")
    async def action_attach(self) -> None:
        """Pick a file or an image to send with the next message."""
        from deepseek_tui.transfer import start_dir
        from deepseek_tui.ui.screens.path_dialog import PathScreen

        choice = await self.app.push_screen_wait(
            PathScreen(
                "Attach a file or an image to the next message",
                start_dir(),
                action="Attach",
                help="Text, images (PNG, JPEG, GIF, WebP) or documents; "
                "or type /attach PATH in the prompt.",
            )
        )
        if choice is not None:
            await self.attach(choice.path)
        self.prompt.focus()

    async def attach(self, path: str) -> bool:
        """Load ``path`` and show it as a chip above the prompt; a file that cannot
        be attached gets one notification saying why."""
        from deepseek_tui.attachments import AttachmentError, load_attachment

        try:
            attachment = await asyncio.to_thread(load_attachment, path)
        except AttachmentError as exc:
            self.notify(reveal(str(exc)), severity="error", markup=False)
            return False
        if not await self.tray.add(attachment):
            self.notify(f"{reveal(attachment.name)} is already attached", timeout=3, markup=False)
            return False
        refused = self._refused((attachment,))
        if refused:
            self.notify(
                f"Attached, but {reveal(refused)}. Pick one of those models (Ctrl+S) or "
                "remove it (click the chip) before sending.",
                severity="warning",
                timeout=8,
                markup=False,
            )
        return True

    @on(AttachmentTray.Changed)
    def _tray_changed(self, event: AttachmentTray.Changed) -> None:
        self.prompt.allow_empty = bool(self.tray.items)
        if event.focus_lost or self.focused is None:
            self.prompt.focus()

    async def _overflow(
        self, prompt: str, attachments: tuple[Attachment, ...] = ()
    ) -> Overflow | None:
        """Whether the request for ``prompt`` would outgrow the model's context."""
        from deepseek_tui.context_window import check_fit

        prompt += "".join(a.text or "" for a in attachments)  # text files are inlined
        values = self.sidebar.values()
        window = self._spec(values.model).context
        if not window:
            return None
        fit = partial(check_fit, prompt=prompt, system=values.system, window=window)
        if self.conversation is None or fit((), measured=self._measured) is None:
            return None  # nothing before it, or it fits by the host's own count
        history = await asyncio.to_thread(self.ctx.store.messages, self.conversation.id)
        return fit(history, measured=self._measured)

    @work(group="overflow")
    async def _ask_to_drop(
        self, text: str, o: Overflow, attachments: tuple[Attachment, ...] = ()
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

    def _start(self, prompt: str, drop: int = 0, attachments: tuple[Attachment, ...] = ()) -> None:
        for row in self._answers():
            row.set_cut(False)
        self._set_busy(True)
        self._worker = self._run_turn(prompt, drop, attachments)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.prompt.disabled = busy
        self.set_class(busy, "-busy")
        if not busy:
            self.status.set(rate=None, activity="")
            self.prompt.focus()
        self.refresh_bindings()

    @work(exclusive=True, group="turn")
    async def _run_turn(
        self, prompt: str, drop: int = 0, attachments: tuple[Attachment, ...] = ()
    ) -> None:
        from deepseek_tui.api import ContentDelta, Queued, ReasoningDelta, Started
        from deepseek_tui.chat import AttachmentRefused, RetiredModel, Turn, TurnError
        from deepseek_tui.ui.widgets.message import AssistantMessage

        values = self.sidebar.values()
        settings = values.turn()
        await self._sync_system(values.system)
        view = AssistantMessage(reveal(settings.model))
        await self.pane.mount(view)
        turn = Turn(
            client=await self.ctx.client(),
            store=self.ctx.store,
            catalog=self.ctx.catalog,
            host=self.host,
            prompt=prompt,
            settings=settings,
            conversation=self.conversation,
            system=values.system or None,
            provider=self.settings.provider,
            attachments=attachments,
            drop_oldest=drop,
            temperature_max=self.settings.active.temperature_max,
            now=self.ctx.now,
        )
        live = _Live(self.ctx.clock())
        timer = self.set_interval(0.5, lambda: self._tick(view, live))
        content_out, reasoning_out = StreamSanitizer(), StreamSanitizer()
        collapse = self.settings.ui.collapse_reasoning
        error: TurnError | None = None
        noted = False
        try:
            async with contextlib.aclosing(turn.events()) as events:
                async for event in events:
                    if isinstance(event, ContentDelta):
                        live.count(self.ctx.clock())
                        await view.add_content(
                            reveal(content_out.feed(event.text)), collapse_reasoning=collapse
                        )
                        self._new_text()
                    elif isinstance(event, ReasoningDelta):
                        live.count(self.ctx.clock())
                        await view.add_reasoning(reveal(reasoning_out.feed(event.text)))
                        self._new_text()
                    elif isinstance(event, Queued):
                        self.status.set(activity=f"queued by server · {event.waited:.0f}s")
                    elif isinstance(event, Started):
                        self.status.set(activity="")
                    if not noted and turn.prepared is not None:
                        noted = True
                        for note in turn.prepared.notes:
                            self.notify(reveal(note), severity="warning", timeout=6, markup=False)
            await view.add_reasoning(reveal(reasoning_out.flush()))
            await view.add_content(reveal(content_out.flush()), collapse_reasoning=collapse)
        except RetiredModel as exc:
            await view.remove()
            await self._show_retired(prompt, exc, attachments)
            return
        except AttachmentRefused as exc:
            # Checked before anything was stored or sent (the model changed meanwhile).
            await view.remove()
            self.notify(f"Not sent: {reveal(str(exc))}", severity="error", markup=False)
            return
        except TurnError as exc:
            error = exc
        except asyncio.CancelledError:
            self.conversation = turn.conversation or self.conversation
            self.call_later(self._stopped, view, turn)
            raise
        finally:
            timer.stop()
            self.conversation = turn.conversation or self.conversation
            self._set_busy(False)
            self._show_title()
        await self._finished(view, turn, prompt, error, attachments)

    async def _sync_system(self, system: str) -> None:
        """Save a changed system prompt with the conversation before it is used."""
        c = self.conversation
        if c is not None and (c.system or "") != system:
            self.conversation = await asyncio.to_thread(
                self.ctx.store.update_conversation, c.id, system=system
            )

    def _tick(self, view: AssistantMessage, live: _Live) -> None:
        now = self.ctx.clock()
        view.tick(now - live.started)
        rate = live.rate(now)
        if rate is not None:
            self.status.set(rate=rate)

    async def _stopped(self, view: AssistantMessage, turn: Turn) -> None:
        await view.close("interrupted", self._footer(turn))
        if turn.outcome.content and view.is_attached:
            await self.pane.mount(_actions(turn.outcome.content), after=view)
        self.status.set(activity="stopped")

    async def _finished(
        self,
        view: AssistantMessage,
        turn: Turn,
        prompt: str,
        error: TurnError | None,
        attachments: tuple[Attachment, ...] = (),
    ) -> None:
        out = turn.outcome
        if error is not None and not out.content:
            await view.remove()
            view_left = None
        else:
            await view.close(out.status, self._footer(turn))
            view_left = view
            await self.pane.mount(
                _actions(out.content, cut=out.finish_reason == "length"), after=view
            )
        if out.usage is not None:
            self._measured = out.usage.total_tokens
            self.status.set(
                last_tokens=out.usage.completion_tokens,
                context_tokens=out.usage.total_tokens,
                context_estimated=False,
            )
        if out.cost is not None:
            self._cost += out.cost
            self._cost_known = True
            self.status.set(cost=self._cost)
        self._fetch_balance()
        if error is not None:
            await self._show_error(prompt, error, view_left, attachments)

    def _footer(self, turn: Turn) -> AnswerFooter:
        from deepseek_tui.ui.widgets.message import AnswerFooter

        out = turn.outcome
        price = turn.spec.price_at(self.ctx.now())
        return AnswerFooter(
            completion_tokens=out.usage.completion_tokens if out.usage else None,
            prompt_tokens=out.usage.prompt_tokens if out.usage else None,
            cost=out.cost,
            currency=price.currency if price else "USD",
            note=reveal("; ".join(out.notes)),
        )

    # --- failures ------------------------------------------------------------------

    async def _show_error(
        self,
        prompt: str,
        error: TurnError,
        view: AssistantMessage | None,
        attachments: tuple[Attachment, ...] = (),
    ) -> None:
        from deepseek_tui.ui.widgets.message import ErrorBlock

        block = ErrorBlock(reveal(str(error)), _hint(error.cause))
        await self.pane.mount(block)
        self.failed = _Failed(prompt, block, view, attachments=attachments)
        self.refresh_bindings()

    async def _show_retired(
        self, prompt: str, exc: RetiredModel, attachments: tuple[Attachment, ...] = ()
    ) -> None:
        from deepseek_tui.ui.widgets.message import ErrorBlock

        spec = exc.spec
        switch: tuple[str, bool | None] | None = None
        if spec.successor:
            switch = (spec.successor, spec.successor_thinking)
            mode = ""
            if spec.successor_thinking is not None:
                mode = " (thinking " + ("on" if spec.successor_thinking else "off") + ")"
            block = ErrorBlock(
                reveal(str(exc)),
                f"Press F5 to switch this conversation to {spec.successor}{mode} and send "
                "again, or pick another model in the sidebar (Ctrl+S).",
                action=f"Switch to {spec.successor}{mode} and retry",
            )
        else:
            block = ErrorBlock(reveal(str(exc)), "Pick another model in the sidebar (Ctrl+S).")
        await self.pane.mount(block)
        self.failed = _Failed(prompt, block, None, switch, attachments)
        self.refresh_bindings()

    async def _clear_failure(self) -> _Failed | None:
        failed, self.failed = self.failed, None
        if failed is not None:
            await failed.block.remove()
            self.refresh_bindings()
        return failed

    async def on_error_block_retry(self) -> None:
        await self.action_retry()

    # --- actions -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.busy
        if action == "retry":
            return self.failed is not None and not self.busy
        return True

    async def action_retry(self) -> None:
        if self.busy:
            return
        failed = await self._clear_failure()
        if failed is None:
            return
        if failed.switch_to is not None:
            model, thinking = failed.switch_to
            self.sidebar.set_model(model, thinking)
            self._show_mode()
        self._start(failed.prompt, attachments=failed.attachments)

    def action_stop(self) -> None:
        if self._worker is not None and self.busy:
            self._worker.cancel()

    async def action_new(self) -> None:
        await self._switch_to(None)
        self.notify("New conversation", timeout=2)

    async def _switch_to(self, conversation: Conversation | None) -> None:
        """Show another conversation (or a new, empty one) with its own settings."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._worker.wait()
        wanted = conversation.provider if conversation is not None else None
        if wanted is not None and wanted in self.settings.providers:
            await self.use_provider(wanted)
        self.conversation = conversation
        self.failed = None
        self._editing = None
        self._cost, self._cost_known = 0.0, False
        self._measured = None
        self._history = None
        await self.pane.remove_children()
        self.status.set(last_tokens=None, context_tokens=None, cost=None, activity="")
        self.sidebar.load(self._values_for(conversation))
        self._show_mode()
        self._show_title()
        self.prompt.focus()
        if conversation is not None:
            self._load_history(conversation)
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
            self._picked(choice)

        self.app.push_screen(
            ConversationsScreen(self.ctx.store, self.trash, current), callback=picked
        )

    @work(group="pick")
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
            conversation = await asyncio.to_thread(self.ctx.store.get_conversation, wanted)
        except StoreError:
            if wanted == current:  # the open conversation was deleted
                await self._switch_to(None)
                return
            raise
        if wanted == current and picked.open is None:
            self.conversation = conversation
            self._show_title()
        elif wanted != current or picked.open:
            await self._switch_to(conversation)

    # --- branches ------------------------------------------------------------------

    async def _last_prompt(self) -> Message | None:
        if self.conversation is None:
            return None
        path = await asyncio.to_thread(self.ctx.store.messages, self.conversation.id)
        return next((m for m in reversed(path) if m.role == "user"), None)

    async def _branch_from(self, message_id: int) -> None:
        """Show the conversation up to just before ``message_id``; the next turn
        becomes an alternative to it (the old branch stays in the database)."""
        self.conversation = await asyncio.to_thread(self.ctx.store.rewind, message_id)
        path = await asyncio.to_thread(self.ctx.store.messages, self.conversation.id)
        self._cost, self._cost_known = 0.0, False
        await self._show_history(path)

    async def action_regenerate(self) -> None:
        """Ask again for the last answer; the earlier one stays as an alternative."""
        from deepseek_tui.ui.widgets.message import UserMessage

        if self.busy:
            return
        last = await self._last_prompt()
        if last is None:
            self.notify("Nothing to regenerate yet", timeout=3)
            return
        attachments, lost = _reattach(last)
        if lost:  # its images or documents were sent once and not kept
            await self._edit(last, attachments)
            self.notify(
                f"To regenerate, attach {', '.join(lost)} again (Ctrl+T), then press Enter: "
                "images and documents are not kept with the conversation.",
                severity="warning",
                timeout=8,
                markup=False,
            )
            return
        await self._clear_failure()
        await self._branch_from(last.id)
        await self.pane.mount(UserMessage(reveal(last.content), attachments=last.attachments))
        self.pane.follow()
        self._start(last.content, attachments=tuple(attachments))

    async def action_alternative(self, step: int) -> None:
        """Show the previous / next alternative of the last exchange."""
        if self.busy:
            return
        last = await self._last_prompt()
        if last is None:
            return
        alts = await asyncio.to_thread(self.ctx.store.alternatives, last.id)
        index = next(i for i, m in enumerate(alts) if m.id == last.id)
        target = index + step
        if not 0 <= target < len(alts):
            self.notify(f"Alternative {index + 1} of {len(alts)}; no more", timeout=2)
            return
        self.conversation = await asyncio.to_thread(self.ctx.store.select_branch, alts[target].id)
        path = await asyncio.to_thread(self.ctx.store.messages, self.conversation.id)
        self._cost, self._cost_known = 0.0, False
        await self._show_history(path)
        self.notify(f"Alternative {target + 1} of {len(alts)}", timeout=2)

    async def action_edit(self) -> None:
        """Put the last prompt back in the editor; sending it starts a branch."""
        if self.busy:
            return
        last = await self._last_prompt()
        if last is None:
            self.notify("Nothing to edit yet", timeout=3)
            return
        attachments, lost = _reattach(last)
        await self._edit(last, attachments)
        note = ""
        if lost:
            it, was = ("them", "were") if len(lost) > 1 else ("it", "was")
            note = f" {', '.join(lost)} {was} not kept: attach {it} again (Ctrl+T) to send {it}."
        self.notify(
            "Editing your last message: Enter sends it as a new branch "
            "(Alt+Left/Right switch between branches); Ctrl+N or clearing it cancels." + note,
            timeout=8 if lost else 5,
            markup=False,
        )

    async def _edit(self, message: Message, attachments: Sequence[Attachment]) -> None:
        """Put ``message`` and its text attachments back for editing."""
        self._editing = message.id
        self.prompt.load_text(message.content)
        self.prompt.move_cursor(self.prompt.document.end)
        await self.tray.clear()
        for a in attachments:
            await self.tray.add(a)
        self.prompt.focus()

    # --- copy and continue -------------------------------------------------------

    def _answers(self) -> list[MessageActions]:
        from deepseek_tui.ui.widgets.message_actions import MessageActions

        return list(self.pane.query(MessageActions))

    def action_copy_answer(self) -> None:
        """Copy the last answer (as the model wrote it) to the clipboard."""
        from deepseek_tui.ui.clipboard import copy_text

        answers = self._answers()
        if not answers:
            self.notify("No answer to copy yet", timeout=3)
            return
        copy_text(self.app, answers[-1].text, "the last answer")

    def action_copy_code(self) -> None:
        """Copy the last code block of the conversation."""
        from deepseek_tui.ui.clipboard import code_blocks, copy_text

        for row in reversed(self._answers()):
            blocks = code_blocks(row.text)
            if blocks:
                copy_text(self.app, blocks[-1], "the last code block")
                return
        self.notify("No code block in the answers yet", timeout=3)

    async def on_message_actions_pressed(self, event: MessageActions.Pressed) -> None:
        from deepseek_tui.ui.clipboard import code_blocks, copy_text

        row = event.actions
        if event.action == "copy":
            copy_text(self.app, row.text, "the answer")
        elif event.action == "code":
            blocks = code_blocks(row.text)
            if blocks:
                copy_text(self.app, blocks[-1], "the code block")
        elif event.action == "continue":
            await self.action_continue_answer()

    async def action_continue_answer(self) -> None:
        """Ask the model to go on with an answer cut off at max_tokens.

        Sent as an ordinary user message (:data:`CONTINUE_PROMPT`), not as
        DeepSeek's beta prefix completion: it works on every host and model
        (thinking ones included), and the conversation stays a plain
        user/assistant alternation that replays byte-identically.
        """
        from deepseek_tui.ui.widgets.message import UserMessage

        if self.busy:
            return
        answers = self._answers()
        if not answers or not answers[-1].cut:
            self.notify("The last answer was not cut off; nothing to continue", timeout=3)
            return
        await self._clear_failure()
        await self.pane.mount(UserMessage(CONTINUE_PROMPT))
        self.pane.follow()
        self._start(CONTINUE_PROMPT)

    # --- export and import -------------------------------------------------------

    @work(group="files")
    async def action_export(self) -> None:
        """Write the open conversation to a Markdown or JSON file."""
        from deepseek_tui.transfer import (
            FORMATS,
            TransferError,
            default_path,
            export_to,
            resolve,
        )
        from deepseek_tui.ui.screens.confirm import ConfirmScreen
        from deepseek_tui.ui.screens.path_dialog import PathScreen

        c = self.conversation
        if c is None:
            self.notify("Nothing to export yet: send a message first", timeout=3)
            return
        choice = await self.app.push_screen_wait(
            PathScreen(
                "Export this conversation",
                default_path(c.id, "markdown"),
                action="Export",
                formats=FORMATS,
                format="markdown",
                help="The same formats as `deepseek-tui export`; JSON can be imported again.",
            )
        )
        if choice is None:
            return
        path = resolve(choice.path)
        if await asyncio.to_thread(path.exists):
            replace = await self.app.push_screen_wait(
                ConfirmScreen(
                    "Replace the file?",
                    "A file with this name exists:",
                    detail=str(path),
                    yes="Replace",
                )
            )
            if not replace:
                return
        try:
            size = await asyncio.to_thread(
                export_to, self.ctx.store, c.id, path, choice.format or "markdown"
            )
        except TransferError as exc:
            self.notify(f"Export failed: {reveal(str(exc))}", severity="error", markup=False)
            return
        self.notify(f"Exported to {reveal(str(path))} ({size:,} bytes)", markup=False)

    @work(group="files")
    async def action_import(self) -> None:
        """Add a conversation from a JSON export and open it."""
        from deepseek_tui.transfer import TransferError, import_from, resolve, start_dir
        from deepseek_tui.ui.screens.path_dialog import PathScreen

        choice = await self.app.push_screen_wait(
            PathScreen(
                "Import a conversation (JSON export)",
                start_dir(),
                action="Import",
                help="A file written by `deepseek-tui export --format json` or Export (F9).",
            )
        )
        if choice is None:
            return
        try:
            imported = await asyncio.to_thread(import_from, self.ctx.store, resolve(choice.path))
        except TransferError as exc:
            self.notify(f"Import failed: {reveal(str(exc))}", severity="error", markup=False)
            return
        self.notify(f"Imported: {reveal(imported.title) or 'untitled'}", markup=False)
        await self._switch_to(imported)

    async def action_undo_delete(self) -> None:
        """Bring back the conversation deleted last (from the command palette)."""
        if not self.trash.items:
            self.notify("Nothing to undo", timeout=2)
            return
        saved = self.trash.items.pop()
        restored = await asyncio.to_thread(self.ctx.store.import_json, saved)
        self.notify(f"Restored: {reveal(restored.title) or 'untitled'}", markup=False)

    # --- save as default -------------------------------------------------------------

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
        path = self.settings.source
        if path is None:
            self.notify("Not saved: no config file in use", severity="error", markup=False)
            return
        values = self.sidebar.values()
        generation = self._generation_table(values)
        provider = self.settings.provider
        catalog_default = self.ctx.catalog.default_model(self.host)

        def change(data: dict[str, Any]) -> None:
            table = data.get("generation")
            table = dict(table) if isinstance(table, dict) else {}
            for name in _GENERATION_KEYS:
                table.pop(name, None)
            table.update(generation)
            if table:
                data["generation"] = table
            else:
                data.pop("generation", None)
            if data.get("provider", DEFAULT_PROVIDER) == provider:
                if values.model == catalog_default and not self.settings.active.model:
                    data.pop("model", None)
                else:
                    data["model"] = values.model
            else:
                entry = data.setdefault("providers", {}).setdefault(provider, {})
                entry["model"] = values.model

        try:
            await asyncio.to_thread(update_config_file, path, change)
        except ConfigError as exc:
            self.notify(f"Not saved: {reveal(str(exc))}", severity="error", markup=False)
            return
        except OSError as exc:
            self.notify(
                f"Not saved: {reveal(str(path))}: {exc.strerror or exc}",
                severity="error",
                markup=False,
            )
            return
        self.settings = replace(
            self.settings,
            model=values.model,  # new conversations in this session start with it too
            generation=Generation(**generation),
        )
        self.notify(
            f"Saved as the default for new conversations in {reveal(str(path))}",
            markup=False,
        )

    def _generation_table(self, values: SidebarValues) -> dict[str, Any]:
        """The ``[generation]`` entries for ``values``: only what differs from the
        model's own defaults."""
        spec = self._spec(values.model)
        out: dict[str, Any] = {}
        if values.thinking is not None and values.thinking != spec.thinks(None):
            out["thinking"] = values.thinking
        if values.effort is not None and values.effort != spec.default_effort:
            out["effort"] = values.effort
        for name in ("temperature", "top_p", "max_tokens", "presence_penalty", "frequency_penalty"):
            value = getattr(values, name)
            if value is not None:
                out[name] = value
        if values.system:
            out["system_prompt"] = values.system
        if values.json_mode:
            out["json_mode"] = True
        return out

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
        self._load_title()

    @work(exclusive=True, group="title")
    async def _load_title(self) -> None:
        line = self.query_one("#conv-title", Static)
        c = self.conversation
        if c is not None:
            with contextlib.suppress(StoreError):
                c = await asyncio.to_thread(self.ctx.store.get_conversation, c.id)
                self.conversation = c
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
        if name == self.settings.provider:
            return True
        switch = self.ctx.switch_provider
        problem = "wait for the answer to finish (or stop it with Esc)" if self.busy else ""
        if switch is None:
            problem = "this session cannot switch providers"
        if not problem and switch is not None:
            try:
                self.settings = await switch(name)
            except ProviderUnavailable as exc:
                problem = str(exc)
        if problem:
            self.sidebar.set_provider(self.settings.provider)
            self.notify(f"Provider not switched: {reveal(problem)}", severity="error", markup=False)
            return False
        self.host = self.settings.active.catalog_host
        self.sidebar.set_provider(name)
        self.sidebar.set_models(self._model_ids(), default_model(self.settings, self.ctx.catalog))
        self._show_mode()
        if fetch:
            self._fetch_models()
            self._fetch_balance()
        if self.conversation is not None:
            self.conversation = await asyncio.to_thread(
                self.ctx.store.update_conversation, self.conversation.id, provider=name
            )
        host = reveal(self.settings.active.base_url)
        self.notify(f"Provider: {reveal(name)} ({host})", timeout=4, markup=False)
        return True

    @on(SettingsSidebar.Changed)
    def _settings_changed(self) -> None:
        self._show_mode()

    def _show_mode(self) -> None:
        values = self.sidebar.values()
        spec = self._spec(values.model)
        if spec.thinks(values.thinking):
            effort = spec.effort(values.effort)
            mode = f"thinking {effort}" if effort else "thinking"
        else:
            mode = "no thinking"
        self.status.set(model=reveal(values.model), mode=mode, context_window=spec.context)


#: Every ``[generation]`` key the sidebar sets ("Save as default" rewrites them all).
_GENERATION_KEYS = (
    "temperature",
    "top_p",
    "max_tokens",
    "presence_penalty",
    "frequency_penalty",
    "system_prompt",
    "thinking",
    "effort",
    "json_mode",
)

#: Seconds after the first frame before the models and balance are fetched: making
#: the client (httpx, TLS) on a thread would slow what the frame still draws
#: (the footer's keys arrive a moment later).
SETTLE = 0.15

#: What "Continue" sends after an answer cut off at max_tokens.
CONTINUE_PROMPT = "Continue exactly where your last answer stopped, without repeating anything."


def _reattach(message: Message) -> tuple[list[Attachment], list[str]]:
    """The attachments of a stored user message that can be sent again (text
    files, whose text is kept), and the names of those that cannot."""
    from deepseek_tui.attachments import Attachment

    again: list[Attachment] = []
    lost: list[str] = []
    for record in message.attachments or ():
        attachment = Attachment.from_record(record)
        if attachment is not None:
            again.append(attachment)
        elif isinstance(record, dict):
            lost.append(reveal(str(record.get("name", "an attachment"))))
    return again, lost


def _money(amount: str, currency: str) -> str:
    """``$7.42``, ``¥110.00``, ``3.10 EUR`` (amounts come from the host: sanitized)."""
    symbol = {"USD": "$", "CNY": "¥"}.get(currency)
    return reveal(f"{symbol}{amount}" if symbol else f"{amount} {currency}")


def _lines(m: Message) -> int:
    """About how many lines a stored message takes on screen (reasoning folds)."""
    return m.content.count("\n") + 2


def _actions(content: str, *, cut: bool = False) -> MessageActions:
    """The copy / continue links for an answer with this (raw) text."""
    from deepseek_tui.ui.clipboard import code_blocks
    from deepseek_tui.ui.widgets.message_actions import MessageActions

    text = clean(content)
    return MessageActions(text, code=len(code_blocks(text)), cut=cut)


class _Live:
    """Counts stream events to show tokens per second while an answer streams."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.first: float | None = None
        self.events = 0
        self.last = started

    def count(self, now: float) -> None:
        if self.first is None:
            self.first = now
        self.events += 1
        self.last = now

    def rate(self, now: float) -> float | None:
        if self.first is None or now - self.first < 0.5:
            return None
        return self.events / (now - self.first)


def _hint(cause: APIError | None) -> str:
    """What the user can do about a failure."""
    from deepseek_tui.api import (
        AuthenticationError,
        ConnectionFailed,
        InsufficientBalance,
        ModelNotFound,
        RateLimited,
        Timeout,
    )

    if isinstance(cause, AuthenticationError):
        return "Check the API key (config file or DEEPSEEK_API_KEY), then retry with F5."
    if isinstance(cause, InsufficientBalance):
        return "Top up at https://platform.deepseek.com, then retry with F5."
    if isinstance(cause, RateLimited):
        return "The host is rate limiting; wait a moment, then retry with F5."
    if isinstance(cause, ConnectionFailed | Timeout):
        return "Check the network connection, then retry with F5."
    if isinstance(cause, ModelNotFound):
        return "Pick a model this host offers in the sidebar (Ctrl+S), then retry with F5."
    return "Retry with F5 or the button; if it keeps failing, change the model (Ctrl+S)."
