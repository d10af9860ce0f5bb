"""Bidi controls in what the command line prints: named as the TUI names them
(text), escaped (JSON), whether stdout is a terminal or, as here, a pipe."""

from __future__ import annotations

import json
from pathlib import Path

from deepseek_tui.sanitize import BIDI_CONTROLS
from deepseek_tui.testing import FakeDeepSeek, Reply

#: Trojan Source: the controls make a terminal show the line in another order.
TRICK = "if admin \u202e} \u2066// check\u2069 {\u202c end"
SHOWN = "if admin ⟨RLO⟩} ⟨LRI⟩// check⟨PDI⟩ {⟨PDF⟩ end"


def test_piped_answer_history_and_export_name_bidi_controls(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    server.push(Reply(content=TRICK, reasoning="think \u202b", chunk_chars=3))
    r = run_cli("ask", "--reasoning", f"title {TRICK}")
    assert r.code == 0, r.stderr
    assert r.stdout == SHOWN + "\n"
    assert "think ⟨RLE⟩" in r.stderr
    assert not any(c in r.stdout + r.stderr for c in BIDI_CONTROLS)
    # Zero-width characters and marks reorder nothing and are kept (emoji, scripts).
    server.push(Reply(content="\U0001f469\u200d\U0001f4bb \u200fשלום"))
    assert run_cli("ask", "hi").stdout == "\U0001f469\u200d\U0001f4bb \u200fשלום\n"

    listing = run_cli("history").stdout
    assert f"title {SHOWN}" in listing
    ident = json.loads(run_cli("history", "--json").stdout)[-1]["id"]
    markdown = run_cli("export", ident).stdout
    assert SHOWN in markdown and f"title {SHOWN}" in markdown
    assert not any(c in listing + markdown for c in BIDI_CONTROLS)


def test_json_output_keeps_the_text_exact_with_bidi_controls_escaped(
    run_cli, server: FakeDeepSeek
) -> None:
    server.push(Reply(content=TRICK))
    r = run_cli("ask", "--json", "q")
    assert r.code == 0, r.stderr
    assert "\\u202e" in r.stdout and "\\u2066" in r.stdout
    assert not any(c in r.stdout for c in BIDI_CONTROLS)
    data = json.loads(r.stdout)
    assert data["content"] == TRICK
    exported = run_cli("export", data["conversation_id"], "--format", "json").stdout
    assert not any(c in exported for c in BIDI_CONTROLS)
    assert json.loads(exported)["messages"][1]["content"] == TRICK
