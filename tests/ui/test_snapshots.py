"""SVG snapshots of the main states at a fixed size, clock and date.

Update after a deliberate visual change with ``pytest tests/ui --snapshot-update``
and look at the result before committing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.app import DeepSeekApp
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.screens.help import KeyTable
from deepseek_tui.ui.widgets.conversation import ConversationView
from deepseek_tui.ui.widgets.message import AssistantMessage, ErrorBlock
from deepseek_tui.ui.widgets.prompt import PromptInput
from deepseek_tui.ui.widgets.sidebar import SettingsSidebar

from .conftest import KEY, configure, make_app, wait_for

SnapCompare = Callable[..., bool]
SNAP_SIZE = (100, 30)
ANSWER = """\
Here is a **short** answer with a list:

- first item
- second item

```python
print("hello")
```
"""


@pytest.fixture
def thread_server(home: Path) -> Iterator[FakeDeepSeek]:
    with FakeDeepSeek(api_key=KEY, host="deepseek").run_in_thread() as srv:
        configure(home, srv.base_url)
        yield srv


def _app() -> DeepSeekApp:
    return make_app(clock=lambda: 0.0)


def _settled(pilot: Pilot[Any]) -> bool:
    """No background work left (the model list and the balance fetched, a turn
    and what follows it done): the screen shows its final state."""
    return all(w.is_finished for w in pilot.app.workers)


async def _ready(pilot: Pilot[Any]) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChatScreen))
    pilot.app.screen.query_one(PromptInput).cursor_blink = False  # a blinking cursor is a clock
    await wait_for(pilot, lambda: _settled(pilot))


async def _send(pilot: Pilot[Any], text: str, *, done: Callable[[], object]) -> None:
    await _ready(pilot)
    await pilot.press(*text, "enter")
    await wait_for(pilot, lambda: done() and _settled(pilot))
    # Textual's anchoring moves a scrollbar's position without redrawing it:
    # on a loaded machine the last frame can show the thumb one step behind.
    for view in pilot.app.screen.query(ConversationView):
        view.vertical_scrollbar.refresh()
    await pilot.pause()


def _complete(pilot: Pilot[Any]) -> Callable[[], object]:
    def check() -> object:
        answers = pilot.app.screen.query(AssistantMessage)
        return answers and answers.last().state == "complete"

    return check


def test_empty_chat(thread_server: FakeDeepSeek, snap_compare: SnapCompare) -> None:
    assert snap_compare(_app(), terminal_size=SNAP_SIZE, run_before=_ready)


def test_answer_with_folded_reasoning(
    thread_server: FakeDeepSeek, snap_compare: SnapCompare
) -> None:
    thread_server.push(Reply(content=ANSWER, reasoning="Keep it short."))

    async def run(pilot: Pilot[Any]) -> None:
        await _send(pilot, "Show me a list", done=_complete(pilot))

    assert snap_compare(_app(), terminal_size=SNAP_SIZE, run_before=run)


def test_sidebar_open(thread_server: FakeDeepSeek, snap_compare: SnapCompare) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await _ready(pilot)
        await pilot.press("ctrl+s")
        sidebar = pilot.app.screen.query_one(SettingsSidebar)
        await wait_for(pilot, lambda: sidebar.display and sidebar.query("#model"))
        await wait_for(pilot, lambda: pilot.app.focused is sidebar.query_one("#model"))

    assert snap_compare(_app(), terminal_size=SNAP_SIZE, run_before=run)


def test_retired_model_error_block(
    thread_server: FakeDeepSeek, home: Path, snap_compare: SnapCompare
) -> None:
    config = home / "config.toml"
    config.write_text('model = "deepseek-chat"\n' + config.read_text())

    async def run(pilot: Pilot[Any]) -> None:
        await _send(pilot, "hello", done=lambda: pilot.app.screen.query(ErrorBlock))

    assert snap_compare(_app(), terminal_size=SNAP_SIZE, run_before=run)


# --- small terminals -----------------------------------------------------------------

SMALL = [pytest.param((80, 24), id="80x24"), pytest.param((60, 15), id="60x15")]


@pytest.fixture
def utc() -> Iterator[None]:
    """Times shown in the local zone, here UTC, whatever the machine's."""
    import os
    import time

    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.mark.parametrize("size", SMALL)
def test_small_chat(
    thread_server: FakeDeepSeek, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    thread_server.push(Reply(content=ANSWER, reasoning="Keep it short."))

    async def run(pilot: Pilot[Any]) -> None:
        await _send(pilot, "Show me a list", done=_complete(pilot))

    assert snap_compare(_app(), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SMALL)
def test_small_sidebar_over_the_chat(
    thread_server: FakeDeepSeek, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        await _ready(pilot)
        await pilot.press("ctrl+s")
        sidebar = pilot.app.screen.query_one(SettingsSidebar)
        await wait_for(pilot, lambda: sidebar.display and sidebar.query("#model"))
        await wait_for(pilot, lambda: pilot.app.focused is sidebar.query_one("#model"))

    assert snap_compare(_app(), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SMALL)
def test_small_conversations_panel(
    thread_server: FakeDeepSeek,
    home: Path,
    utc: None,
    snap_compare: SnapCompare,
    size: tuple[int, int],
) -> None:
    from deepseek_tui.ui.screens.conversations import ConversationsScreen

    from .test_small_terminals import TITLES, seed

    seed(home)

    async def run(pilot: Pilot[Any]) -> None:
        await _ready(pilot)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConversationsScreen))
        panel = pilot.app.screen
        assert isinstance(panel, ConversationsScreen)
        await wait_for(pilot, lambda: len(panel.summaries) == len(TITLES) and _settled(pilot))
        panel.query_one("#search", Input).cursor_blink = False

    assert snap_compare(_app(), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SMALL)
def test_small_help(
    thread_server: FakeDeepSeek, snap_compare: SnapCompare, size: tuple[int, int]
) -> None:
    from deepseek_tui.ui.screens.help import HelpScreen

    async def run(pilot: Pilot[Any]) -> None:
        await _ready(pilot)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        await wait_for(pilot, lambda: pilot.app.screen.query_one(KeyTable).row_count)

    assert snap_compare(_app(), terminal_size=size, run_before=run)


def test_find_bar_marked_message_and_alternatives(
    thread_server: FakeDeepSeek, snap_compare: SnapCompare
) -> None:
    thread_server.push(
        Reply(content="The first answer."),
        Reply(content="An answer that was asked for again."),
        Reply(content="The answer given the second time."),
    )

    async def run(pilot: Pilot[Any]) -> None:
        await _send(pilot, "first", done=_complete(pilot))
        screen = pilot.app.screen
        await pilot.press(*"second", "enter")
        await wait_for(pilot, lambda: len(screen.query(AssistantMessage)) == 2)
        await wait_for(pilot, lambda: _complete(pilot)() and _settled(pilot))
        await pilot.press("ctrl+g")
        await wait_for(
            pilot, lambda: "second time" in screen.query(AssistantMessage).last().content
        )
        await wait_for(pilot, lambda: _complete(pilot)() and _settled(pilot))
        await wait_for(pilot, lambda: screen.query(".alternatives").last().display)
        await pilot.press("alt+up", "alt+up", "alt+up", "ctrl+f")
        await wait_for(pilot, lambda: screen.query(Input))
        screen.query_one("#find-input", Input).cursor_blink = False
        await pilot.press(*"answer")
        await wait_for(pilot, lambda: len(screen.query(".find-hit")) == 2)

    assert snap_compare(_app(), terminal_size=SNAP_SIZE, run_before=run)
