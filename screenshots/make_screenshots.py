"""Save SVG screenshots of the TUI for the README and for review.

Drives the real app with Pilot against the loopback fake server, in a throwaway
``DEEPSEEK_TUI_HOME``, at a fixed 120x36 terminal, with a fixed clock, fixed
conversation ids and no streaming delays, so running it again gives the same
files byte for byte (``tests/ui/test_demo.py`` checks that)::

    .venv/bin/python screenshots/make_screenshots.py [OUTPUT_DIR] [--only NAME ...]

Shots, in the order they are taken: ``chat`` (a streamed answer with a table
and code), ``sidebar`` (settings open), ``theme-<name>`` for every shipped
theme, ``conversations`` (the hook below; skipped until that panel exists) and
``reasoning`` (an answer with its reasoning pane open) and ``queued`` (a
message typed while an answer streams, waiting its turn), ``quote`` (what
the next message would cost, in the status line while it is typed); then, in a second
run with an MCP server (``mcp-server-time``, started with this Python),
``tool-call``: two calls waiting for approval (the calls only: their results
would show the time of day).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from deepseek_tui.config import load_settings
from deepseek_tui.launch import Launch
from deepseek_tui.models import Catalog
from deepseek_tui.paths import Paths
from deepseek_tui.store import Store
from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.app import DeepSeekApp
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage
from deepseek_tui.ui.widgets.prompt import PromptInput
from deepseek_tui.ui.widgets.reasoning import ReasoningBlock
from deepseek_tui.ui.widgets.status import StatusLine
from deepseek_tui.ui.widgets.toolcall import ToolDecisionBar

KEY = "sk-screenshot-key-0000"
SIZE = (120, 36)
#: Off-peak on a Saturday, so prices (and the costs shown) never depend on the hour.
NOW = datetime(2026, 10, 3, 12, tzinfo=UTC)

OPENER = "In one line: what is deepseek-tui?"
OPENER_ANSWER = (
    "A terminal chat client for DeepSeek models: answers stream in as Markdown, the "
    "model's reasoning gets its own pane, and every conversation is saved as it streams."
)
QUESTION = "How does deepseek-tui keep streaming fast on long answers?"
ANSWER = """\
It **appends** each fragment to the document instead of re-rendering the whole \
answer, so a long reply costs linear time and the terminal stays responsive.

| approach | work per token | feels |
|---|---|---|
| re-render everything | grows with the answer | sluggish after a page |
| append fragments | constant | instant |

```python
async for event in turn.events():
    if isinstance(event, ContentDelta):
        await view.add_content(event.text)
```

1. One worker runs the turn and feeds the widgets through methods.
2. `Esc` cancels that worker; the partial answer is kept and saved.
"""
REASONING = (
    "The user asks how streaming stays fast. Contrast appending fragments with "
    "re-rendering the whole document, show the loop that feeds the widget, and "
    "mention what happens when the user presses Esc."
)

FOLLOW_UP = "Which model should I use for a long refactor?"
FOLLOW_UP_REASONING = """\
The user is planning a long refactor. Two current models on DeepSeek's API: \
deepseek-flash is fast and cheap and thinks by default; deepseek-v4-pro is \
slower but stronger on multi-step code changes. Both have a 1M-token context.

A refactor touches many files and benefits from careful planning, so the larger \
model is worth its price here. Effort high is enough; max only for the hardest \
steps. Suggest switching in the sidebar and keeping the conversation.
"""
FOLLOW_UP_ANSWER = """\
Use **deepseek-v4-pro** with thinking on: press `Ctrl+S`, pick it under *Model*, \
and keep this conversation. Its history comes along.
"""


class _Enough(Exception):
    """Every shot asked for with ``--only`` is taken."""


QUEUE_QUESTION = "Why does my coroutine never run?"
QUEUE_ANSWER = (
    "Calling an `async def` function only creates a coroutine object; nothing runs "
    "until you await it inside a running event loop, e.g. `asyncio.run(main())`."
)
QUEUE_NEXT = "And how do I run two of them at once?"
QUEUE_NEXT_ANSWER = "Use `asyncio.gather(a(), b())` or a `TaskGroup`."
QUOTE_QUESTION = "Show me a TaskGroup example that cancels the rest when one fails."


TOOL_QUESTION = "It is 9:30 in Oslo: what time is it in Tokyo, and what is the time there now?"
TOOL_REASONING = (
    "Convert 09:30 Europe/Oslo to Asia/Tokyo with convert_time, and ask for the "
    "current time in Asia/Tokyo with get_current_time."
)
TOOL_CALLS = [
    {
        "id": "call_convert",
        "type": "function",
        "function": {
            "name": "time__convert_time",
            "arguments": '{"source_timezone":"Europe/Oslo","time":"09:30",'
            '"target_timezone":"Asia/Tokyo"}',
        },
    },
    {
        "id": "call_now",
        "type": "function",
        "function": {
            "name": "time__get_current_time",
            "arguments": '{"timezone":"Asia/Tokyo"}',
        },
    },
]


def _ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"{next(counter):016x}"


def _clock() -> Callable[[], datetime]:
    ticks = itertools.count()
    return lambda: NOW + timedelta(seconds=next(ticks))


#: Earlier conversations shown in the Ctrl+O panel: (title prompt, model, answer).
EARLIER = (
    ("Plan a streaming Markdown renderer that stays linear", "deepseek-v4-pro",
     "Freeze finished blocks; redraw only the open tail."),
    ("Translate this stream parser error into plain English", "deepseek-flash",
     "The stream ended before the server said it was finished."),
    ("Why does the prefix cache miss after I edit the system prompt?", "deepseek-flash",
     "Caching matches exact prefixes: any change before a point misses from there."),
)  # fmt: skip


def seed_earlier(store: Store) -> None:
    """A few saved conversations for the panel (deterministic: fixed clock and ids)."""
    for prompt, model, answer in EARLIER:
        conversation = store.create_conversation(model=model, params={}, provider="deepseek")
        _, reply = store.begin_turn(conversation.id, user_content=prompt, model=model, params={})
        store.finish_message(reply.id, content=answer, reasoning=None, status="complete")


async def conversations_panel(pilot: Pilot[Any], shoot: Callable[[str], None]) -> None:
    """The conversations panel (Ctrl+O) with a full-text search typed in."""
    await pilot.press("ctrl+o")
    await pilot.pause(0.3)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False  # a steady cursor, whenever the shot is taken
    await pilot.press(*"stream")
    await pilot.pause(0.6)
    shoot("conversations")
    await pilot.press("escape")
    await pilot.pause(0.2)


async def _complete(pilot: Pilot[Any], count: int) -> None:
    """Wait until ``count`` answers have finished streaming."""

    def done() -> bool:
        answers = pilot.app.screen.query(AssistantMessage)
        return len(answers) >= count and answers.last().state == "complete"

    while not done():
        await pilot.pause(0.05)
    await pilot.pause(0.3)


async def take(out: Path, home: Path, only: set[str] | None = None) -> list[Path]:
    """Take the screenshots into ``out``; returns the files written."""
    os.environ["DEEPSEEK_TUI_HOME"] = str(home)
    for var in ("DEEPSEEK_API_KEY", "DEEPSEEK_BASE_URL", "NO_COLOR"):
        os.environ.pop(var, None)
    saved: list[Path] = []
    async with FakeDeepSeek(api_key=KEY, host="deepseek") as srv:
        config = (
            f'[providers.deepseek]\nbase_url = "{srv.base_url}"\nkind = "deepseek"\n'
            f'api_key = "{KEY}"\n'
        )
        await asyncio.to_thread(Path(home, "config.toml").write_text, config)
        paths = Paths.resolve()
        settings = load_settings(paths)
        opened = Store.open(paths.database, clock=_clock(), new_id=_ids())
        seed_earlier(opened.store)
        session = Launch(opened.store, Catalog.load(settings.models), None, ())
        app = DeepSeekApp(settings, paths, session, now=lambda: NOW, clock=lambda: 0.0)

        def shoot(name: str) -> None:
            if only is None or name in only:
                app.save_screenshot(f"{name}.svg", str(out))
                saved.append(out / f"{name}.svg")
            if only is not None and only <= {p.stem for p in saved}:
                raise _Enough

        async def send(text: str) -> None:
            app.screen.query_one(PromptInput).load_text(text)
            await pilot.press("enter")

        try:
            async with app.run_test(size=SIZE) as pilot:
                while not isinstance(app.screen, ChatScreen):
                    await pilot.pause(0.05)
                app.screen.query_one(PromptInput).cursor_blink = False
                # a short exchange, then a streamed answer with a table and code
                srv.push(Reply(content=OPENER_ANSWER, reasoning="Answer in one line."))
                await send(OPENER)
                await _complete(pilot, 1)
                srv.push(Reply(content=ANSWER, reasoning=REASONING))
                await send(QUESTION)
                await _complete(pilot, 2)
                shoot("chat")
                # the settings sidebar
                await pilot.press("ctrl+s")
                await pilot.pause(0.3)
                shoot("sidebar")
                await pilot.press("ctrl+s")
                await pilot.pause(0.2)
                # every theme on the same conversation
                for name in sorted(app.available_themes):
                    app.theme = name
                    await pilot.pause(0.3)
                    shoot(f"theme-{name}")
                app.theme = settings.theme
                await pilot.pause(0.2)
                await conversations_panel(pilot, shoot)
                # the reasoning pane, opened on a second answer
                srv.push(Reply(content=FOLLOW_UP_ANSWER, reasoning=FOLLOW_UP_REASONING))
                await send(FOLLOW_UP)
                await _complete(pilot, 3)
                block = app.screen.query(AssistantMessage).last().query_one(ReasoningBlock)
                block.collapsed = False
                await pilot.pause(0.3)
                app.screen.query_one("#conversation").scroll_end(animate=False)
                await pilot.pause(0.3)
                shoot("reasoning")
                # a message typed while an answer streams waits its turn
                srv.push(Reply(content=QUEUE_ANSWER, chunk_chars=12, pauses=(6,)))
                await send(QUEUE_QUESTION)
                while len(app.screen.query(AssistantMessage).last().content) < 60:
                    await pilot.pause(0.05)
                await send(QUEUE_NEXT)
                await pilot.pause(0.3)
                shoot("queued")
                srv.push(Reply(content=QUEUE_NEXT_ANSWER))
                srv.resume()
                await _complete(pilot, 5)
                # what the next message would cost, shown while it is typed
                app.screen.query_one(PromptInput).load_text(QUOTE_QUESTION)
                status = app.screen.query_one(StatusLine)
                while "next ≈" not in status.info.quote:
                    await pilot.pause(0.05)
                await pilot.pause(0.2)
                shoot("quote")
        except _Enough:
            pass
        finally:
            session.close()
    return saved


async def take_tools(out: Path, home: Path) -> list[Path]:
    """``tool-call``: an answer's two calls waiting for the user's decision."""
    import json

    os.environ["DEEPSEEK_TUI_HOME"] = str(home)
    async with FakeDeepSeek(api_key=KEY, host="deepseek") as srv:
        command = json.dumps([sys.executable, "-m", "mcp_server_time", "--local-timezone", "UTC"])
        config = (
            f'[providers.deepseek]\nbase_url = "{srv.base_url}"\nkind = "deepseek"\n'
            f'api_key = "{KEY}"\n\n[mcp.time]\ncommand = {command}\n'
        )
        await asyncio.to_thread(Path(home, "config.toml").write_text, config)
        paths = Paths.resolve()
        settings = load_settings(paths)
        opened = Store.open(paths.database, clock=_clock(), new_id=_ids())
        session = Launch(opened.store, Catalog.load(settings.models), None, ())
        app = DeepSeekApp(settings, paths, session, now=lambda: NOW, clock=lambda: 0.0)
        try:
            async with app.run_test(size=SIZE) as pilot:
                while not isinstance(app.screen, ChatScreen):
                    await pilot.pause(0.05)
                screen = app.screen
                screen.query_one(PromptInput).cursor_blink = False
                while not screen.tools.started:  # the servers start after the first frame
                    await pilot.pause(0.1)
                srv.push(Reply(content="", reasoning=TOOL_REASONING, tool_calls=TOOL_CALLS))
                screen.query_one(PromptInput).load_text(TOOL_QUESTION)
                await pilot.press("enter")
                while not screen.query(ToolDecisionBar):
                    await pilot.pause(0.05)
                await pilot.pause(0.5)
                app.save_screenshot("tool-call.svg", str(out))
                await pilot.press("escape")  # nothing runs: the calls are recorded not run
                await pilot.pause(0.3)
        finally:
            session.close()
    return [out / "tool-call.svg"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=Path(__file__).parent)
    parser.add_argument("--only", nargs="+", metavar="NAME", help="take only these shots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    only = set(args.only) if args.only else None
    files: list[Path] = []
    if only is None or only - {"tool-call"}:
        with tempfile.TemporaryDirectory() as tmp_home:
            files += asyncio.run(take(args.out, Path(tmp_home), only and only - {"tool-call"}))
    if only is None or "tool-call" in only:
        with tempfile.TemporaryDirectory() as tmp_home:
            files += asyncio.run(take_tools(args.out, Path(tmp_home)))
    for path in files:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
