"""Benchmark of the conversation store (a script; pytest does not collect it).

Builds, in a temporary directory, 10,000 conversations of three turns each plus
one of 2,000 messages, then prints how long the operations the UI and CLI use
take: opening, listing, searching, loading, writing and checkpointing.

    .venv/bin/python tests/benchmarks/bench_store.py
"""

from __future__ import annotations

import itertools
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from deepseek_tui.store import Store  # noqa: E402

CONVERSATIONS = 10_000
TURNS = 3
LONG_MESSAGES = 2_000
SYLLABLES = ["ka", "to", "ri", "mu", "se", "lo", "na", "vi", "de", "ga", "po", "shi", "ter", "an"]


def vocabulary(rng: random.Random, size: int = 5_000) -> list[str]:
    """Made-up words; drawn with a Zipf-like skew, like real text."""
    return ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size)]


VOCAB = vocabulary(random.Random(1))
CUM_WEIGHTS = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(VOCAB))))


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(VOCAB, cum_weights=CUM_WEIGHTS, k=n))


def export_of(rng: random.Random, i: int, turns: int) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    for t in range(turns):
        topic = "sourdough " if i % 100 == 0 else ""  # in 1% of conversations
        question = f"question {i}.{t}: {topic}{sentence(rng, 20)}"
        messages.append({"role": "user", "content": question})
        messages.append(
            {
                "role": "assistant",
                "content": sentence(rng, 150),
                "reasoning": sentence(rng, 60),
                "model": "deepseek-v4-flash",
                "params": {"temperature": 0.7, "thinking": True},
                "usage": {"prompt_tokens": 100, "completion_tokens": 150},
                "finish_reason": "stop",
                "status": "complete",
            }
        )
    return {
        "title": f"conversation {i} {sentence(rng, 4)}",
        "model": "deepseek-v4-flash",
        "messages": messages,
    }


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def row(label: str, value: float, unit: str) -> None:
    print(f"{label:<52} {value:>12,.2f} {unit}")


def main() -> None:
    rng = random.Random(42)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "conversations.db"
        store = Store.open(path).store

        start = time.perf_counter()
        for i in range(CONVERSATIONS):
            store.import_json(export_of(rng, i, TURNS))
        elapsed = time.perf_counter() - start
        row(f"import {CONVERSATIONS:,} conversations ({2 * TURNS} messages each)", elapsed, "s")
        row("  import rate", CONVERSATIONS / elapsed, "conv/s")

        long = store.create_conversation(title="the long one", model="deepseek-v4-flash")
        start = time.perf_counter()
        for t in range(LONG_MESSAGES // 2):
            _, a = store.begin_turn(
                long.id, user_content=sentence(rng, 20), model="deepseek-v4-flash", params={}
            )
            store.finish_message(
                a.id,
                content=sentence(rng, 150),
                reasoning=sentence(rng, 40),
                status="complete",
                finish_reason="stop",
                usage={"prompt_tokens": 10 * t, "completion_tokens": 150},
            )
        elapsed = time.perf_counter() - start
        row("begin_turn + finish_message rate", LONG_MESSAGES / 2 / elapsed, "turns/s")
        store.close()

        size = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
        row("database size (with -wal)", size, "MB")

        start = time.perf_counter()
        opened = Store.open(path)
        row("open (quick_check, no migration)", (time.perf_counter() - start) * 1000, "ms")
        store = opened.store

        row("list all conversations", timed(store.list_conversations), "ms")
        row("list first 50", timed(lambda: store.list_conversations(limit=50)), "ms")
        common = VOCAB[0]
        queries = (
            "sourdough",
            common,
            f"{common} {VOCAB[1]}",
            "conversation 4242",
            "kat",
            "zeppelin",
        )
        for query in queries:
            hits = len(store.list_conversations(search=query))
            row(
                f"search {query!r} ({hits:,} hits)",
                timed(lambda q=query: store.list_conversations(search=q)),
                "ms",
            )
        row(
            f"search {common!r}, first 50",
            timed(lambda: store.list_conversations(search=common, limit=50)),
            "ms",
        )
        row(
            "search CJK '量子' (substring scan)",
            timed(lambda: store.list_conversations(search="量子"), repeat=3),
            "ms",
        )
        row(
            f"load the {LONG_MESSAGES:,}-message conversation",
            timed(lambda: store.messages(long.id)),
            "ms",
        )
        row(
            f"export_json of {LONG_MESSAGES:,} messages",
            timed(lambda: store.export_json(long.id)),
            "ms",
        )
        row(
            "get_conversation by 6-char prefix",
            timed(lambda: store.get_conversation(long.id[:6])),
            "ms",
        )
        row("latest_conversation", timed(store.latest_conversation), "ms")

        conv = store.create_conversation(title="streaming")
        _, a = store.begin_turn(conv.id, user_content="go", model="m", params={})
        text = ""
        n = 2_000
        start = time.perf_counter()
        for _ in range(n):
            text += sentence(rng, 2) + " "
            store.checkpoint(a.id, text, None)
        elapsed = time.perf_counter() - start
        row(f"checkpoint rate (text growing to {len(text) / 1000:.0f} kB)", n / elapsed, "/s")
        big = text * 4
        start = time.perf_counter()
        for i in range(200):
            store.checkpoint(a.id, f"{big} {i}", None)  # changed text: reindexed each time
        elapsed = time.perf_counter() - start
        row(f"checkpoint rate ({len(big) / 1000:.0f} kB answer)", 200 / elapsed, "/s")

        start = time.perf_counter()
        recovered = store.recover_interrupted()
        row(f"recover_interrupted ({recovered} rows)", (time.perf_counter() - start) * 1000, "ms")

        victims = [s.id for s in store.list_conversations(limit=20)[1:11]]
        start = time.perf_counter()
        for victim in victims:
            store.delete_conversation(victim)
        row("delete a conversation", (time.perf_counter() - start) * 100, "ms")
        store.close()


if __name__ == "__main__":
    main()
