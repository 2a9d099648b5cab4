"""The two commands a new user runs first: `models` and `demo`."""

from __future__ import annotations

import os
import subprocess
import sys

from litellm_providers.catalog import bundled_catalog
from litellm_providers.cli import main
from litellm_providers.providers import PROVIDERS


def test_models_table_lists_windows_prices_and_capabilities(capsys: object) -> None:
    assert main(["models", "--provider", "syncropic"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["model", "context", "max"]
    haiku = next(line for line in lines if line.startswith("syncropic/claude-haiku-4-5 "))
    assert "200,000" in haiku and "$1.30" in haiku and "$6.50" in haiku and "tools" in haiku
    assert not any(line.startswith("synthetic/") for line in lines)


def test_models_table_covers_every_provider(capsys: object) -> None:
    assert main(["models"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "synthetic/hf:zai-org/GLM-4.6" in out and "200,000" in out
    assert "synternet/syntoshi-apex-thinking" in out
    rows = [line for line in out.splitlines() if line.startswith(("synthetic/", "synternet/", "syncropic/"))]
    assert len(rows) == sum(len(bundled_catalog(route).models) for route in PROVIDERS)


def test_demo_runs_offline_and_prints_reasoning_apart_from_the_answer() -> None:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    result = subprocess.run(
        [sys.executable, "-m", "litellm_providers.cli", "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for model in ("synthetic/", "synternet/syntoshi-apex-thinking", "syncropic/"):
        assert model in out
    assert out.count("answer:    You asked: What is the capital of France?") == 3
    reasoning_lines = [line for line in out.splitlines() if "reasoning:" in line]
    assert len(reasoning_lines) == 3
    assert "[Thinking" not in out and "<think>" not in out
    assert out.count("(stated by the provider)") == 1  # the Syncropel gateway's cost header


def test_emulate_serves_the_documented_paths_on_the_given_port() -> None:
    import socket
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "litellm_providers.cli", "emulate", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.post(
                    f"http://127.0.0.1:{port}/openai/v1/chat/completions",
                    json={
                        "model": "hf:moonshotai/Kimi-K2-Instruct",
                        "messages": [{"role": "user", "content": "hi"}],
                    },
                    headers={"Authorization": "Bearer k"},
                )
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.2)
        assert response.status_code == 200
        assert response.json()["choices"][0]["message"]["content"] == "You asked: hi"
    finally:
        process.terminate()
        process.wait(timeout=10)
