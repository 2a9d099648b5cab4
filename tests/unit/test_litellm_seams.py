"""The LiteLLM internals the package reaches into (listed in ``litellm_providers/compat.py``), one test
each, run on every CI leg. A LiteLLM upgrade that moves one fails here with the versions it ran on,
before the behaviour tests fail somewhere less obvious."""

from __future__ import annotations

import inspect
from typing import Any

import litellm
import pytest
from litellm.utils import get_optional_params as _imported_get_optional_params

from litellm_providers.compat import versions
from litellm_providers.emulator import Emulator
from litellm_providers.registration import HANDLERS, _wrapped_originals, registered_handler

HELLO = [{"role": "user", "content": "What is the capital of France?"}]


def broke(what: str) -> str:
    return f"LiteLLM internal moved on {versions()}: {what} (see litellm_providers/compat.py)"


def test_builtin_synthetic_route_is_taken_over(emulator: Emulator) -> None:
    from litellm.constants import openai_compatible_providers
    from litellm.llms.openai_like.json_loader import JSONProviderRegistry

    assert not JSONProviderRegistry.exists("synthetic"), broke("JSONProviderRegistry still serves synthetic")
    assert "synthetic" not in openai_compatible_providers, broke("openai_compatible_providers has synthetic")
    response = litellm.completion(
        model="synthetic/hf:zai-org/GLM-4.7", messages=HELLO, api_base=emulator.base_url("synthetic")
    )
    assert response._hidden_params.get("custom_llm_provider") == "synthetic", broke(
        "a synthetic/ call did not reach this package's handler"
    )


def test_text_completion_reaches_the_handler_not_litellms_openai_text_client(emulator: Emulator) -> None:
    from litellm.constants import openai_text_completion_compatible_providers

    assert "synthetic" not in openai_text_completion_compatible_providers, broke(
        "openai_text_completion_compatible_providers has synthetic"
    )
    litellm.text_completion(
        model="synthetic/hf:zai-org/GLM-4.7", prompt="hi", api_base=emulator.base_url("synthetic")
    )
    assert emulator.requests[-1]["endpoint"] == "/completions", broke(
        "text_completion() no longer flags litellm_params['text_completion'] for a custom provider"
    )


def test_embedding_parameters_reach_the_handler() -> None:
    import litellm.main

    main_module = inspect.getmodule(litellm.main.embedding)
    assert "get_optional_params_embeddings" in _wrapped_originals
    assert (
        getattr(main_module, "get_optional_params_embeddings", None)
        is not (_wrapped_originals["get_optional_params_embeddings"])
    ), broke("litellm.main no longer calls get_optional_params_embeddings from its module globals")
    params = main_module.get_optional_params_embeddings(  # type: ignore[union-attr]
        model="hf:nomic-ai/nomic-embed-text-v1.5",
        user=None,
        dimensions=4,
        encoding_format="float",
        custom_llm_provider="synthetic",
        allowed_openai_params=None,
    )
    assert params == {"dimensions": 4, "encoding_format": "float"}, broke("embedding params changed shape")


@pytest.mark.parametrize("route", list(HANDLERS))
def test_custom_provider_map_dispatches_to_the_handler(route: str) -> None:
    assert registered_handler(route) is HANDLERS[route], broke("custom_provider_map lost the handler")
    assert route in litellm._custom_providers, broke("custom_llm_setup() did not list the route")
    assert route in litellm.provider_list, broke("custom_llm_setup() did not add the route to provider_list")


def test_supported_params_are_the_catalogs() -> None:
    from litellm.litellm_core_utils import get_supported_openai_params as module

    parameters = inspect.signature(module.get_supported_openai_params).parameters
    assert {"model", "custom_llm_provider", "request_type", "base_model"} <= set(parameters), broke(
        f"get_supported_openai_params takes {list(parameters)}"
    )
    answer = litellm.get_supported_openai_params(
        model="synternet/syntoshi-apex-thinking", custom_llm_provider="synternet"
    )
    assert answer is not None and "n" not in answer, broke(
        "litellm.get_supported_openai_params no longer answers from the catalog"
    )
    with pytest.raises(litellm.UnsupportedParamsError):
        # LiteLLM's own parameter check reads the wrapped function for custom providers.
        litellm.completion(model="synternet/syntoshi-apex-thinking", messages=HELLO, n=2)


def test_async_retries_go_through_acompletion_with_retries() -> None:
    import litellm.utils

    original = _wrapped_originals["acompletion_with_retries"]
    assert litellm.acompletion_with_retries is not original, broke(
        "litellm.acompletion_with_retries is not the package's wrapper"
    )
    # LiteLLM's async client wrapper looks the function up on the module at call time.
    source = inspect.getsource(litellm.utils)
    assert "litellm.acompletion_with_retries(" in source, broke(
        "LiteLLM's async wrapper no longer calls litellm.acompletion_with_retries"
    )


def test_completion_cost_prefers_the_stated_cost() -> None:
    response = litellm.ModelResponse(model="claude-haiku-4-5")
    response._hidden_params.update(
        {
            "custom_llm_provider": "syncropic",
            "additional_headers": {"llm_provider-x-litellm-response-cost": "0.0123"},
        }
    )
    assert litellm.completion_cost(response) == pytest.approx(0.0123), broke(
        "litellm.completion_cost is not the package's wrapper"
    )


def test_handler_receives_headers_and_logging_obj(emulator: Emulator, monkeypatch: Any) -> None:
    seen: dict[str, Any] = {}
    handler = HANDLERS["synthetic"]
    original = handler.completion

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(handler, "completion", spy)
    litellm.completion(
        model="synthetic/hf:zai-org/GLM-4.7",
        messages=HELLO,
        api_base=emulator.base_url("synthetic"),
        extra_headers={"X-Trace-Id": "seam"},
    )
    for name in ("model", "messages", "api_base", "api_key", "optional_params", "litellm_params", "timeout"):
        assert name in seen, broke(f"CustomLLM.completion no longer receives {name}=")
    sent_headers = seen.get("headers") or {}
    assert sent_headers.get("X-Trace-Id") == "seam", broke("extra_headers no longer reach headers=")
    assert seen.get("logging_obj") is not None, broke("CustomLLM.completion no longer receives logging_obj=")


def test_stream_chunk_builder_takes_a_logging_object() -> None:
    parameters = inspect.signature(litellm.stream_chunk_builder).parameters
    assert "logging_obj" in parameters, broke(f"stream_chunk_builder takes {list(parameters)}")


def test_reasoning_params_survive_litellms_generic_mapping() -> None:
    import litellm.utils

    name = "add_provider_specific_params_to_optional_params"
    assert getattr(litellm.utils, name) is not _wrapped_originals[name], broke(
        f"litellm.utils.{name} is not the package's wrapper"
    )
    assert f"{name}(" in inspect.getsource(litellm.utils.get_optional_params), broke(
        f"get_optional_params no longer calls {name} after mapping"
    )
    # As LiteLLM's own BaseLLMChatTest calls it: through the name imported from litellm.utils.
    kept = _imported_get_optional_params(
        model="synthetic/hf:zai-org/GLM-5.2", custom_llm_provider="synthetic", reasoning_effort="high"
    )
    assert kept.get("reasoning_effort") == "high", broke("get_optional_params drops reasoning_effort")


def test_the_messages_adapter_hands_thinking_to_the_handler() -> None:
    from litellm_providers.param_wraps import _anthropic_messages_adapter

    adapter = _anthropic_messages_adapter()
    assert adapter is not None, broke("LiteLLMAnthropicMessagesAdapter is in none of the known modules")
    assert adapter._translate_thinking_to_openai is not _wrapped_originals["_translate_thinking_to_openai"], (
        broke("the /v1/messages adapter's _translate_thinking_to_openai is not the package's wrapper")
    )
    thinking = {"type": "enabled", "budget_tokens": 2048}
    request, _ = adapter().translate_anthropic_to_openai(
        {
            "model": "synthetic/hf:moonshotai/Kimi-K3",
            "max_tokens": 100,
            "thinking": thinking,
            "messages": [{"role": "user", "content": "hi"}],
        }
    )
    assert request.get("thinking") == thinking and "reasoning_effort" not in request, broke(
        "translate_anthropic_to_openai no longer translates thinking in _translate_thinking_to_openai"
    )


def test_the_stream_wrapper_stamps_its_own_chunks_in_model_response_creator(emulator: Emulator) -> None:
    from litellm.litellm_core_utils.streaming_handler import CustomStreamWrapper

    assert CustomStreamWrapper.model_response_creator is not _wrapped_originals["model_response_creator"], (
        broke("CustomStreamWrapper.model_response_creator is not the package's wrapper")
    )
    chunks = list(
        litellm.completion(
            model="synthetic/hf:zai-org/GLM-4.7",
            messages=HELLO,
            api_base=emulator.base_url("synthetic"),
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert chunks[-1].usage is not None
    assert len({chunk.created for chunk in chunks}) == 1, broke(
        "the finish and usage chunks no longer come from model_response_creator"
    )


def test_the_sdk_hands_back_a_plain_answer_unread(emulator: Emulator) -> None:
    # Plain calls read their body under the call's deadline (limits.py): the SDK must leave it unread.
    import openai

    from litellm_providers.compat import RAW_RESPONSE_HEADER, SDK_HTTP

    client = openai.OpenAI(base_url=emulator.base_url("synthetic"), api_key="x", max_retries=0)
    response = client.post(
        "/chat/completions",
        cast_to=SDK_HTTP.Response,
        body={"model": "hf:zai-org/GLM-4.7", "messages": HELLO},
        options={"headers": {RAW_RESPONSE_HEADER: "stream"}},
    )
    try:
        assert isinstance(response, SDK_HTTP.Response), broke(f"the SDK answered {type(response)}")
        assert not response.is_stream_consumed, broke("the SDK read the body of a raw-response call")
        assert response.read(), broke("the unread body could not be read")
    finally:
        response.close()


def test_register_does_not_warn_that_a_builtin_route_shadows_the_handler() -> None:
    # LiteLLM 1.110 warns at custom_llm_setup() that its built-in `synthetic` handles synthetic/ models;
    # after the takeover that is false, and a user would be told to rename a working route.
    import os
    import subprocess
    import sys

    code = "import litellm_providers; litellm_providers.register()"
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert "same name as a built-in LiteLLM provider" not in done.stderr + done.stdout, broke(
        "register() lets LiteLLM warn that its built-in route shadows the handler"
    )


def test_text_completion_stream_chunks_are_converted_by_the_wrapped_method(emulator: Emulator) -> None:
    # TextCompletionStreamWrapper.convert_to_text_completion_object turns each chat chunk into a legacy
    # completions chunk; register() wraps it so `text` is never None (registration).
    wrapper = litellm.main.TextCompletionStreamWrapper
    assert "convert_to_text_completion_object" in _wrapped_originals, broke("not wrapped")
    assert wrapper.convert_to_text_completion_object.__name__ == "convert_to_text_completion_object"
    stream = litellm.text_completion(
        model="synthetic/hf:deepseek-ai/DeepSeek-R1-0528",
        prompt="hi",
        api_base=emulator.base_url("synthetic"),
        stream=True,
    )
    assert isinstance(stream, wrapper), broke(f"text_completion(stream=True) returned {type(stream)}")
    first = next(iter(stream))
    assert first.choices[0].text == "", broke("the reasoning-only first chunk's text is not ''")


def _pristine_cost_map() -> dict[str, Any]:
    """LiteLLM's own cost map as it loads it (LITELLM_LOCAL_MODEL_COST_MAP: its bundled copy)."""
    loaded: dict[str, Any] = litellm.get_model_cost_map(url=litellm.model_cost_map_url)
    return {key: dict(row) for key, row in loaded.items()}


def test_the_catalog_rows_are_the_ones_register_model_writes(monkeypatch: Any) -> None:
    # cost_map.py writes litellm.model_cost itself, because register_model's cost per model grows with
    # the map; the rows must be the very ones register_model writes for the same entries.
    import litellm.utils

    from litellm_providers.catalog import bundled_catalog, litellm_model_cost
    from litellm_providers.cost_map import write_catalog_entries
    from litellm_providers.providers import PROVIDERS

    # As in a fresh process: LiteLLM also answers lookups from every earlier register_model call.
    monkeypatch.setattr(litellm.utils, "_runtime_registered_model_cost", {})
    try:
        for route, provider in PROVIDERS.items():
            entries = litellm_model_cost(provider, bundled_catalog(route).models)
            monkeypatch.setattr(litellm, "model_cost", _pristine_cost_map())
            litellm.utils._invalidate_model_cost_lowercase_map()  # LiteLLM's lookups cache the old map
            litellm.register_model(entries, persist_across_reloads=False)
            theirs = {key: litellm.model_cost[key] for key in entries}
            monkeypatch.setattr(litellm, "model_cost", _pristine_cost_map())
            litellm.utils._invalidate_model_cost_lowercase_map()
            write_catalog_entries(route, entries)
            ours = {key: litellm.model_cost[key] for key in entries}
            for key in entries:
                # register_model also writes some fields as None (unset), which reads the same.
                stated = {name: value for name, value in theirs[key].items() if value is not None}
                assert ours[key] == stated, broke(f"register_model now writes {key} differently")
    finally:
        monkeypatch.undo()
        litellm.utils._invalidate_model_cost_lowercase_map()


def test_litellm_reads_the_catalog_written_in_one_step_also_after_a_cost_map_reload(monkeypatch: Any) -> None:
    import litellm.utils
    from litellm.litellm_core_utils.get_model_cost_map import adopt_model_cost_map

    from litellm_providers import catalog
    from litellm_providers.catalog import ModelEntry, bundled_catalog, set_active_models
    from litellm_providers.providers import PROVIDERS
    from litellm_providers.registration import register_catalog

    model = "synthetic/hf:seam/Written-In-One-Step"
    entry = ModelEntry(
        context_window=77_777, input_usd_per_million=3.0, output_usd_per_million=7.0, tools=True
    )
    answer = litellm.ModelResponse(
        model=model, usage=litellm.Usage(prompt_tokens=1000, completion_tokens=100)
    )
    saved = dict(catalog._active)
    # The reload below replaces litellm.model_cost: the original map comes back afterwards. It also
    # replays every register_model call of the process, earlier tests' included: none is replayed here.
    monkeypatch.setattr(litellm, "model_cost", litellm.model_cost)
    monkeypatch.setattr(litellm.utils, "_runtime_registered_model_cost", {})
    try:
        set_active_models(
            "synthetic", {**bundled_catalog("synthetic").models, "hf:seam/Written-In-One-Step": entry}
        )
        register_catalog(PROVIDERS["synthetic"])
        for moment in ("registered", "after a cost map reload"):
            assert litellm.get_model_info(model)["max_input_tokens"] == 77_777, broke(
                f"get_model_info does not read the catalog's row, {moment}"
            )
            assert litellm.completion_cost(completion_response=answer, model=model) == pytest.approx(
                1000 * 3e-6 + 100 * 7e-6
            ), broke(f"completion_cost does not read the catalog's prices, {moment}")
            assert litellm.supports_function_calling(model), broke(
                f"supports_function_calling does not read the catalog's row, {moment}"
            )
            # A reload (the proxy's /reload/model_cost_map) replaces the whole map.
            adopt_model_cost_map(_pristine_cost_map())
    finally:
        monkeypatch.undo()
        litellm.utils._invalidate_model_cost_lowercase_map()
        catalog._active.clear()
        catalog._active.update(saved)
        register_catalog(PROVIDERS["synthetic"])


def test_a_thinking_budget_is_bucketed_by_litellms_own_rule() -> None:
    # effort.effort_from_thinking leaves the buckets to LiteLLM, as LiteLLM's own providers do; the docs'
    # table of budgets and efforts (docs/providers/synthetic.md) is this rule.
    from litellm.litellm_core_utils.reasoning_effort_utils import reasoning_effort_from_thinking_budget

    buckets = {
        budget: str(reasoning_effort_from_thinking_budget(budget)) for budget in (1023, 1024, 2048, 4096)
    }
    assert buckets == {1023: "minimal", 1024: "low", 2048: "medium", 4096: "high"}, broke(
        f"reasoning_effort_from_thinking_budget buckets budgets as {buckets}"
    )
