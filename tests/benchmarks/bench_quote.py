"""Benchmark of the quote and the caps (a script; pytest does not collect it).

Prints how long the work behind the status line's quote takes (run once per
pause in typing, never per keystroke: a keystroke only restarts a timer), and
how long the caps' spending sums take on a database of many answers.

    .venv/bin/python tests/benchmarks/bench_quote.py
"""

from __future__ import annotations

import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from deepseek_tui import budget  # noqa: E402
from deepseek_tui.models import Catalog  # noqa: E402
from deepseek_tui.quote import Basis, estimate_tokens, make_quote, status_text  # noqa: E402
from deepseek_tui.store import Store  # noqa: E402

ANSWERS = 5_000


def micro(label: str, fn: Callable[[], object], number: int = 20_000) -> None:
    seconds = timeit.timeit(fn, number=number) / number
    print(f"{label:<48} {seconds * 1e6:8.2f} µs")


def main() -> None:
    spec = Catalog.load().lookup("deepseek-flash", "deepseek")
    at = datetime(2026, 10, 12, 2, tzinfo=UTC)
    b = Basis(cached=812_000, answers=(300, 900))
    texts = {
        "English, 200 characters": "word " * 40,
        "English, 4,000 characters": "word " * 800,
        "Chinese, 200 characters": "中文字" * 67,
        "mixed, 4,000 characters": "abc中" * 1000,
    }
    for label, text in texts.items():
        micro(f"estimate_tokens: {label}", lambda t=text: estimate_tokens(t))  # type: ignore[misc]
        micro(
            f"quote + status text: {label}",
            lambda t=text: status_text(make_quote(b, t, spec, at, max_tokens=4000)),  # type: ignore[misc]
        )
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp, "c.db")).store as store:
        c = store.create_conversation(title="t", model="m", params={}, system=None)
        for _ in range(ANSWERS):
            _, a = store.begin_turn(c.id, user_content="q" * 200, model="m", params={})
            store.finish_message(
                a.id, content="a" * 2000, reasoning=None, status="complete", cost=0.001
            )
        now = datetime.now(UTC)
        start = time.perf_counter()
        for _ in range(10):
            budget.spent(store, now)
        took = (time.perf_counter() - start) / 10
        label = f"spending today + month, {ANSWERS:,} answers"
        print(f"{label:<48} {took * 1e3:8.2f} ms")


if __name__ == "__main__":
    main()
