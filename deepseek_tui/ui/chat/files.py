"""Files in and out of the chat: attachments for the next message, export and
import of conversations, undo of a deletion. Each function is run by the chat
screen in a worker; store and file work happens on threads."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from deepseek_tui.sanitize import reveal
from deepseek_tui.ui.chat import sending

if TYPE_CHECKING:
    from deepseek_tui.ui.screens.chat import ChatScreen


async def pick_attachment(screen: ChatScreen) -> None:
    """Pick a file or an image to send with the next message."""
    from deepseek_tui.transfer import start_dir
    from deepseek_tui.ui.screens.path_dialog import PathScreen

    choice = await screen.app.push_screen_wait(
        PathScreen(
            "Attach a file or an image to the next message",
            start_dir(),
            action="Attach",
            help="Text, images (PNG, JPEG, GIF, WebP) or documents; "
            "or type /attach PATH in the prompt.",
        )
    )
    if choice is not None:
        await attach(screen, choice.path)
    screen.prompt.focus()


async def attach(screen: ChatScreen, path: str) -> bool:
    """Load ``path`` and show it as a chip above the prompt; a file that cannot
    be attached gets one notification saying why."""
    from deepseek_tui.attachments import AttachmentError, keep_notice, load_attachment

    try:
        attachment = await asyncio.to_thread(load_attachment, path)
    except AttachmentError as exc:
        screen.notify(reveal(str(exc)), severity="error", markup=False)
        return False
    if not await screen.tray.add(attachment):
        screen.notify(f"{reveal(attachment.name)} is already attached", timeout=3, markup=False)
        return False
    refused = sending.refused(screen, (attachment,))
    if refused:
        screen.notify(
            f"Attached, but {reveal(refused)}. Pick one of those models (Ctrl+S) or "
            "remove it (click the chip) before sending.",
            severity="warning",
            timeout=8,
            markup=False,
        )
    elif (too_big := keep_notice(attachment)) is not None:
        screen.notify(reveal(too_big), severity="warning", timeout=10, markup=False)
    return True


async def export(screen: ChatScreen) -> None:
    """Write the open conversation to a Markdown or JSON file."""
    from deepseek_tui.transfer import (
        FORMATS,
        TransferError,
        default_path,
        export_to,
        resolve,
    )
    from deepseek_tui.ui.screens.confirm import ConfirmScreen
    from deepseek_tui.ui.screens.path_dialog import PathScreen

    c = screen.conversation
    if c is None:
        screen.notify("Nothing to export yet: send a message first", timeout=3)
        return
    choice = await screen.app.push_screen_wait(
        PathScreen(
            "Export this conversation",
            default_path(c.id, "markdown"),
            action="Export",
            formats=FORMATS,
            format="markdown",
            help="The same formats as `deepseek-tui export`; JSON can be imported again.",
        )
    )
    if choice is None:
        return
    path = resolve(choice.path)
    if await asyncio.to_thread(path.exists):
        replace = await screen.app.push_screen_wait(
            ConfirmScreen(
                "Replace the file?",
                "A file with this name exists:",
                detail=str(path),
                yes="Replace",
            )
        )
        if not replace:
            return
    try:
        size = await asyncio.to_thread(
            export_to, screen.store, c.id, path, choice.format or "markdown"
        )
    except TransferError as exc:
        screen.notify(f"Export failed: {reveal(str(exc))}", severity="error", markup=False)
        return
    screen.notify(f"Exported to {reveal(str(path))} ({size:,} bytes)", markup=False)


async def import_(screen: ChatScreen) -> None:
    """Add a conversation from a JSON export and open it."""
    from deepseek_tui.transfer import TransferError, import_from, resolve, start_dir
    from deepseek_tui.ui.screens.path_dialog import PathScreen

    choice = await screen.app.push_screen_wait(
        PathScreen(
            "Import a conversation (JSON export)",
            start_dir(),
            action="Import",
            help="A file written by `deepseek-tui export --format json` or Export (F9).",
        )
    )
    if choice is None:
        return
    try:
        imported = await asyncio.to_thread(import_from, screen.store, resolve(choice.path))
    except TransferError as exc:
        screen.notify(f"Import failed: {reveal(str(exc))}", severity="error", markup=False)
        return
    screen.notify(f"Imported: {reveal(imported.title) or 'untitled'}", markup=False)
    await screen.switch_to(imported)


async def undo_delete(screen: ChatScreen) -> None:
    """Bring back the conversation deleted last (from the command palette)."""
    if not screen.trash.items:
        screen.notify("Nothing to undo", timeout=2)
        return
    saved = screen.trash.items.pop()
    restored = await asyncio.to_thread(screen.store.import_json, saved, keep_id=True)
    screen.notify(f"Restored: {reveal(restored.title) or 'untitled'}", markup=False)
