"""Benchmark of streaming render (a script; pytest does not collect it).

Streams ``long_markdown`` answers one ~4-character token per delta, at full
speed, into an :class:`AssistantMessage` inside an anchored scroll view (what
the chat screen does), headless via ``run_test``; then the same text through
Textual's ``MarkdownStream`` as the anchor. The anchor grows superlinearly, so
it is measured at 2k/4k/8k tokens only and extrapolated to 20k with the
power law fitted to those points (printed as such). Also: CPU share while
text arrives at 50 tokens/s (reasoning, then answer, each after a long
prefix), and keystroke latency while an answer streams at full speed.

    nice .venv/bin/python tests/benchmarks/bench_render.py
"""

from __future__ import annotations

import asyncio
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from textual.app import App, ComposeResult  # noqa: E402
from textual.containers import VerticalScroll  # noqa: E402
from textual.widgets import Input, Markdown  # noqa: E402

from deepseek_tui.testing import long_markdown  # noqa: E402
from deepseek_tui.ui.widgets.message import AnswerFooter, AssistantMessage  # noqa: E402

SIZE = (100, 32)
OURS = (2_000, 8_000, 20_000)
ANCHOR = (2_000, 4_000, 8_000)
CHARS = 4


def tokens_of(text: str) -> list[str]:
    return [text[i : i + CHARS] for i in range(0, len(text), CHARS)]


class Host(App[None]):
    """The conversation pane with a prompt below, as in the chat screen."""

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="pane")
        yield Input(id="prompt")

    @property
    def pane(self) -> VerticalScroll:
        return self.query_one("#pane", VerticalScroll)


async def settle(app: App[None]) -> None:
    """Until the screen has drawn everything pending."""
    done = asyncio.Event()
    app.screen.call_after_refresh(done.set)
    await done.wait()
    await asyncio.sleep(0.05)


async def ours(tokens: int) -> float:
    pieces = tokens_of(long_markdown(tokens))
    app = Host()
    async with app.run_test(size=SIZE):
        app.pane.anchor()
        view = AssistantMessage("deepseek-v4")
        await app.pane.mount(view)
        start = time.process_time()
        for piece in pieces:
            await view.add_content(piece, collapse_reasoning=True)
            await asyncio.sleep(0)
        await view.close("complete", AnswerFooter(completion_tokens=tokens))
        await settle(app)
        return time.process_time() - start


async def anchor(tokens: int) -> float:
    pieces = tokens_of(long_markdown(tokens))
    app = Host()
    async with app.run_test(size=SIZE):
        app.pane.anchor()
        body = Markdown()
        await app.pane.mount(body)
        start = time.process_time()
        stream = Markdown.get_stream(body)
        for piece in pieces:
            await stream.write(piece)
        await stream.stop()
        await settle(app)
        return time.process_time() - start


async def paced(seconds: float, rate: float = 50.0, prefix: int = 10_000) -> tuple[float, float]:
    """CPU share (of one core) for reasoning, then the answer, at ``rate`` tok/s,
    each after ``prefix`` tokens already streamed (length must not matter)."""
    text = tokens_of(long_markdown(prefix + int(rate * seconds)))
    app = Host()
    shares = []
    async with app.run_test(size=SIZE):
        app.pane.anchor()
        view = AssistantMessage("deepseek-v4")
        await app.pane.mount(view)
        for phase in ("reasoning", "content"):
            for piece in text[:prefix]:
                await feed(view, phase, piece)
                await asyncio.sleep(0)
            await settle(app)
            cpu, wall = time.process_time(), time.perf_counter()
            for n, piece in enumerate(text[prefix:]):
                await feed(view, phase, piece)
                await asyncio.sleep(max(0.0, wall + (n + 1) / rate - time.perf_counter()))
            shares.append((time.process_time() - cpu) / (time.perf_counter() - wall))
    return shares[0], shares[1]


async def feed(view: AssistantMessage, phase: str, piece: str) -> None:
    if phase == "reasoning":
        await view.add_reasoning(piece)
    else:
        await view.add_content(piece, collapse_reasoning=False)


class Latency(App[None]):
    """Times from a key event to the first frame drawn after the prompt changed."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[float] = []
        self.seen: list[float] = []

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="pane")
        yield Input(id="prompt")

    def on_input_changed(self) -> None:
        self.screen.call_after_refresh(lambda: self.seen.append(time.perf_counter()))


async def keystrokes(tokens: int = 8_000, count: int = 60) -> list[float]:
    from textual import events

    pieces = tokens_of(long_markdown(tokens))
    app = Latency()
    async with app.run_test(size=SIZE):
        pane = app.query_one("#pane", VerticalScroll)
        prompt = app.query_one(Input)
        prompt.focus()
        pane.anchor()
        view = AssistantMessage("deepseek-v4")
        await pane.mount(view)

        async def typist() -> None:
            for _ in range(count):
                await asyncio.sleep(0.1)
                app.sent.append(time.perf_counter())
                prompt.post_message(events.Key("a", "a"))

        typing = asyncio.create_task(typist())
        for piece in pieces:
            await view.add_content(piece, collapse_reasoning=True)
            await asyncio.sleep(0)
            if typing.done():
                break
        await typing
        await settle(app)
    return [(s - t) * 1000 for t, s in zip(app.sent, app.seen, strict=False)]


def fit(points: dict[int, float], at: int) -> tuple[float, float]:
    """Power-law extrapolation (value at ``at``, exponent) from measured points."""
    xs = [math.log(k) for k in points]
    ys = [math.log(v) for v in points.values()]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )
    return math.exp(my + b * (math.log(at) - mx)), b


def main() -> None:
    print(f"streaming render, {CHARS} chars per delta, terminal {SIZE[0]}x{SIZE[1]}, headless")
    mine = {n: asyncio.run(ours(n)) for n in OURS}
    for n, cpu in mine.items():
        print(f"  ours    {n:>6,} tokens: {cpu:7.2f} s CPU  {cpu / n * 1000:6.3f} s per 1k")
    ratio = (mine[20_000] / 20) / (mine[2_000] / 2)
    print(f"  ours: cost per 1k at 20k / at 2k = {ratio:.2f}  (goal <= 1.5)")
    theirs = {n: asyncio.run(anchor(n)) for n in ANCHOR}
    for n, cpu in theirs.items():
        print(f"  anchor  {n:>6,} tokens: {cpu:7.2f} s CPU  {cpu / n * 1000:6.3f} s per 1k")
    at20, exponent = fit(theirs, 20_000)
    print(f"  anchor 20,000 tokens: ~{at20:.0f} s CPU (extrapolated, CPU ~ n^{exponent:.2f})")
    for n in OURS:
        ref = theirs.get(n) or fit(theirs, n)[0]
        tag = "" if n in theirs else " (extrapolated)"
        print(
            f"  {n:>6,} tokens: ours {mine[n]:.2f} s vs anchor {ref:.1f} s{tag}: "
            f"{mine[n] / ref:.3f}x (goal <= 0.1 at 20k)"
        )
    for n in ANCHOR:
        if n not in mine:
            mine_n = asyncio.run(ours(n))
            print(
                f"  {n:>6,} tokens: ours {mine_n:.2f} s vs anchor {theirs[n]:.1f} s: "
                f"{mine_n / theirs[n]:.3f}x"
            )
    reasoning, answer = asyncio.run(paced(15.0))
    print(
        f"paced 50 tok/s, 15 s reasoning + 15 s answer after 10k-token prefixes: "
        f"{reasoning:.1%} / {answer:.1%} of one core (goal < 10%)"
    )
    lat = sorted(asyncio.run(keystrokes()))
    p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
    print(
        f"keystroke to frame while streaming at full speed: n={len(lat)} "
        f"p50 {statistics.median(lat):.1f} ms  p95 {p95:.1f} ms (goal p95 <= 50 ms)"
    )


if __name__ == "__main__":
    main()
