"""The catalog as LiteLLM sees it after register()."""

from __future__ import annotations

import litellm
import litellm.utils
import pytest
from pydantic import ValidationError

import litellm_providers
from litellm_providers.catalog import ModelEntry, ProviderCatalog, bundled_catalog, resolved

SYNTHETIC_WINDOWS = {
    "hf:Qwen/Qwen3-235B-A22B-Instruct-2507": 256_000,
    "hf:Qwen/Qwen2.5-Coder-32B-Instruct": 32_768,
    "hf:meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8": 524_000,
    "hf:moonshotai/Kimi-K2-Instruct-0905": 262_144,
    "hf:zai-org/GLM-4.6": 200_000,
    "hf:openai/gpt-oss-120b": 128_000,
}


# The 21 models of Synthetic's model table (shared/seeds/002_*): old configs name them.
SEED_MODELS = [
    "hf:Qwen/Qwen3-235B-A22B-Instruct-2507",
    "hf:Qwen/Qwen2.5-Coder-32B-Instruct",
    "hf:Qwen/Qwen3-Coder-480B-A35B-Instruct",
    "hf:Qwen/Qwen3-235B-A22B-Thinking-2507",
    "hf:meta-llama/Llama-3.1-70B-Instruct",
    "hf:meta-llama/Llama-3.1-8B-Instruct",
    "hf:meta-llama/Llama-3.3-70B-Instruct",
    "hf:meta-llama/Llama-4-Scout-17B-16E-Instruct",
    "hf:meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8",
    "hf:meta-llama/Llama-3.1-405B-Instruct",
    "hf:moonshotai/Kimi-K2-Instruct",
    "hf:moonshotai/Kimi-K2-Instruct-0905",
    "hf:zai-org/GLM-4.5",
    "hf:zai-org/GLM-4.6",
    "hf:deepseek-ai/DeepSeek-R1",
    "hf:deepseek-ai/DeepSeek-R1-0528",
    "hf:deepseek-ai/DeepSeek-V3.1-Terminus",
    "hf:deepseek-ai/DeepSeek-V3",
    "hf:deepseek-ai/DeepSeek-V3.1",
    "hf:deepseek-ai/DeepSeek-V3-0324",
    "hf:openai/gpt-oss-120b",
]


def test_the_seeds_21_models_stay_known_with_their_windows() -> None:
    models = bundled_catalog("synthetic").models
    assert len(SEED_MODELS) == 21
    for name in SEED_MODELS:
        assert models[name].context_window is not None, name
        assert litellm.get_model_info(f"synthetic/{name}")["max_input_tokens"] == models[name].context_window


def test_retired_models_are_marked_not_dropped() -> None:
    models = bundled_catalog("synthetic").models
    assert models["hf:zai-org/GLM-4.6"].retired
    assert litellm.get_model_info("synthetic/hf:zai-org/GLM-4.6")["max_input_tokens"] == 200_000
    assert not models["hf:zai-org/GLM-4.7"].retired


def test_todays_synthetic_lineup_is_priced_out_of_the_box() -> None:
    """Every current chat model has input and output prices, so a call costs what Synthetic charges."""
    for name, entry in bundled_catalog("synthetic").models.items():
        if entry.retired or entry.mode != "chat" or name.startswith("syn:"):
            continue
        assert entry.input_usd_per_million and entry.output_usd_per_million, name
    prompt, completion = litellm.cost_per_token(
        model="synthetic/hf:zai-org/GLM-4.7", prompt_tokens=1_000_000, completion_tokens=1_000_000
    )
    assert (prompt, completion) == (pytest.approx(0.45), pytest.approx(2.19))


def test_the_cache_read_price_reaches_litellm() -> None:
    info = litellm.get_model_info("synthetic/hf:deepseek-ai/DeepSeek-V4.1-Flash")
    assert info["cache_read_input_token_cost"] == pytest.approx(0.03e-6)
    assert info["input_cost_per_token"] == pytest.approx(0.60e-6)


def test_an_alias_takes_the_window_and_prices_of_the_model_it_stands_for() -> None:
    info = litellm.get_model_info("synthetic/syn:large:text")
    target = litellm.get_model_info("synthetic/hf:deepseek-ai/DeepSeek-V4.1-Flash")
    assert info["max_input_tokens"] == target["max_input_tokens"] == 524_288
    assert info["input_cost_per_token"] == target["input_cost_per_token"]
    assert info["output_cost_per_token"] == target["output_cost_per_token"]


def test_every_syn_alias_is_a_known_model_name() -> None:
    for alias in ("syn:large:text", "syn:small:text", "syn:large:vision", "syn:small:vision"):
        assert f"synthetic/{alias}" in litellm.model_cost
    assert litellm.supports_vision("synthetic/syn:small:vision")


def test_the_embedding_model_is_catalogued_as_one() -> None:
    info = litellm.get_model_info("synthetic/hf:nomic-ai/nomic-embed-text-v1.5")
    assert info["mode"] == "embedding" and info["max_input_tokens"] == 8192


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
    # LiteLLM caches lookups over the map (an earlier test's map, with its own price, may be cached).
    litellm.utils._invalidate_model_cost_lowercase_map()
    assert litellm.cost_per_token(model=model, prompt_tokens=8, completion_tokens=16) == (0, 0)
    price = {"input_cost_per_token": 1e-06, "output_cost_per_token": 4e-06}
    try:
        litellm.register_model({model: {**price, "litellm_provider": "synternet", "mode": "chat"}})
        litellm_providers.register()  # a proxy or a second import registers the catalog again
        prompt_cost, answer_cost = litellm.cost_per_token(model=model, prompt_tokens=8, completion_tokens=16)
        assert (prompt_cost, answer_cost) == (pytest.approx(8e-06), pytest.approx(64e-06))
    finally:
        monkeypatch.undo()  # the process's own map again, and no lookup cached from this test's
        litellm.utils._invalidate_model_cost_lowercase_map()


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
    entry = resolved(bundled_catalog(route).models, name)  # an alias answers as its target
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


def _shipped_chat_deployments() -> list[tuple[str, dict[str, object]]]:
    import pathlib

    import yaml

    config = pathlib.Path(__file__).parents[2] / "docs" / "proxy" / "config.yaml"
    deployments = yaml.safe_load(config.read_text("utf-8"))["model_list"]
    return [
        (d["model_name"], d["litellm_params"])
        for d in deployments
        if (d.get("model_info") or {}).get("mode", "chat") == "chat"
    ]


@pytest.mark.parametrize(
    ("name", "params"), _shipped_chat_deployments(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_chat_model_the_shipped_config_deploys_takes_an_agents_tools(
    name: str, params: dict[str, object]
) -> None:
    # Claude Code, Codex and opencode send their tool set on the first turn (issue 26): a model
    # without tool calling fails it (UnsupportedParamsError), or, through /v1/messages and
    # /v1/responses, runs the agent blind. Such a model stays out of the config, or is deployed with
    # drop_params and a comment saying what the agent loses.
    litellm_providers.register()
    model = str(params["model"])
    assert litellm.supports_function_calling(model) or params.get("drop_params") is True, name
