"""A call's MCP result as stored text: every kind of part, errors, and UTF-8."""

from __future__ import annotations

import base64

from mcp_types import (
    AudioContent,
    BlobResourceContents,
    CallToolResult,
    EmbeddedResource,
    ImageContent,
    ResourceLink,
    TextContent,
    TextResourceContents,
)

from deepseek_tui.tools import ToolResult
from deepseek_tui.tools.content import tool_result


def test_text_parts_are_joined_and_other_parts_described() -> None:
    png = base64.b64encode(b"\x89PNG" + b"\0" * 1996).decode()
    result = CallToolResult(
        content=[
            TextContent(type="text", text="first"),
            ImageContent(type="image", data=png, mime_type="image/png"),
            AudioContent(
                type="audio", data=base64.b64encode(b"abc").decode(), mime_type="audio/wav"
            ),
            EmbeddedResource(
                type="resource",
                resource=TextResourceContents(
                    uri="file:///a.txt", mime_type="text/plain", text="A"
                ),
            ),
            EmbeddedResource(
                type="resource",
                resource=BlobResourceContents(
                    uri="file:///b.bin", blob=base64.b64encode(b"12345678").decode()
                ),
            ),
            ResourceLink(type="resource_link", uri="file:///c.md", name="c"),
            TextContent(type="text", text="last"),
        ]
    )
    assert tool_result(result) == ToolResult(
        "ok",
        "first\n"
        "[image: image/png, 2,000 bytes]\n"
        "[audio: audio/wav, 3 bytes]\n"
        "[resource: file:///a.txt, text/plain]\nA\n"
        "[resource: file:///b.bin, 8 bytes]\n"
        "[resource link: file:///c.md (c)]\n"
        "last",
    )


def test_is_error_gives_an_error_result() -> None:
    result = CallToolResult(content=[TextContent(type="text", text="no such file")], is_error=True)
    assert tool_result(result) == ToolResult("error", "no such file")


def test_structured_content_alone_is_sent_as_json() -> None:
    result = CallToolResult(content=[], structured_content={"temperature": 21.5, "city": "Zürich"})
    assert tool_result(result).content == '{"temperature": 21.5, "city": "Zürich"}'


def test_lone_surrogates_become_replacement_characters_and_escapes_stay() -> None:
    result = CallToolResult(content=[TextContent(type="text", text="a\ud800b\udfffc \x1b[31m")])
    content = tool_result(result).content
    assert content == "a\ufffdb\ufffdc \x1b[31m"
    content.encode("utf-8")  # does not raise
