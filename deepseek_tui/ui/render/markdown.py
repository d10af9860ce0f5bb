"""Markdown to terminal lines, with Rich's Markdown renderer.

Rich renders a whole block to styled segments in one pass, so a settled block
becomes a list of :class:`~textual.strip.Strip` once per width and layout only
asks for its length. Text is never read as Textual or Rich markup. Links are
not terminal hyperlinks: a click runs the ``link`` action, which goes through
the app's ``open_url`` (confirmation, http(s) only); nothing opens by itself.

Rich (and Pygments, for code) are imported on first use, after the first
frame.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

from textual.strip import Strip

from deepseek_tui.markdown_blocks import parser

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions
    from rich.theme import Theme

#: Rich style names for Markdown, in terms of the Textual theme's variables.
_STYLES = {
    "markdown.h1": "bold {accent}",
    "markdown.h2": "bold {accent}",
    "markdown.h3": "bold {secondary}",
    "markdown.h4": "bold italic {secondary}",
    "markdown.h5": "italic {secondary}",
    "markdown.h6": "italic {text-muted}",
    "markdown.code": "bold {text-warning} on {warning-muted}",
    "markdown.block_quote": "{text-secondary}",
    "markdown.item.bullet": "bold {accent}",
    "markdown.item.number": "bold {accent}",
    "markdown.hr": "{text-muted}",
    "markdown.link": "underline {text-primary}",
    "markdown.link_url": "{text-muted}",
    "markdown.table.border": "{text-muted}",
    "markdown.table.header": "bold {accent}",
}


def _color(variables: Mapping[str, str], name: str) -> str:
    """A theme variable as ``#rrggbb`` on the theme background (Rich has no alpha)."""
    from textual.color import Color

    background = Color.parse(variables.get("background", "#000000"))
    value = variables.get(name, "").strip()
    try:
        if value.startswith("auto"):
            alpha = value.removeprefix("auto").strip().rstrip("%") or "100"
            color = Color.parse(variables.get("foreground", "#e0e0e0"))
            color = color.with_alpha(float(alpha) / 100)
        else:
            color = Color.parse(value)
        return background.blend(color, color.a).hex6 if color.a < 1 else color.hex6
    except Exception:  # a theme that names colours we cannot read: plain text
        return "default"


def code_background(variables: Mapping[str, str]) -> str | None:
    """The theme's ``$code-background`` as ``#rrggbb``, if it names one we can read."""
    value = _color(variables, "code-background") if "code-background" in variables else None
    return None if value in (None, "default") else value


def theme_for(variables: Mapping[str, str]) -> Theme:
    """Rich Markdown styles coloured like the current Textual theme."""
    import re

    from rich.theme import Theme

    def fill(template: str) -> str:
        return re.sub(r"\{([a-z-]+)\}", lambda m: _color(variables, m.group(1)), template)

    return Theme({name: fill(style) for name, style in _STYLES.items()}, inherit=True)


@cache
def _markdown_class() -> type[Any]:
    """Rich's Markdown, left-aligned and parsed with our shared dialect."""
    from rich import markdown as rich_markdown

    class Heading(rich_markdown.Heading):
        LEVEL_ALIGN = dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), "left")

    class CodeBlock(rich_markdown.CodeBlock):
        """Highlighted like Rich's, on the theme's ``$code-background``."""

        background: str | None = None

        @classmethod
        def create(cls, markdown: Any, token: Any) -> CodeBlock:
            lexer = (token.info or "").partition(" ")[0]
            block = cls(lexer or "text", markdown.code_theme)
            block.background = getattr(markdown, "code_background", None)
            return block

        def __rich_console__(self, console: Console, options: ConsoleOptions) -> Any:
            from rich.syntax import Syntax

            yield Syntax(
                str(self.text).rstrip(),
                self.lexer_name,
                theme=self.theme,
                word_wrap=True,
                padding=1,
                background_color=self.background,
            )

    class Markdown(rich_markdown.Markdown):
        elements = {
            **rich_markdown.Markdown.elements,
            "heading_open": Heading,
            "fence": CodeBlock,
            "code_block": CodeBlock,
        }

        def __init__(self, markup: str, code_theme: str, code_background: str | None) -> None:
            super().__init__("", code_theme=code_theme, hyperlinks=True)
            self.code_background = code_background
            self.markup = markup
            self.parsed = parser().parse(markup)

    return Markdown


#: C0 (but tab and newline), DEL and C1 controls, as visible control pictures.
_PICTURES = {
    **{c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)},
    0x7F: 0x2421,
    **dict.fromkeys(range(0x80, 0xA0), 0xFFFD),
}


def inert(text: str) -> str:
    """``text`` with every control character made visible, so an escape
    sequence that slipped past sanitizing shows as ``␛[31m`` and does nothing."""
    return text.translate(_PICTURES)


def _blank(line: Strip) -> bool:
    """Empty and unpainted (a code block's padding row has a background)."""
    return not line.text.strip() and not any(
        segment.style is not None and segment.style.bgcolor is not None for segment in line
    )


def _trim(lines: list[Strip]) -> list[Strip]:
    """Without leading and trailing blank lines: blocks are spaced by the caller."""
    start, end = 0, len(lines)
    while start < end and _blank(lines[start]):
        start += 1
    while end > start and _blank(lines[end - 1]):
        end -= 1
    return lines[start:end]


def render_markdown(
    source: str,
    width: int,
    console: Console,
    options: ConsoleOptions,
    *,
    dark: bool = True,
    code_background: str | None = None,
) -> list[Strip]:
    """``source`` as lines ``width`` cells wide (the caller applies the theme);
    code blocks sit on ``code_background`` (``#rrggbb``) when given."""
    if not source.strip():
        return []
    renderable = _markdown_class()(inert(source), "monokai" if dark else "default", code_background)
    lines = console.render_lines(renderable, options.update_width(width), pad=False)
    return _trim([_clickable(Strip(line)) for line in lines])


def _clickable(line: Strip) -> Strip:
    """Turn Rich hyperlinks (which a terminal would follow) into a click action
    (``link``) that asks the app, which asks the user."""
    from rich.segment import Segment
    from rich.style import Style

    if not any(s.style is not None and s.style.link for s in line):
        return line
    segments = []
    for text, style, control in line:
        if style is not None and style.link:
            href = style.link
            style = (
                style.update_link(None)
                + Style(underline=True)
                + Style.from_meta({"@click": f"link({href!r})"})
            )
        segments.append(Segment(text, style, control))
    return Strip(segments, line.cell_length)


def render_text(source: str, width: int, console: Console, options: ConsoleOptions) -> list[Strip]:
    """Plain ``source`` wrapped to ``width``: never Markdown, never markup."""
    from rich.text import Text

    text = Text(inert(source), end="")
    lines = console.render_lines(text, options.update_width(width), pad=False)
    return [Strip(line) for line in lines] or [Strip.blank(0)]


def _wrapped(text: str, width: int) -> int:
    """Lines ``text`` takes wrapped at ``width`` (word wrap may take one more)."""
    from rich.cells import cell_len

    return max(1, -(-cell_len(text) // max(width, 1)))


def estimate_markdown(source: str, width: int) -> int:
    """About how many lines :func:`render_markdown` makes of one block, without
    rendering it: what a block not yet drawn takes in the layout. Errs by a
    line or two; the view corrects its scroll when the real height arrives."""
    if not source.strip():
        return 0
    lines = source.split("\n")
    first = lines[0].lstrip()
    if first.startswith(("```", "~~~")):  # code: a padding line above and below
        inner = lines[1:-1] if len(lines) > 1 else []
        return 2 + sum(_wrapped(line, width - 2) for line in inner) if inner else 3
    if first.startswith("#"):
        level = len(first) - len(first.lstrip("#"))
        text = first[level:].strip()
        return _wrapped(text, width)
    if first.startswith("|") and len(lines) > 1 and set(lines[1].strip()) <= set("|:- "):
        return len(lines)  # the delimiter row's place is taken by a border
    if first.startswith((">", "- ", "* ", "+ ")) or first[:1].isdigit() or source[:4] == "    ":
        return sum(_wrapped(line, width - 3) for line in lines if line.strip())
    if set(first) <= set("-*_ ") and len(lines) == 1:
        return 1
    return _wrapped(" ".join(lines), width)


def estimate_text(source: str, width: int) -> int:
    """Lines :func:`render_text` makes of ``source`` (exact but for word wrap)."""
    return sum(_wrapped(line, width) for line in source.split("\n"))
