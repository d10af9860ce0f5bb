"""A tool call in the conversation: which tool, with what arguments, and --
folded under it -- what it gave back; and the bar where the user decides
whether calls that are not trusted run.

Everything shown here came from the model or an MCP server: it is made inert
(:func:`~deepseek_tui.sanitize.reveal`) and shown as plain :class:`Content`,
never as markup.
"""

from __future__ import annotations

import json
from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Checkbox, Collapsible, Static

from deepseek_tui.sanitize import json_text, reveal

__all__ = ["ToolCallBlock", "ToolDecisionBar", "pretty_arguments"]

#: Characters of a result shown on screen; the whole result is stored (and exported).
SHOWN_LIMIT = 20_000

#: How each ending reads on screen (the words of ``ToolStatus``).
_STATUS: dict[str, tuple[str, str]] = {
    "ok": ("✓ ok", "$success"),
    "error": ("✕ error", "$error"),
    "timeout": ("⌛ timed out", "$warning"),
    "invalid": ("✕ invalid arguments", "$error"),
    "declined": ("⊘ declined", "$warning"),
    "not_run": ("■ not run", "$warning"),
}
_STATES: dict[str, tuple[str, str]] = {
    "waiting": ("waiting for you", "$warning bold"),
    "running": ("running…", "$text-muted"),
    "trusted": ("trusted · running…", "$text-muted"),
}


def pretty_arguments(arguments: str) -> str:
    """The arguments as indented JSON when they are JSON, else as written."""
    try:
        value = json.loads(arguments)
    except ValueError:
        return arguments
    if isinstance(value, dict) and not value:
        return "{}"
    return json_text(value, indent=2)


class ToolCallBlock(Vertical):
    """One call: ``⚙ server · tool``, the arguments, then its result folded.

    ``server`` is ``None`` for a tool no configured server offers."""

    DEFAULT_CSS = """
    ToolCallBlock {
        height: auto;
        margin: 1 0 0 0;
        padding: 0 1;
        border-left: thick $secondary;
        background: $boost;

        .tool-head { color: $text; }
        .tool-args { color: $text-muted; }
        Collapsible { margin: 0; padding: 0; border: none; background: transparent; }
        Collapsible Contents { padding: 0 0 0 2; }
        .tool-result { color: $text; }
        .tool-pick { margin: 0; }
    }
    """

    def __init__(
        self,
        call_id: str,
        server: str | None,
        tool: str,
        arguments: str,
        *,
        state: str | None = None,
        pick: bool = False,
    ) -> None:
        """``pick``: one of several calls waiting together -- a checkbox lets
        the user leave this one out of the bar's "Run"."""
        super().__init__(classes="tool-call")
        self.call_id = call_id
        self.server = server
        self.tool = tool
        self.arguments = arguments
        self.state = state
        """``waiting`` / ``running`` / ``trusted`` until a result arrives."""
        self.status: str | None = None
        self.result: str | None = None
        self.head = Static(self._head(), classes="tool-head")
        self._pick: Checkbox | None = (
            Checkbox("run this call", True, compact=True, classes="tool-pick")
            if pick and state == "waiting"
            else None
        )

    @property
    def picked(self) -> bool:
        """Whether the user left this call checked (always, without a checkbox)."""
        return self._pick is None or self._pick.value

    def compose(self) -> ComposeResult:
        yield self.head
        yield Static(Content(reveal(pretty_arguments(self.arguments))), classes="tool-args")
        if self._pick is not None:
            yield self._pick
        if self.status is not None:
            yield self._folded()

    def _head(self) -> Content:
        where = reveal(self.server) if self.server is not None else "no such tool"
        parts: list[str | tuple[str, str]] = [
            ("⚙ ", "$secondary"),
            (where, "bold"),
            " · ",
            (reveal(self.tool), "bold"),
        ]
        shown = _STATUS.get(self.status or "") or _STATES.get(self.state or "")
        if shown is not None:
            parts += ["  ", shown]
        return Content.assemble(*parts)

    def _folded(self) -> Collapsible:
        text = reveal(self.result or "")
        if len(text) > SHOWN_LIMIT:
            rest = len(text) - SHOWN_LIMIT
            text = f"{text[:SHOWN_LIMIT]}\n[… {rest:,} more characters: export to read all]"
        label = _STATUS.get(self.status or "", ("result", ""))[0]
        body = Static(Content(text or "(empty)"), classes="tool-result")
        return Collapsible(body, title=f"result: {label}", collapsed=True)

    async def offer_pick(self) -> None:
        """Let the user leave this call out (one of several waiting together)."""
        if self._pick is None:
            self._pick = Checkbox("run this call", True, compact=True, classes="tool-pick")
            if self.is_mounted:
                await self.mount(self._pick, after=self.query_one(".tool-args"))

    def set_state(self, state: str | None) -> None:
        """Waiting for the user, running, or (``None``) nothing to say."""
        self.state = state
        self.head.update(self._head())
        if state != "waiting" and self._pick is not None:
            self._pick.display = False

    async def set_result(self, status: str, content: str) -> None:
        """The call ended: its status in the header, the result folded under it."""
        first = self.status is None
        self.status, self.result = status, content
        self.head.update(self._head())
        if self.is_mounted:
            if not first:
                await self.query(Collapsible).remove()
            await self.mount(self._folded())

    def stored_result(self, status: str, content: str) -> None:
        """Set the result before the block is mounted (a stored conversation)."""
        self.status, self.result = status, content
        self.head.update(self._head())


Decision = Literal["run", "always", "decline"]


class ToolDecisionBar(Horizontal):
    """Run the calls above once, allow their tools for this conversation, or
    decline (the model is told). Keys: Enter or y, a, n."""

    DEFAULT_CSS = """
    ToolDecisionBar {
        height: auto;
        margin: 0 0 0 0;
        padding: 0 1;
        border-left: thick $warning;
        background: $warning-muted;

        .question { width: auto; padding: 0 1 0 0; }
        Button { margin: 0 1 0 0; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "decide('run')", "Run", id="tool-run"),
        Binding("a", "decide('always')", "Always", id="tool-always"),
        Binding("n", "decide('decline')", "Decline", id="tool-decline"),
    ]

    class Decided(Message):
        """The user decided about the calls waiting above the bar."""

        def __init__(self, bar: ToolDecisionBar, decision: Decision) -> None:
            super().__init__()
            self.bar = bar
            self.decision = decision

        @property
        def control(self) -> ToolDecisionBar:
            return self.bar

    def __init__(self, count: int) -> None:
        super().__init__(classes="tool-decision")
        self.count = count
        self.decided = False

    def compose(self) -> ComposeResult:
        what = "this call" if self.count == 1 else f"the checked calls (of {self.count})"
        yield Static(Content(f"Run {what}?"), classes="question")
        yield Button(Content("Run (y)"), variant="primary", compact=True, id="tool-run")
        yield Button(Content("Always allow (a)"), compact=True, id="tool-always")
        yield Button(Content("Decline (n)"), variant="error", compact=True, id="tool-decline")

    def focus_run(self) -> None:
        self.query_one("#tool-run", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        choice = {"tool-run": "run", "tool-always": "always", "tool-decline": "decline"}
        decision = choice.get(event.button.id or "")
        if decision is not None:
            self.action_decide(decision)

    def action_decide(self, decision: str) -> None:
        if self.decided or decision not in ("run", "always", "decline"):
            return
        self.decided = True
        self.post_message(self.Decided(self, decision))  # type: ignore[arg-type]
