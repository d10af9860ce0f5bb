"""Save SVG screenshots of the TUI's main states (for the README and for review).

Drives the real app with Pilot against the loopback fake server, in a throwaway
DEEPSEEK_TUI_HOME, at 120x36::

    .venv/bin/python screenshots/make_screenshots.py [OUTPUT_DIR]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from deepseek_tui.config import load_settings
from deepseek_tui.paths import Paths
from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.app import DeepSeekApp
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.session import open_session
from deepseek_tui.ui.widgets.message import AssistantMessage

KEY = "sk-screenshot-key-0000"
SIZE = (120, 36)
ANSWER = """\
Streaming keeps the terminal responsive: each fragment is **appended** to the \
document instead of re-rendering it, so a long answer costs linear time.

| approach | cost per token | feels |
|---|---|---|
| re-render everything | O(n) | sluggish |
| append fragments | O(1) | instant |

```python
async for event in turn.events():
    await view.add_content(event.text)
```

1. The worker iterates the turn's events.
2. Widgets get text through methods.
3. `Esc` cancels the worker; the partial answer stays.
"""
REASONING = (
    "The user asks how streaming works. Explain the append-only rendering, "
    "compare it with re-rendering, show a short code sample and list the steps."
)


async def main(out: Path, home: str) -> None:
    os.environ["DEEPSEEK_TUI_HOME"] = home
    os.environ.pop("DEEPSEEK_API_KEY", None)
    async with FakeDeepSeek(api_key=KEY, host="deepseek") as srv:
        config = (
            f'[providers.deepseek]\nbase_url = "{srv.base_url}"\nkind = "deepseek"\n'
            f'api_key = "{KEY}"\n'
        )
        await asyncio.to_thread(Path(home, "config.toml").write_text, config)
        paths = Paths.resolve()
        settings = load_settings(paths)
        session = open_session(settings, paths)
        app = DeepSeekApp(
            settings, paths, session, now=lambda: datetime(2026, 10, 3, 12, tzinfo=UTC)
        )
        try:
            async with app.run_test(size=SIZE) as pilot:
                while not isinstance(app.screen, ChatScreen):
                    await pilot.pause(0.05)
                # 1. reasoning pane open while the model thinks
                srv.push(Reply(content=ANSWER, reasoning=REASONING * 3, delay=0.05, chunk_chars=12))
                await pilot.press(*"How does streaming Markdown stay fast?")
                await pilot.press("enter")
                await pilot.pause(1.2)
                app.save_screenshot("reasoning.svg", str(out))
                # 2. the streamed answer
                while not app.screen.query(AssistantMessage) or (
                    app.screen.query_one(AssistantMessage).state != "complete"
                ):
                    await pilot.pause(0.05)
                await pilot.pause(0.3)
                app.save_screenshot("chat.svg", str(out))
                # 3. the settings sidebar
                await pilot.press("ctrl+s")
                await pilot.pause(0.3)
                app.save_screenshot("sidebar.svg", str(out))
        finally:
            session.close()
    for name in ("chat.svg", "reasoning.svg", "sidebar.svg"):
        print(out / name)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp_home:
        asyncio.run(main(target, tmp_home))
