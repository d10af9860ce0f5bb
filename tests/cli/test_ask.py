"""``deepseek-tui ask`` end to end: a real subprocess, the loopback server, a real database."""

from __future__ import annotations

import json
from pathlib import Path

from deepseek_tui.testing import Fail, FakeDeepSeek, Reply

from .conftest import KEY, configure, rows

HOSTILE = "safe \x1b]52;c;cGF5bG9hZA==\x07text \x1b[2J\x1b]0;title\x07end"


def test_answer_streams_to_stdout_and_is_saved(run_cli, server: FakeDeepSeek, home: Path) -> None:
    server.push(Reply(content="Oslo is Norway's capital.", reasoning="Think of Norway."))
    r = run_cli("ask", "What is the capital of Norway?")
    assert r.code == 0, r.stderr
    assert r.stdout == "Oslo is Norway's capital.\n"
    assert "Think of Norway" not in r.stdout + r.stderr
    body = server.chat_requests[-1].body
    assert body["model"] == "deepseek-flash"
    assert body["thinking"] == {"type": "enabled"}
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["messages"] == [{"role": "user", "content": "What is the capital of Norway?"}]
    saved = rows(
        home, "SELECT role, content, reasoning, status, finish_reason FROM messages ORDER BY seq"
    )
    assert saved == [
        ("user", "What is the capital of Norway?", None, "complete", None),
        ("assistant", "Oslo is Norway's capital.", "Think of Norway.", "complete", "stop"),
    ]


def test_reasoning_flag_streams_reasoning_to_stderr(run_cli, server: FakeDeepSeek) -> None:
    server.push(Reply(content="42", reasoning="Six times seven."))
    r = run_cli("ask", "--reasoning", "answer?")
    assert r.code == 0
    assert r.stdout == "42\n"
    assert "Six times seven." in r.stderr


def test_prompt_from_stdin(run_cli, server: FakeDeepSeek) -> None:
    server.push(Reply(content="ok"))
    r = run_cli("ask", input="piped question\n")
    assert r.code == 0
    assert server.chat_requests[-1].body["messages"][-1]["content"] == "piped question\n"
    r = run_cli("ask", "-", input="dash question")
    assert server.chat_requests[-1].body["messages"][-1]["content"] == "dash question"


def test_empty_prompt_is_a_usage_error(run_cli, server: FakeDeepSeek) -> None:
    r = run_cli("ask", input="   \n")
    assert r.code == 2
    assert "empty" in r.stderr
    assert server.chat_requests == []


def test_json_output(run_cli, server: FakeDeepSeek) -> None:
    server.push(Reply(content="Paris.", reasoning="France."))
    r = run_cli("ask", "--json", "capital of France?")
    assert r.code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["content"] == "Paris."
    assert data["reasoning"] == "France."
    assert data["model"] == "deepseek-flash"
    assert data["finish_reason"] == "stop"
    assert data["usage"]["completion_tokens"] > 0
    assert isinstance(data["cost"], float) and data["cost"] > 0
    assert len(data["conversation_id"]) >= 8


def test_continue_and_switch_model(run_cli, server: FakeDeepSeek, home: Path) -> None:
    server.push(Reply(content="First answer.", reasoning="r1"))
    assert run_cli("ask", "first").code == 0
    server.push(Reply(content="Second answer."))
    r = run_cli("ask", "-c", "--model", "deepseek-v4-pro", "--thinking", "off", "second")
    assert r.code == 0, r.stderr
    body = server.chat_requests[-1].body
    assert body["model"] == "deepseek-v4-pro"
    assert body["thinking"] == {"type": "disabled"}
    assert "reasoning_effort" not in body
    # V4 pass-back: earlier turns carry an empty reasoning_content, never the stored one.
    assert body["messages"] == [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "First answer.", "reasoning_content": ""},
        {"role": "user", "content": "second"},
    ]
    (conv_id,) = rows(home, "SELECT id FROM conversations")[0]
    models = rows(home, "SELECT model FROM messages WHERE role='assistant' ORDER BY seq")
    assert models == [("deepseek-flash",), ("deepseek-v4-pro",)]
    server.push(Reply(content="Third."))
    assert run_cli("ask", "--resume", conv_id[:6], "third").code == 0
    assert server.chat_requests[-1].body["model"] == "deepseek-v4-pro", "the conversation remembers"
    assert len(server.chat_requests[-1].body["messages"]) == 5


def test_sampling_params_left_out_while_thinking(run_cli, server: FakeDeepSeek) -> None:
    server.push(Reply(content="ok"))
    r = run_cli("ask", "--temperature", "0.2", "--effort", "max", "q")
    assert r.code == 0
    body = server.chat_requests[-1].body
    assert "temperature" not in body
    assert body["reasoning_effort"] == "max"
    assert "ignores temperature" in r.stderr
    server.push(Reply(content="ok"))
    r = run_cli("ask", "--thinking", "off", "--temperature", "0.2", "q")
    assert server.chat_requests[-1].body["temperature"] == 0.2
    assert "ignores" not in r.stderr


def test_retired_model_names_successor_and_sends_nothing(run_cli, server: FakeDeepSeek) -> None:
    r = run_cli("ask", "--model", "deepseek-reasoner", "hi")
    assert r.code == 1
    assert "deepseek-reasoner was retired on 2026-07-24" in r.stderr
    assert "--model deepseek-flash --thinking on" in r.stderr
    assert server.chat_requests == []


def test_model_not_exist_lists_what_the_host_offers(run_cli, server: FakeDeepSeek) -> None:
    r = run_cli("ask", "--model", "deepseek-v9-imaginary", "hi")
    assert r.code == 1
    assert "Model Not Exist" in r.stderr
    assert "deepseek-flash" in r.stderr and "deepseek-v4-pro" in r.stderr


def test_bad_key_is_one_line_and_never_echoed(run_cli, home: Path) -> None:
    with FakeDeepSeek(api_key="sk-the-right-key-000000", host="deepseek").run_in_thread() as srv:
        configure(home, srv.base_url)
        r = run_cli("ask", "hi")
    assert r.code == 1
    assert "401" in r.stderr and "API key" in r.stderr
    assert KEY not in r.stderr + r.stdout
    assert r.stderr.count("\n") == 1
    assert "Traceback" not in r.stderr


def test_missing_key(run_cli, home: Path) -> None:
    home.mkdir()
    r = run_cli("ask", "hi")
    assert r.code == 1
    assert "DEEPSEEK_API_KEY" in r.stderr


def test_insufficient_balance_shows_balance(run_cli, server: FakeDeepSeek) -> None:
    server.push(Fail(402, message="Insufficient Balance"))
    r = run_cli("ask", "hi")
    assert r.code == 1
    assert "balance" in r.stderr.lower()
    assert "$7.42" in r.stderr


def test_server_errors_are_retried_then_reported(run_cli, server: FakeDeepSeek, home: Path) -> None:
    server.push(Fail(503, message="busy", headers={"Retry-After": "0"}))
    server.push(Fail(503, message="busy", headers={"Retry-After": "0"}))
    server.push(Reply(content="finally"))
    r = run_cli("ask", "hi")
    assert r.code == 0, r.stderr
    assert r.stdout == "finally\n"
    assert len(server.chat_requests) == 3


def test_failure_before_text_is_kept_but_never_replayed(
    run_cli, server: FakeDeepSeek, home: Path
) -> None:
    server.push(Fail(400, message="Invalid request: something odd"))
    r = run_cli("ask", "doomed question")
    assert r.code == 1
    assert "something odd" in r.stderr
    saved = rows(home, "SELECT role, status FROM messages ORDER BY seq")
    assert saved == [("user", "complete"), ("assistant", "error")]
    server.push(Reply(content="fine"))
    assert run_cli("ask", "-c", "next question").code == 0
    messages = server.chat_requests[-1].body["messages"]
    assert messages == [{"role": "user", "content": "next question"}]


def test_cut_stream_keeps_partial_answer(run_cli, server: FakeDeepSeek, home: Path) -> None:
    server.push(
        Reply(content="partial words here and more", chunk_chars=4, fault="cut", fault_after=3)
    )
    r = run_cli("ask", "hi")
    assert r.code == 1
    assert r.stdout.startswith("part")
    assert r.stderr.count("\n") == 1
    (content, status) = rows(home, "SELECT content, status FROM messages WHERE role='assistant'")[0]
    assert status == "error"  # failed, with what arrived kept
    assert content and "partial words here and more".startswith(content)


def test_length_finish_warns_and_exits_zero(run_cli, server: FakeDeepSeek) -> None:
    server.push(Reply(content="cut sh", finish_reason="length"))
    r = run_cli("ask", "hi")
    assert r.code == 0
    assert r.stdout == "cut sh\n"
    assert "max_tokens" in r.stderr


def test_hostile_output_is_inert(run_cli, server: FakeDeepSeek) -> None:
    server.push(Reply(content=HOSTILE, reasoning=HOSTILE, chunk_chars=3))
    r = run_cli("ask", "--reasoning", "hi")
    assert r.code == 0
    for stream in (r.stdout, r.stderr):
        assert "\x1b" not in stream and "\x07" not in stream
    assert r.stdout == "safe text end\n"
    r = run_cli("ask", "--json", "hi")
    assert "\\u001b" not in r.stdout


def test_no_save_writes_nothing(run_cli, server: FakeDeepSeek, home: Path) -> None:
    server.push(Reply(content="ephemeral"))
    r = run_cli("ask", "--no-save", "hi")
    assert r.code == 0
    assert not (home / "conversations.db").exists() or rows(home, "SELECT * FROM messages") == []


def test_r1_host_never_gets_reasoning_back(run_cli, home: Path) -> None:
    with FakeDeepSeek(api_key=KEY, host="r1").run_in_thread() as srv:
        configure(home, srv.base_url + "/v1", kind="openai-compatible")
        srv.push(
            Reply(content="Answer one.", reasoning="Long thoughts.", dialect="reasoning_content")
        )
        r = run_cli("ask", "--model", "deepseek-ai/DeepSeek-R1", "--temperature", "0.3", "one")
        assert r.code == 0, r.stderr
        first = srv.chat_requests[-1].body
        assert "thinking" not in first and "temperature" not in first
        srv.push(Reply(content="Answer two.", reasoning="More thoughts."))
        r = run_cli("ask", "-c", "two")
        assert r.code == 0, r.stderr
        second = srv.chat_requests[-1].body
        assert second["model"] == "deepseek-ai/DeepSeek-R1"
        assert all("reasoning_content" not in m for m in second["messages"])
        assert second["messages"][1] == {"role": "assistant", "content": "Answer one."}
        assert srv.chat_requests[-1].path == "/v1/chat/completions"


def test_think_tags_from_a_local_server_land_in_reasoning(run_cli, home: Path) -> None:
    with FakeDeepSeek(
        api_key=KEY, host="generic", models=("deepseek-r1-distill",)
    ).run_in_thread() as srv:
        configure(home, srv.base_url, kind="openai-compatible")
        srv.push(Reply(content="The answer.", reasoning="Inner voice.", dialect="think_tags"))
        r = run_cli("ask", "--json", "--model", "deepseek-r1-distill", "q")
        assert r.code == 0, r.stderr
        data = json.loads(r.stdout)
        assert data["content"] == "The answer."
        assert data["reasoning"] == "Inner voice."


def test_newcomer_with_a_deepseek_key_gets_flash_with_thinking(run_cli, home: Path) -> None:
    """Nothing configured but the key: today's default model, thinking shown."""
    with FakeDeepSeek(api_key=KEY, host="deepseek").run_in_thread() as srv:
        home.mkdir(parents=True, exist_ok=True)
        # Only what stands in for api.deepseek.com: the loopback URL and its kind.
        (home / "config.toml").write_text(
            f'[providers.deepseek]\nbase_url = "{srv.base_url}"\nkind = "deepseek"\n'
        )
        (home / "config.toml").chmod(0o600)
        srv.push(Reply(content="Hello!", reasoning="A greeting; greet back."))
        r = run_cli("ask", "--reasoning", "hi", env={"DEEPSEEK_API_KEY": KEY})
        assert r.code == 0, r.stderr
        assert r.stdout == "Hello!\n"
        assert "A greeting; greet back." in r.stderr
        body = srv.chat_requests[-1].body
        assert body["model"] == "deepseek-flash"
        assert body["thinking"] == {"type": "enabled"}
        assert body["reasoning_effort"] == "high"


def test_seed_style_r1_host_works_across_several_turns(run_cli, home: Path) -> None:
    """A reseller serving deepseek-ai/DeepSeek-R1 under /v1: reasoning streams every
    turn, and no turn earns a 400 for sending reasoning back."""
    with FakeDeepSeek(api_key=KEY, host="r1").run_in_thread() as srv:
        configure(home, srv.base_url + "/v1", kind="openai-compatible")
        for turn in range(1, 5):
            srv.push(
                Reply(
                    content=f"Answer {turn}.",
                    reasoning=f"Thoughts {turn}.",
                    dialect="reasoning_content",
                )
            )
            args = ["ask", "--reasoning"]
            args += ["--model", "deepseek-ai/DeepSeek-R1"] if turn == 1 else ["-c"]
            r = run_cli(*args, f"question {turn}")
            assert r.code == 0, r.stderr
            assert r.stdout == f"Answer {turn}.\n"
            assert f"Thoughts {turn}." in r.stderr
            body = srv.chat_requests[-1].body
            assert body["model"] == "deepseek-ai/DeepSeek-R1"
            assert len(body["messages"]) == 2 * turn - 1
            assert all("reasoning_content" not in m for m in body["messages"])
        assert [m["content"] for m in body["messages"] if m["role"] == "assistant"] == [
            "Answer 1.",
            "Answer 2.",
            "Answer 3.",
        ]


def test_402_says_top_up_once_with_granted_and_topped_up(run_cli, server: FakeDeepSeek) -> None:
    server.push(Fail(402, message="Insufficient Balance"))
    r = run_cli("ask", "hi")
    assert r.code == 1
    assert r.stderr.lower().count("top up") == 1, r.stderr
    assert "balance $7.42 (granted $0.50, topped up $6.92)" in r.stderr


def test_json_carries_the_cost_of_a_cut_answer(run_cli, server: FakeDeepSeek) -> None:
    server.push(Reply(content="cut short", finish_reason="length"))
    r = run_cli("ask", "--json", "hi")
    assert r.code == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["finish_reason"] == "length" and out["content"] == "cut short"
    assert out["usage"]["completion_tokens"] > 0
    assert out["cost"] is not None and out["cost"] > 0
