"""Attaching files in the TUI end to end: /attach and Ctrl+T, chips, what the
server receives, refusals, and chips on a reopened conversation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Select

from deepseek_tui.testing import FakeDeepSeek, Reply
from deepseek_tui.ui.screens.chat import ChatScreen
from deepseek_tui.ui.screens.path_dialog import PathScreen
from deepseek_tui.ui.widgets.attachments import AttachmentChip, AttachmentTray
from deepseek_tui.ui.widgets.message import AssistantMessage, UserMessage
from deepseek_tui.ui.widgets.prompt import PromptInput
from deepseek_tui.ui.widgets.sidebar import SettingsSidebar
from deepseek_tui.ui.widgets.status import StatusLine

from .conftest import SIZE, make_app, notified, rows, screen_text, wait_for

#: The first bytes of a PNG are all the loader looks at.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _files(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "files"
    folder.mkdir()
    text = folder / "notes.txt"
    text.write_text("hello from a file\n")
    image = folder / "pic.png"
    image.write_bytes(PNG)
    return text, image


async def _ready(pilot: Pilot[Any]) -> ChatScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ChatScreen))
    screen = pilot.app.screen
    assert isinstance(screen, ChatScreen)
    return screen


async def _type_attach(pilot: Pilot[Any], screen: ChatScreen, path: Path) -> None:
    """Type ``/attach PATH`` and Enter, as a user would (the path is loaded, not typed
    key by key, to keep the test quick: what is sent is the same)."""
    prompt = screen.query_one(PromptInput)
    prompt.focus()
    prompt.load_text(f"/attach {path}")
    prompt.move_cursor(prompt.document.end)
    await pilot.press("enter")


def _tray(screen: ChatScreen) -> AttachmentTray:
    return screen.query_one(AttachmentTray)


async def test_attach_text_and_image_then_send_and_reopen(
    server: FakeDeepSeek, home: Path, tmp_path: Path
) -> None:
    text_file, image = _files(tmp_path)
    server.push(Reply(content="A note and a picture."))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        tray = _tray(screen)
        assert not tray.display
        await _type_attach(pilot, screen, text_file)
        await wait_for(pilot, lambda: len(tray.items) == 1)
        await _type_attach(pilot, screen, image)
        await wait_for(pilot, lambda: len(tray.items) == 2)
        assert tray.display
        assert screen.query_one(PromptInput).text == ""  # /attach is not sent
        assert not server.chat_requests
        shown = screen_text(app)
        assert "notes.txt · 18 bytes" in shown and "pic.png · 72 bytes" in shown

        await pilot.press(*"Describe these", "enter")
        await wait_for(
            pilot,
            lambda: (a := screen.query(AssistantMessage)) and a.last().state == "complete",
        )
        # sent, then the chips are gone from the tray and shown on the message
        assert tray.items == [] and not tray.display
        assert not screen.query(AttachmentChip)
        message = screen.query_one(UserMessage)
        assert message.text == "Describe these"
        assert message.attachment_chips == ["📝 notes.txt · 18 bytes", "🖼 pic.png · 72 bytes"]

    body = server.chat_requests[0].body
    assert body["model"] == "deepseek-flash"
    content = body["messages"][-1]["content"]
    assert isinstance(content, list)
    assert content[0]["type"] == "text"
    assert content[0]["text"].startswith("Describe these\n\nAttached file notes.txt (text/plain):")
    assert "hello from a file" in content[0]["text"]
    assert content[1]["type"] == "image_url"
    assert content[1]["image_url"]["url"].startswith("data:image/png;base64,iVBORw0KGgo")
    (stored,) = rows(home, "SELECT attachments FROM messages WHERE role = 'user'")
    records = json.loads(stored[0])
    assert [(r["name"], r["kind"], r["size"]) for r in records] == [
        ("notes.txt", "text", 18),
        ("pic.png", "image", 72),
    ]

    # -c: the stored attachments show as chips again
    app = make_app(continue_=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        await wait_for(pilot, lambda: screen.query(UserMessage))
        message = screen.query_one(UserMessage)
        assert message.attachment_chips == ["📝 notes.txt · 18 bytes", "🖼 pic.png · 72 bytes"]
        assert "pic.png · 72 bytes" in screen_text(app)
        assert not _tray(screen).items  # nothing waits to be sent again


async def test_image_refused_by_a_model_without_images(
    server: FakeDeepSeek, home: Path, tmp_path: Path
) -> None:
    _, image = _files(tmp_path)
    server.push(Reply(content="never"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        await pilot.press("ctrl+s")
        screen.query_one(SettingsSidebar).query_one("#model", Select).value = "deepseek-v4-pro"
        await wait_for(pilot, lambda: screen.query_one(StatusLine).info.model == "deepseek-v4-pro")
        await pilot.press("ctrl+s")
        await _type_attach(pilot, screen, image)
        await wait_for(pilot, lambda: _tray(screen).items)
        # warned at once ...
        assert notified(app, "deepseek-v4-pro does not take images (pic.png)")
        app.clear_notifications()
        await pilot.press(*"What is this?", "enter")
        # ... and refused on send, naming the models that can take it; nothing sent
        refused = "Not sent: deepseek-v4-pro does not take images (pic.png); models that do:"
        await wait_for(pilot, lambda: notified(app, refused))
        assert notified(app, "deepseek-flash")
        assert len(app._notifications) == 1
        assert not screen.query(UserMessage)
        assert screen.query_one(PromptInput).text == "What is this?"  # kept for later
        assert len(_tray(screen).items) == 1
    assert not server.chat_requests
    assert rows(home, "SELECT COUNT(*) FROM messages") == [(0,)]


async def test_attach_error_is_one_notification(server: FakeDeepSeek, tmp_path: Path) -> None:
    binary = tmp_path / "blob.bin"
    binary.write_bytes(b"\x00\x01\x02" * 10)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        await _type_attach(pilot, screen, tmp_path / "missing.txt")
        await wait_for(pilot, lambda: app._notifications)
        assert notified(app, "missing.txt: no such file")
        app.clear_notifications()
        await _type_attach(pilot, screen, binary)
        await wait_for(pilot, lambda: app._notifications)
        assert notified(app, "a binary file")
        assert len(app._notifications) == 1
        assert not _tray(screen).items
        assert not _tray(screen).display
    assert not server.chat_requests


async def test_ctrl_t_dialog_attaches_and_chips_can_be_removed(
    server: FakeDeepSeek, tmp_path: Path
) -> None:
    text_file, image = _files(tmp_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, PathScreen))
        app.screen.query_one("#path-input", Input).value = str(text_file)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ChatScreen))
        tray = _tray(screen)
        await wait_for(pilot, lambda: len(tray.items) == 1)
        assert screen.query_one(PromptInput).has_focus

        await _type_attach(pilot, screen, image)
        await wait_for(pilot, lambda: len(tray.items) == 2)
        # a click on a chip removes it
        first = screen.query(AttachmentChip).first()
        await pilot.click(first)
        await wait_for(pilot, lambda: len(tray.items) == 1)
        assert [a.name for a in tray.items] == ["pic.png"]
        # Shift+Tab from the prompt reaches the chip; Delete removes it
        await wait_for(pilot, lambda: screen.query_one(PromptInput).has_focus)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, AttachmentChip)
        await pilot.press("delete")
        await wait_for(pilot, lambda: not tray.items)
        assert not tray.display
        await wait_for(pilot, lambda: screen.query_one(PromptInput).has_focus)


async def test_attach_path_completion_in_the_prompt(server: FakeDeepSeek, tmp_path: Path) -> None:
    text_file, _ = _files(tmp_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        prompt = screen.query_one(PromptInput)
        prompt.load_text(f"/attach {text_file.parent}/no")
        prompt.move_cursor(prompt.document.end)
        await pilot.press("t")  # typed: ".../not" completes to ".../notes.txt"
        await wait_for(pilot, lambda: prompt.suggestion == "es.txt")
        await pilot.press("tab")
        assert prompt.text == f"/attach {text_file}"
        await pilot.press("enter")
        await wait_for(pilot, lambda: _tray(screen).items)
        # an ordinary message gets no suggestion
        prompt.load_text("no")
        prompt.move_cursor(prompt.document.end)
        await pilot.press("t")
        await wait_for(pilot, lambda: not any(w.group == "path-suggest" for w in app.workers))
        assert prompt.suggestion == ""


async def test_attach_key_is_in_help_and_palette(server: FakeDeepSeek) -> None:
    from deepseek_tui.ui.palette import ACTIONS

    app = make_app()
    async with app.run_test(size=(100, 60)) as pilot:
        await _ready(pilot)
        assert ("Attach file", "^t", "attach") in app.key_rows()
        assert any(action == "attach" for _, action, _ in ACTIONS)
        await pilot.press("f1")
        await wait_for(pilot, lambda: "Attach file" in screen_text(app))


async def _answered(pilot: Pilot[Any], screen: ChatScreen, n: int) -> None:
    await wait_for(
        pilot,
        lambda: len(a := screen.query(AssistantMessage)) == n and a.last().state == "complete",
    )


async def test_regenerate_resends_a_text_attachment(
    server: FakeDeepSeek, home: Path, tmp_path: Path
) -> None:
    text_file, _ = _files(tmp_path)
    server.push(Reply(content="first"), Reply(content="second"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        await _type_attach(pilot, screen, text_file)
        await wait_for(pilot, lambda: len(_tray(screen).items) == 1)
        await pilot.press(*"Summarise", "enter")
        await _answered(pilot, screen, 1)
        await pilot.press("ctrl+g")
        await _answered(pilot, screen, 1)
        await wait_for(pilot, lambda: screen.query(AssistantMessage).last().content == "second")
        assert screen.query_one(UserMessage).attachment_chips == ["📝 notes.txt · 18 bytes"]
    first, again = (r.body["messages"][-1]["content"] for r in server.chat_requests)
    assert again == first  # the same bytes, file included
    assert "hello from a file" in again
    records = [json.loads(r[0]) for r in rows(home, "SELECT attachments FROM messages") if r[0]]
    assert [[a["name"] for a in r] for r in records] == [["notes.txt"], ["notes.txt"]]


async def test_regenerate_and_edit_send_a_kept_image_again_without_asking(
    server: FakeDeepSeek, home: Path, tmp_path: Path
) -> None:
    text_file, image = _files(tmp_path)
    server.push(Reply(content="a cat"), Reply(content="still a cat"), Reply(content="a dog"))
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await _ready(pilot)
        await _type_attach(pilot, screen, text_file)
        await _type_attach(pilot, screen, image)
        await wait_for(pilot, lambda: len(_tray(screen).items) == 2)
        await pilot.press(*"What is it?", "enter")
        await _answered(pilot, screen, 1)
        # Regenerate: the same message goes again, image included, no questions.
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: len(server.chat_requests) == 2)
        await wait_for(
            pilot, lambda: screen.query(AssistantMessage).last().content == "still a cat"
        )
        assert not notified(app, "attach")
        assert screen.query_one(PromptInput).text == ""
        chips = ["📝 notes.txt · 18 bytes", "🖼 pic.png · 72 bytes"]
        assert screen.query_one(UserMessage).attachment_chips == chips
        # Edit: the prompt comes back with both files in the tray; Enter sends them.
        await pilot.press("f4")
        prompt = screen.query_one(PromptInput)
        await wait_for(pilot, lambda: prompt.text == "What is it?")
        assert [a.name for a in _tray(screen).items] == ["notes.txt", "pic.png"]
        assert not notified(app, "not kept")
        prompt.load_text("What is it now?")
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(server.chat_requests) == 3)
        await wait_for(pilot, lambda: screen.query(AssistantMessage).last().content == "a dog")
    first, again, edited = (r.body["messages"][-1]["content"] for r in server.chat_requests)
    assert again == first  # the same bytes, image included
    assert [p["type"] for p in edited] == ["text", "image_url"]
    assert edited[1] == first[1]
    assert edited[0]["text"].startswith("What is it now?\n\nAttached file notes.txt")
    assert rows(home, "SELECT count(*) FROM attachment_data") == [(1,)]


async def test_an_image_too_big_to_keep_is_said_at_once_and_asked_for_again(
    server: FakeDeepSeek, home: Path, tmp_path: Path
) -> None:
    keep_max = 5 * 1024 * 1024  # deepseek_tui.attachments.KEEP_MAX

    big = tmp_path / "scan.png"
    big.write_bytes(PNG + bytes(keep_max + 1024 * 1024))
    server.push(Reply(content="a scan"))
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await _ready(pilot)
        await _type_attach(pilot, screen, big)
        await wait_for(pilot, lambda: _tray(screen).items)
        assert notified(
            app, "scan.png is 6.0 MB, over the 5.0 MB kept with a conversation: it goes with"
        )
        app.clear_notifications()
        await pilot.press(*"What is it?", "enter")
        await _answered(pilot, screen, 1)
        assert len(server.chat_requests[0].body["messages"][-1]["content"]) == 2  # it went
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: notified(app, "To regenerate, attach scan.png again"))
        assert notified(app, "it was not kept with the conversation")
        assert len(server.chat_requests) == 1  # nothing sent without it
    assert rows(home, "SELECT count(*) FROM attachment_data") == [(0,)]


async def test_after_a_restart_the_follow_up_still_sends_the_image(
    server: FakeDeepSeek, tmp_path: Path
) -> None:
    _, image = _files(tmp_path)
    server.push(Reply(content="a picture"), Reply(content="black"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        await _type_attach(pilot, screen, image)
        await wait_for(pilot, lambda: _tray(screen).items)
        await pilot.press(*"What is it?", "enter")
        await _answered(pilot, screen, 1)
    app = make_app(continue_=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        await wait_for(pilot, lambda: screen.query(UserMessage))
        prompt = screen.query_one(PromptInput)
        prompt.focus()
        await pilot.press(*"Which colour?", "enter")
        await wait_for(pilot, lambda: len(server.chat_requests) == 2)
        await _answered(pilot, screen, 2)
    first, second = server.chat_requests
    sent = json.dumps(first.body["messages"], ensure_ascii=False, separators=(",", ":")).encode()
    assert sent in first.raw and sent[:-1] + b"," in second.raw  # the same bytes first
    assert second.body["messages"][0]["content"][1]["type"] == "image_url"


async def test_switching_to_a_model_without_images_says_so_once(
    server: FakeDeepSeek, tmp_path: Path
) -> None:
    _, image = _files(tmp_path)
    server.push(*(Reply(content=f"a{i}") for i in range(3)))
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await _ready(pilot)
        await _type_attach(pilot, screen, image)
        await wait_for(pilot, lambda: _tray(screen).items)
        await pilot.press(*"What is it?", "enter")
        await _answered(pilot, screen, 1)
        await pilot.press("ctrl+s")
        screen.query_one(SettingsSidebar).query_one("#model", Select).value = "deepseek-v4-pro"
        await wait_for(pilot, lambda: screen.query_one(StatusLine).info.model == "deepseek-v4-pro")
        await pilot.press("ctrl+s")
        screen.query_one(PromptInput).focus()
        app.clear_notifications()
        note = "deepseek-v4-pro does not take images: pic.png, attached earlier, goes as a note"
        await pilot.press(*"And now?", "enter")
        await wait_for(pilot, lambda: notified(app, note))
        await _answered(pilot, screen, 2)
        app.clear_notifications()
        await pilot.press(*"Again?", "enter")
        await wait_for(pilot, lambda: len(server.chat_requests) == 3)
        await _answered(pilot, screen, 3)
        assert not notified(app, "does not take images")
    for request in server.chat_requests[1:]:
        replayed = request.body["messages"][0]["content"]
        assert replayed == (
            "What is it?\n\n[image pic.png (image/png, 72 bytes) was attached here and is"
            " not re-sent]"
        )


async def test_files_can_be_sent_without_a_prompt(
    server: FakeDeepSeek, home: Path, tmp_path: Path
) -> None:
    _, image = _files(tmp_path)
    server.push(Reply(content="a picture"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _ready(pilot)
        prompt = screen.query_one(PromptInput)
        prompt.focus()
        await pilot.press("enter")  # nothing typed, nothing attached: nothing happens
        await pilot.pause()  # the screen has handled whatever the key caused
        assert not screen.query(UserMessage)
        await _type_attach(pilot, screen, image)
        await wait_for(pilot, lambda: len(_tray(screen).items) == 1)
        await pilot.press("enter")
        await _answered(pilot, screen, 1)
        assert screen.query_one(UserMessage).attachment_chips == ["🖼 pic.png · 72 bytes"]
        assert not _tray(screen).items
        await pilot.press("enter")  # the tray is empty again: an empty Enter sends nothing
        await pilot.pause()
        assert len(screen.query(UserMessage)) == 1
    assert len(server.chat_requests) == 1
    content = server.chat_requests[0].body["messages"][-1]["content"]
    assert [p["type"] for p in content] == ["image_url"]  # no empty text part
    assert rows(home, "SELECT title FROM conversations") == [("pic.png",)]
