"""Running the server from sync code, from the command line, and under concurrent load."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest

from deepseek_tui.testing import FakeDeepSeek, Reply

from .sse_helpers import AUTH, chat, data_events, deltas


def test_run_in_thread_serves_sync_clients() -> None:
    with FakeDeepSeek().run_in_thread() as server:
        assert threading.current_thread() is threading.main_thread()
        server.push(Reply("from a thread"))
        with httpx.Client(base_url=server.base_url, headers=AUTH) as http:
            assert http.get("/models").status_code == 200
            response = http.post("/v1/chat/completions", json=chat())
            assert deltas(data_events(response.text), "content") == "from a thread"
        url = server.base_url
    assert not any(t.name == "FakeDeepSeek" for t in threading.enumerate())
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/models")


def test_run_in_thread_reports_a_busy_port() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with (
            pytest.raises(OSError),
            FakeDeepSeek(port=taken.getsockname()[1]).run_in_thread(),
        ):
            pass


def test_run_in_thread_stops_with_a_stalled_stream_open() -> None:
    with httpx.Client(headers=AUTH) as http:
        with FakeDeepSeek().run_in_thread() as server:
            server.push(Reply("x", fault="stall", fault_after=1))
            request = http.build_request("POST", f"{server.base_url}/chat/completions", json=chat())
            response = http.send(request, stream=True)
            chunks = response.iter_raw()
            assert next(chunks).startswith(b"data: ")
            leaving = time.monotonic()
        assert time.monotonic() - leaving < 1.0
        with pytest.raises(httpx.RemoteProtocolError):
            next(chunks)
        response.close()


async def test_concurrent_streams_overlap(server: FakeDeepSeek) -> None:
    server.push(*(Reply(f"answer {i}", chunk_chars=2, delay=0.02) for i in range(8)))
    async with httpx.AsyncClient(base_url=server.base_url, headers=AUTH) as http:

        async def one() -> str:
            response = await http.post("/chat/completions", json=chat())
            return deltas(data_events(response.text), "content")

        started = time.monotonic()
        answers = await asyncio.gather(*(one() for _ in range(8)))
        elapsed = time.monotonic() - started
    assert sorted(answers) == [f"answer {i}" for i in range(8)]
    # each stream takes ~0.2 s; run one after another they would take 1.6 s
    assert elapsed < 0.8
    assert len({r.connection for r in server.chat_requests}) == 8


def test_push_is_thread_safe(server: FakeDeepSeek) -> None:
    def pusher(n: int) -> None:
        for i in range(200):
            server.push(Reply(f"{n}-{i}"))

    threads = [threading.Thread(target=pusher, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert server.pending == 800


def _start_cli(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "deepseek_tui.testing", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    return proc, line


def _stop_cli(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_cli_prints_the_base_url_and_stops_on_ctrl_c() -> None:
    proc, url = _start_cli("--host", "r1", "--api-key", "sk-cli-key")
    try:
        assert url.startswith("http://127.0.0.1:")
        models = httpx.get(f"{url}/v1/models", headers={"Authorization": "Bearer sk-cli-key"})
        assert models.json()["data"][0]["id"] == "deepseek-ai/DeepSeek-R1"
        assert httpx.get(f"{url}/models").status_code == 401
    finally:
        _stop_cli(proc)


def test_cli_slow_mode_starts_with_a_queue_wait() -> None:
    proc, url = _start_cli("--slow", "--api-key", "")
    try:
        with httpx.stream("POST", f"{url}/chat/completions", json=chat()) as response:
            first = next(line for line in response.iter_lines() if line)
        assert first == ": keep-alive"
    finally:
        _stop_cli(proc)
