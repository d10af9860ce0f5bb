"""The tool call block and the decision bar on their own, in a tiny host app."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Collapsible

from deepseek_tui.ui.widgets.toolcall import ToolCallBlock, ToolDecisionBar, pretty_arguments


class Host(App[None]):
    def __init__(self, *widgets: object) -> None:
        super().__init__()
        self.widgets = widgets
        self.decisions: list[str] = []

    def compose(self) -> ComposeResult:
        yield from self.widgets  # type: ignore[misc]

    def on_tool_decision_bar_decided(self, event: ToolDecisionBar.Decided) -> None:
        self.decisions.append(event.decision)


def test_arguments_are_pretty_json_or_raw_text() -> None:
    assert pretty_arguments('{"a":1,"b":["x"]}') == '{\n  "a": 1,\n  "b": [\n    "x"\n  ]\n}'
    assert pretty_arguments("{not json") == "{not json"
    assert pretty_arguments("{}") == "{}"
    assert "\\u202e" in pretty_arguments('{"a": "\u202e"}')  # bidi control escaped


async def test_block_shows_everything_inert_and_folds_the_result() -> None:
    block = ToolCallBlock("c1", "srv[b]", "t\x1b[31mool", '{"q": "[bold]x[/]"}', state="waiting")
    app = Host(block)
    async with app.run_test() as pilot:
        head = str(block.head.render())
        assert "srv[b]" in head and "tool" in head and "\x1b" not in head
        assert "waiting for you" in head
        assert not block.query(Collapsible)
        await block.set_result("error", "boom [red]x[/red] \x1b]0;title\x07")
        await pilot.pause()
        folded = block.query_one(Collapsible)
        assert folded.collapsed
        assert "✕ error" in str(block.head.render())
        shown = block.query_one(".tool-result").render()
        assert "[red]x[/red]" in str(shown) and "\x1b" not in str(shown)


async def test_decision_bar_keys() -> None:
    bar = ToolDecisionBar(2)
    app = Host(bar)
    async with app.run_test() as pilot:
        bar.focus_run()
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("n")  # decided once: the rest is ignored
        await pilot.pause()
    assert app.decisions == ["always"]
