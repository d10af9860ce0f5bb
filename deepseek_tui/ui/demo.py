"""``--demo``: a guided tour served by a loopback server inside the app, so the
TUI can be tried without a key or a network.

Each message the user sends gets the next canned answer (the step is the number
of user messages in the request, so Ctrl+N starts the tour again): a thinking
answer with its reasoning pane, code, a table, a model switch from
``deepseek-flash`` to ``deepseek-v4-pro`` made in the sidebar, and the way to
start for real. Answers stream at a readable pace; with thinking switched off
they come without reasoning, and the model named in the request is the one the
answer talks about. The app keeps the demo's history in a throwaway database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deepseek_tui.testing import FakeDeepSeek, Reply, Scenario

__all__ = ["FIRST_MODEL", "STEPS", "SWITCH_TO", "DemoStep", "demo_reply", "demo_server"]

FIRST_MODEL = "deepseek-flash"
SWITCH_TO = "deepseek-v4-pro"


@dataclass(frozen=True, slots=True)
class DemoStep:
    """One canned answer: its reasoning and its text (``{model}`` is filled in)."""

    title: str
    reasoning: str
    content: str


_WELCOME = DemoStep(
    title="Welcome",
    reasoning=(
        "The user opened the demo. I should say plainly that this is a demo with "
        "canned answers, then show what the app does: streaming Markdown, this "
        "reasoning pane, the settings sidebar. Keep the first answer short and list "
        "the keys worth trying."
    ),
    content="""\
## Welcome to deepseek-tui

This is **demo mode**: answers come from a small server inside the app, not \
from DeepSeek. No key, no network, and nothing is saved to your history.

What you just saw: **{model}** *thought* first (the folded **Reasoning** \
above this answer; `Ctrl+R` hides or shows it), then the answer streamed in \
as Markdown.

Keys worth trying:

- `Ctrl+S` settings sidebar: model, thinking, effort, temperature, system prompt
- `Esc` stops an answer mid-stream; what arrived is kept
- `Ctrl+P` command palette: pick a **theme** there
- `F1` every key, all remappable

**Send anything** to go on (step 1 of 5).
""",
)

_CODE = DemoStep(
    title="Code",
    reasoning=(
        "Step two: show a fenced code block with syntax highlighting. A short "
        "async example of streaming a chat completion fits the theme, plus the "
        "one-shot command line for scripts."
    ),
    content="""\
### Code blocks are highlighted

Streaming a DeepSeek answer in a few lines of Python:

```python
import httpx

async def stream(prompt: str, key: str) -> None:
    body = {{"model": "{model}", "stream": True,
            "messages": [{{"role": "user", "content": prompt}}]}}
    async with httpx.AsyncClient(base_url="https://api.deepseek.com") as http:
        async with http.stream("POST", "/chat/completions", json=body,
                               headers={{"Authorization": f"Bearer {{key}}"}}) as r:
            async for line in r.aiter_lines():
                print(line)
```

The same from a shell, saved to your history like any chat:

```bash
git diff | deepseek-tui ask "Review this change" --thinking on
```

**Send anything** for a table (step 2 of 5).
""",
)

_TABLE = DemoStep(
    title="Table",
    reasoning=(
        "Step three: a Markdown table. Compare the two current DeepSeek models "
        "from the model catalog, then invite the user to switch models in the "
        "sidebar so the next answer comes from the other one."
    ),
    content="""\
### Tables render as tables

| | deepseek-flash | deepseek-v4-pro |
|---|---|---|
| context window | 1M tokens | 1M tokens |
| max output | 384K tokens | 384K tokens |
| thinking | on by default, switchable | on by default, switchable |
| effort | low · high · max | low · high · max |
| images | yes | no |

Prices, context and thinking rules come from a model catalog that is data, \
not code, so a new model needs no new release.

**Now switch models:** press `Ctrl+S`, choose **{switch_to}** under Model, \
then send anything (step 3 of 5).
""",
)

_SWITCHED = DemoStep(
    title="Model switch",
    reasoning=(
        "The user switched to the larger model. Point at the header of each answer, "
        "which names the model that wrote it, and explain that the switch applies "
        "from the next message while the conversation keeps its history. Mention "
        "the effort setting, since this model can think longer."
    ),
    content="""\
### Now answering: {model}

Look at the header of each answer: it names the model that wrote it. The \
earlier answers keep **{first}**; this one and the next come from **{model}**. \
The conversation, its history and its settings stay as they are.

In the sidebar you can also:

1. set **thinking** off for quick answers, or raise **effort** to `max`;
2. change temperature, top-p, max tokens or penalties (those a thinking model \
ignores are marked);
3. give this conversation its own **system prompt**.

**Send anything** to finish (step 4 of 5).
""",
)

_NOT_SWITCHED = DemoStep(
    title="Model switch",
    reasoning=(
        "The user has not switched models yet. Say so and show how; the header of "
        "each answer names the model that wrote it."
    ),
    content="""\
### Still on {model}

The header of each answer names the model that wrote it, and this one is \
still **{model}**. Press `Ctrl+S`, choose **{switch_to}** under Model, and \
send again: the next answer comes from the other model while the \
conversation keeps its history (step 4 of 5).
""",
)

_FINISH = DemoStep(
    title="Start for real",
    reasoning="Last step: how to leave the demo and start with a real key.",
    content="""\
### That's the tour

To chat for real, quit (`Ctrl+Q`) and run:

```bash
export DEEPSEEK_API_KEY=sk-...   # or paste it into the first-run dialog
deepseek-tui                     # new chat;  deepseek-tui -c  continues the last one
```

Other hosts that serve DeepSeek models work too: give a provider a \
`base_url` in `config.toml`. `Ctrl+N` starts this tour again (step 5 of 5).
""",
)

_MORE = DemoStep(
    title="More",
    reasoning="The tour is over; answer briefly and point back to it.",
    content="""\
This demo has no more canned answers: it cannot really read what you \
type. `Ctrl+N` starts the tour again, and `Ctrl+Q` quits.
""",
)

STEPS: tuple[DemoStep, ...] = (_WELCOME, _CODE, _TABLE, _SWITCHED, _FINISH)
"""The tour, in order (step 4 becomes :data:`_NOT_SWITCHED` until the model changes)."""


def demo_reply(body: dict[str, Any], *, pace: float = 1.0) -> Reply:
    """The canned answer to one chat request (``pace`` scales the streaming delays)."""
    messages = body.get("messages") or []
    step = sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "user")
    model = str(body.get("model") or FIRST_MODEL)
    if step == 4 and model == FIRST_MODEL:
        chosen = _NOT_SWITCHED
    elif 1 <= step <= len(STEPS):
        chosen = STEPS[step - 1]
    else:
        chosen = _MORE
    thinking = (body.get("thinking") or {}).get("type") != "disabled"
    content = chosen.content.format(model=model, first=FIRST_MODEL, switch_to=SWITCH_TO)
    return Reply(
        content=content,
        reasoning=chosen.reasoning if thinking else "",
        model=model,
        chunk_chars=8,
        delay=0.012 * pace,
        first_delay=0.25 * pace,
    )


def demo_server(api_key: str, *, pace: float = 1.0) -> FakeDeepSeek:
    """A fake DeepSeek host that answers with the tour (not started)."""

    def respond(body: dict[str, Any]) -> Scenario:
        return demo_reply(body, pace=pace)

    return FakeDeepSeek(api_key=api_key, host="deepseek", responder=respond)
