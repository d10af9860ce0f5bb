"""The chat screen: the conversation, the prompt, the status line and the
settings sidebar. It runs each turn in one exclusive async worker that feeds
the widgets through their methods; Esc cancels that worker and keeps what
arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker

from deepseek_tui.api import (
    APIError,
    AuthenticationError,
    ConnectionFailed,
    ContentDelta,
    DeepSeekClient,
    InsufficientBalance,
    ModelNotFound,
    Queued,
    RateLimited,
    ReasoningDelta,
    Started,
    Timeout,
)
from deepseek_tui.chat import RetiredModel, Turn, TurnError, TurnSettings, default_model
from deepseek_tui.config import Settings
from deepseek_tui.models import Catalog, ModelSpec
from deepseek_tui.sanitize import StreamSanitizer, clean
from deepseek_tui.store import Conversation, Message, Store
from deepseek_tui.ui.widgets.message import (
    AnswerFooter,
    AssistantMessage,
    ErrorBlock,
    UserMessage,
)
from deepseek_tui.ui.widgets.prompt import PromptInput
from deepseek_tui.ui.widgets.sidebar import ModelTraits, SettingsSidebar, SidebarValues
from deepseek_tui.ui.widgets.status import StatusLine


@dataclass(frozen=True)
class ChatContext:
    """What the chat screen works with; the app owns all of it."""

    client: DeepSeekClient
    store: Store
    catalog: Catalog
    settings: Settings
    conversation: Conversation | None
    demo: bool
    now: Callable[[], datetime]
    clock: Callable[[], float]


@dataclass
class _Failed:
    """A turn that can be run again: its prompt, and what to clean up first."""

    prompt: str
    block: ErrorBlock
    view: AssistantMessage | None
    switch_to: tuple[str, bool | None] | None = None


class ChatScreen(Screen[None]):
    """One conversation at a time; Ctrl+N starts another."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Stop", id="stop"),
        Binding("f5", "retry", "Retry", id="retry"),
        Binding("ctrl+n", "new", "New", id="new"),
        Binding("ctrl+s", "sidebar", "Settings", id="sidebar"),
        Binding("ctrl+r", "reasoning", "Reasoning", id="reasoning"),
    ]

    def __init__(self, context: ChatContext) -> None:
        super().__init__()
        self.ctx = context
        self.host = context.settings.active.catalog_host
        self.conversation = context.conversation
        self.busy = False
        self.failed: _Failed | None = None
        self._worker: Worker[None] | None = None
        self._cost = 0.0
        self._cost_known = False

    # --- layout ------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        if self.ctx.demo:
            yield Static(
                "DEMO · answers come from a built-in offline server · nothing is saved",
                id="demo-banner",
            )
        with Horizontal(id="main"):
            with Vertical(id="chat"):
                yield VerticalScroll(id="conversation")
                yield PromptInput(id="prompt")
                yield StatusLine(id="status")
            yield SettingsSidebar(
                self._initial_values(),
                self._model_ids(),
                self._traits,
                id="sidebar",
            )
        yield Footer()

    def _initial_values(self) -> SidebarValues:
        s = self.ctx.settings
        c = self.conversation
        if c is not None:
            t = TurnSettings.from_params(c.model or default_model(s, self.ctx.catalog), c.params)
            system = c.system or ""
        else:
            t = TurnSettings.from_generation(default_model(s, self.ctx.catalog), s.generation)
            system = s.generation.system_prompt
        return SidebarValues(
            model=t.model,
            thinking=t.thinking,
            effort=t.effort,
            temperature=t.temperature,
            top_p=t.top_p,
            max_tokens=t.max_tokens,
            presence_penalty=t.presence_penalty,
            frequency_penalty=t.frequency_penalty,
            json_mode=t.json_mode,
            system=system,
        )

    def _model_ids(self) -> list[str]:
        return [*self.ctx.catalog.ids(self.host), *self.ctx.settings.active.models]

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
    def pane(self) -> VerticalScroll:
        return self.query_one("#conversation", VerticalScroll)

    @property
    def prompt(self) -> PromptInput:
        return self.query_one(PromptInput)

    @property
    def sidebar(self) -> SettingsSidebar:
        return self.query_one(SettingsSidebar)

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    def on_mount(self) -> None:
        self.sidebar.display = False
        self.pane.anchor()
        self.pane.set_class(not self.ctx.settings.ui.show_reasoning, "-hide-reasoning")
        self.status.set(demo=self.ctx.demo)
        self._show_mode()
        self.prompt.focus()
        if self.conversation is not None:
            self._load_history(self.conversation)
        self.call_after_refresh(self._fetch_models)

    # --- background work -------------------------------------------------------------

    @work(exclusive=True, group="models")
    async def _fetch_models(self) -> None:
        """Add the host's own model list to the sidebar, after the first frame."""
        try:
            offered = [clean(m.id) for m in await self.ctx.client.list_models()]
        except APIError:
            return  # the catalog's list still works; the first message will say more
        self.sidebar.add_models(offered)
        model = self.sidebar.model
        if offered and model not in offered:
            self.notify(
                f"This host does not list {model}; pick another model with Ctrl+S.",
                severity="warning",
                timeout=8,
                markup=False,
            )

    @work(exclusive=True, group="history")
    async def _load_history(self, conversation: Conversation) -> None:
        messages = await asyncio.to_thread(self.ctx.store.messages, conversation.id)
        await self._show_history(messages)

    async def _show_history(self, messages: list[Message]) -> None:
        widgets: list[UserMessage | AssistantMessage] = []
        closing: list[tuple[AssistantMessage, Message]] = []
        for m in messages:
            if m.role == "user":
                widgets.append(UserMessage(clean(m.content)))
                self.prompt.remember(m.content)
            elif m.role == "assistant":
                view = AssistantMessage(
                    clean(m.model or "?"),
                    content=clean(m.content),
                    reasoning=clean(m.reasoning or ""),
                )
                widgets.append(view)
                closing.append((view, m))
        await self.pane.remove_children()
        await self.pane.mount_all(widgets)
        for view, m in closing:
            usage = m.usage or {}
            note = clean(m.error or "") if m.status != "complete" else ""
            await view.close(
                m.status if m.status in ("complete", "interrupted", "error") else "interrupted",
                AnswerFooter(
                    completion_tokens=usage.get("completion_tokens"),
                    cost=m.cost,
                    note=note,
                ),
            )
            if m.cost is not None:
                self._cost += m.cost
                self._cost_known = True
        last = next((m for m in reversed(messages) if m.role == "assistant" and m.usage), None)
        if last is not None and last.usage:
            self.status.set(
                last_tokens=last.usage.get("completion_tokens"),
                context_tokens=last.usage.get("total_tokens"),
            )
        self.status.set(cost=self._cost if self._cost_known else None)
        self.pane.scroll_end(animate=False)

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
        await self._clear_failure()
        await self.pane.mount(UserMessage(clean(event.text)))
        self.pane.anchor()
        self._start(event.text)

    def _start(self, prompt: str) -> None:
        self._set_busy(True)
        self._worker = self._run_turn(prompt)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.prompt.disabled = busy
        self.set_class(busy, "-busy")
        if not busy:
            self.status.set(rate=None, activity="")
            self.prompt.focus()
        self.refresh_bindings()

    @work(exclusive=True, group="turn")
    async def _run_turn(self, prompt: str) -> None:
        values = self.sidebar.values()
        settings = TurnSettings(
            model=values.model,
            thinking=values.thinking,
            effort=values.effort,
            temperature=values.temperature,
            top_p=values.top_p,
            max_tokens=values.max_tokens,
            presence_penalty=values.presence_penalty,
            frequency_penalty=values.frequency_penalty,
            json_mode=values.json_mode,
        )
        await self._sync_system(values.system)
        view = AssistantMessage(clean(settings.model))
        await self.pane.mount(view)
        turn = Turn(
            client=self.ctx.client,
            store=self.ctx.store,
            catalog=self.ctx.catalog,
            host=self.host,
            prompt=prompt,
            settings=settings,
            conversation=self.conversation,
            system=values.system or None,
            provider=self.ctx.settings.provider,
            now=self.ctx.now,
        )
        live = _Live(self.ctx.clock())
        timer = self.set_interval(0.5, lambda: self._tick(view, live))
        content_out, reasoning_out = StreamSanitizer(), StreamSanitizer()
        collapse = self.ctx.settings.ui.collapse_reasoning
        error: TurnError | None = None
        try:
            async with contextlib.aclosing(turn.events()) as events:
                async for event in events:
                    if isinstance(event, ContentDelta):
                        live.count(self.ctx.clock())
                        await view.add_content(
                            content_out.feed(event.text), collapse_reasoning=collapse
                        )
                    elif isinstance(event, ReasoningDelta):
                        live.count(self.ctx.clock())
                        await view.add_reasoning(reasoning_out.feed(event.text))
                    elif isinstance(event, Queued):
                        self.status.set(activity=f"queued by server · {event.waited:.0f}s")
                    elif isinstance(event, Started):
                        self.status.set(activity="")
            await view.add_reasoning(reasoning_out.flush())
            await view.add_content(content_out.flush(), collapse_reasoning=collapse)
        except RetiredModel as exc:
            await view.remove()
            await self._show_retired(prompt, exc)
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
        await self._finished(view, turn, prompt, error)

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
        self.status.set(activity="stopped")

    async def _finished(
        self, view: AssistantMessage, turn: Turn, prompt: str, error: TurnError | None
    ) -> None:
        out = turn.outcome
        if error is not None and not out.content:
            await view.remove()
            view_left = None
        else:
            await view.close(out.status, self._footer(turn))
            view_left = view
        if out.usage is not None:
            self.status.set(
                last_tokens=out.usage.completion_tokens,
                context_tokens=out.usage.total_tokens,
            )
        if out.cost is not None:
            self._cost += out.cost
            self._cost_known = True
            self.status.set(cost=self._cost)
        if error is not None:
            await self._show_error(prompt, error, view_left)

    def _footer(self, turn: Turn) -> AnswerFooter:
        out = turn.outcome
        price = turn.spec.price_at(self.ctx.now())
        return AnswerFooter(
            completion_tokens=out.usage.completion_tokens if out.usage else None,
            prompt_tokens=out.usage.prompt_tokens if out.usage else None,
            cost=out.cost,
            currency=price.currency if price else "USD",
            note=clean("; ".join(out.notes)),
        )

    # --- failures ------------------------------------------------------------------

    async def _show_error(
        self, prompt: str, error: TurnError, view: AssistantMessage | None
    ) -> None:
        block = ErrorBlock(clean(str(error)), _hint(error.cause))
        await self.pane.mount(block)
        self.failed = _Failed(prompt, block, view)
        self.refresh_bindings()

    async def _show_retired(self, prompt: str, exc: RetiredModel) -> None:
        spec = exc.spec
        switch: tuple[str, bool | None] | None = None
        if spec.successor:
            switch = (spec.successor, spec.successor_thinking)
            mode = ""
            if spec.successor_thinking is not None:
                mode = " (thinking " + ("on" if spec.successor_thinking else "off") + ")"
            block = ErrorBlock(
                clean(str(exc)),
                f"Press F5 to switch this conversation to {spec.successor}{mode} and send "
                "again, or pick another model in the sidebar (Ctrl+S).",
                action=f"Switch to {spec.successor}{mode} and retry",
            )
        else:
            block = ErrorBlock(clean(str(exc)), "Pick another model in the sidebar (Ctrl+S).")
        await self.pane.mount(block)
        self.failed = _Failed(prompt, block, None, switch)
        self.refresh_bindings()

    async def _clear_failure(self) -> _Failed | None:
        failed, self.failed = self.failed, None
        if failed is not None:
            await failed.block.remove()
            self.refresh_bindings()
        return failed

    @on(ErrorBlock.Retry)
    async def _retry_pressed(self) -> None:
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
        self._start(failed.prompt)

    def action_stop(self) -> None:
        if self._worker is not None and self.busy:
            self._worker.cancel()

    async def action_new(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
        self.conversation = None
        self.failed = None
        self._cost, self._cost_known = 0.0, False
        await self.pane.remove_children()
        self.status.set(last_tokens=None, context_tokens=None, cost=None, activity="")
        self.prompt.focus()
        self.notify("New conversation", timeout=2)

    def action_sidebar(self) -> None:
        sidebar = self.sidebar
        sidebar.display = not sidebar.display
        if sidebar.display:
            sidebar.query_one("#model").focus()
        else:
            self.prompt.focus()

    def action_reasoning(self) -> None:
        self.pane.toggle_class("-hide-reasoning")

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
        self.status.set(model=clean(values.model), mode=mode)


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
