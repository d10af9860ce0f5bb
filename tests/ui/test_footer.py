"""The footer shows the bindings as they are, and is rebuilt only when that
changes (Textual's rebuilds it on every binding change)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from deepseek_tui.ui.widgets.footer import Footer


class FooterApp(App[None]):
    BINDINGS = [
        Binding("ctrl+n", "new", "New", id="new"),
        Binding("f5", "retry", "Retry", id="retry"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.can_retry = False

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return self.can_retry  # False: not shown
        return True

    def action_new(self) -> None:
        pass

    def action_retry(self) -> None:
        pass


def keys(app: App[None]) -> dict[str, bool]:
    """Each key the footer shows, and whether it is enabled."""
    return {
        k.description: not k.disabled for k in app.query(FooterKey) if k.action != "command_palette"
    }


async def test_footer_follows_bindings_and_skips_rebuilds_that_change_nothing() -> None:
    app = FooterApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert keys(app) == {"New": True}
        before = list(app.query(FooterKey))
        for _ in range(5):
            app.refresh_bindings()
            await pilot.pause()
        assert list(app.query(FooterKey)) == before  # the same widgets: not rebuilt

        app.can_retry = True
        app.refresh_bindings()
        await pilot.pause()
        assert keys(app) == {"New": True, "Retry": True}

        app.set_keymap({"new": "ctrl+b"})
        await pilot.pause()
        shown = {k.description: k.key_display for k in app.query(FooterKey)}
        assert shown["New"] == app.get_key_display(Binding("ctrl+b", "new"))
