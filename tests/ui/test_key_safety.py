"""The TUI never shows the API key: not for a key that cannot be sent, not
when something unforeseen breaks (Textual would print every frame's locals)."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.screens.first_run import FirstRunScreen
from tests.ui.conftest import KEY, SIZE, configure, make_app, notified, screen_text, wait_for

SECRET = "sk-SECRETPART0123456789"


def key_status(app: object) -> str:
    """What the dialog says about the key (its line may wrap on screen)."""
    from deepseek_tui.ui.app import DeepSeekApp

    assert isinstance(app, DeepSeekApp)
    if not isinstance(app.screen, FirstRunScreen):
        return ""
    return str(app.screen.query_one("#key-status", Static).render())


async def test_unusable_key_from_environment_opens_the_dialog_saying_why(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with FakeDeepSeek(api_key=KEY, host="deepseek") as srv:
        configure(home, srv.base_url, key=None)
        monkeypatch.setenv("DEEPSEEK_API_KEY", f"{SECRET} pasted twice")
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen))
            await wait_for(pilot, lambda: "cannot be sent" in key_status(app))
            assert "in DEEPSEEK_API_KEY holds a space at character 24" in key_status(app)
            assert "cannot be used" in screen_text(app)
            assert "SECRETPART" not in screen_text(app)
            # A pasted key with a typographic dash is refused here, before the host.
            app.screen.query_one("#api-key", Input).value = "sk-abc\u2013def"  # as pasted
            await pilot.press("enter")
            await wait_for(pilot, lambda: "non-ASCII character" in key_status(app))
            assert isinstance(app.screen, FirstRunScreen)
            app.screen.query_one("#api-key", Input).value = ""
            await pilot.press(*KEY, "enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            assert notified(app, "Fix or unset DEEPSEEK_API_KEY")
            # The key entered is the one used now, not the variable's.
            srv.push(Reply(content="It works."))
            await pilot.press(*"hello", "enter")
            await wait_for(pilot, lambda: "It works." in screen_text(app))
        # The host only ever saw the good key: the others were refused here.
        assert {r.headers["authorization"] for r in srv.requests} == {f"Bearer {KEY}"}
    assert app.failure is None


async def test_unforeseen_error_shows_one_line_and_a_report_without_locals(
    server: FakeDeepSeek, home: Path
) -> None:
    app = make_app()

    def breaks() -> None:
        api_key = KEY  # a local Textual's traceback would print
        raise RuntimeError(f"something unforeseen ({len(api_key)})")

    with pytest.raises(RuntimeError):
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            app.call_later(breaks)
            await pilot.pause()
            await wait_for(pilot, lambda: app.failure is not None)
    assert app.failure is not None
    assert "unexpected error (RuntimeError)" in app.failure
    assert KEY not in app.failure
    report = Path(app.failure.rsplit(" with ", 1)[1])
    assert report.parent == home
    mode, text = await asyncio.to_thread(lambda: (report.stat().st_mode, report.read_text()))
    assert stat.S_IMODE(mode) == 0o600
    assert "something unforeseen" in text and "breaks" in text
    assert KEY not in text and "api_key =" not in text


async def test_failed_background_work_names_its_type_never_its_text(
    server: FakeDeepSeek, home: Path
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        screen = app.screen
        assert isinstance(screen, ChatScreen)

        async def fails() -> None:
            raise ValueError(f"Invalid header value b'Bearer {KEY}'")  # as httpx says it

        screen.background(fails(), "test")
        await wait_for(pilot, lambda: notified(app, "Something went wrong"))
        assert notified(app, "unexpected error (ValueError)")
        assert KEY not in screen_text(app)
        assert isinstance(app.screen, ChatScreen)  # still usable
    assert all(KEY not in n.message for n in app._notifications)


async def test_quitting_the_dialog_over_an_unusable_key_says_why(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with FakeDeepSeek(api_key=KEY, host="deepseek") as srv:
        configure(home, srv.base_url, key=None)
        monkeypatch.setenv("DEEPSEEK_API_KEY", f"{SECRET}\u201d")
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, FirstRunScreen))
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.failure is not None)
    assert app.failure is not None
    assert app.failure.startswith("the API key in DEEPSEEK_API_KEY holds a non-ASCII character")
    assert "SECRETPART" not in app.failure
