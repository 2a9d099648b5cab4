"""Synthetic's other endpoints on recorded HTTP: embeddings, text completions, a syn: alias, quotas.

Each cassette holds the exact request (method, path, body), so replaying one proves the call still
reaches that endpoint with that body; re-record with ``pytest --record-mode=rewrite`` (docs/recording.md).
"""

from __future__ import annotations

import asyncio
from typing import Any

import litellm
import pytest

import litellm_providers
from litellm_providers import catalog
from litellm_providers.refresh import refresh_catalog
from litellm_providers.registration import register

EMBEDDER = "synthetic/hf:nomic-ai/nomic-embed-text-v1.5"
R1 = "synthetic/hf:deepseek-ai/DeepSeek-R1-0528"
QUESTION = [{"role": "user", "content": "What is the capital of France?"}]


@pytest.mark.vcr
def test_embedding_with_dimensions(recorded_base: Any) -> None:
    response = litellm.embedding(
        model=EMBEDDER,
        input=["Paris is in France", "Rome is in Italy"],
        dimensions=16,
        encoding_format="float",
        api_base=recorded_base("synthetic"),
    )
    assert [len(item["embedding"]) for item in response.data] == [16, 16]
    assert response.usage.prompt_tokens > 0
    assert response._hidden_params["response_cost"] == 0.0


@pytest.mark.vcr
def test_async_embedding(recorded_base: Any) -> None:
    response = asyncio.run(
        litellm.aembedding(model=EMBEDDER, input="Paris is in France", api_base=recorded_base("synthetic"))
    )
    assert len(response.data) == 1 and response.usage.prompt_tokens > 0


@pytest.mark.vcr
def test_text_completion_with_think_reasoning(recorded_base: Any) -> None:
    response = litellm.text_completion(
        model=R1, prompt="What is the capital of France?", api_base=recorded_base("synthetic")
    )
    assert response.choices[0].text == "You asked: What is the capital of France?"
    assert response._hidden_params["reasoning_content"][0].startswith("The user asked")


@pytest.mark.vcr
def test_text_completion_stream(recorded_base: Any) -> None:
    stream = litellm.text_completion(
        model=R1, prompt="What is the capital of France?", api_base=recorded_base("synthetic"), stream=True
    )
    choices = [chunk.choices[0] for chunk in stream if chunk.choices]
    assert "".join(choice.text or "" for choice in choices) == "You asked: What is the capital of France?"
    assert "".join(choice.get("reasoning_content") or "" for choice in choices).startswith("The user asked")


@pytest.mark.vcr
def test_async_text_completion_stream(recorded_base: Any) -> None:
    async def text() -> str:
        stream = await litellm.atext_completion(
            model=R1,
            prompt="What is the capital of France?",
            api_base=recorded_base("synthetic"),
            stream=True,
        )
        return "".join([chunk.choices[0].text or "" async for chunk in stream if chunk.choices])

    assert asyncio.run(text()) == "You asked: What is the capital of France?"


@pytest.mark.vcr
def test_alias_call_is_priced_as_its_target(recorded_base: Any) -> None:
    response = litellm.completion(
        model="synthetic/syn:large:text", messages=QUESTION, api_base=recorded_base("synthetic")
    )
    usage = response.usage
    expected = usage.prompt_tokens * 0.6e-6 + usage.completion_tokens * 1.2e-6
    assert response._hidden_params["response_cost"] == pytest.approx(expected)
    assert "llm_provider-x-synthetic-quotas" in response._hidden_params["additional_headers"]


@pytest.mark.vcr
def test_refresh_learns_what_each_alias_stands_for(recorded_base: Any) -> None:
    saved = dict(catalog._active)
    try:
        result = refresh_catalog("synthetic", api_base=recorded_base("synthetic"))
        assert result.error is None
        assert catalog.active_models("synthetic")["syn:small:text"].alias_of == "hf:zai-org/GLM-4.7-Flash"
        info = litellm.get_model_info("synthetic/syn:small:text")
        assert info["max_input_tokens"] == 196_608
        assert info["input_cost_per_token"] == pytest.approx(0.10e-6)
        assert litellm.get_model_info("synthetic/syn:large:vision")["max_input_tokens"] == 262_144
    finally:
        catalog._active.clear()
        catalog._active.update(saved)
        register()


@pytest.mark.vcr
def test_quotas_snapshot(recorded_base: Any) -> None:
    snapshot = litellm_providers.quotas("synthetic", api_base=recorded_base("synthetic"))
    names = [window.name for window in snapshot.windows()]
    assert names[:5] == [
        "subscription",
        "search.hourly",
        "freeToolCalls",
        "weeklyTokenLimit",
        "rollingFiveHourLimit",
    ]
    assert snapshot.subscription is not None and snapshot.subscription.limit == 135


@pytest.mark.vcr
def test_a_refusal_for_quota_names_the_window(recorded_base: Any) -> None:
    with pytest.raises(litellm.RateLimitError) as caught:
        litellm.completion(
            model=R1,
            messages=[{"role": "user", "content": "emulate:fault=quota"}],
            api_base=recorded_base("synthetic"),
        )
    assert "subscription quota used up" in str(caught.value) and "renews at" in str(caught.value)
