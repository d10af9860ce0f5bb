"""The application: starts the demo server when asked, gets an API key (first-run
dialog when there is none), shows the chat and owns its one network client.

Store, catalog and the conversation to resume arrive ready in a
:class:`~deepseek_tui.launch.Launch`. Nothing slow happens before the
first frame: the client (httpx and its TLS context, ~60 ms) is made on first
use, and dialogs the chat may never open are imported when they open.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel

from deepseek_tui import startup
from deepseek_tui.config import ConfigError, Settings, save_api_key
from deepseek_tui.launch import Launch
from deepseek_tui.paths import Paths
from deepseek_tui.sanitize import clean, reveal
from deepseek_tui.session import Session
from deepseek_tui.ui import sizes
from deepseek_tui.ui.chat.tools import ChatTools
from deepseek_tui.ui.links import why_not
from deepseek_tui.ui.palette import ChatCommands, ToolCommands
from deepseek_tui.ui.screens.chat import ChatContext, ChatScreen
from deepseek_tui.ui.themes import AppThemes
from deepseek_tui.ui.widgets.prompt import PromptInput

if TYPE_CHECKING:
    from deepseek_tui.ui.live import LiveTurn

DEMO_KEY = "sk-demo-offline-0000"


class DeepSeekApp(App[int]):
    """deepseek-tui's TUI. Build it with an open :class:`Launch` (see ``run_app``)."""

    CSS_PATH = "app.tcss"
    HORIZONTAL_BREAKPOINTS = sizes.HORIZONTAL
    VERTICAL_BREAKPOINTS = sizes.VERTICAL
    COMMANDS = App.COMMANDS | {ChatCommands, ToolCommands}
    TITLE = "deepseek-tui"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("f1", "help", "Help", id="help"),
        Binding("ctrl+p", "command_palette", "Palette", id="palette", priority=True, show=False),
    ]

    def __init__(
        self,
        settings: Settings,
        paths: Paths,
        launch: Launch,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.session = Session(settings, launch.store, launch.catalog, now=now)
        """The one owner of the settings in force, the store and the client."""
        self.paths = paths
        self.launch = launch
        self.clock = clock
        self.demo_server: Any = None
        self.failure: str | None = None
        """A message for stderr when the app had to give up."""
        self._env_key_problem = ""
        """What to do about an unusable key in the environment (it wins at every start)."""
        self._key_unchecked: str | None = None
        """Why the key entered at start was saved without being checked."""
        self.themes = AppThemes(self, settings.theme, paths, remember=not launch.demo)
        self.tools = ChatTools(
            settings.mcp,
            settings.tools,
            launch.store,
            lambda text: self.notify(text, severity="error", timeout=10, markup=False),
        )
        """The MCP servers: started by the chat screen after its first frame."""

    async def on_mount(self) -> None:
        # After the first refresh, i.e. once the first frame is out:
        self.call_after_refresh(startup.release)
        from deepseek_tui.ui.keymap import checked_keymap

        keymap, clashes = checked_keymap(self.settings.keys)
        self.set_keymap(keymap)
        for notice in (*self.settings.notices, *self.launch.notices, *clashes):
            self.notify(clean(notice), severity="warning", timeout=10, markup=False)
        self.themes.start()
        if self.launch.demo:
            await self._start_demo()
        key = self.settings.api_key()
        problem = self.settings.api_key_problem()
        variable = self.settings.api_key_variable()
        if problem is not None and variable is not None:
            self._env_key_problem = f"Fix or unset {variable}"
        if key and problem is None:
            # Opened once this handler has returned: Textual runs it inside a
            # batch that holds back every frame, so a screen pushed here would
            # have its first frame drawn, dropped, and drawn again at the next
            # refresh tick.
            self.call_later(self._open_chat, key)
        else:
            from deepseek_tui.ui.screens.first_run import FirstRunScreen

            self.push_screen(
                FirstRunScreen(self.settings.active.base_url, self._check_key, problem),
                callback=self._key_entered,
            )

    def _fatal_error(self) -> None:
        """An unforeseen exception: Textual would print a traceback with every
        frame's locals (the key, the prompt, the answer). Show one line instead,
        the traceback without locals going to a private crash report."""
        error = sys.exc_info()[1] or self._exception
        if error is not None:
            self.failure = self.session.crash_report(error)
        self.bell()
        self._close_messages_no_wait()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification, ours or Textual's, is cleaned of control sequences
        (and shows invisible characters by name) whatever its caller did."""
        super().notify(
            reveal(message), title=reveal(title), severity=severity, timeout=timeout, markup=markup
        )

    @property
    def settings(self) -> Settings:
        """The settings in force (the session owns them)."""
        return self.session.settings

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self.session.replace_settings(settings)

    async def on_unmount(self) -> None:
        await self.tools.aclose()  # no server process outlives the app
        await self.session.aclose()
        if self.demo_server is not None:
            await self.demo_server.stop()

    # --- start-up ------------------------------------------------------------------

    async def _start_demo(self) -> None:
        """Serve canned answers from a loopback server in this loop; no key, no network."""
        from deepseek_tui.ui.demo import demo_server

        server = demo_server(DEMO_KEY)
        await server.start()
        self.demo_server = server
        providers = dict(self.settings.providers)
        providers[self.settings.provider] = replace(
            self.settings.active,
            base_url=server.base_url,
            kind="deepseek",
            api_key=DEMO_KEY,
            api_key_env=None,
        )
        self.settings = replace(self.settings, providers=providers, model=None)

    async def _check_key(self, key: str) -> str | None:
        """Ask the host whether ``key`` works; save it when it does."""
        from deepseek_tui.api import APIError, AuthenticationError
        from deepseek_tui.apikey import UnusableKey
        from deepseek_tui.request import client_for
        from deepseek_tui.urls import BadBaseURL

        unchecked: str | None = None
        try:
            async with client_for(self.settings, key) as client:
                await client.list_models()
        except (UnusableKey, BadBaseURL) as exc:
            return str(exc)
        except AuthenticationError:
            return "the host rejected this key; check it and paste it again"
        except APIError as exc:
            if not exc.retryable:  # the host's answer stands (a wrong URL, a refusal)
                return clean(exc.message)
            # Offline, or the host is down or busy: nothing is known against the
            # key, so it is saved unchecked (the first message will tell).
            unchecked = clean(exc.message)
        try:
            await asyncio.to_thread(
                save_api_key, self.paths.config_file, self.settings.provider, key
            )
        except (ConfigError, OSError) as exc:
            works = "the key works but" if unchecked is None else "the key"
            return f"{works} could not be saved: {clean(str(exc))}"
        self._key_unchecked = unchecked
        self.session.use_key(key)
        return None

    async def _key_entered(self, key: str | None) -> None:
        if key is None:
            problem = self.settings.api_key_problem()
            self.failure = problem or "no API key: set DEEPSEEK_API_KEY or enter one at start-up"
            self.exit(1, return_code=1)
            return
        if self._key_unchecked is not None:
            self.notify(
                f"API key saved without being checked: {self._key_unchecked}."
                " Your first message will tell whether the host takes it.",
                severity="warning",
                timeout=15,
                markup=False,
            )
        if self._env_key_problem:
            self.notify(
                f"API key saved. {self._env_key_problem}: until then it wins over "
                "the saved key at every start.",
                severity="warning",
                timeout=15,
            )
        elif self._key_unchecked is None:
            self.notify("API key saved", timeout=3)
        await self._open_chat(key)

    async def _open_chat(self, key: str) -> None:
        context = ChatContext(
            session=self.session,
            conversation=self.launch.conversation,
            demo=self.launch.demo,
            clock=self.clock,
            tools=self.tools,
        )
        messages, self.launch.messages = self.launch.messages, None
        chat = ChatScreen(context, messages)
        chat.update_classes(sizes.size_classes(self.size), update=False)  # styled once
        await self.push_screen(chat)

    # --- actions -------------------------------------------------------------------

    async def action_quit(self) -> None:
        """Quit; with an answer still streaming, ask first (what arrived is kept)."""
        from deepseek_tui.ui.chat.peak import held_count

        chat = next((s for s in self.screen_stack if isinstance(s, ChatScreen)), None)
        live = chat.turns.streaming() if chat is not None else []
        held = held_count(chat) if chat is not None else 0
        if live or held:
            self.run_worker(self._quit_after_asking(live, held), group="quit", exclusive=True)
            return
        self.exit()

    async def _quit_after_asking(self, live: list[LiveTurn], held: int) -> None:
        from deepseek_tui.ui.screens.confirm import ConfirmScreen

        if isinstance(self.screen, ConfirmScreen):
            return
        many = "answers are" if len(live) > 1 else "answer is"
        title = f"{len(live)} {many} still streaming"
        text = "Quit anyway? What arrived so far is kept, marked interrupted."
        if held:
            them = "messages wait" if held > 1 else "message waits"
            title = f"{held} {them} for off-peak" if not live else f"{title}; {held} held"
            text = "Quit anyway? " + ("What arrived so far is kept. " if live else "")
            text += "Messages held for off-peak are not sent (they are not saved)."
        quit_anyway = await self.push_screen_wait(ConfirmScreen(title, text, yes="Quit"))
        if not quit_anyway:
            return
        for turn in live:
            turn.end("the app was closed")
        for turn in live:
            if turn.worker is not None:
                with contextlib.suppress(Exception):
                    await turn.worker.wait()
        self.exit()

    def action_help(self) -> None:
        from deepseek_tui.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.key_rows()))

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Every link goes through here (Markdown calls it): ask first, http(s) only."""
        problem = why_not(url)
        if problem is not None:
            self.notify(f"Not opened: {problem}", severity="warning", markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                super(DeepSeekApp, self).open_url(url, new_tab=new_tab)

        from deepseek_tui.ui.screens.confirm import ConfirmScreen

        self.push_screen(
            ConfirmScreen(
                "Open this link?",
                "It opens in your web browser. Check where it goes:",
                detail=reveal(url),
                yes="Open",
            ),
            callback=answered,
        )

    def key_rows(self) -> list[tuple[str, str, str]]:
        """(what, key, id) for every binding with an id, as currently mapped."""
        from deepseek_tui.ui.screens.conversations import ConversationsScreen
        from deepseek_tui.ui.widgets.findbar import FindBar

        rows: list[tuple[str, str, str]] = []
        for source in (PromptInput, DeepSeekApp, ChatScreen, FindBar, ConversationsScreen):
            for binding in source.BINDINGS:
                if not isinstance(binding, Binding) or binding.id is None:
                    continue
                keys = self._keymap.get(binding.id, binding.key)
                shown = ", ".join(
                    self.get_key_display(replace(binding, key=k.strip(), key_display=None))
                    for k in keys.split(",")
                )
                rows.append((binding.description, shown, binding.id))
            if source is PromptInput:  # keys the prompt passes on (not remappable)
                rows.append(("Scroll by page", "PgUp, PgDn", "(prompt's if long)"))
        return rows
