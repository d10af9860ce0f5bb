"""``--demo``: a loopback server with canned answers, so the TUI can be tried
without a key or a network."""

from __future__ import annotations

from typing import Any

from deepseek_tui.testing import FakeDeepSeek, Reply, Scenario, long_markdown

INTRO = """\
This is **demo mode**: answers come from a small server inside the app, not from \
DeepSeek, and nothing is saved to your history.

Things to try:

- `Ctrl+S` opens the settings sidebar (model, thinking, temperature…)
- `Ctrl+R` shows or hides the reasoning above each answer
- `Esc` stops an answer while it streams; what arrived is kept
- `F1` lists every key

"""


def _respond(body: dict[str, Any]) -> Scenario:
    thinking = (body.get("thinking") or {}).get("type") != "disabled"
    turns = sum(1 for m in body.get("messages", []) if m.get("role") == "user")
    return Reply(
        content=INTRO + long_markdown(120, seed=turns),
        reasoning=(
            "The user is trying the demo. Explain what it is, list the keys worth "
            "trying, then show some Markdown: a table, a list and a code block."
            if thinking
            else ""
        ),
        chunk_chars=6,
        delay=0.015,
        first_delay=0.2,
    )


def demo_server(api_key: str) -> FakeDeepSeek:
    """A fake DeepSeek host whose every answer is the demo text (not started)."""
    return FakeDeepSeek(api_key=api_key, host="deepseek", responder=_respond)
