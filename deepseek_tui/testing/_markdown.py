"""Long, realistic Markdown answers for benchmarks, the demo and screenshots.

Deterministic for a given ``seed`` so benchmark numbers and screenshots compare
across runs, and varied enough (headings, paragraphs, lists, code, tables,
quotes) to exercise every renderer path.
"""

from __future__ import annotations

import random

from ._tokens import CHARS_PER_TOKEN

_VOCABULARY = (
    "stream buffer token latency cache prefix model reasoning answer request server client "
    "socket parser widget layout render terminal cursor history message retry timeout budget "
    "context window output input thread event loop queue delta chunk frame schema column index "
    "query result error status header payload section list table value default option setting "
    "profile theme palette border margin padding linear cost growth memory throughput "
    "benchmark trace record replay scenario fault"
)
_WORDS = tuple(_VOCABULARY.split())

_TOPICS = (
    "Streaming responses",
    "Incremental rendering",
    "Prompt caching",
    "Error handling",
    "Reasoning output",
    "Connection reuse",
    "Token accounting",
    "Terminal layout",
    "Keyboard bindings",
    "Conversation storage",
)

_CODE = (
    (
        "python",
        "async def consume(stream):\n"
        "    parts = []\n"
        "    async for event in stream:\n"
        '        if event.kind == "content":\n'
        "            parts.append(event.text)\n"
        '    return "".join(parts)\n',
    ),
    (
        "rust",
        "fn split_lines(buf: &str) -> Vec<&str> {\n"
        '    buf.split("\\n\\n")\n'
        "        .filter(|line| !line.starts_with(':'))\n"
        "        .collect()\n"
        "}\n",
    ),
    (
        "bash",
        'curl -sN "$BASE_URL/chat/completions" \\\n'
        '  -H "Authorization: Bearer $DEEPSEEK_API_KEY" \\\n'
        '  -d \'{"model": "deepseek-flash", "stream": true}\'\n',
    ),
    (
        "sql",
        "SELECT id, title, updated\n"
        "FROM conversations\n"
        "WHERE title LIKE :pattern\n"
        "ORDER BY updated DESC\n"
        "LIMIT 20;\n",
    ),
)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 16))]
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = f"`{words[i]}`"
    if rng.random() < 0.2:
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**"
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 5)))


def _bullets(rng: random.Random) -> str:
    ordered = rng.random() < 0.4
    items = []
    for n in range(1, rng.randint(3, 6) + 1):
        marker = f"{n}." if ordered else "-"
        items.append(f"{marker} {_sentence(rng)}")
    return "\n".join(items)


def _code(rng: random.Random) -> str:
    lang, body = rng.choice(_CODE)
    return f"```{lang}\n{body}```"


def _table(rng: random.Random) -> str:
    rows = ["| Setting | Value | Note |", "|---|---:|---|"]
    for _ in range(rng.randint(3, 5)):
        rows.append(f"| {rng.choice(_WORDS)} | {rng.randint(1, 9999)} | {rng.choice(_WORDS)} |")
    return "\n".join(rows)


def _quote(rng: random.Random) -> str:
    return f"> {_sentence(rng)}"


def long_markdown(tokens: int, seed: int = 0) -> str:
    """About ``tokens`` tokens (~4 characters each) of varied Markdown, same for a seed.

    Stops at a block boundary once the target length is reached, so fences and
    tables are always complete.
    """
    rng = random.Random(seed)
    target = max(tokens, 1) * CHARS_PER_TOKEN
    blocks = [f"# {rng.choice(_TOPICS)}", _paragraph(rng)]
    pattern = (_bullets, _code, _paragraph, _table, _paragraph, _quote, _bullets, _paragraph)
    size = sum(len(b) + 2 for b in blocks)
    section = 0
    while size < target:
        section += 1
        new = [f"## {section}. {rng.choice(_TOPICS)}"]
        new += [make(rng) for make in pattern]
        for block in new:
            if size >= target:
                break
            blocks.append(block)
            size += len(block) + 2
    return "\n\n".join(blocks) + "\n"
