"""Attachments: loading and classifying files, and the message parts per model."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from deepseek_tui.attachments import (
    FILE_MAX,
    IMAGE_MAX,
    TEXT_MAX,
    AttachmentError,
    content_parts,
    load_attachment,
    replay_content,
)
from deepseek_tui.models import Catalog

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_image_is_recognised_by_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "photo.dat"  # the name does not matter, the magic bytes do
    path.write_bytes(PNG)
    a = load_attachment(path)
    assert (a.name, a.kind, a.mime, a.size) == ("photo.dat", "image", "image/png", len(PNG))
    assert a.data == PNG and a.text is None
    assert a.data_url() == "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert "data" not in a.record() and "text" not in a.record()
    assert repr(PNG) not in repr(a), "bytes stay out of the repr"


def test_webp_jpeg_gif(tmp_path: Path) -> None:
    samples = {
        "a.webp": (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        "b.jpg": (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        "c.gif": (b"GIF89a\x01\x00\x01\x00", "image/gif"),
    }
    for name, (data, mime) in samples.items():
        (tmp_path / name).write_bytes(data)
        assert load_attachment(tmp_path / name).mime == mime


def test_text_file_keeps_its_exact_text(tmp_path: Path) -> None:
    raw = "\ufeffline one\r\nzwei – drei\n".encode()
    path = tmp_path / "notes.md"
    path.write_bytes(raw)
    a = load_attachment(path)
    assert a.kind == "text" and a.mime == "text/markdown"
    assert a.text is not None and a.text.encode("utf-8") == raw, "BOM and CRLF survive"
    assert a.record() == {
        "name": "notes.md",
        "kind": "text",
        "mime": "text/markdown",
        "size": len(raw),
        "text": a.text,
    }


def test_pdf_is_a_document(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(PDF)
    a = load_attachment(tmp_path / "report.pdf")
    assert (a.kind, a.mime) == ("file", "application/pdf")


def test_missing_directory_and_special_files(tmp_path: Path) -> None:
    with pytest.raises(AttachmentError, match="no such file"):
        load_attachment(tmp_path / "nope.txt")
    with pytest.raises(AttachmentError, match="is a directory"):
        load_attachment(tmp_path)
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(AttachmentError, match="not a regular file"):
        load_attachment(tmp_path / "pipe")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(AttachmentError, match="cannot attach .*loop: .*symbolic links"):
        load_attachment(tmp_path / "loop")


def test_size_limits(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:
        fh.truncate(FILE_MAX + 1)  # sparse: refused by size before it is read
    with pytest.raises(AttachmentError, match=r"over the 20\.0 MB limit"):
        load_attachment(huge)
    big_image = tmp_path / "big.png"
    big_image.write_bytes(PNG + b"\x01" * IMAGE_MAX)
    with pytest.raises(AttachmentError, match=r"image is 10\.0 MB, over the 10\.0 MB limit"):
        load_attachment(big_image)
    long_text = tmp_path / "long.txt"
    long_text.write_text("x" * (TEXT_MAX + 1))
    a = load_attachment(long_text)
    assert a.kind == "file" and a.mime == "text/plain", "too long to inline: a file part"


def test_binary_file_the_model_cannot_read(tmp_path: Path) -> None:
    path = tmp_path / "tool.bin"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(64))
    with pytest.raises(AttachmentError) as info:
        load_attachment(path)
    message = str(info.value)
    assert "binary file" in message and "PNG" in message and "\n" not in message
    (tmp_path / "fake.pdf").write_bytes(b"not really a pdf \x00\x01")
    with pytest.raises(AttachmentError, match="binary"):
        load_attachment(tmp_path / "fake.pdf")


def test_parts_for_a_model_that_takes_images(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "p.png").write_bytes(PNG)
    (tmp_path / "n.txt").write_text("hello ```code```\n")
    image, text = load_attachment(tmp_path / "p.png"), load_attachment(tmp_path / "n.txt")
    flash = catalog.lookup("deepseek-flash", "deepseek")
    content = content_parts("Describe.", [image, text], flash)
    assert isinstance(content, list)
    assert content[0]["type"] == "text"
    assert content[0]["text"] == (
        "Describe.\n\nAttached file n.txt (text/plain):\n````\nhello ```code```\n````"
    ), "the fence is longer than any backtick run inside"
    assert content[1] == {"type": "image_url", "image_url": {"url": image.data_url()}}
    assert content_parts("Just text.", [text], flash) == content[0]["text"].replace(
        "Describe.", "Just text."
    ), "text only: a plain string, which every host accepts"


def test_image_refused_names_models_that_take_images(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "p.png").write_bytes(PNG)
    image = load_attachment(tmp_path / "p.png")
    pro = catalog.lookup("deepseek-v4-pro", "deepseek")
    with pytest.raises(AttachmentError) as info:
        content_parts("Describe.", [image], pro, catalog=catalog, host="deepseek")
    assert str(info.value) == (
        "deepseek-v4-pro does not take images (p.png); models that do: deepseek-flash"
    )
    r1 = catalog.lookup("deepseek-ai/DeepSeek-R1", "*")
    with pytest.raises(AttachmentError, match="models that do: deepseek-v3.2"):
        content_parts("x", [image], r1, catalog=catalog, host="*")


def test_file_parts_for_a_model_that_takes_files(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "report.pdf").write_bytes(PDF)
    (tmp_path / "n.txt").write_text("plain\n")
    pdf, text = load_attachment(tmp_path / "report.pdf"), load_attachment(tmp_path / "n.txt")
    v32 = catalog.lookup("deepseek-v3.2", "*")
    content = content_parts("Summarise.", [pdf, text], v32)
    assert content == [
        {"type": "text", "text": "Summarise."},
        {
            "type": "file",
            "file": {
                "filename": "report.pdf",
                "file_data": "data:application/pdf;base64," + base64.b64encode(PDF).decode(),
            },
        },
        {
            "type": "file",
            "file": {"filename": "n.txt", "file_data": "data:text/plain;base64,cGxhaW4K"},
        },
    ]
    flash = catalog.lookup("deepseek-flash", "deepseek")
    with pytest.raises(AttachmentError, match="does not take documents"):
        content_parts("x", [pdf], flash)


def test_long_text_needs_a_model_that_takes_files(tmp_path: Path, catalog: Catalog) -> None:
    (tmp_path / "long.log").write_text("y" * (TEXT_MAX + 10))
    long = load_attachment(tmp_path / "long.log")
    flash = catalog.lookup("deepseek-flash", "deepseek")
    with pytest.raises(AttachmentError, match="more than the 200 KB that can be inlined"):
        content_parts("x", [long], flash)


def test_replay_is_byte_identical_for_text_and_a_note_for_images(
    tmp_path: Path, catalog: Catalog
) -> None:
    (tmp_path / "p.png").write_bytes(PNG)
    (tmp_path / "n.txt").write_text("keep me\n")
    image, text = load_attachment(tmp_path / "p.png"), load_attachment(tmp_path / "n.txt")
    records = [image.record(), text.record()]
    for model, host in (("deepseek-flash", "deepseek"), ("deepseek-v3.2", "*")):
        spec = catalog.lookup(model, host)
        assert replay_content("Q", [text.record()], spec) == content_parts("Q", [text], spec)
    flash = catalog.lookup("deepseek-flash", "deepseek")
    replayed = replay_content("Q", records, flash)
    assert isinstance(replayed, str)
    assert "[image p.png (image/png, 80 bytes) was attached here and is not re-sent]" in replayed
    assert "keep me" in replayed
    assert replay_content("Q", records, flash) == replayed, "stable across turns"
