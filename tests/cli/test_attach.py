"""``ask --attach`` end to end: what reaches the host, what is stored, what is refused."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

from deepseek_tui.testing import FakeDeepSeek, Reply

from .conftest import KEY, configure, rows

#: deepseek_tui.attachments.KEEP_MAX, which the messages name.
KEEP_MAX = 5 * 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(40))
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def _messages_bytes(messages: list[dict[str, object]]) -> bytes:
    """A ``messages`` array as the client writes it on the wire."""
    return json.dumps(messages, ensure_ascii=False, separators=(",", ":")).encode()


def test_image_is_kept_and_replayed_byte_identically_by_later_processes(
    run_cli, server: FakeDeepSeek, home: Path, tmp_path: Path
) -> None:
    image = tmp_path / "chart.png"
    image.write_bytes(PNG)
    server.push(Reply(content="A chart."))
    r = run_cli("ask", "--attach", str(image), "What is this?")
    assert r.code == 0, r.stderr
    assert r.stderr == ""  # small enough to keep: nothing to say
    first = server.chat_requests[-1]
    assert first.body["model"] == "deepseek-flash"
    (user,) = first.body["messages"]
    assert user["content"] == [
        {"type": "text", "text": "What is this?"},
        {
            "type": "image_url",
            "image_url": {"url": "data:image/png;base64," + base64.b64encode(PNG).decode()},
        },
    ]
    digest = hashlib.sha256(PNG).hexdigest()
    ((content, attachments),) = rows(
        home, "SELECT content, attachments FROM messages WHERE role='user'"
    )
    assert content == "What is this?"
    assert json.loads(attachments) == [
        {
            "name": "chart.png",
            "kind": "image",
            "mime": "image/png",
            "size": len(PNG),
            "sha256": digest,
        }
    ]
    assert rows(home, "SELECT sha256, size, data FROM attachment_data") == [(digest, len(PNG), PNG)]

    # Each later turn is a new process: the image goes again, byte for byte, and
    # the request starts with exactly the bytes of the one before (prefix cache).
    server.push(Reply(content="Blue."), Reply(content="Yes."))
    assert run_cli("ask", "-c", "Which colour?").code == 0
    assert run_cli("ask", "-c", "Sure?").code == 0
    second, third = server.chat_requests[-2:]
    assert second.body["messages"][0] == user
    sent = _messages_bytes(first.body["messages"])
    assert sent in first.raw
    assert sent[:-1] + b"," in second.raw
    assert _messages_bytes(second.body["messages"])[:-1] + b"," in third.raw
    assert third.raw.count(base64.b64encode(PNG)) == 1  # sent once per request
    # Two turns later, still one copy of the bytes in the database.
    assert rows(home, "SELECT count(*) FROM attachment_data") == [(1,)]


def test_an_image_over_the_keep_limit_goes_once_with_a_clear_note(
    run_cli, server: FakeDeepSeek, home: Path, tmp_path: Path
) -> None:
    big = tmp_path / "scan.png"
    big.write_bytes(PNG + bytes(KEEP_MAX + 1024 * 1024))
    server.push(Reply(content="A scan."), Reply(content="Still a scan."))
    r = run_cli("ask", "--attach", str(big), "What is this?")
    assert r.code == 0, r.stderr
    assert r.stderr == (
        "deepseek-tui: note: scan.png is 6.0 MB, over the 5.0 MB kept with a conversation:"
        " it goes with this message only; later messages get a note in its place, and"
        " regenerating or editing this message needs it attached again\n"
    )
    assert server.chat_requests[-1].body["messages"][0]["content"][1]["type"] == "image_url"
    ((attachments,),) = rows(home, "SELECT attachments FROM messages WHERE role='user'")
    assert "sha256" not in json.loads(attachments)[0]
    assert rows(home, "SELECT count(*) FROM attachment_data") == [(0,)]
    assert run_cli("ask", "-c", "Sure?").code == 0
    replayed = server.chat_requests[-1].body["messages"][0]["content"]
    assert replayed == (
        "What is this?\n\n[image scan.png (image/png, 6.0 MB) was attached here and is not re-sent]"
    )


def test_a_model_without_images_gets_the_note_said_once_then_the_image_again(
    run_cli, server: FakeDeepSeek, tmp_path: Path
) -> None:
    image = tmp_path / "chart.png"
    image.write_bytes(PNG)
    server.push(*(Reply(content=f"a{i}") for i in range(4)))
    assert run_cli("ask", "--attach", str(image), "What is this?").code == 0
    user = server.chat_requests[-1].body["messages"][0]

    r = run_cli("ask", "-c", "--model", "deepseek-v4-pro", "Which colour?")
    assert r.code == 0, r.stderr
    assert r.stderr == (
        "deepseek-tui: note: deepseek-v4-pro does not take images: chart.png, attached"
        " earlier, goes as a note saying so; switch back to a model that takes images to"
        " send it again\n"
    )
    note = "[image chart.png (image/png, 56 bytes) was attached here and is not re-sent]"
    assert server.chat_requests[-1].body["messages"][0] == {
        "role": "user",
        "content": "What is this?\n\n" + note,
    }
    assert b"base64" not in server.chat_requests[-1].raw

    r = run_cli("ask", "-c", "--model", "deepseek-v4-pro", "Sure?")
    assert r.code == 0 and r.stderr == ""  # said once

    assert run_cli("ask", "-c", "--model", "deepseek-flash", "And now?").code == 0
    assert server.chat_requests[-1].body["messages"][0] == user


def test_export_carries_the_image_and_an_import_continues_with_it(
    run_cli, server: FakeDeepSeek, home: Path, tmp_path: Path
) -> None:
    image = tmp_path / "chart.png"
    image.write_bytes(PNG)
    server.push(Reply(content="A chart."), Reply(content="Blue."))
    r = run_cli("ask", "--json", "--attach", str(image), "What is this?")
    assert r.code == 0, r.stderr
    user = server.chat_requests[-1].body["messages"][0]
    ident = json.loads(r.stdout)["conversation_id"]
    exported = run_cli("export", ident, "--format", "json")
    assert exported.code == 0, exported.stderr
    data = json.loads(exported.stdout)
    digest = hashlib.sha256(PNG).hexdigest()
    assert data["messages"][0]["attachments"][0]["sha256"] == digest
    assert data["attachment_data"] == {digest: base64.b64encode(PNG).decode()}

    (home / "conversations.db").unlink()  # elsewhere: a fresh database
    for extra in ("-wal", "-shm"):
        (home / f"conversations.db{extra}").unlink(missing_ok=True)
    saved = tmp_path / "export.json"
    saved.write_text(exported.stdout)
    imported = run_cli("import", str(saved))
    assert imported.code == 0, imported.stderr
    new_id = imported.stdout.strip()
    assert run_cli("ask", "--resume", new_id, "Which colour?").code == 0
    assert server.chat_requests[-1].body["messages"][0] == user


def test_text_file_is_inlined_and_replayed_byte_identically(
    run_cli, server: FakeDeepSeek, tmp_path: Path
) -> None:
    notes = tmp_path / "todo.md"
    notes.write_text("- buy milk\n- fix `bug`\n", encoding="utf-8")
    server.push(Reply(content="Two items."), Reply(content="Milk first."))
    r = run_cli("ask", "--attach", str(notes), "--thinking", "off", "Summarise")
    assert r.code == 0, r.stderr
    first = server.chat_requests[-1].raw
    (user,) = server.chat_requests[-1].body["messages"]
    assert user["content"] == (
        "Summarise\n\nAttached file todo.md (text/markdown):\n```\n- buy milk\n- fix `bug`\n```"
    )
    assert run_cli("ask", "-c", "Which first?").code == 0
    second = server.chat_requests[-1].body["messages"]
    assert second[0] == user
    sent_first = json.dumps(user, ensure_ascii=False, separators=(",", ":")).encode()
    assert sent_first in first and sent_first in server.chat_requests[-1].raw


def test_image_for_a_text_only_model_is_refused_before_anything_happens(
    run_cli, server: FakeDeepSeek, home: Path, tmp_path: Path
) -> None:
    image = tmp_path / "photo.png"
    image.write_bytes(PNG)
    r = run_cli("ask", "--model", "deepseek-v4-pro", "--attach", str(image), "What is it?")
    assert r.code == 2
    assert r.stderr == (
        "deepseek-tui: deepseek-v4-pro does not take images (photo.png);"
        " models that do: deepseek-flash\n"
    )
    assert server.chat_requests == []
    assert rows(home, "SELECT count(*) FROM messages") == [(0,)]


def test_unusable_files_are_usage_errors(run_cli, server: FakeDeepSeek, tmp_path: Path) -> None:
    r = run_cli("ask", "--attach", str(tmp_path / "missing.txt"), "hi")
    assert r.code == 2 and "missing.txt: no such file" in r.stderr
    r = run_cli("ask", "--attach", str(tmp_path), "hi")
    assert r.code == 2 and "directory" in r.stderr
    blob = tmp_path / "a.bin"
    blob.write_bytes(bytes(range(256)))
    r = run_cli("ask", "--attach", str(blob), "hi")
    assert r.code == 2 and "binary file" in r.stderr
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(PDF)
    r = run_cli("ask", "--attach", str(pdf), "hi")
    assert r.code == 2 and "deepseek-flash does not take documents" in r.stderr
    assert server.chat_requests == []


def test_files_and_images_on_a_host_that_takes_them(run_cli, home: Path, tmp_path: Path) -> None:
    pdf, image, text = tmp_path / "r.pdf", tmp_path / "i.png", tmp_path / "t.txt"
    pdf.write_bytes(PDF)
    image.write_bytes(PNG)
    text.write_text("hello\n")
    with FakeDeepSeek(api_key=KEY, host="generic").run_in_thread() as srv:
        configure(home, srv.base_url, kind="openai-compatible")
        srv.push(Reply(content="Read them."))
        r = run_cli(
            "ask",
            "--model",
            "deepseek-v3.2",
            *("--attach", str(pdf), "--attach", str(image), "--attach", str(text)),
            "Look",
        )
        assert r.code == 0, r.stderr
        content = srv.chat_requests[-1].body["messages"][-1]["content"]
    assert [p["type"] for p in content] == ["text", "file", "image_url", "file"]
    assert content[1]["file"]["filename"] == "r.pdf"
    assert content[1]["file"]["file_data"].startswith("data:application/pdf;base64,JVBERi0")
    assert content[2]["image_url"]["url"].startswith("data:image/png;base64,iVBORw0KGgo")
    assert content[3]["file"] == {
        "filename": "t.txt",
        "file_data": "data:text/plain;base64,aGVsbG8K",
    }
