"""The catalog as LiteLLM sees it after register()."""

from __future__ import annotations

import litellm
import pytest
from pydantic import ValidationError

import litellm_providers
from litellm_providers.catalog import ModelEntry, ProviderCatalog, bundled_catalog

SYNTHETIC_WINDOWS = {
    "hf:Qwen/Qwen3-235B-A22B-Instruct-2507": 256_000,
    "hf:Qwen/Qwen2.5-Coder-32B-Instruct": 32_768,
    "hf:meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8": 524_000,
    "hf:moonshotai/Kimi-K2-Instruct-0905": 262_144,
    "hf:zai-org/GLM-4.6": 200_000,
    "hf:openai/gpt-oss-120b": 128_000,
}


def test_all_21_documented_synthetic_models_are_catalogued() -> None:
    assert len(bundled_catalog("synthetic").models) == 21


@pytest.mark.parametrize(("model", "window"), SYNTHETIC_WINDOWS.items())
def test_context_windows_reach_get_model_info(model: str, window: int) -> None:
    assert litellm.get_model_info(f"synthetic/{model}")["max_input_tokens"] == window


@pytest.mark.parametrize(
    ("model", "reasoning"),
    [
        ("synthetic/hf:deepseek-ai/DeepSeek-R1", True),
        ("synthetic/hf:deepseek-ai/DeepSeek-R1-0528", True),
        ("synthetic/hf:Qwen/Qwen3-235B-A22B-Thinking-2507", True),
        ("synthetic/hf:Qwen/Qwen3-235B-A22B-Instruct-2507", False),
        ("synthetic/hf:deepseek-ai/DeepSeek-V3.1", False),
        ("synternet/syntoshi-apex-thinking", True),
    ],
)
def test_supports_reasoning(model: str, reasoning: bool) -> None:
    assert litellm.supports_reasoning(model) is reasoning


def test_syncropic_prices_are_the_gateways_not_the_vendors() -> None:
    info = litellm.get_model_info("syncropic/claude-haiku-4-5")
    assert info["input_cost_per_token"] == pytest.approx(1.30e-6)
    assert info["output_cost_per_token"] == pytest.approx(6.50e-6)
    assert info["litellm_provider"] == "syncropic"


def test_a_price_the_user_states_survives_register(monkeypatch: pytest.MonkeyPatch) -> None:
    """Synternet publishes no price (LiteLLM says 0); the user's own price is kept and used."""
    model = "synternet/syntoshi-apex-thinking"
    monkeypatch.setattr(litellm, "model_cost", {**litellm.model_cost, model: dict(litellm.model_cost[model])})
    assert litellm.cost_per_token(model=model, prompt_tokens=8, completion_tokens=16) == (0, 0)
    price = {"input_cost_per_token": 1e-06, "output_cost_per_token": 4e-06}
    litellm.register_model({model: {**price, "litellm_provider": "synternet", "mode": "chat"}})
    litellm_providers.register()  # a proxy or a second import registers the catalog again
    prompt_cost, answer_cost = litellm.cost_per_token(model=model, prompt_tokens=8, completion_tokens=16)
    assert (prompt_cost, answer_cost) == (pytest.approx(8e-06), pytest.approx(64e-06))


def test_catalog_rejects_unknown_fields_and_bad_values() -> None:
    with pytest.raises(ValidationError):
        ProviderCatalog.model_validate({"models": {"m": {"context_windw": 10}}})
    with pytest.raises(ValidationError):
        ModelEntry.model_validate({"context_window": -5})


def _all_models() -> list[tuple[str, str]]:
    return [
        (route, name)
        for route in ("synthetic", "synternet", "syncropic")
        for name in bundled_catalog(route).models
    ]


@pytest.mark.parametrize(("route", "name"), _all_models())
def test_litellm_capability_answers_agree_with_the_catalog(route: str, name: str) -> None:
    entry = bundled_catalog(route).models[name]
    model = f"{route}/{name}"
    assert litellm.supports_function_calling(model) is entry.tools
    assert litellm.supports_parallel_function_calling(model) is entry.parallel_tool_calls
    assert litellm.supports_response_schema(model) is entry.structured_output
    assert litellm.supports_vision(model) is entry.vision
    params = litellm.get_supported_openai_params(model=name, custom_llm_provider=route) or []
    assert ("tools" in params) is entry.tools
    assert ("response_format" in params) is entry.structured_output


@pytest.mark.parametrize(
    "model",
    [
        "hf:moonshotai/Kimi-K2-Instruct",
        "hf:zai-org/GLM-4.5",
        "hf:zai-org/GLM-4.6",
        "hf:Qwen/Qwen3-235B-A22B-Instruct-2507",
        "hf:Qwen/Qwen3-Coder-480B-A35B-Instruct",
        "hf:deepseek-ai/DeepSeek-V3.1",
        "hf:meta-llama/Llama-3.3-70B-Instruct",
        "hf:meta-llama/Llama-4-Scout-17B-16E-Instruct",
        "hf:openai/gpt-oss-120b",
    ],
)
def test_synthetic_tool_calling_families_say_so(model: str) -> None:
    assert litellm.supports_function_calling(f"synthetic/{model}")
