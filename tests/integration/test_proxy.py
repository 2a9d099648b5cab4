"""A real `litellm --config` proxy, two workers, in front of the emulator, driven with the openai SDK
as a team's application would drive it. Its config is the shipped docs/proxy/config.yaml plus the
deployments of an older config (models Synthetic has since retired), which must keep routing."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import openai
import pytest
import yaml

from litellm_providers.emulator import Emulator
from tests.conftest import ROOT

pytestmark = pytest.mark.integration

SHIPPED_CONFIG = ROOT / "docs" / "proxy" / "config.yaml"
# An older config's deployments: retired from Synthetic's lineup (the bundled catalog keeps their
# windows), reasoning models with a <think> block.
OLDER_DEPLOYMENTS = {
    "glm-4.6": "synthetic/hf:zai-org/GLM-4.6",
    "deepseek-r1": "synthetic/hf:deepseek-ai/DeepSeek-R1",
}
SHIPPED_CHAT_MODELS = [
    deployment["model_name"]
    for deployment in yaml.safe_load(SHIPPED_CONFIG.read_text("utf-8"))["model_list"]
    if deployment.get("model_info", {}).get("mode") != "embedding"
]
STARTUP_SECONDS = 90
QUESTION = [{"role": "user", "content": "What is the capital of France?"}]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "units": {"enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer"},
            },
            "required": ["city", "units"],
        },
    },
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Proxy:
    def __init__(self, url: str, master_key: str, log: Path, pid: int = 0) -> None:
        self.url, self.master_key, self.log = url, master_key, log
        self.pid = pid  # the process group's leader: a test may kill the proxy mid-call

    def client(self) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.url, api_key=self.master_key, max_retries=0)


@contextmanager
def running_proxy(
    config: Path, emulator: Emulator, log: Path, workers: int = 2, **extra_env: str
) -> Iterator[Proxy]:
    """A real `litellm --config` process (two workers unless told) on loopback, stopped by its group."""
    port = _free_port()
    master_key = "sk-" + secrets.token_hex(32)
    env = {
        **os.environ,
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "LITELLM_MASTER_KEY": master_key,
        "SYNTHETIC_API_BASE": emulator.base_url("synthetic"),
        "SYNTERNET_API_BASE": emulator.base_url("synternet"),
        "SYNCROPIC_API_BASE": emulator.base_url("syncropic"),
        "SYNTHETIC_API_KEY": "proxy-synthetic-key",
        "SYNTERNET_API_KEY": "proxy-synternet-key",
        "SYNCROPEL_API_KEY": "proxy-syncropel-key",
        **extra_env,
    }
    litellm_cli = Path(sys.executable).with_name("litellm")
    command = [str(litellm_cli), "--config", str(config), "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            # As docs/scaling.md starts it: a worker slower than uvicorn's 5 s health check to start
            # (importing LiteLLM on a busy machine) would be killed and restarted, again and again.
            [*command, "--num_workers", str(workers), "--timeout_worker_healthcheck", "60"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers stop with it
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert process.poll() is None, f"the proxy exited:\n{log.read_text()[-3000:]}"
            try:
                if httpx.get(f"{url}/health/readiness", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (
                f"no proxy after {STARTUP_SECONDS}s:\n{log.read_text()[-3000:]}"
            )
            time.sleep(0.5)
        yield Proxy(f"{url}/v1", master_key, log, process.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):  # a test may have killed the group already
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# The shipped config's search pass-through names Synthetic's URL (LiteLLM reads no default for a
# target); the tests serve it the emulator's, changing nothing else.
SEARCH_TARGET = "https://api.synthetic.new/v2/search"


def config_for(emulator: Emulator, directory: Path, deployments: dict[str, str]) -> Path:
    """The shipped config, its web search pass-through aimed at the emulator and ``deployments``
    (model name: model) added to its model list."""
    text = SHIPPED_CONFIG.read_text("utf-8")
    assert text.count(SEARCH_TARGET) == 1, "the shipped config no longer passes search through"
    config = yaml.safe_load(text.replace(SEARCH_TARGET, emulator.url + "/v2/search"))
    config["model_list"] += [
        {"model_name": name, "litellm_params": {"model": model, "api_key": "os.environ/SYNTHETIC_API_KEY"}}
        for name, model in deployments.items()
    ]
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), "utf-8")
    return path


@pytest.fixture(scope="module")
def proxy(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    directory = tmp_path_factory.mktemp("proxy")
    config = config_for(emulator, directory, OLDER_DEPLOYMENTS)
    with running_proxy(config, emulator, directory / "proxy.log") as running:
        yield running


@pytest.mark.parametrize("model", ["glm-4.6", "syntoshi-apex-thinking", "claude-haiku-4-5"])
def test_non_stream_through_the_proxy(proxy: Proxy, model: str) -> None:
    response = proxy.client().chat.completions.create(model=model, messages=QUESTION)  # type: ignore[arg-type]
    assert response.choices[0].message.content == "You asked: What is the capital of France?"


@pytest.mark.parametrize("model", SHIPPED_CHAT_MODELS)
def test_every_shipped_chat_deployment_answers(proxy: Proxy, model: str) -> None:
    response = proxy.client().chat.completions.create(model=model, messages=QUESTION)  # type: ignore[arg-type]
    assert response.choices[0].message.content == "You asked: What is the capital of France?"


@pytest.mark.parametrize("model", ["glm-4.6", "syntoshi-apex-thinking", "claude-haiku-4-5"])
def test_stream_through_the_proxy(proxy: Proxy, model: str) -> None:
    stream = proxy.client().chat.completions.create(model=model, messages=QUESTION, stream=True)  # type: ignore[arg-type]
    chunks = list(stream)
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert content == "You asked: What is the capital of France?"


def test_synternet_reasoning_arrives_as_reasoning_content_deltas(proxy: Proxy) -> None:
    stream = proxy.client().chat.completions.create(
        model="syntoshi-apex-thinking",
        messages=QUESTION,
        stream=True,  # type: ignore[arg-type]
    )
    reasoning, content = [], []
    for chunk in stream:
        if chunk.choices:
            extra = chunk.choices[0].delta.model_extra or {}
            reasoning.append(extra.get("reasoning_content") or "")
            content.append(chunk.choices[0].delta.content or "")
    assert "".join(reasoning) == "The user asked: 'What is the capital of France?'.\nLet me answer briefly."
    assert "".join(content) == "You asked: What is the capital of France?"


def test_deepseek_r1_think_tags_become_reasoning_content(proxy: Proxy) -> None:
    response = proxy.client().chat.completions.create(model="deepseek-r1", messages=QUESTION)  # type: ignore[arg-type]
    message = response.choices[0].message
    assert message.content == "You asked: What is the capital of France?"
    assert (message.model_extra or {}).get("reasoning_content", "").startswith("The user asked")


def test_syncropic_cost_comes_back_in_the_response_cost_header(proxy: Proxy) -> None:
    raw = proxy.client().chat.completions.with_raw_response.create(
        model="claude-haiku-4-5",
        messages=QUESTION,  # type: ignore[arg-type]
    )
    cents = float(raw.headers["llm_provider-x-syncropic-cost-cents"])
    assert float(raw.headers["x-litellm-response-cost"]) == pytest.approx(cents / 100)
    assert raw.headers["llm_provider-x-syncropic-tier"] == "paid"
    assert raw.headers["llm_provider-x-syncropic-request-id"].startswith("req_")


def test_embeddings_through_the_proxy(proxy: Proxy, emulator: Emulator) -> None:
    response = proxy.client().embeddings.create(
        model="nomic-embed", input=["first text", "second text"], dimensions=4, encoding_format="float"
    )
    assert [len(item.embedding) for item in response.data] == [4, 4]
    assert response.usage.prompt_tokens == 4
    sent = next(seen for seen in reversed(emulator.requests) if seen["endpoint"] == "/embeddings")
    assert sent["body"]["dimensions"] == 4 and sent["body"]["encoding_format"] == "float"
    assert sent["headers"]["authorization"] == "Bearer proxy-synthetic-key"


def test_text_completions_through_the_proxy(proxy: Proxy, emulator: Emulator) -> None:
    response = proxy.client().completions.create(model="deepseek-r1", prompt="Name a colour")
    assert response.choices[0].text == "You asked: Name a colour"  # the <think> block is not in the text
    sent = emulator.requests[-1]
    assert sent["endpoint"] == "/completions" and sent["body"]["prompt"] == "Name a colour"


def test_streamed_text_completions_through_the_proxy_carry_text_on_every_chunk(proxy: Proxy) -> None:
    # A plain OpenAI client concatenating choices[0].text: the first chunk carries only reasoning.
    stream = proxy.client().completions.create(model="deepseek-r1", prompt="Name a colour", stream=True)
    texts = [chunk.choices[0].text for chunk in stream if chunk.choices]
    assert texts and all(isinstance(text, str) for text in texts)
    assert "".join(texts) == "You asked: Name a colour"


@pytest.mark.parametrize(
    ("model", "price"), [("glm-4.7", (0.45e-6, 2.19e-6)), ("syn-large-text", (0.6e-6, 1.2e-6))]
)
def test_synthetic_calls_are_priced_out_of_the_box(
    proxy: Proxy, model: str, price: tuple[float, float]
) -> None:
    raw = proxy.client().chat.completions.with_raw_response.create(model=model, messages=QUESTION)  # type: ignore[arg-type]
    usage = raw.parse().usage
    assert usage is not None
    expected = usage.prompt_tokens * price[0] + usage.completion_tokens * price[1]
    assert float(raw.headers["x-litellm-response-cost"]) == pytest.approx(expected)
    assert json.loads(raw.headers["llm_provider-x-synthetic-quotas"])["subscription"]["limit"] == 135


def test_a_provider_429_is_a_429_to_the_client(proxy: Proxy) -> None:
    with pytest.raises(openai.RateLimitError) as caught:
        proxy.client().chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "emulate:fault=429-no-retry-after"}]
        )
    assert caught.value.status_code == 429


def test_web_search_through_the_proxy_with_the_key_injected_server_side(
    proxy: Proxy, emulator: Emulator
) -> None:
    import litellm

    import litellm_providers

    url = proxy.url.removesuffix("/v1") + "/v2/search"
    before = len(emulator.requests)
    # No key, or one the proxy does not know: refused, and nothing reaches Synthetic. (The status is
    # LiteLLM's and varies with no database behind the proxy: 401, 400 "No connected db", and on 1.106 a
    # 500 from its auth error handler importing prisma.)
    for headers in ({}, {"Authorization": "Bearer sk-not-a-proxy-key"}):
        refused = httpx.post(url, json={"query": "refused"}, headers=headers, timeout=30)
        assert refused.status_code >= 400, refused.text
    assert len(emulator.requests) == before
    # The proxy's key, injected server-side: the client's master key never leaves the proxy.
    answer = httpx.post(
        url, json={"query": "through the proxy"}, headers={"Authorization": f"Bearer {proxy.master_key}"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["results"][0]["title"] == "Result 1 for through the proxy"
    (sent,) = emulator.requests[before:]
    assert sent["endpoint"] == "/v2/search" and sent["body"]["query"] == "through the proxy"
    assert sent["headers"]["authorization"] == "Bearer proxy-synthetic-key"
    assert proxy.master_key not in json.dumps(sent["headers"])
    # The proxy serves search at Synthetic's own path, so the package's search points at it unchanged,
    # and a used-up search window still says when it renews (the quotas header comes through).
    response = litellm_providers.search("via the package", api_base=proxy.url, api_key=proxy.master_key)
    assert len(response.results) == 3
    with pytest.raises(litellm.RateLimitError) as caught:
        litellm_providers.search("emulate:fault=quota", api_base=proxy.url, api_key=proxy.master_key)
    assert "search.hourly quota used up" in str(caught.value)


def test_model_info_shows_the_catalog(proxy: Proxy) -> None:
    response = httpx.get(
        proxy.url.removesuffix("/v1") + "/model/info", headers={"Authorization": f"Bearer {proxy.master_key}"}
    )
    info = {m["model_name"]: m["model_info"] for m in response.json()["data"]}
    assert info["glm-4.6"]["max_input_tokens"] == 200_000
    assert info["deepseek-r1"]["supports_reasoning"] is True
    assert info["claude-haiku-4-5"]["input_cost_per_token"] == pytest.approx(1.30e-6)
    assert info["gpt-4o"]["output_cost_per_token"] == pytest.approx(13.00e-6)


@pytest.mark.parametrize("model", ["glm-4.6", "syntoshi-apex-thinking", "gpt-4o"])
@pytest.mark.parametrize("stream", [False, True])
def test_tool_calls_through_the_proxy(proxy: Proxy, model: str, stream: bool) -> None:
    client = proxy.client()
    ask = [{"role": "user", "content": "Weather in `Paris`?"}]
    if stream:
        chunks = list(client.chat.completions.create(model=model, messages=ask, tools=[WEATHER], stream=True))  # type: ignore[arg-type]
        name = "".join(
            tc.function.name or ""
            for c in chunks
            if c.choices
            for tc in (c.choices[0].delta.tool_calls or [])
            if tc.function
        )
        arguments = "".join(
            tc.function.arguments or ""
            for c in chunks
            if c.choices
            for tc in (c.choices[0].delta.tool_calls or [])
            if tc.function
        )
        finish = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    else:
        response = client.chat.completions.create(model=model, messages=ask, tools=[WEATHER])  # type: ignore[arg-type]
        call = response.choices[0].message.tool_calls[0]  # type: ignore[index]
        name, arguments, finish = (
            call.function.name,
            call.function.arguments,
            [response.choices[0].finish_reason],
        )
    assert name == "get_weather"
    # The emulator fills the schema's required properties, the city from the backticked text.
    assert json.loads(arguments) == {"city": "Paris", "units": "celsius"}
    assert finish == ["tool_calls"]


def test_both_workers_serve_without_per_process_state_breaking(proxy: Proxy) -> None:
    # Forty calls over fresh connections spread across the two workers; each must be whole.
    for index in range(40):
        with openai.OpenAI(base_url=proxy.url, api_key=proxy.master_key, max_retries=0) as client:
            response = client.chat.completions.create(
                model="syntoshi-apex-thinking", messages=[{"role": "user", "content": f"question {index}"}]
            )
        assert response.choices[0].message.content == f"You asked: question {index}"
    assert proxy.log.read_text().count("Started server process [") == 2


def test_a_refreshed_catalog_reaches_the_proxy_without_a_release(
    emulator: Emulator, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Refresh once (as `litellm-providers models --refresh` would), into a cache the proxy reads.
    from litellm_providers.emulator import NEW_LIVE_MODEL
    from litellm_providers.refresh import refresh_catalog

    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("LITELLM_PROVIDERS_CACHE_DIR", str(cache))
    monkeypatch.setenv("LITELLM_PROVIDERS_NO_CACHE", "0")
    result = refresh_catalog("synthetic", api_base=emulator.base_url("synthetic"), register=False)
    assert result.added == [NEW_LIVE_MODEL]
    deployments = {**OLDER_DEPLOYMENTS, "kimi-k2.5": f"synthetic/{NEW_LIVE_MODEL}"}
    config = config_for(emulator, tmp_path_factory.mktemp("config"), deployments)
    log = tmp_path_factory.mktemp("proxy-refreshed") / "proxy.log"
    with running_proxy(
        config, emulator, log, LITELLM_PROVIDERS_CACHE_DIR=str(cache), LITELLM_PROVIDERS_NO_CACHE="0"
    ) as proxy:
        info = httpx.get(
            proxy.url.removesuffix("/v1") + "/model/info",
            headers={"Authorization": f"Bearer {proxy.master_key}"},
        ).json()
        by_name = {m["model_name"]: m["model_info"] for m in info["data"]}
        assert by_name["kimi-k2.5"]["max_input_tokens"] == 262_144
        assert by_name["kimi-k2.5"]["supports_vision"] is True
        assert by_name["glm-4.6"]["input_cost_per_token"] == pytest.approx(6e-7)
        raw = proxy.client().chat.completions.with_raw_response.create(model="glm-4.6", messages=QUESTION)  # type: ignore[arg-type]
        usage = raw.parse().usage
        assert usage is not None
        expected = usage.prompt_tokens * 6e-7 + usage.completion_tokens * 2.4e-6
        assert float(raw.headers["x-litellm-response-cost"]) == pytest.approx(expected)


# Claude Code with extended thinking: POST /v1/messages with `thinking`, which LiteLLM's Anthropic
# adapter turns into reasoning_effort (a budget of 1024 is "low").
THINKING = {"type": "enabled", "budget_tokens": 1024}


def _messages(proxy: Proxy, model: str, stream: bool) -> httpx.Response:
    return httpx.post(
        proxy.url.removesuffix("/v1") + "/v1/messages",
        headers={"x-api-key": proxy.master_key, "anthropic-version": "2023-06-01"},
        json={
            "model": model,
            "max_tokens": 2048,
            "thinking": THINKING,
            "stream": stream,
            "messages": [{"role": "user", "content": "What is the capital of France?"}],
        },
        timeout=60,
    )


@pytest.mark.parametrize(
    "model", ["glm-4.6", "deepseek-r1", "glm-4.7", "syn-large-text", "syntoshi-apex-thinking"]
)
def test_claude_code_thinking_returns_thinking_blocks_and_the_answer(proxy: Proxy, model: str) -> None:
    response = _messages(proxy, model, stream=False)
    assert response.status_code == 200, response.text
    blocks = response.json()["content"]
    thinking = "".join(b.get("thinking", "") for b in blocks if b["type"] == "thinking")
    text = "".join(b.get("text", "") for b in blocks if b["type"] == "text")
    assert thinking.startswith("The user asked")
    assert text == "You asked: What is the capital of France?"


@pytest.mark.parametrize(
    "model", ["glm-4.6", "deepseek-r1", "glm-4.7", "syn-large-text", "syntoshi-apex-thinking"]
)
def test_claude_code_thinking_streams_thinking_deltas_and_the_answer(proxy: Proxy, model: str) -> None:
    response = _messages(proxy, model, stream=True)
    assert response.status_code == 200, response.text
    events = [
        json.loads(line.removeprefix("data:").strip())
        for line in response.text.splitlines()
        if line.startswith("data:") and line.strip() != "data: [DONE]"
    ]
    deltas = [e["delta"] for e in events if e.get("type") == "content_block_delta"]
    thinking = "".join(d.get("thinking", "") for d in deltas if d["type"] == "thinking_delta")
    text = "".join(d.get("text", "") for d in deltas if d["type"] == "text_delta")
    assert thinking.startswith("The user asked")
    assert text == "You asked: What is the capital of France?"
