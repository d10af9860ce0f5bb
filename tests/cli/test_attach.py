"""``ask --attach`` end to end: what reaches the host, what is stored, what is refused."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from deepseek_tui.testing import FakeDeepSeek, Reply

from .conftest import KEY, configure, rows

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(40))
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def test_image_goes_as_a_data_url_and_only_metadata_is_stored(
    run_cli, server: FakeDeepSeek, home: Path, tmp_path: Path
) -> None:
    image = tmp_path / "chart.png"
    image.write_bytes(PNG)
    server.push(Reply(content="A chart."))
    r = run_cli("ask", "--attach", str(image), "What is this?")
    assert r.code == 0, r.stderr
    body = server.chat_requests[-1].body
    assert body["model"] == "deepseek-flash"
    (user,) = body["messages"]
    assert user["content"] == [
        {"type": "text", "text": "What is this?"},
        {
            "type": "image_url",
            "image_url": {"url": "data:image/png;base64," + base64.b64encode(PNG).decode()},
        },
    ]
    ((content, attachments),) = rows(
        home, "SELECT content, attachments FROM messages WHERE role='user'"
    )
    assert content == "What is this?"
    assert json.loads(attachments) == [
        {"name": "chart.png", "kind": "image", "mime": "image/png", "size": len(PNG)}
    ]

    # The next turn does not upload the image again; the note it leaves is stable.
    server.push(Reply(content="Blue."), Reply(content="Yes."))
    assert run_cli("ask", "-c", "Which colour?").code == 0
    assert run_cli("ask", "-c", "Sure?").code == 0
    second, third = (req.body["messages"] for req in server.chat_requests[-2:])
    note = "[image chart.png (image/png, 56 bytes) was attached here and is not re-sent]"
    assert second[0] == {"role": "user", "content": "What is this?\n\n" + note}
    assert third[:3] == second[:3], "replayed history is byte-identical from then on"
    assert "base64" not in json.dumps(second)


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
