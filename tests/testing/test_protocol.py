"""The hosts' request checks: the real 400/422 messages clients must handle."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from deepseek_tui.testing import PASSBACK_MESSAGE, FakeDeepSeek, Reply

from .sse_helpers import AUTH, KEY, chat, data_events, deltas

TOOL_CALL = {
    "id": "call_1",
    "type": "function",
    "function": {"name": "weather", "arguments": "{}"},
}


def history(
    *assistants: dict[str, Any], model: str = "deepseek-flash", **extra: Any
) -> dict[str, Any]:
    """user, then each assistant message (tool turns followed by their tool answer), then user."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": "first"}]
    for message in assistants:
        messages.append({"role": "assistant", **message})
        if message.get("tool_calls"):
            messages.append({"role": "tool", "tool_call_id": "call_1", "content": "sunny"})
    messages.append({"role": "user", "content": "next"})
    return chat(model=model, stream=False, messages=messages, **extra)


async def error_of(client: httpx.AsyncClient, body: Any) -> tuple[int, dict[str, Any]]:
    response = await client.post("/chat/completions", json=body)
    payload = response.json()
    return response.status_code, payload.get("error", {})


@pytest.mark.parametrize("model", ["deepseek-chat", "deepseek-reasoner", "gpt-4o"])
async def test_retired_and_unknown_ids_are_model_not_exist(
    client: httpx.AsyncClient, model: str
) -> None:
    status, error = await error_of(client, chat(model=model))
    assert status == 400
    assert error == {
        "message": "Model Not Exist",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_request_error",
    }


@pytest.mark.parametrize("model", ["deepseek-flash", "deepseek-v4-pro", "deepseek-v4-flash"])
async def test_current_ids_work(client: httpx.AsyncClient, model: str) -> None:
    response = await client.post("/chat/completions", json=chat(model=model))
    assert response.status_code == 200
    assert data_events(response.text)[0].json["model"] == model


async def test_rejected_requests_do_not_consume_scenarios(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    server.push(Reply("scripted"))
    assert (
        await client.post("/chat/completions", json=chat(model="deepseek-chat"))
    ).status_code == 400
    ok = await client.post("/chat/completions", json=chat(stream=False))
    assert ok.json()["choices"][0]["message"]["content"] == "scripted"


async def test_tool_call_turn_without_reasoning_is_rejected(client: httpx.AsyncClient) -> None:
    body = history(
        {"content": None, "tool_calls": [TOOL_CALL]}, {"content": "done", "reasoning_content": ""}
    )
    status, error = await error_of(client, body)
    assert (status, error["message"]) == (400, PASSBACK_MESSAGE)
    assert (
        PASSBACK_MESSAGE
        == "The reasoning_content in the thinking mode must be passed back to the API."
    )
    assert error["type"] == "invalid_request_error"


async def test_passed_back_reasoning_and_empty_strings_are_accepted(
    client: httpx.AsyncClient,
) -> None:
    body = history(
        {"content": None, "tool_calls": [TOOL_CALL], "reasoning_content": "need weather"},
        {"content": "sunny", "reasoning_content": ""},
    )
    assert (await client.post("/chat/completions", json=body)).status_code == 200
    empty_tool = history({"content": None, "tool_calls": [TOOL_CALL], "reasoning_content": ""})
    assert (await client.post("/chat/completions", json=empty_tool)).status_code == 200


async def test_strict_host_rejects_a_missing_field_even_without_tools(
    client: httpx.AsyncClient,
) -> None:
    status, error = await error_of(client, history({"content": "hi"}))
    assert (status, error["message"]) == (400, PASSBACK_MESSAGE)
    null = history({"content": "hi", "reasoning_content": None})
    assert (await error_of(client, null))[0] == 400


async def test_lenient_host_only_checks_tool_call_turns() -> None:
    async with (
        FakeDeepSeek(KEY, strict_passback=False) as server,
        httpx.AsyncClient(base_url=server.base_url, headers=AUTH) as http,
    ):
        assert (
            await http.post("/chat/completions", json=history({"content": "hi"}))
        ).status_code == 200
        tool = history({"content": None, "tool_calls": [TOOL_CALL]})
        assert (await error_of(http, tool))[0] == 400


async def test_thinking_disabled_skips_passback_and_removes_reasoning(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    off = {"thinking": {"type": "disabled"}}
    body = history({"content": None, "tool_calls": [TOOL_CALL]}, **off)
    default = (await client.post("/chat/completions", json=body)).json()["choices"][0]["message"]
    assert "reasoning_content" not in default
    assert default["content"].startswith("You said")
    server.push(Reply("answer", reasoning="secret thoughts"))
    events = data_events((await client.post("/chat/completions", json=chat(**off))).text)
    assert deltas(events, "content") == "answer"
    assert "secret" not in "".join(e.text for e in events)
    assert events[0].json["choices"][0]["delta"] == {"role": "assistant", "content": ""}


@pytest.mark.parametrize("effort", ["low", "high", "max", "minimal", "medium", "xhigh", "ultra"])
async def test_reasoning_effort_values(client: httpx.AsyncClient, effort: str) -> None:
    body = chat(reasoning_effort=effort, thinking={"type": "enabled"})
    assert (await client.post("/chat/completions", json=body)).status_code == 200


async def test_invalid_reasoning_effort_and_thinking(client: httpx.AsyncClient) -> None:
    status, error = await error_of(client, chat(reasoning_effort="extreme"))
    assert status == 400 and "reasoning_effort" in error["message"]
    status, error = await error_of(client, chat(thinking={"type": "sometimes"}))
    assert status == 400 and error["message"].startswith("Failed to deserialize")


async def test_logprobs_rejected_while_thinking(client: httpx.AsyncClient) -> None:
    assert (await error_of(client, chat(logprobs=True)))[0] == 400
    body = chat(logprobs=True, thinking={"type": "disabled"})
    assert (await client.post("/chat/completions", json=body)).status_code == 200


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"model": "deepseek-flash"}, "missing field `messages`"),
        ({"messages": [{"role": "user", "content": "x"}]}, "missing field `model`"),
        ({"model": "deepseek-flash", "messages": []}, "Empty input messages"),
        ({"model": "deepseek-flash", "messages": [{"role": "developer", "content": "x"}]}, "role"),
        ([1, 2], "Failed to deserialize"),
    ],
)
async def test_malformed_bodies_are_400(
    client: httpx.AsyncClient, body: Any, fragment: str
) -> None:
    status, error = await error_of(client, body)
    assert status == 400
    assert fragment in error["message"]


async def test_body_that_is_not_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/chat/completions", content=b"model=deepseek-flash")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith(
        "Failed to deserialize the JSON body into the target type: expecting value"
    )


@pytest.mark.parametrize("temperature", [-0.1, 2.1, "hot"])
async def test_temperature_out_of_range_is_422(client: httpx.AsyncClient, temperature: Any) -> None:
    status, error = await error_of(client, chat(temperature=temperature))
    assert status == 422
    assert "temperature" in error["message"]


async def test_temperature_limits_inside_range_pass(client: httpx.AsyncClient) -> None:
    for value in (0, 1.3, 2):
        assert (
            await client.post("/chat/completions", json=chat(temperature=value))
        ).status_code == 200


async def test_generic_host_temperature_max() -> None:
    async with (
        FakeDeepSeek(KEY, host="generic", temperature_max=1.0) as server,
        httpx.AsyncClient(base_url=server.base_url, headers=AUTH) as http,
    ):
        ok = chat(model="deepseek-v3.2", temperature=0.95)
        assert (await http.post("/chat/completions", json=ok)).status_code == 200
        status, error = await error_of(http, chat(model="deepseek-v3.2", temperature=1.3))
        assert status == 400 and "temperature" in error["message"]


async def test_generic_host_has_no_protocol_checks() -> None:
    async with (
        FakeDeepSeek(KEY, host="generic") as server,
        httpx.AsyncClient(base_url=server.base_url, headers=AUTH) as http,
    ):
        loose = history(
            {"content": None, "tool_calls": [TOOL_CALL], "reasoning_content": "x"},
            {"content": "no field"},
            model="deepseek-chat",
            reasoning_effort="whatever",
            thinking="odd",
        )
        assert (await http.post("/chat/completions", json=loose)).status_code == 200
        assert (await error_of(http, chat(model="deepseek-flash")))[0] == 400


async def test_r1_host_rejects_reasoning_in_input() -> None:
    async with (
        FakeDeepSeek(KEY, host="r1") as server,
        httpx.AsyncClient(base_url=server.base_url, headers=AUTH) as http,
    ):
        for field in ("old thoughts", ""):
            body = history(
                {"content": "hi", "reasoning_content": field}, model="deepseek-ai/DeepSeek-R1"
            )
            status, error = await error_of(http, body)
            assert status == 400
            assert "reasoning_content" in error["message"]
            assert error["type"] == "invalid_request_error"
        clean = history({"content": "hi"}, model="deepseek-ai/DeepSeek-R1")
        assert (await http.post("/chat/completions", json=clean)).status_code == 200


@pytest.mark.parametrize(
    ("model", "thinks"),
    [("deepseek-ai/DeepSeek-R1", True), ("deepseek-reasoner", True), ("deepseek-chat", False)],
)
async def test_r1_host_reasoning_follows_the_model_not_the_request(
    model: str, thinks: bool
) -> None:
    async with (
        FakeDeepSeek(KEY, host="r1") as server,
        httpx.AsyncClient(base_url=server.base_url, headers=AUTH) as http,
    ):
        for thinking in ({"type": "disabled"}, {"type": "enabled"}):
            body = chat(model=model, thinking=thinking)
            events = data_events((await http.post("/chat/completions", json=body)).text)
            assert bool(deltas(events, "reasoning_content")) is thinks


# --- limits per host and model (max_tokens, the aggregator's temperature) ----------


@pytest.mark.parametrize("value", [0, 393_217, 500_000])
async def test_deepseek_max_tokens_range(client: httpx.AsyncClient, value: int) -> None:
    status, error = await error_of(client, chat(max_tokens=value))
    assert status == 400
    assert error == {
        "message": "Invalid max_tokens value, the valid range of max_tokens is [1, 393216]",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_request_error",
    }


async def test_deepseek_max_tokens_inside_range_pass(client: httpx.AsyncClient) -> None:
    for value in (1, 393_216):
        response = await client.post("/chat/completions", json=chat(max_tokens=value))
        assert response.status_code == 200


async def test_answers_stop_at_max_tokens_reasoning_included(
    server: FakeDeepSeek, client: httpx.AsyncClient
) -> None:
    server.push(Reply(content="b" * 80, reasoning="a" * 60))
    body = (await client.post("/chat/completions", json=chat(stream=False, max_tokens=20))).json()
    choice = body["choices"][0]
    assert choice["finish_reason"] == "length"
    assert choice["message"]["reasoning_content"] == "a" * 60
    assert choice["message"]["content"] == "b" * 20


async def test_r1_reseller_max_tokens_range_and_its_512_default() -> None:
    """The reseller's reference: max_tokens >= 1, <= 8192, default 512."""
    r1 = "deepseek-ai/DeepSeek-R1"
    async with (
        FakeDeepSeek(KEY, host="r1") as server,
        httpx.AsyncClient(base_url=server.base_url, headers=AUTH) as http,
    ):
        status, error = await error_of(http, chat(model=r1, max_tokens=8_193))
        assert status == 400
        assert error["message"] == (
            "Invalid max_tokens value, the valid range of max_tokens is [1, 8192]"
        )
        long = Reply(content="x" * 4000, reasoning="r" * 1000)
        server.push(long, long)
        cut = (await http.post("/chat/completions", json=chat(model=r1, stream=False))).json()
        choice = cut["choices"][0]
        assert choice["finish_reason"] == "length"
        assert len(choice["message"]["content"]) == 512 * 4 - 1000
        asked = chat(model=r1, stream=False, max_tokens=8_192)
        whole = (await http.post("/chat/completions", json=asked)).json()["choices"][0]
        assert (whole["finish_reason"], whole["message"]["content"]) == ("stop", "x" * 4000)


async def test_aggregator_takes_temperature_0_to_1_for_v32() -> None:
    """Without an explicit bound, the generic host refuses what the V3.2
    aggregator refuses; other ids there keep DeepSeek's 0-2."""
    async with (
        FakeDeepSeek(KEY, host="generic") as server,
        httpx.AsyncClient(base_url=server.base_url, headers=AUTH) as http,
    ):
        status, error = await error_of(http, chat(model="deepseek-v3.2", temperature=1.5))
        assert status == 400
        assert error["message"] == "temperature must be between 0 and 1, got 1.5"
        ok = chat(model="deepseek-chat", temperature=1.5)
        assert (await http.post("/chat/completions", json=ok)).status_code == 200


# --- chat prefix completion (DeepSeek's /beta base) ---------------------------------

PREFIX_BODY = {
    "model": "deepseek-flash",
    "stream": False,
    "thinking": {"type": "disabled"},
    "messages": [
        {"role": "user", "content": "tell"},
        {"role": "assistant", "content": "Once upon", "prefix": True},
    ],
}


async def test_prefix_is_served_on_the_beta_base(client: httpx.AsyncClient) -> None:
    response = await client.post("/beta/chat/completions", json=PREFIX_BODY)
    assert response.status_code == 200, response.text


async def test_prefix_off_the_beta_base_is_refused_as_deepseek_does(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/chat/completions", "/v1/chat/completions"):
        response = await client.post(path, json=PREFIX_BODY)
        assert response.status_code == 400
        assert response.json()["error"] == {
            "message": 'prefix is only available when using beta api (set base_url="https://api.deepseek.com/beta")',
            "type": "invalid_request_error",
            "param": None,
            "code": "invalid_request_error",
        }


@pytest.mark.parametrize("path", ["/beta/chat/completions", "/chat/completions"])
async def test_ending_in_an_answer_without_prefix_is_refused(
    client: httpx.AsyncClient, path: str
) -> None:
    body = {
        **PREFIX_BODY,
        "messages": [PREFIX_BODY["messages"][0], {"role": "assistant", "content": "Once upon"}],
    }  # type: ignore[index]
    response = await client.post(path, json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "The last message of deepseek-flash must be a user message, or an assistant message "
        "with prefix mode on (refer to https://api-docs.deepseek.com/guides/chat_prefix_completion)."
    )


async def test_prefix_only_on_the_last_message(client: httpx.AsyncClient) -> None:
    messages = [*PREFIX_BODY["messages"], {"role": "user", "content": "more"}]  # type: ignore[misc]
    response = await client.post(
        "/beta/chat/completions", json={**PREFIX_BODY, "messages": messages}
    )
    assert response.status_code == 400
    assert "last message" in response.json()["error"]["message"]


async def test_no_beta_base_on_other_hosts() -> None:
    async with (
        FakeDeepSeek(KEY, host="generic") as srv,
        httpx.AsyncClient(base_url=srv.base_url, headers=AUTH) as http,
    ):
        body = {**PREFIX_BODY, "model": "deepseek-chat"}
        response = await http.post("/beta/chat/completions", json=body)
        assert response.status_code == 404
