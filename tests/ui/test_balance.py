"""The account balance in the status line: fetched after the first frame,
refreshed after each answer, absent where the host has no balance endpoint."""

from __future__ import annotations

from pathlib import Path

from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.widgets.message import AssistantMessage
from deepseek_tui.ui.widgets.status import StatusLine

from .conftest import KEY, SIZE, configure, make_app, wait_for


def status(app: object) -> str:
    return str(app.screen.query_one(StatusLine).render())  # type: ignore[attr-defined]


async def test_balance_shown_and_refreshed(server: FakeDeepSeek) -> None:
    server.push(Reply(content="ok"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await wait_for(pilot, lambda: "balance $7.42" in status(app))
        server.balance = {
            "is_available": True,
            "balance_infos": [{"currency": "CNY", "total_balance": "110.00"}],
        }
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: "balance ¥110.00" in status(app))
        assert app.screen.query_one(AssistantMessage).state == "complete"


async def test_no_balance_on_hosts_without_it(home: Path) -> None:
    async with FakeDeepSeek(api_key=KEY, host="generic") as srv:
        configure(home, srv.base_url)
        app = make_app()
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
            # asked for, and the answer (a 404 from this host) handled
            await wait_for(
                pilot,
                lambda: (
                    any(r.path.endswith("/user/balance") for r in srv.requests)
                    and not any(w.group == "balance" for w in app.workers)
                ),
            )
            assert "deepseek" in status(app)
            assert "balance" not in status(app)
