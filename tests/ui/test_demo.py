"""``--demo``: the guided tour runs with no key and no network, says it is a demo,
streams its canned answers and writes nothing to the user's home. Also: the
README screenshots are reproducible byte for byte."""

from __future__ import annotations

import asyncio
import functools
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Select

from deepseek_tui.models import Catalog
from deepseek_tui.ui import demo
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage
from deepseek_tui.ui.widgets.reasoning import ReasoningBlock
from deepseek_tui.ui.widgets.sidebar import SettingsSidebar
from deepseek_tui.ui.widgets.status import StatusLine

from .conftest import SIZE, WAIT_LIMIT, make_app, screen_text, wait_for

ROOT = Path(__file__).resolve().parents[2]


def _answers(pilot: Pilot[Any]) -> list[AssistantMessage]:
    return list(pilot.app.screen.query(AssistantMessage))


def _written(home: Path) -> list[Path]:
    """Every file under the user's DEEPSEEK_TUI_HOME."""
    return sorted(home.rglob("*")) if home.exists() else []


async def _send(pilot: Pilot[Any], text: str, number: int) -> AssistantMessage:
    """Send ``text`` and wait for answer ``number`` to finish streaming."""
    await pilot.press(*text, "enter")
    await wait_for(
        pilot, lambda: len(_answers(pilot)) >= number and _answers(pilot)[-1].state == "complete"
    )
    return _answers(pilot)[-1]


async def test_demo_tour_streams_every_step_offline(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "demo_server", functools.partial(demo.demo_server, pace=0.3))
    app = make_app(demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        text = screen_text(app)
        assert "DEMO · answers come from a built-in offline server · nothing is saved" in text
        assert " DEMO " in text  # the badge in the status line
        assert app.settings.api_key() == "sk-demo-offline-0000"

        # 1. a thinking answer: the reasoning pane fills first, then the text streams in
        full = demo.STEPS[0].content.format(model="deepseek-flash", first="", switch_to="")
        seen: list[tuple[int, int]] = []  # (reasoning length, answer length) while streaming
        await pilot.press(*"hello")
        app.simulate_key("enter")  # as a terminal delivers it: without waiting for the app
        # Sampled at every step of the event loop (wait_for looks only every 20 ms
        # or so): the demo server runs in the same loop and sends at most one event
        # per step, so no state the screen could show is missed.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_LIMIT
        while not ((a := _answers(pilot)) and a[0].state == "complete"):
            assert loop.time() < deadline, "the demo never finished its first answer"
            if a:
                thought = a[0].reasoning.text if a[0].reasoning is not None else ""
                seen.append((len(thought), len(a[0].content)))
            await asyncio.sleep(0)
        assert any(r > 0 and c == 0 for r, c in seen), "no reasoning before the answer"
        assert any(0 < c < len(full) for _, c in seen), "the answer did not stream"
        first = _answers(pilot)[0]
        assert "This is **demo mode**" in first.content
        assert first.model == "deepseek-flash"
        assert first.query_one(ReasoningBlock).text == demo.STEPS[0].reasoning
        await wait_for(pilot, lambda: "Welcome to deepseek-tui" in screen_text(app))

        # 2. code, 3. a table
        code = await _send(pilot, "next", 2)
        assert "```python" in code.content
        table = await _send(pilot, "next", 3)
        assert "| context window | 1M tokens | 1M tokens |" in table.content
        assert "choose **deepseek-v4-pro**" in table.content

        # 4. the model switch, made in the sidebar as the answer asks
        await pilot.press("ctrl+s")
        app.screen.query_one(SettingsSidebar).query_one("#model", Select).value = "deepseek-v4-pro"
        await wait_for(pilot, lambda: app.screen.query_one(StatusLine).info.model == demo.SWITCH_TO)
        await pilot.press("ctrl+s")
        switched = await _send(pilot, "switched", 4)
        assert switched.model == "deepseek-v4-pro"
        assert "Now answering: deepseek-v4-pro" in switched.content
        assert "earlier answers keep **deepseek-flash**" in switched.content
        assert [a.model for a in _answers(pilot)] == ["deepseek-flash"] * 3 + ["deepseek-v4-pro"]

        # 5. how to start for real
        last = await _send(pilot, "done", 5)
        assert "export DEEPSEEK_API_KEY" in last.content
    assert _written(home) == []


def test_step_four_waits_for_the_switch_and_thinking_off_has_no_reasoning() -> None:
    turns = [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}] * 3
    body: dict[str, Any] = {"model": "deepseek-flash", "messages": [*turns, turns[0]]}
    assert "Still on deepseek-flash" in demo.demo_reply(body).content
    body["model"] = "deepseek-v4-pro"
    assert "Now answering: deepseek-v4-pro" in demo.demo_reply(body).content
    body["thinking"] = {"type": "disabled"}
    assert demo.demo_reply(body).reasoning == ""
    body["messages"] = [*turns, *turns]
    assert "no more canned answers" in demo.demo_reply(body).content


def test_demo_table_agrees_with_the_model_catalog() -> None:
    catalog = Catalog.load()
    table = demo.STEPS[2].content
    for column, model in enumerate((demo.FIRST_MODEL, demo.SWITCH_TO), start=2):
        spec = catalog.lookup(model, "deepseek")
        rows = {
            line.split("|")[1].strip(): line.split("|")[column].strip()
            for line in table.splitlines()
            if line.startswith("| ") and line.count("|") == 4
        }
        assert spec.context == 1_000_000 and rows["context window"] == "1M tokens"
        assert rows["max output"] == f"{spec.max_output // 1024}K tokens"  # 384K = 393,216
        assert rows["effort"] == " · ".join(spec.efforts)
        assert rows["images"] == ("yes" if spec.images else "no")
        assert spec.thinking == "switchable" and spec.default_thinking


# --- screenshots ---------------------------------------------------------------------


def _shoot(out: Path, *only: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEEPSEEK_")}
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "screenshots" / "make_screenshots.py"),
            str(out),
            "--only",
            *only,
        ],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )


def test_screenshots_are_reproducible_byte_for_byte(tmp_path: Path) -> None:
    names = ("chat", "theme-deepseek-light", "tool-call")
    _shoot(tmp_path / "a", *names)
    _shoot(tmp_path / "b", *names)
    for name in names:
        first = (tmp_path / "a" / f"{name}.svg").read_bytes()
        assert first == (tmp_path / "b" / f"{name}.svg").read_bytes(), name
        assert b"127.0.0.1" not in first and b"localhost" not in first
    tool = (tmp_path / "a" / "tool-call.svg").read_bytes().replace(b"&#160;", b" ")
    assert b"waiting for you" in tool and b"Always allow (a)" in tool
    assert b"deepseek-tui keep streaming fast" in (
        tmp_path / "a" / "chat.svg"
    ).read_bytes().replace(b"&#160;", b" ")
