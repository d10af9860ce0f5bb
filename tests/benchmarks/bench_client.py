"""Stream-parsing throughput: deepseek-tui's client vs the ``openai`` SDK.

Run it directly (pytest does not collect ``bench_*.py``)::

    .venv/bin/python tests/benchmarks/bench_client.py [--tokens 20000] [--runs 5]

A ``FakeDeepSeek`` loopback server runs in a separate process (so the CPU time
measured here is the client's alone) and answers every request with the same
recorded ~20,000-token Markdown answer, streamed at full speed in realistic
~4-character deltas, one SSE event each, like the real API. Both clients read
the same stream from the same server in the same run; the script prints the
median of a few runs side by side. It asserts nothing: the goal (at least the
SDK's throughput) is read off the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.synchronize import Event as EventType
from typing import Any

import httpx

from deepseek_tui.api import ChatMessage, ChatRequest, ContentDelta, DeepSeekClient
from deepseek_tui.testing import FakeDeepSeek, Reply, long_markdown

KEY = "sk-bench-key"
MODEL = "deepseek-flash"
PROMPT = "Write a long Markdown guide."


def _serve(port_out: Any, stop: EventType, tokens: int, chunk_chars: int) -> None:
    """Child process: serve the recorded answer until told to stop."""

    async def main() -> None:
        reply = Reply(long_markdown(tokens, seed=7), chunk_chars=chunk_chars)
        async with FakeDeepSeek(api_key=KEY, responder=lambda body: reply) as server:
            port_out.put(server.port)
            await asyncio.to_thread(stop.wait)

    asyncio.run(main())


@dataclass
class Run:
    wall: float
    cpu: float
    events: int
    chars: int


async def _ours(base_url: str) -> Run:
    request = ChatRequest(model=MODEL, messages=(ChatMessage("user", PROMPT),))
    async with DeepSeekClient(base_url, KEY) as client:
        events = chars = 0
        wall, cpu = time.perf_counter(), time.process_time()
        async for event in client.stream_chat(request):
            events += 1
            if type(event) is ContentDelta:
                chars += len(event.text)
        return Run(time.perf_counter() - wall, time.process_time() - cpu, events, chars)


async def _openai(base_url: str) -> Run:
    from openai import AsyncOpenAI

    async with AsyncOpenAI(base_url=base_url, api_key=KEY, max_retries=0) as client:
        events = chars = 0
        wall, cpu = time.perf_counter(), time.process_time()
        stream = await client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": PROMPT}],
            stream=True,
            stream_options={"include_usage": True},
        )
        async for chunk in stream:
            events += 1
            if chunk.choices and chunk.choices[0].delta.content:
                chars += len(chunk.choices[0].delta.content)
        return Run(time.perf_counter() - wall, time.process_time() - cpu, events, chars)


async def _wire(base_url: str) -> tuple[int, int]:
    """Body size in bytes and number of SSE data events of one answer."""
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": PROMPT}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient() as http:
        url = f"{base_url}/chat/completions"
        async with http.stream("POST", url, json=body, headers=headers) as response:
            raw = b"".join([part async for part in response.aiter_raw()])
    return len(raw), raw.count(b"\ndata: ") + raw.startswith(b"data: ")


async def _measure(
    name: str, fn: Callable[[str], Awaitable[Run]], base_url: str, runs: int
) -> list[Run]:
    await fn(base_url)  # warm-up: imports, connection pool, caches
    results = []
    for _ in range(runs):
        results.append(await fn(base_url))
    print(f"  {name}: " + ", ".join(f"{r.wall * 1000:.0f} ms" for r in results), file=sys.stderr)
    return results


def _median(runs: list[Run], attr: str) -> float:
    return statistics.median(getattr(r, attr) for r in runs)


async def _bench(base_url: str, runs: int) -> None:
    size, data_events = await _wire(base_url)
    print(
        f"answer: {size / 1e6:.2f} MB on the wire, {data_events} SSE data events", file=sys.stderr
    )
    results: dict[str, list[Run]] = {}
    # Interleave the two clients so drift (thermal, other load) hits both alike.
    for name, fn in (("deepseek-tui", _ours), ("openai SDK", _openai)):
        results[name] = await _measure(name, fn, base_url, runs)
    for name, fn in (("openai SDK", _openai), ("deepseek-tui", _ours)):
        results[name] += await _measure(name, fn, base_url, runs)

    ours, sdk = results["deepseek-tui"], results["openai SDK"]
    if ours[0].chars != sdk[0].chars:
        print(f"WARNING: content differs: {ours[0].chars} vs {sdk[0].chars} chars")

    def row(label: str, fmt: Callable[[list[Run]], str]) -> str:
        return f"{label:<28}{fmt(ours):>16}{fmt(sdk):>16}"

    print()
    print(f"median of {2 * runs} runs, {data_events} SSE events, {size / 1e6:.2f} MB")
    print(f"{'':<28}{'deepseek-tui':>16}{'openai SDK':>16}")
    print(row("wall time (ms)", lambda r: f"{_median(r, 'wall') * 1000:.1f}"))
    print(row("client CPU (s)", lambda r: f"{_median(r, 'cpu'):.3f}"))
    print(row("events delivered", lambda r: f"{r[0].events}"))
    print(row("SSE events/s (wall)", lambda r: f"{data_events / _median(r, 'wall'):,.0f}"))
    print(row("SSE events/s (CPU)", lambda r: f"{data_events / _median(r, 'cpu'):,.0f}"))
    print(row("MB/s (wall)", lambda r: f"{size / 1e6 / _median(r, 'wall'):.2f}"))
    print(row("MB/s (CPU)", lambda r: f"{size / 1e6 / _median(r, 'cpu'):.2f}"))
    ratio = _median(sdk, "cpu") / _median(ours, "cpu")
    print(f"\ndeepseek-tui parses {ratio:.2f}x as fast as the openai SDK (CPU time)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokens", type=int, default=20_000, help="answer length in tokens")
    parser.add_argument("--chunk-chars", type=int, default=4, help="characters per delta")
    parser.add_argument("--runs", type=int, default=3, help="runs per client per round (x2)")
    args = parser.parse_args()

    ctx = mp.get_context("spawn")
    port_out = ctx.Queue()
    stop = ctx.Event()
    child = ctx.Process(
        target=_serve, args=(port_out, stop, args.tokens, args.chunk_chars), daemon=True
    )
    child.start()
    try:
        port = port_out.get(timeout=30)
        asyncio.run(_bench(f"http://127.0.0.1:{port}", args.runs))
    finally:
        stop.set()
        child.join(timeout=10)
        if child.is_alive():
            child.terminate()


if __name__ == "__main__":
    main()
