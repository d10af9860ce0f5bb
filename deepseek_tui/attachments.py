"""Files and images attached to a prompt: loading, checking, and the message parts.

The API for callers (``ask --attach`` and the TUI)::

    attachment = load_attachment(path)          # AttachmentError: one line to show
    turn = Turn(..., prompt=text, attachments=[attachment])

:class:`~deepseek_tui.turn.Turn` checks the attachments against the model's
catalog entry *before* anything is stored or sent (an image for a model that
takes none is an :class:`AttachmentError` naming the models that do), builds
the new user message with :func:`content_parts`, and stores
:meth:`Attachment.record` with the message.

How each kind travels (the part shapes are those of OpenAI-compatible hosts
that take multimodal input, e.g. the V3.2 aggregator in the wire notes):

``image``  an ``image_url`` part with a ``data:image/…;base64,`` URL, for models
           whose entry says ``images = true``; anything else refuses it.
``file``   a document (PDF, Office) or a text file too large to inline: a
           ``file`` part ``{"filename", "file_data": "data:…;base64,…"}`` for
           models with ``files = true``; anything else refuses it.
``text``   a UTF-8 text file up to :data:`TEXT_MAX`: a ``file`` part for models
           with ``files = true``, otherwise inlined into the message text under
           a fenced header naming the file, which every model can read.

Replaying history (why records look the way they do): every later request
sends an earlier message's attachments again, exactly as they went the first
time, so the model can still look at them and DeepSeek's prefix cache keeps
hitting. A text attachment's record keeps its text; an image's or document's
record names its bytes by SHA-256 (``"sha256"``), and the store keeps the bytes
once per distinct content (see ``store/_blobs``). Regenerate and edit send them
again the same way. Two cases fall back to a one-line note in place of the
file (``[image photo.png (image/png, 34 KB) was attached here and is not
re-sent]``): a file over :data:`KEEP_MAX` (sent with its own message only; the
user is told when attaching it) or attached before bytes were kept, and a
conversation that moved to a model that does not take that kind of file
(:func:`withheld_notice` says so once). The note is stable, so the replayed
history stays byte-identical from turn to turn either way.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from deepseek_tui.models import Catalog, ModelSpec
    from deepseek_tui.store import Message

AttachmentKind = Literal["image", "file", "text"]

#: Largest image sent as an ``image_url`` part (hosts cap request bodies; base64
#: adds a third on the wire).
IMAGE_MAX = 10 * 1024 * 1024
#: Largest document sent as a ``file`` part.
FILE_MAX = 20 * 1024 * 1024
#: Largest text file inlined into the message: about 50–70K tokens, a sizeable
#: but not context-filling share of a 128K window.
TEXT_MAX = 200 * 1024
#: Largest image or document whose bytes are kept with the conversation (and so
#: sent again with every later request, regenerate and edit); a larger one goes
#: with its own message only. Keeps the database, and what every later request
#: re-uploads, in bounds.
KEEP_MAX = 5 * 1024 * 1024

#: Image formats the hosts take, recognised by their first bytes (not the name).
_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
#: Documents a ``file`` part may carry, by extension (checked against the bytes).
_DOCUMENTS: dict[str, str] = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_TEXT_MIMES: dict[str, str] = {
    ".md": "text/markdown",
    ".py": "text/x-python",
    ".toml": "application/toml",
    ".json": "application/json",
    ".yaml": "application/yaml",
    ".yml": "application/yaml",
    ".ts": "text/x-typescript",
    ".rs": "text/x-rust",
    ".go": "text/x-go",
}
_SNIFF = 4096


class AttachmentError(ValueError):
    """An attachment cannot be used; ``str()`` is one line saying why and what to do."""


@dataclass(frozen=True, slots=True)
class Attachment:
    """One file attached to a prompt, read and classified.

    ``data`` holds the bytes as read; ``text`` the decoded text for ``text``
    attachments (``None`` otherwise). Neither is part of the ``repr``.
    """

    name: str
    """Shown to the user and the model: the file's base name."""
    path: Path
    kind: AttachmentKind
    mime: str
    size: int
    data: bytes = field(repr=False)
    text: str | None = field(default=None, repr=False)

    def record(self) -> dict[str, Any]:
        """What is stored with the message: metadata, plus the text of text files
        (so history replays byte-identically; see the module docstring)."""
        out: dict[str, Any] = {
            "name": self.name,
            "kind": self.kind,
            "mime": self.mime,
            "size": self.size,
        }
        if self.kind == "text" and self.text is not None:
            out["text"] = self.text
        elif self.kept:
            out["sha256"] = self.sha256()
        return out

    @property
    def kept(self) -> bool:
        """Whether the bytes of this image or document are kept with the message
        (:data:`KEEP_MAX`); text files are always kept, as text in the record."""
        return self.kind == "text" or self.size <= KEEP_MAX

    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def kept_data(self) -> dict[str, bytes]:
        """``{sha256: bytes}`` for the store when the bytes are kept, else empty."""
        if self.kind == "text" or not self.kept:
            return {}
        return {self.sha256(): self.data}

    @classmethod
    def from_record(
        cls, record: Any, stored: Mapping[str, bytes] | None = None
    ) -> Attachment | None:
        """The attachment again, from what was stored with its message (to
        regenerate or edit that message, or replay it): a text file from its
        record, an image or document from its bytes in ``stored`` (by SHA-256).
        ``None`` when it cannot be rebuilt (bytes not kept, not a record)."""
        if not isinstance(record, Mapping):
            return None
        name = record.get("name")
        kind = record.get("kind")
        if kind in ("image", "file") and isinstance(name, str):
            key = record.get("sha256")
            data = (stored or {}).get(key) if isinstance(key, str) else None
            if data is None:
                return None
            mime = str(record.get("mime") or "application/octet-stream")
            return cls(name, Path(name), kind, mime, len(data), data)
        text = record.get("text")
        if kind != "text" or not isinstance(text, str) or not isinstance(name, str):
            return None
        data = text.encode()
        return cls(
            name=name,
            path=Path(name),
            kind="text",
            mime=str(record.get("mime") or "text/plain"),
            size=len(data),
            data=data,
            text=text,
        )

    def data_url(self) -> str:
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


def keep_notice(attachment: Attachment) -> str | None:
    """What to tell the user when an attachment is too big to keep (else ``None``)."""
    if attachment.kept:
        return None
    return (
        f"{attachment.name} is {human_size(attachment.size)}, over the "
        f"{human_size(KEEP_MAX)} kept with a conversation: it goes with this message "
        "only; later messages get a note in its place, and regenerating or editing "
        "this message needs it attached again"
    )


def stored_keys(history: Iterable[Message]) -> set[str]:
    """The SHA-256 keys of the attachment bytes ``history``'s messages refer to."""
    keys: set[str] = set()
    for m in history:
        for r in m.attachments or ():
            if isinstance(r, Mapping) and isinstance(r.get("sha256"), str):
                keys.add(r["sha256"])
    return keys


def human_size(size: int) -> str:
    """``512 bytes``, ``34 KB``, ``1.2 MB``."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def load_attachment(path: str | os.PathLike[str]) -> Attachment:
    """Read and classify ``path``; raise :class:`AttachmentError` if it cannot be sent.

    The size is checked before reading, so a huge file is refused without
    loading it. The kind is decided by content: image magic bytes, a known
    document type, or UTF-8 text; any other binary file is refused here rather
    than after a round trip to the host.
    """
    p = Path(path).expanduser()
    shown = str(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise AttachmentError(f"cannot attach {shown}: no such file") from None
    except OSError as exc:
        raise AttachmentError(f"cannot attach {shown}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise AttachmentError(f"cannot attach {shown}: it is a directory; attach files one by one")
    if not stat.S_ISREG(st.st_mode):
        raise AttachmentError(f"cannot attach {shown}: not a regular file")
    if st.st_size > FILE_MAX:
        raise AttachmentError(
            f"cannot attach {shown}: {human_size(st.st_size)} is over the "
            f"{human_size(FILE_MAX)} limit for attachments"
        )
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise AttachmentError(f"cannot attach {shown}: {exc.strerror or exc}") from None
    name = p.name
    size = len(data)
    head = data[:_SNIFF]

    for magic, mime in _IMAGE_MAGIC:
        if head.startswith(magic):
            return _image(p, name, mime, data)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _image(p, name, "image/webp", data)

    suffix = p.suffix.lower()
    doc_mime = _DOCUMENTS.get(suffix)
    if doc_mime is not None and (
        (suffix == ".pdf" and head.startswith(b"%PDF-"))
        or (suffix != ".pdf" and head.startswith(b"PK\x03\x04"))
    ):
        return Attachment(name, p, "file", doc_mime, size, data)

    text = _as_text(data)
    if text is None:
        guessed = mimetypes.guess_type(name)[0] or "unknown type"
        raise AttachmentError(
            f"cannot attach {shown}: a binary file ({guessed}) the model cannot read; "
            "attach text, images (PNG, JPEG, GIF, WebP) or documents (PDF, DOCX, XLSX, PPTX)"
        )
    mime = _TEXT_MIMES.get(suffix) or mimetypes.guess_type(name)[0] or "text/plain"
    if not (mime.startswith("text/") or mime in _TEXT_MIMES.values()):
        mime = "text/plain"
    if size > TEXT_MAX:
        # Too long to inline; models that take file parts can still have it.
        return Attachment(name, p, "file", mime, size, data)
    return Attachment(name, p, "text", mime, size, data, text)


def _image(p: Path, name: str, mime: str, data: bytes) -> Attachment:
    if len(data) > IMAGE_MAX:
        raise AttachmentError(
            f"cannot attach {p}: the image is {human_size(len(data))}, over the "
            f"{human_size(IMAGE_MAX)} limit; scale it down"
        )
    return Attachment(name, p, "image", mime, len(data), data)


def _as_text(data: bytes) -> str | None:
    """The text of ``data`` if it is UTF-8 without NULs, else ``None``.

    Decoded with plain ``utf-8`` (a BOM stays as U+FEFF) so that encoding the
    stored text again gives back exactly the bytes that were read.
    """
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


# --- message content ---------------------------------------------------------------


def check_attachments(
    attachments: Sequence[Attachment],
    spec: ModelSpec,
    *,
    catalog: Catalog | None = None,
    host: str = "*",
) -> None:
    """Raise :class:`AttachmentError` if ``spec``'s model cannot take one of them.

    Cheap (no encoding): callers run it before storing or sending anything.
    With ``catalog``, the message names the models on ``host`` that would work.
    """
    for a in attachments:
        if a.kind == "image" and not spec.images:
            raise AttachmentError(
                f"{spec.id} does not take images ({a.name})"
                + _alternatives(catalog, host, "images")
            )
        if a.kind == "file" and not spec.files:
            if a.mime.startswith("text/") or a.mime in _TEXT_MIMES.values():
                reason = (
                    f"{a.name} is {human_size(a.size)} of text, more than the "
                    f"{human_size(TEXT_MAX)} that can be inlined, and {spec.id} takes no file parts"
                )
            else:
                reason = f"{spec.id} does not take documents ({a.name}, {a.mime})"
            raise AttachmentError(reason + _alternatives(catalog, host, "files"))


def _alternatives(catalog: Catalog | None, host: str, capability: str) -> str:
    if catalog is None:
        return ""
    ids = catalog.ids_with(capability, host)
    if not ids:
        return "; no model in the catalog for this host does"
    return f"; models that do: {', '.join(ids)}"


def content_parts(
    prompt: str,
    attachments: Sequence[Attachment],
    spec: ModelSpec,
    *,
    catalog: Catalog | None = None,
    host: str = "*",
) -> str | list[dict[str, Any]]:
    """The ``content`` of the new user message for ``spec``'s model.

    A plain string when everything fits in text (no attachments, or only text
    files inlined), so hosts that accept only string content keep working;
    otherwise a list: one ``text`` part first (none when there is no text: the
    files were sent on their own), then ``image_url`` and ``file`` parts in the
    order attached.
    """
    check_attachments(attachments, spec, catalog=catalog, host=host)
    text = prompt
    parts: list[dict[str, Any]] = []
    for a in attachments:
        if a.kind == "text" and not spec.files:
            text += inline_text(a.name, a.mime, a.text or "")
        else:
            parts.append(_part(a))
    if not parts:
        return text
    if not text:
        return parts
    return [{"type": "text", "text": text}, *parts]


def _part(a: Attachment) -> dict[str, Any]:
    if a.kind == "image":
        return {"type": "image_url", "image_url": {"url": a.data_url()}}
    return {"type": "file", "file": {"filename": a.name, "file_data": a.data_url()}}


def _takes(spec: ModelSpec, kind: str) -> bool:
    return spec.images if kind == "image" else spec.files


def replay_content(
    content: str,
    records: Iterable[Any] | None,
    spec: ModelSpec,
    stored: Mapping[str, bytes] | None = None,
) -> str | list[dict[str, Any]]:
    """A stored user message's content for a later request (see the module docstring).

    The same content :func:`content_parts` built when the message was sent,
    as long as ``spec``'s model takes its files: text files come back exactly
    as first sent (inlined, or as a ``file`` part for models that take them),
    images and documents from their kept bytes in ``stored`` (by SHA-256).
    An image or document whose bytes are not kept, or that the model does not
    take, becomes a note.
    """
    text = content
    parts: list[dict[str, Any]] = []
    for r in records or ():
        if not isinstance(r, Mapping):
            continue  # the store hands back whatever JSON was saved
        name = str(r.get("name", "attachment"))
        mime = str(r.get("mime", "application/octet-stream"))
        stored_text = r.get("text")
        if r.get("kind") == "text" and isinstance(stored_text, str):
            if spec.files:
                data = base64.b64encode(stored_text.encode("utf-8")).decode("ascii")
                parts.append(
                    {
                        "type": "file",
                        "file": {"filename": name, "file_data": f"data:{mime};base64,{data}"},
                    }
                )
            else:
                text += inline_text(name, mime, stored_text)
            continue
        again = Attachment.from_record(r, stored)
        if again is not None and _takes(spec, again.kind):
            parts.append(_part(again))
        else:
            kind = "image" if r.get("kind") == "image" else "file"
            size = r.get("size")
            detail = f"{mime}, {human_size(size)}" if isinstance(size, int) else mime
            text += f"\n\n[{kind} {name} ({detail}) was attached here and is not re-sent]"
    if not parts:
        return text
    if not text:
        return parts
    return [{"type": "text", "text": text}, *parts]


def withheld_notice(
    history: Sequence[Message], spec: ModelSpec, stored: Mapping[str, bytes] | None
) -> str | None:
    """One line when kept images or documents of ``history`` go as notes because
    ``spec``'s model does not take them; said once, on the first request after
    the conversation moved to that model (its last answer came from another)."""
    last_model = next(
        (m.model for m in reversed(history) if m.role == "assistant" and m.model), None
    )
    if last_model is None or spec.matches(last_model):
        return None
    kinds: dict[str, None] = {}
    names: dict[str, None] = {}
    for m in history:
        if m.role != "user":
            continue
        for r in m.attachments or ():
            again = Attachment.from_record(r, stored)
            if again is not None and again.kind != "text" and not _takes(spec, again.kind):
                kinds["images" if again.kind == "image" else "documents"] = None
                names[again.name] = None
    if not names:
        return None
    what = " or ".join(kinds)
    return (
        f"{spec.id} does not take {what}: {', '.join(names)}, attached earlier, "
        f"{'goes' if len(names) == 1 else 'go'} as a note saying so; switch back to a "
        f"model that takes {what} to send {'it' if len(names) == 1 else 'them'} again"
    )


def inline_text(name: str, mime: str, text: str) -> str:
    """A text file as it is appended to the prompt: a header naming the file, then
    the text in a fence longer than any backtick run inside it."""
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"\n\nAttached file {name} ({mime}):\n{fence}\n{body}{fence}"
