"""The chat screen: the conversation, the prompt with the messages queued
behind a streaming answer, the status line and the settings sidebar.

It composes parts that own their state and wires them together:
:class:`~deepseek_tui.ui.widgets.conversation.ConversationView` shows stored
messages (and pages through long ones); a :class:`~deepseek_tui.ui.live.LiveTurn`
per streaming answer feeds its view while its conversation is shown and keeps
streaming and saving when it is not; the
:class:`~deepseek_tui.session.Session` owns the settings, store and client.
Actions on messages and on files live in :mod:`deepseek_tui.ui.chat`; the
keys for reading and acting on messages (find, moving between messages,
reasoning) come from the :class:`~deepseek_tui.ui.chat.keys.MessageKeys` mixin.

Each turn runs in its own worker (several conversations may stream at once);
Esc cancels the shown one and keeps what arrived. No worker's failure can end
the app: :meth:`ChatScreen.on_worker_state_changed` turns it into a message.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerState

from deepseek_tui.limits import limits
from deepseek_tui.sanitize import reveal
from deepseek_tui.session import Session
from deepseek_tui.store import Conversation, Message, Store, StoreError
from deepseek_tui.ui.chat import peak
from deepseek_tui.ui.chat import settings as chat_settings
from deepseek_tui.ui.chat.keys import MessageKeys
from deepseek_tui.ui.chat.quote import QuoteWatcher
from deepseek_tui.ui.chat.tools import ChatTools
from deepseek_tui.ui.chat.turns import Turns
from deepseek_tui.ui.chat.welcome import ChatView
from deepseek_tui.ui.widgets.attachments import AttachmentTray
from deepseek_tui.ui.widgets.conversation import ConversationView
from deepseek_tui.ui.widgets.footer import Footer
from deepseek_tui.ui.widgets.prompt import PromptInput
from deepseek_tui.ui.widgets.sidebar import ModelTraits, SettingsSidebar, SidebarValues
from deepseek_tui.ui.widgets.status import StatusLine

if TYPE_CHECKING:
    from deepseek_tui.ui.screens.conversations import Picked, Trash
    from deepseek_tui.ui.widgets.queue import QueuedPrompts
    from deepseek_tui.ui.widgets.toolcall import ToolDecisionBar
    from deepseek_tui.ui.widgets.tools_panel import ToolsPanel


class ChatContext(NamedTuple):  # cheaper to create than a dataclass, before the first frame
    """What the chat screen works with."""

    session: Session
    conversation: Conversation | None
    demo: bool
    clock: Callable[[], float]
    tools: ChatTools | None = None
    """The app's MCP servers (started after the first frame)."""


class ChatScreen(MessageKeys, Screen[None]):
    """One conversation shown at a time; Ctrl+N starts another."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Stop", id="stop"),
        Binding("f5", "retry", "Retry", id="retry"),
        Binding("ctrl+n", "new", "New", id="new"),
        Binding("ctrl+o", "conversations", "Conversations", id="conversations"),
        Binding("ctrl+s", "sidebar", "Settings", id="sidebar"),
        Binding("ctrl+r", "reasoning", "Reasoning", id="reasoning"),
        Binding("ctrl+end", "bottom", "Follow", id="bottom", show=False),
        Binding("ctrl+home", "top", "Go to top", id="top", show=False),
        Binding("ctrl+f", "find", "Find", id="find", show=False),
        Binding("alt+up", "message(-1)", "Previous message", id="message-previous", show=False),
        Binding("alt+down", "message(1)", "Next message", id="message-next", show=False),
        Binding("ctrl+g", "regenerate", "Regenerate", id="regenerate", show=False),
        Binding(
            "alt+left", "alternative(-1)", "Prev alternative", id="previous-alternative", show=False
        ),
        Binding(
            "alt+right", "alternative(1)", "Next alternative", id="next-alternative", show=False
        ),
        Binding("f4", "edit", "Edit prompt", id="edit-prompt", show=False),
        Binding("f2", "copy_answer", "Copy answer", id="copy-answer", show=False),
        Binding("f3", "copy_code", "Copy code block", id="copy-code", show=False),
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
        self.tools = context.tools or ChatTools((), self.session.settings.tools)
        c = context.conversation
        self.tool_choices = self.tools.choices(c.id if c is not None else None)
        """This conversation's tools switched off and always allowed."""
        self.turns = Turns(self)
        """The answers streaming now, the messages queued behind them, a failed turn."""
        self.quote = QuoteWatcher(self)  # what sending would cost; the [budget] caps
        self.editing: int | None = None
        """The user message being edited: the next send branches from it."""
        self._trash: Trash | None = None
        self.cost: float | None = None
        self.measured: int | None = None
        """The last answer's prompt + completion tokens, as the host reported them."""
        self.cache_warned: tuple[str, ...] = ()  # what settings.cache_notice last said

    @property
    def store(self) -> Store:
        store = self.session.store
        assert store is not None, "the TUI always has a store"
        return store

    @property
    def busy(self) -> bool:
        """Whether an answer streams into the conversation on screen."""
        return self.turns.shown is not None

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
                yield ChatView(demo=self.ctx.demo, id="conversation")
                yield AttachmentTray(id="attachments")
                yield PromptInput(id="prompt")
                yield StatusLine(id="status")
            s = self.session.settings
            yield SettingsSidebar(
                self._values_for(self.conversation),
                self.model_ids(),
                self._traits,
                providers=list(s.providers),
                provider=s.provider,
                id="sidebar",
            )
        yield Footer()

    def _values_for(self, c: Conversation | None) -> SidebarValues:
        return SidebarValues.of(*self.session.settings_for(c))

    def model_ids(self) -> list[str]:
        return [*self.session.catalog.ids(self.session.host), *self.session.settings.active.models]

    def _traits(self, model: str) -> ModelTraits:
        spec = self.session.spec(model)
        own = limits(spec, temperature_max=self.session.settings.active.temperature_max)
        return ModelTraits(
            switchable=spec.thinking == "switchable",
            thinks=spec.thinks(None),
            efforts=spec.efforts,
            default_effort=spec.default_effort,
            ignores_when_thinking=spec.ignored(True),
            max_output=spec.max_output,
            ranges=tuple((p.name, p.lo, p.hi) for p in own.values()),
            default_max_tokens=spec.default_max_tokens,
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
        if self.tools.configured:
            self.sidebar.tools_panel()  # mounted with the fields, when first shown
        self.query_one("#conv-title").display = self.conversation is not None
        self.show_title()
        self.pane.anchor()
        self.pane.set_class(not self.session.settings.ui.show_reasoning, "-hide-reasoning")
        self.status.set(demo=self.ctx.demo)
        self.show_mode()
        self.set_focus(self.prompt)
        self._open()
        await self.query_one(Footer).show()  # in the first frame, with the prompt's keys

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a worker's failure ends up: a message, never a crash."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            # Its text may hold anything (a library's error can quote a header):
            # the type on screen, the traceback (no locals, no keys) in a report.
            what = self.session.crash_report(error) if error is not None else "unknown error"
            self.notify(
                f"Something went wrong and was not finished: {what}",
                severity="error",
                timeout=10,
                markup=False,
            )

    def background(
        self, work: Awaitable[Any], group: str, *, exclusive: bool = False
    ) -> Worker[Any]:
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
            self.show_mode()
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
        self.fetch_models()
        self.fetch_balance()
        self.start_tools()

    @work(exclusive=True, group="tools", exit_on_error=False)
    async def start_tools(self) -> None:
        """Start the MCP servers in the background (see :mod:`.chat.servers`)."""
        from deepseek_tui.ui.chat import servers

        await servers.start(self)

    @work(exclusive=True, group="models", exit_on_error=False)
    async def fetch_models(self) -> None:
        """Add the host's own model list to the sidebar (see :mod:`.settings`)."""
        from deepseek_tui.ui.chat import settings

        await settings.fetch_models(self)

    @work(exclusive=True, group="balance", exit_on_error=False)
    async def fetch_balance(self) -> None:
        """The account balance in the status line, where the host reports one."""
        from deepseek_tui.ui.chat import settings

        await settings.fetch_balance(self)

    async def _load_history(
        self, conversation: Conversation, messages: list[Message] | None
    ) -> None:
        from deepseek_tui.ui.chat import opening

        await opening.load(self, conversation, messages)

    async def show_path(self, messages: Sequence[Message]) -> None:
        """Show these stored messages as the conversation (see :mod:`.opening`)."""
        from deepseek_tui.ui.chat import opening

        await opening.show_path(self, messages)

    # --- sending -----------------------------------------------------------------

    @on(PromptInput.Submitted)
    async def _send(self, event: PromptInput.Submitted) -> None:
        from deepseek_tui.ui.chat import focus, sending

        focus.clear(self)  # the message keys act on the last message again
        await sending.submitted(self, event.text)

    @on(PromptInput.Changed, "#prompt")
    def _quote_again(self) -> None:
        self.quote.changed()

    # --- the answers (see deepseek_tui.ui.chat.turns) ------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.busy
        if action == "retry":
            return self.turns.failed is not None and not self.busy
        return True

    async def action_retry(self) -> None:
        await self.turns.retry()

    async def on_error_block_retry(self) -> None:
        await self.turns.retry()

    def action_stop(self) -> None:
        self.turns.stop()

    def on_tool_decision_bar_decided(self, event: ToolDecisionBar.Decided) -> None:
        from deepseek_tui.ui.chat import toolturn

        toolturn.decided(self, event.bar, event.decision)

    def palette_tools(self) -> list[tuple[str, Callable[[], object], str]]:
        from deepseek_tui.ui.chat import servers

        return servers.palette_entries(self)

    async def action_tools(self) -> None:
        from deepseek_tui.ui.chat import servers

        await servers.show_panel(self)

    async def on_tools_panel_toggled(self, event: ToolsPanel.Toggled) -> None:
        from deepseek_tui.ui.chat import servers

        await servers.toggled(self, event.wire_name, event.on)

    async def on_queued_prompts_cancel(self, event: QueuedPrompts.Cancel) -> None:
        await self.turns.cancel_queued(event.index)

    @on(PromptInput.Unqueue)
    async def _unqueue_last(self) -> None:
        await self.turns.unqueue_last()

    # --- conversations ---------------------------------------------------------------

    async def action_new(self) -> None:
        await self.switch_to(None)
        self.notify("New conversation", timeout=2)

    async def switch_to(self, conversation: Conversation | None) -> None:
        """Show another conversation (or a new, empty one) with its own settings.
        An answer streaming into the one left keeps streaming and saving."""
        self.turns.leave()
        wanted = conversation.provider if conversation is not None else None
        if wanted is not None and wanted in self.session.settings.providers:
            await self.use_provider(wanted)
        self.conversation = conversation
        self.tool_choices = self.tools.choices(conversation.id if conversation else None)
        self.editing = None
        self.cost, self.measured = None, None
        await self.pane.clear()
        self.status.set(last_tokens=None, context_tokens=None, cost=None, activity="")
        self.sidebar.load(self._values_for(conversation))
        self.show_mode()
        self.show_title()
        self.prompt.focus()
        if conversation is not None:
            self.background(self._load_history(conversation, None), "history", exclusive=True)
        if self.tools.configured:
            from deepseek_tui.ui.chat import servers

            self.background(servers.refresh(self), "tools-panel")
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
            self.background(self._picked(choice), "pick")

        screen = ConversationsScreen(
            self.store, self.trash, current, streaming=set(self.turns.live)
        )
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
            self.show_title()
        elif wanted != current or picked.open:
            await self.switch_to(conversation)

    # --- actions on files (messages: see deepseek_tui.ui.chat.keys) ----------------------

    def action_attach(self) -> None:
        from deepseek_tui.ui.chat import files

        self.background(files.pick_attachment(self), "files")

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

        self.background(files.export(self), "files")

    def action_import(self) -> None:
        from deepseek_tui.ui.chat import files

        self.background(files.import_(self), "files")

    async def action_undo_delete(self) -> None:
        from deepseek_tui.ui.chat import files

        await files.undo_delete(self)

    # --- settings --------------------------------------------------------------------

    @on(SettingsSidebar.SaveDefault)
    async def _save_default_pressed(self) -> None:
        await self.action_save_default()

    async def action_save_default(self) -> None:
        from deepseek_tui.ui.chat import settings

        await settings.save_default(self)

    async def action_sidebar(self) -> None:
        sidebar = self.sidebar
        await sidebar.build()
        sidebar.display = not sidebar.display
        if sidebar.display:
            # The model field is at the top: focusing it must not scroll (a sidebar
            # not laid out yet was left scrolled part-way down now and then).
            sidebar.scroll_home(animate=False)
            sidebar.query_one("#model").focus(scroll_visible=False)
        else:
            self.prompt.focus()

    @on(Button.Pressed, "#follow")
    def _follow_pressed(self) -> None:
        self.action_bottom()
        self.prompt.focus()

    @on(ConversationView.Following)
    def _following(self, event: ConversationView.Following) -> None:
        if event.following:
            for button in self.query("#follow"):
                button.display = False

    def new_text(self) -> None:
        """Text arrived: offer the way back down when the user is reading above
        (once: this runs per piece of text, and a DOM query per piece cost 5x)."""
        if self.pane.following or not self.pane.offer_new_text():
            return
        found = self.query("#follow")
        if found:
            found.first().display = True
        else:  # mounted when first needed: most starts never show it
            button = Button("↓ new text  (Ctrl+End)", id="follow", compact=True)
            self.query_one("#chat").mount(button, after=self.pane)

    def show_title(self) -> None:
        """The open conversation's title above it (re-read: the first message names it)."""
        self.background(self._load_title(), "title", exclusive=True)

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

    @on(SettingsSidebar.ProviderChanged)
    async def _provider_changed(self, event: SettingsSidebar.ProviderChanged) -> None:
        await self.use_provider(event.provider)

    async def use_provider(self, name: str, *, fetch: bool = True) -> bool:
        """Talk to another configured provider from the next message on."""
        from deepseek_tui.ui.chat import settings

        return await settings.use_provider(self, name, fetch=fetch)

    @on(SettingsSidebar.Changed)
    def _settings_changed(self) -> None:
        chat_settings.changed(self)

    async def action_send_off_peak(self) -> None:
        await peak.hold(self)

    def show_mode(self) -> None:
        values = self.sidebar.values()
        spec = self.session.spec(values.model)
        if spec.thinks(values.thinking):
            effort = spec.effort(values.effort)
            mode = f"thinking {effort}" if effort else "thinking"
        else:
            mode = "no thinking"
        self.status.set(model=reveal(values.model), mode=mode, context_window=spec.context)
        peak.show(self)


#: Seconds after the first frame before the models and balance are fetched: making
#: the client (httpx, TLS) on a thread would slow what the frame still draws
#: (the footer's keys arrive a moment later).
SETTLE = 0.15

__all__ = ["ChatContext", "ChatScreen"]
