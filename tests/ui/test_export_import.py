"""Export the open conversation to a file and import a JSON export, from the UI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input, Select

from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.path_suggest import complete_path
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.screens.confirm import ConfirmScreen
from deepseek_tui.ui.screens.path_dialog import PathScreen
from deepseek_tui.ui.widgets.message import AssistantMessage, UserMessage

from .conftest import SIZE, make_app, notified, rows, wait_for


async def chat_once(pilot: object, app: object, text: str = "hello") -> None:
    screen = app.screen  # type: ignore[attr-defined]
    await pilot.press(*text, "enter")  # type: ignore[attr-defined]
    await wait_for(
        pilot,  # type: ignore[arg-type]
        lambda: (a := screen.query(AssistantMessage)) and a.last().state == "complete",
    )


async def test_export_markdown_then_json_with_replace(
    server: FakeDeepSeek, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    server.push(Reply(content="Hi **there**."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await pilot.press("f9")
        await wait_for(pilot, lambda: notified(app, "Nothing to export yet"))
        await chat_once(pilot, app)
        (cid,) = rows(home, "SELECT id FROM conversations")[0]
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, PathScreen))
        field = app.screen.query_one("#path-input", Input)
        assert field.value == str(tmp_path / f"deepseek-{cid}.md")
        await pilot.press("enter")
        await wait_for(pilot, lambda: notified(app, "Exported to"))
        md = (tmp_path / f"deepseek-{cid}.md").read_text()
        assert "Hi **there**." in md and "hello" in md and cid in md

        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, PathScreen))
        app.screen.query_one("#path-format", Select).value = "json"
        field = app.screen.query_one("#path-input", Input)
        await wait_for(pilot, lambda: field.value == str(tmp_path / f"deepseek-{cid}.json"))
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / f"deepseek-{cid}.json").exists())
        data = json.loads((tmp_path / f"deepseek-{cid}.json").read_text())
        assert data["id"] == cid
        assert [m["content"] for m in data["messages"]] == ["hello", "Hi **there**."]

        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, PathScreen))
        await pilot.press("enter")  # the .md file exists: asks first
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#no")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))


async def test_export_to_unwritable_place_is_one_notification(
    server: FakeDeepSeek, tmp_path: Path
) -> None:
    server.push(Reply(content="x"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        await chat_once(pilot, app)
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, PathScreen))
        app.screen.query_one("#path-input", Input).value = str(tmp_path / "no" / "such" / "x.md")
        await pilot.press("enter")
        await wait_for(pilot, lambda: notified(app, "Export failed: cannot write"))


async def test_import_json_opens_it_and_bad_files_say_why(
    server: FakeDeepSeek, home: Path, tmp_path: Path
) -> None:
    export = {
        "id": "imported-1",
        "title": "From elsewhere",
        "created": "2026-01-01T00:00:00Z",
        "updated": "2026-01-01T00:00:00Z",
        "system": None,
        "messages": [
            {"role": "user", "content": "old question", "status": "complete"},
            {"role": "assistant", "content": "old answer", "status": "complete"},
        ],
    }
    good = tmp_path / "good.json"
    good.write_text(json.dumps(export))
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "wrong.json").write_text('{"messages": 3}')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        chat = app.screen
        for name, problem in [
            ("missing.json", "Import failed: cannot read"),
            ("bad.json", "is not a JSON export"),
            ("wrong.json", "is not a valid export"),
        ]:
            await chat.run_action("import")
            await wait_for(pilot, lambda: isinstance(app.screen, PathScreen))
            app.screen.query_one("#path-input", Input).value = str(tmp_path / name)
            await pilot.press("enter")
            await wait_for(pilot, lambda p=problem: notified(app, p))  # type: ignore[misc]
        await chat.run_action("import")
        await wait_for(pilot, lambda: isinstance(app.screen, PathScreen))
        path = app.screen.query_one("#path-input", Input)
        path.value = f"{tmp_path}/"
        await pilot.press("end", "g", "o")
        await wait_for(pilot, lambda: path._suggestion == str(good))  # shown after the cursor
        await pilot.press("right")  # completes the name
        assert path.value == str(good)
        await pilot.press("enter")
        await wait_for(pilot, lambda: chat.query(AssistantMessage))
        assert [u.text for u in chat.query(UserMessage)] == ["old question"]
        assert chat.query_one(AssistantMessage).content == "old answer"
        assert notified(app, "Imported: From elsewhere")
    ((ident, title),) = rows(home, "SELECT id, title FROM conversations")
    assert title == "From elsewhere" and ident != "imported-1"  # an import gets a new id


def test_path_completion(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / ".hidden").write_text("x")
    assert complete_path(f"{tmp_path}/no") == f"{tmp_path}/notes/"
    assert complete_path(f"{tmp_path}/notes.") == f"{tmp_path}/notes.txt"
    assert complete_path(f"{tmp_path}/") == f"{tmp_path}/notes/"
    assert complete_path(f"{tmp_path}/.h") == f"{tmp_path}/.hidden"
    assert complete_path(f"{tmp_path}/zzz") is None
    assert complete_path("/no/such/dir/x") is None
