"""Find in the conversation (Ctrl+F).

Matches are looked for in the messages' source text -- prompts, answers and,
while reasoning is shown, the reasoning -- never in what is drawn, so a part
that is not rendered yet is searched too. To show a match, the message is
asked for the widget that draws that part (``reveal_part``, which also opens
folded reasoning); the match's line is then found among that widget's drawn
lines (the n-th drawn occurrence for the n-th in the source, else the one
nearest to where the source puts it), scrolled into the middle of the view
and marked by an overlay that draws the matched cells highlighted (the other
matches on screen, less strongly).
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
    from deepseek_tui.ui.widgets.conversation import ConversationView
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
        self.opened: set[int] = set()
        """The answers (by ``id()``) whose reasoning find opened: searched on screen."""
        self._shown = 0
        """Counts the matches shown: a scroll or mark still pending for an
        earlier one is dropped."""

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
            self.screen.watch(self.screen.pane, "shifted", self._shifted, init=False)
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
        if self.matches and not self.matches[0].message.is_attached:
            self.search(self.query)  # another conversation is shown now
            return
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
        self._shown += 1
        if self.index is None:
            return
        match = self.matches[self.index]
        target = match.message.reveal_part(match.part, match.start)  # may open reasoning
        if match.part == "reasoning":
            self.opened.add(id(match.message))
        self.screen.call_after_refresh(self._scroll_to, match, target, self._shown)

    def _scroll_to(self, match: Match, target: Widget, shown: int) -> None:
        pane = self.screen.pane
        if not target.is_attached or not pane.is_attached or shown != self._shown:
            return
        hit = self._locate(match, target)
        y = int(_estimate(match, target, pane)) if hit is None else hit.y
        virtual_y = y - pane.content_region.y + int(pane.scroll_y)
        pane.scroll_to_region(
            Region(0, virtual_y, 1, 1), center=True, animate=False, immediate=True
        )
        self.screen.call_after_refresh(self._mark, match, target, shown)

    def _locate(self, match: Match, target: Widget) -> Region | None:
        """Where the match is drawn (screen cells), if it is drawn as written.

        A part a few screens tall is read whole (its matches counted in order);
        in a longer one only the rows within two screens of where the source
        puts the match are read, since reading a row of a lazy answer draws
        its block (a whole long answer would be drawn for one match)."""
        pane = self.screen.pane
        estimate = _estimate(match, target, pane)
        screen = pane.content_region.height
        near = None
        if target.size.height > 4 * screen:
            top = int(estimate) - 2 * screen
            near = Region(target.region.x, top, target.region.width, 4 * screen)
        found = [region for region, _ in _drawn(target, pane, self.query, near)]
        if not found:
            return None
        total = sum(1 for m in self.matches if m.message is match.message and m.part == match.part)
        if near is None and len(found) == total:
            return found[match.ordinal]
        return min(found, key=lambda r: abs(r.y - estimate))

    def _mark(
        self,
        match: Match,
        target: Widget,
        shown: int,
        before: list[tuple[Region, str, bool]] | None = None,
        tries: int = 0,
    ) -> None:
        """Draw the current match highlighted over where it is shown, and the
        other matches on screen less strongly, once two frames in a row agree
        where they are: lazy drawing may still be moving the text under them."""
        if not target.is_attached or shown != self._shown:
            return
        marks = self._marks(match, target)
        if marks != before:  # not settled yet (given up after a few frames: no marks)
            if tries < 8:
                self.screen.call_after_refresh(self._mark, match, target, shown, marks, tries + 1)
            return
        self._unmark()
        hits: list[Static] = []
        for region, text, current in marks:
            mark = Static(Content(text), classes="find-hit")
            mark.set_class(current, "-current")
            mark.styles.offset = (region.x, region.y)
            mark.styles.width = region.width
            hits.append(mark)
        if hits:
            self.screen.mount_all(hits)

    def _marks(self, match: Match, target: Widget) -> list[tuple[Region, str, bool]]:
        """Where the matches on screen are drawn now (the current one flagged)."""
        pane = self.screen.pane
        view = pane.content_region
        current = self._locate(match, target)
        others: set[tuple[Region, str]] = set()
        shown = {(m.message, m.part) for m in self.matches}
        for m in {(w, p) for w, p in shown if p != "reasoning" or id(w) in self.opened}:
            if m[0].is_attached and m[0].region.overlaps(view):
                others.update(_drawn(m[0].reveal_part(m[1]), pane, self.query, view))
        if current is not None and current.overlaps(view):
            others.update(_drawn(target, pane, self.query, view))
        return [
            (region, text, region == current)
            for region, text in sorted(others, key=lambda o: (o[0].y, o[0].x))
            if view.contains_region(region)
        ]

    def _unmark(self) -> None:
        for mark in self.screen.query(".find-hit"):
            mark.remove()

    def _scrolled(self) -> None:
        """The view moved: the mark no longer sits on the match."""
        self._unmark()

    def _shifted(self) -> None:
        """Lazy drawing moved the text under the view: mark it again where it
        is now, once it is laid out."""
        if not self.screen.query(".find-hit") or self.index is None:
            return
        self._unmark()
        match = self.matches[self.index]
        target = match.message.reveal_part(match.part, match.start)
        self.screen.call_after_refresh(self._mark, match, target, self._shown)


def _estimate(match: Match, target: Widget, view: ConversationView) -> float:
    """Where the source puts the match in ``target`` (screen row): as far down
    it as the match is into its part's text (measured as :func:`_drawn` does,
    from where its first line is, even scrolled out of the view)."""
    return _top(target, view) + match.start / max(match.size, 1) * target.size.height


def _top(widget: Widget, view: ConversationView) -> int:
    """The screen row of ``widget``'s first line, even scrolled out of ``view``
    (its region is clipped to what is shown)."""
    from deepseek_tui.ui.widgets.conversation import offset_in

    top = offset_in(widget, view) + widget.styles.gutter.top - round(view.scroll_y)
    return view.content_region.y + top


def _drawn(
    target: Widget, view: ConversationView, query: str, within: Region | None = None
) -> list[tuple[Region, str]]:
    """Where ``query`` is drawn under ``target`` (screen cells, and the text
    drawn there), top to bottom; only in ``within`` when given. ``view``: the
    conversation view ``target`` is in."""
    needle = query.casefold()
    found: list[tuple[Region, str]] = []
    if not needle:
        return found
    for leaf in _leaves(target):
        x, _, width, _ = leaf.content_region
        region = Region(x, _top(leaf, view), width, leaf.size.height)
        rows = range(leaf.size.height)
        if within is not None:
            if not region.overlaps(within):
                continue
            rows = range(
                max(0, within.y - region.y), min(leaf.size.height, within.bottom - region.y)
            )
        for y in rows:
            text = leaf.render_line(y).text
            hay = text.casefold()
            at = hay.find(needle)
            while at != -1:
                shown = text[at : at + len(needle)]
                x = region.x + cell_len(text[:at])
                found.append((Region(x, region.y + y, cell_len(shown), 1), shown))
                at = hay.find(needle, at + len(needle))
    return found


def _leaves(widget: Widget) -> list[Widget]:
    """The widgets that draw lines themselves, under (or being) ``widget``."""
    if not widget.children:
        return [widget] if widget.display else []
    out: list[Widget] = []
    for child in widget.children:
        if child.display:
            out.extend(_leaves(child))
    return out
