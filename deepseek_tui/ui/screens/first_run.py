"""The first-run dialog: no API key anywhere, so ask for one, check it against
the host, and save it (0600) so the next start just works.

Offline (or with the host down or busy) the key cannot be checked: it is saved
all the same and the app says it was not checked; only a host that answers
and refuses the key (401) keeps the dialog open."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Static

from deepseek_tui.apikey import key_problem
from deepseek_tui.ui.screens.dialog import Dialog

KeyCheck = Callable[[str], Awaitable[str | None]]
"""Checks and saves a key; returns why it was refused, or None when saved
(checked, or unchecked when the host could not be asked)."""


class FirstRunScreen(Dialog[str | None]):
    """Asks for the API key; dismisses with the key once it is checked and saved."""

    DEFAULT_CSS = """
    #first-run-box {
        max-height: 90%;

        .actions {
            height: auto;
            margin-top: 1;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Quit", id="first-run-cancel"),
    ]

    def __init__(self, host: str, check: KeyCheck, problem: str | None = None) -> None:
        super().__init__()
        self.host = host
        self._check = check
        self._problem = problem
        """Why the key found at start cannot be used (the dialog opens saying so)."""

    def compose(self) -> ComposeResult:
        with Vertical(id="first-run-box", classes="dialog-box"):
            yield Static("Welcome to deepseek-tui", classes="dialog-title")
            yield Static(
                Content(
                    (
                        "The API key found cannot be used. "
                        if self._problem
                        else "No API key found. "
                    )
                    + f"Paste your key for {self.host}; it is checked "
                    "against the host and saved to your config file (readable only by you); "
                    "when the host cannot be reached, it is saved unchecked. "
                    "Create one at https://platform.deepseek.com/api_keys."
                ),
                classes="dialog-text",
            )
            yield Input(placeholder="sk-…", password=True, id="api-key")
            yield Static(
                Content(f"✕ {self._problem}") if self._problem else "",
                id="key-status",
                classes="field-error",
            )
            with Horizontal(classes="actions"):
                yield Button("Check and save", variant="primary", id="save")
                yield Button("Quit", id="quit")

    @on(Input.Submitted)
    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        key = self.query_one("#api-key", Input).value.strip()
        if not key:
            self._status("✕ paste a key first")
            return
        problem = key_problem(key)
        if problem is not None:  # found here: the host never sees it
            self._status(f"✕ {problem}")
            return
        self._status("checking the key…", error=False)
        self.query_one("#save", Button).disabled = True
        self._check_key(key)

    @work(exclusive=True)
    async def _check_key(self, key: str) -> None:
        problem = await self._check(key)
        self.query_one("#save", Button).disabled = False
        if problem is None:
            self.dismiss(key)
        else:
            self._status(f"✕ {problem}")

    def _status(self, text: str, *, error: bool = True) -> None:
        status = self.query_one("#key-status", Static)
        status.update(Content(text))
        status.set_class(not error, "-info")

    @on(Button.Pressed, "#quit")
    def action_cancel(self) -> None:
        self.dismiss(None)
