"""Find in the conversation (Ctrl+F).

Matches are looked for in the messages' source text -- prompts, answers and,
while reasoning is shown, the reasoning -- never in what is drawn, so a part
that is not rendered yet is searched too. To show a match, the message is
asked for the widget that draws that part (``reveal_part``, which also opens
folded reasoning); the match's line is then found among that widget's drawn
lines (the n-th drawn occurrence for the n-th in the source, else the one
nearest to where the source puts it), scrolled into the middle of the view
and marked by an overlay that draws the matched cells highlighted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len
from textual.content import Content
from textual.geometry import Region
from textual.widgets import Static

from deepseek_tui.ui.widgets.findbar import FindBar

if TYPE_CHECKING:
    from textual.widget import Widget

    from deepseek_tui.ui.screens.chat import ChatScreen
    from deepseek_tui.ui.widgets.message import AssistantMessage, UserMessage


class Match(NamedTuple):
    message: UserMessage | AssistantMessage
    part: str
    """``prompt``, ``reasoning`` or ``content``."""
    start: int
    ordinal: int
    """Which match of the query it is within its part (0: the first)."""
    size: int
    """The length of the part's text."""


def parts(screen: ChatScreen) -> list[tuple[UserMessage | AssistantMessage, str, str]]:
    """(message, part, text) for every searchable part, top to bottom."""
    from deepseek_tui.ui.widgets.message import AssistantMessage, UserMessage

    reasoning = not screen.pane.has_class("-hide-reasoning")
    out: list[tuple[UserMessage | AssistantMessage, str, str]] = []
    for child in screen.pane.children:
        if isinstance(child, UserMessage):
            out.append((child, "prompt", child.text))
        elif isinstance(child, AssistantMessage):
            if reasoning and child.reasoning is not None:
                out.append((child, "reasoning", child.reasoning.text))
            out.append((child, "content", child.content))
    return out


def find_all(screen: ChatScreen, query: str) -> list[Match]:
    needle = query.casefold()
    if not needle:
        return []
    found: list[Match] = []
    for message, part, text in parts(screen):
        hay = text.casefold()
        at, ordinal = hay.find(needle), 0
        while at != -1:
            found.append(Match(message, part, at, ordinal, len(hay)))
            ordinal += 1
            at = hay.find(needle, at + len(needle))
    return found


class Finder:
    """The find bar's state on one chat screen: the query, its matches, the current one."""

    def __init__(self, screen: ChatScreen) -> None:
        self.screen = screen
        self.query = ""
        self.matches: list[Match] = []
        self.index: int | None = None

    @property
    def bar(self) -> FindBar | None:
        found = self.screen.query(FindBar)
        return found.first() if found else None

    async def open(self) -> None:
        """Ctrl+F: show the bar (again: go to the next match)."""
        bar = self.bar
        if bar is None:
            bar = FindBar(id="find")
            await self.screen.query_one("#chat").mount(bar, after=self.screen.pane)
            self.screen.watch(self.screen.pane, "scroll_y", self._scrolled, init=False)
        elif bar.display and bar.input.has_focus and self.matches:
            self.step(1)
            return
        # Every earlier message is searched: mount the pages not shown yet.
        while await self.screen.pane.show_earlier():
            pass
        bar.open()
        if self.query:
            self.search(self.query)

    def close(self) -> None:
        self._unmark()
        self.matches, self.index = [], None
        self.screen.prompt.focus()

    def search(self, query: str) -> None:
        """Find ``query``; show the first match from the top of the view down."""
        self.query = query
        self.matches = find_all(self.screen, query)
        self.index = None
        if self.matches:
            top = self.screen.pane.scroll_y
            below = [i for i, m in enumerate(self.matches) if m.message.virtual_region.bottom > top]
            self.index = below[0] if below else len(self.matches) - 1
        self._show()

    def step(self, step: int) -> None:
        if not self.matches:
            return
        if self.index is None:
            self.index = 0
        else:
            self.index = (self.index + step) % len(self.matches)
        self._show()

    def _show(self) -> None:
        bar = self.bar
        if bar is not None:
            current = None if self.index is None else self.index + 1
            bar.show_count(current, len(self.matches))
        self._unmark()
        if self.index is None:
            return
        match = self.matches[self.index]
        target = match.message.reveal_part(match.part)  # may open folded reasoning
        self.screen.call_after_refresh(self._scroll_to, match, target)

    def _scroll_to(self, match: Match, target: Widget) -> None:
        pane = self.screen.pane
        if not target.is_attached or not pane.is_attached:
            return
        hit = self._locate(match, target)
        if hit is None:
            line = int(match.start / max(match.size, 1) * target.region.height)
            y = target.region.y + line
        else:
            y = hit.y
        virtual_y = y - pane.content_region.y + int(pane.scroll_y)
        pane.scroll_to_region(
            Region(0, virtual_y, 1, 1), center=True, animate=False, immediate=True
        )
        self.screen.call_after_refresh(self._mark, match, target)

    def _locate(self, match: Match, target: Widget) -> Region | None:
        """Where the match is drawn (screen cells), if it is drawn as written."""
        needle = self.query.casefold()
        found: list[Region] = []
        for leaf in _leaves(target):
            region = leaf.content_region
            for y in range(leaf.size.height):
                text = leaf.render_line(y).text
                hay = text.casefold()
                at = hay.find(needle)
                while at != -1:
                    x = region.x + cell_len(text[:at])
                    width = cell_len(text[at : at + len(needle)])
                    found.append(Region(x, region.y + y, width, 1))
                    at = hay.find(needle, at + len(needle))
        if not found:
            return None
        total = sum(1 for m in self.matches if m.message is match.message and m.part == match.part)
        if len(found) == total:
            return found[match.ordinal]
        estimate = target.region.y + match.start / max(match.size, 1) * target.region.height
        return min(found, key=lambda r: abs(r.y - estimate))

    def _mark(self, match: Match, target: Widget) -> None:
        """Draw the matched text highlighted over where it is shown."""
        if not target.is_attached:
            return
        hit = self._locate(match, target)
        if hit is None or not self.screen.pane.content_region.contains_region(hit):
            return
        leaf_text = self._text_at(hit, target)
        mark = Static(Content(leaf_text), classes="find-hit")
        mark.styles.offset = (hit.x, hit.y)
        mark.styles.width = hit.width
        self.screen.mount(mark)

    @staticmethod
    def _text_at(hit: Region, target: Widget) -> str:
        for leaf in _leaves(target):
            region = leaf.content_region
            if region.contains(hit.x, hit.y):
                strip = leaf.render_line(hit.y - region.y)
                start = hit.x - region.x
                return strip.crop(start, start + hit.width).text
        return ""

    def _unmark(self) -> None:
        for mark in self.screen.query(".find-hit"):
            mark.remove()

    def _scrolled(self) -> None:
        """The view moved: the mark no longer sits on the match."""
        self._unmark()


def _leaves(widget: Widget) -> list[Widget]:
    """The widgets that draw lines themselves, under (or being) ``widget``."""
    if not widget.children:
        return [widget] if widget.display else []
    out: list[Widget] = []
    for child in widget.children:
        if child.display:
            out.extend(_leaves(child))
    return out
