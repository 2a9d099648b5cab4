"""Contract gaps that peers' suites and real clients found (issue 22, items 13-15).

13. ``get_optional_params`` imported from ``litellm.utils`` (as LiteLLM's own ``BaseLLMChatTest`` does,
    before ``register()`` runs) keeps ``reasoning_effort`` and ``thinking`` for these routes.
14. Every chunk of one stream carries one ``created``, the usage chunk of
    ``stream_options.include_usage`` included, on every route, sync and async.
15. A ``thinking`` that cannot be read is refused before any request, naming the provider, the model
    and what is wrong (left out under ``drop_params``); no reading of it raises anything else.
"""

from __future__ import annotations

import asyncio
import math
import traceback
from typing import Any

import litellm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from litellm.utils import get_optional_params

from litellm_providers.catalog import ModelEntry
from litellm_providers.effort import (
    EFFORT_SCALE,
    effort_from_thinking,
    nearest_effort,
    reasoning_effort_to_send,
)
from litellm_providers.emulator import Emulator
from litellm_providers.providers import PROVIDERS
from tests.conftest import SENTINEL_KEYS

HELLO = [{"role": "user", "content": "hi"}]
CREATED = 1_700_000_000  # what the emulator stamps on every chunk

# -- 13. get_optional_params from litellm.utils ------------------------------------------------------

# (model as a caller names it, custom_llm_provider): a model of each route that takes an effort.
EFFORT_MODELS = [
    ("hf:zai-org/GLM-5.2", "synthetic"),
    ("synthetic/hf:deepseek-ai/DeepSeek-R1-0528", "synthetic"),
    ("syntoshi-apex-thinking", "synternet"),
    ("syncropic/a-model-the-catalog-does-not-know", "syncropic"),
]


@pytest.mark.parametrize(("model", "provider"), EFFORT_MODELS)
def test_get_optional_params_keeps_the_effort_and_thinking(model: str, provider: str) -> None:
    thinking = {"type": "enabled", "budget_tokens": 2048}
    sent: dict[str, Any] = {"reasoning_effort": "high", "thinking": thinking}
    for param, value in sent.items():
        mapped = get_optional_params(model=model, custom_llm_provider=provider, **{param: value})
        assert mapped.get(param) == value, f"{provider}/{model} lost {param}: {mapped}"


def test_get_optional_params_as_litellms_reasoning_suite_calls_it() -> None:
    model = "synthetic/hf:zai-org/GLM-5.2"
    _, provider, _, _ = litellm.get_llm_provider(model=model)
    assert (
        get_optional_params(model=model, custom_llm_provider=provider, reasoning_effort="high")[
            "reasoning_effort"
        ]
        == "high"
    )


def test_get_optional_params_still_drops_what_the_caller_or_the_catalog_drops() -> None:
    model = "hf:zai-org/GLM-5.2"
    kept = get_optional_params(model=model, custom_llm_provider="synthetic", reasoning_effort="none")
    assert kept["reasoning_effort"] == "none"
    dropped = get_optional_params(
        model=model,
        custom_llm_provider="synthetic",
        reasoning_effort="none",
        additional_drop_params=["reasoning_effort"],
    )
    assert "reasoning_effort" not in dropped
    refused_model = "hf:moonshotai/Kimi-K2-Instruct-0905"  # no reasoning control
    with pytest.raises(litellm.UnsupportedParamsError):
        get_optional_params(model=refused_model, custom_llm_provider="synthetic", reasoning_effort="low")
    quiet = get_optional_params(
        model=refused_model, custom_llm_provider="synthetic", reasoning_effort="low", drop_params=True
    )
    assert "reasoning_effort" not in quiet


# -- 14. one created per stream, the usage chunk included ---------------------------------------------

STREAM_MODELS = [
    "synthetic/hf:deepseek-ai/DeepSeek-R1-0528",
    "synternet/syntoshi-apex-thinking",
    "syncropic/gpt-4o",
]


def _stream_kwargs(emulator: Emulator, model: str) -> dict[str, Any]:
    return {
        "model": model,
        "messages": HELLO,
        "api_base": emulator.base_url(model.split("/", 1)[0]),
        "stream": True,
        "stream_options": {"include_usage": True},
    }


@pytest.mark.parametrize("model", STREAM_MODELS)
def test_the_usage_chunk_carries_the_streams_created(emulator: Emulator, model: str) -> None:
    chunks = list(litellm.completion(**_stream_kwargs(emulator, model)))
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0
    assert [c.created for c in chunks] == [CREATED] * len(chunks)


@pytest.mark.parametrize("model", STREAM_MODELS)
def test_the_usage_chunk_carries_the_streams_created_async(emulator: Emulator, model: str) -> None:
    async def collect() -> list[Any]:
        stream = await litellm.acompletion(**_stream_kwargs(emulator, model))
        return [chunk async for chunk in stream]

    chunks = asyncio.run(collect())
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens > 0
    assert [c.created for c in chunks] == [CREATED] * len(chunks)


# -- 15. a thinking that cannot be read ---------------------------------------------------------------

KIMI = "synthetic/hf:moonshotai/Kimi-K3"

# (what the caller sent, what the error says is wrong)
UNREADABLE_THINKING = [
    ({"thinking": {"type": "enabled", "budget_tokens": "lots"}}, "budget_tokens must be a finite number"),
    ({"thinking": {"type": "enabled"}}, "budget_tokens must be a finite number"),
    ({"thinking": {"type": "enabled", "budget_tokens": True}}, "budget_tokens must be a finite number"),
    ({"thinking": {"type": "enabled", "budget_tokens": math.inf}}, "budget_tokens must be a finite number"),
    ({"thinking": {"type": "enabled", "budget_tokens": -5}}, "budget_tokens must not be negative"),
    ({"thinking": {"type": "sometimes"}}, "type must be 'enabled', 'adaptive' or 'disabled'"),
    ({"thinking": "yes please"}, "thinking must be an object, not str"),
    (
        {"thinking": {"type": "adaptive"}, "output_config": {"effort": ["high"]}},
        "output_config.effort must be a string",
    ),
]


def _texts(error: BaseException) -> str:
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts += [str(current), repr(current), "".join(traceback.format_exception(current))]
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


@pytest.mark.parametrize(("params", "problem"), UNREADABLE_THINKING)
def test_an_unreadable_thinking_is_refused_before_any_request_or_dropped(
    emulator: Emulator, params: dict[str, Any], problem: str
) -> None:
    before = len(emulator.requests)
    with pytest.raises(litellm.UnsupportedParamsError) as caught:
        litellm.completion(model=KIMI, messages=HELLO, api_base=emulator.base_url("synthetic"), **params)
    error = caught.value
    assert error.status_code == 400
    assert error.llm_provider == "synthetic"
    assert f"Synthetic: {KIMI} cannot read thinking=" in str(error)
    assert problem in str(error)
    assert len(emulator.requests) == before
    assert not any(key in _texts(error) for key in SENTINEL_KEYS.values())
    # Under drop_params it is left out, with nothing in its place.
    litellm.completion(
        model=KIMI, messages=HELLO, api_base=emulator.base_url("synthetic"), drop_params=True, **params
    )
    assert not {"reasoning_effort", "thinking", "output_config"} & set(emulator.requests[-1]["body"])


def test_an_effort_output_config_names_that_no_scale_has_is_refused_as_the_callers(
    emulator: Emulator,
) -> None:
    params = {"thinking": {"type": "adaptive"}, "output_config": {"effort": "ultra"}}
    with pytest.raises(litellm.UnsupportedParamsError, match="accepted values: low, high, max"):
        litellm.completion(model=KIMI, messages=HELLO, api_base=emulator.base_url("synthetic"), **params)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_THINKING = st.fixed_dictionaries(
    {"type": st.sampled_from(["enabled", "adaptive", "disabled", "other"]) | _JSON},
    optional={"budget_tokens": st.integers() | st.floats() | _JSON},
)
_OUTPUT_CONFIG = st.fixed_dictionaries({}, optional={"effort": st.sampled_from(EFFORT_SCALE) | _JSON}) | _JSON


@settings(max_examples=300, deadline=None, database=None)
@given(thinking=_THINKING | _JSON, output_config=_OUTPUT_CONFIG)
def test_any_thinking_reads_as_an_effort_or_a_value_error(thinking: Any, output_config: Any) -> None:
    try:
        effort = effort_from_thinking(thinking, output_config)
    except ValueError:
        return
    assert effort is None or isinstance(effort, str)


_ENTRIES = st.builds(
    ModelEntry,
    reasoning=st.booleans(),
    always_reasons=st.booleans(),
    reasoning_efforts=st.lists(st.sampled_from(EFFORT_SCALE), unique=True, max_size=4).map(tuple),
)


@settings(max_examples=300, deadline=None, database=None)
@given(
    thinking=_THINKING | _JSON,
    output_config=_OUTPUT_CONFIG,
    effort=st.none() | st.sampled_from(EFFORT_SCALE) | _JSON,
    entry=st.none() | _ENTRIES,
    drop_params=st.booleans(),
)
def test_any_reasoning_input_gives_an_effort_to_send_or_a_litellm_error(
    thinking: Any, output_config: Any, effort: Any, entry: ModelEntry | None, drop_params: bool
) -> None:
    params = {"thinking": thinking, "output_config": output_config, "reasoning_effort": effort}
    try:
        sent = reasoning_effort_to_send(PROVIDERS["synthetic"], "hf:m", entry, params, drop_params)
    except litellm.UnsupportedParamsError as error:
        assert error.status_code == 400 and "Synthetic: synthetic/hf:m" in str(error)
        return
    if entry is not None and entry.reasoning_efforts and sent is not None:
        assert sent in entry.reasoning_efforts


@settings(max_examples=300, deadline=None, database=None)
@given(
    wanted=st.sampled_from(EFFORT_SCALE),
    accepted=st.lists(st.sampled_from(EFFORT_SCALE), unique=True, max_size=7),
)
def test_the_nearest_effort_is_accepted_never_none_for_thinking_and_no_farther_than_another(
    wanted: str, accepted: list[str]
) -> None:
    nearest = nearest_effort(wanted, accepted)
    usable = [e for e in accepted if e != "none" or wanted == "none"]
    if not usable:
        assert nearest is None
        return
    assert nearest in usable
    distance = abs(EFFORT_SCALE.index(nearest) - EFFORT_SCALE.index(wanted))
    assert all(abs(EFFORT_SCALE.index(e) - EFFORT_SCALE.index(wanted)) >= distance for e in usable)
