"""Reasoning control as agents use it: reasoning_effort per model, the developer role, reasoning in
usage and in history, one ``created`` per stream. Observed on the wire the emulator receives."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import litellm
import pytest

from litellm_providers.catalog import ModelEntry
from litellm_providers.emulator import Emulator
from litellm_providers.providers import PROVIDERS
from litellm_providers.translate import wire_messages

HELLO = [{"role": "user", "content": "hi"}]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}},
    },
}


def _call(emulator: Emulator, model: str, **kwargs: Any) -> Any:
    route = model.split("/", 1)[0]
    kwargs.setdefault("messages", HELLO)
    return litellm.completion(model=model, api_base=emulator.base_url(route), **kwargs)


def _sent(emulator: Emulator) -> dict[str, Any]:
    body: dict[str, Any] = emulator.requests[-1]["body"]
    return body


# -- 1. reasoning_effort per model ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "effort"),
    [("synthetic/hf:deepseek-ai/DeepSeek-R1-0528", "low"), ("synthetic/hf:openai/gpt-oss-120b", "none")],
)
@pytest.mark.parametrize("mode", ["sync", "async", "stream"])
def test_an_accepted_effort_reaches_the_wire_unchanged(
    emulator: Emulator, model: str, effort: str, mode: str
) -> None:
    kwargs: dict[str, Any] = {"model": model, "messages": HELLO, "reasoning_effort": effort}
    kwargs["api_base"] = emulator.base_url("synthetic")
    if mode == "sync":
        litellm.completion(**kwargs)
    elif mode == "async":
        asyncio.run(litellm.acompletion(**kwargs))
    else:
        list(litellm.completion(stream=True, **kwargs))
    assert _sent(emulator)["reasoning_effort"] == effort


def test_an_effort_outside_the_models_set_is_refused_before_any_request(emulator: Emulator) -> None:
    before = len(emulator.requests)
    with pytest.raises(litellm.UnsupportedParamsError) as caught:
        _call(emulator, "synthetic/hf:openai/gpt-oss-120b", reasoning_effort="xhigh")
    message = str(caught.value)
    assert "synthetic/hf:openai/gpt-oss-120b" in message
    assert "none, low, medium, high" in message
    assert len(emulator.requests) == before
    _call(emulator, "synthetic/hf:openai/gpt-oss-120b", reasoning_effort="xhigh", drop_params=True)
    assert "reasoning_effort" not in _sent(emulator)


def test_a_model_without_reasoning_control_refuses_the_parameter(emulator: Emulator) -> None:
    with pytest.raises(litellm.UnsupportedParamsError, match="reasoning_effort"):
        _call(emulator, "synthetic/hf:moonshotai/Kimi-K2-Instruct-0905", reasoning_effort="low")
    _call(emulator, "synthetic/hf:moonshotai/Kimi-K2-Instruct-0905", reasoning_effort="low", drop_params=True)
    assert "reasoning_effort" not in _sent(emulator)


def test_an_uncatalogued_model_gets_whatever_effort_it_is_sent(emulator: Emulator) -> None:
    _call(emulator, "synthetic/hf:new-lab/Brand-New-Thinker", reasoning_effort="max")
    assert _sent(emulator)["reasoning_effort"] == "max"


def test_a_reasoning_model_whose_efforts_no_source_gives_gets_the_effort_as_sent(emulator: Emulator) -> None:
    # GLM-4.7 reasons, but no source lists its accepted efforts: the provider decides, not the package.
    _call(emulator, "synthetic/hf:zai-org/GLM-4.7", reasoning_effort="low")
    assert _sent(emulator)["reasoning_effort"] == "low"


def test_the_supported_params_say_which_models_take_an_effort() -> None:
    def params(model: str) -> set[str]:
        return set(litellm.get_supported_openai_params(model=model) or ())

    assert "reasoning_effort" in params("synthetic/hf:deepseek-ai/DeepSeek-R1-0528")
    assert "reasoning_effort" in params("synternet/syntoshi-apex-thinking")
    assert "reasoning_effort" in params("synthetic/hf:zai-org/GLM-4.7")
    assert "reasoning_effort" not in params("synthetic/hf:moonshotai/Kimi-K2-Instruct-0905")


def test_the_emulator_answers_400_to_an_effort_outside_the_models_set(emulator: Emulator) -> None:
    response = httpx.post(
        emulator.base_url("synthetic") + "/chat/completions",
        json={"model": "hf:openai/gpt-oss-120b", "messages": HELLO, "reasoning_effort": "max"},
        headers={"Authorization": "Bearer k"},
    )
    assert response.status_code == 400
    assert "none, low, medium, high" in response.json()["error"]["message"]


# -- 1b. Anthropic thinking: LiteLLM's budget bucket, then the nearest effort the model accepts ------

# (model, budget_tokens, effort sent). LiteLLM buckets a budget as 1024 low, 2048 medium, 4096+ high.
BUDGETS = [
    ("synthetic/hf:MiniMaxAI/MiniMax-M3", 31999, "medium"),  # high -> its only effort
    ("synthetic/hf:zai-org/GLM-5.2", 2000, "high"),  # low -> high: never none, thinking was asked for
    ("synthetic/hf:zai-org/GLM-5.2", 4095, "high"),  # medium -> high
    ("synthetic/hf:zai-org/GLM-5.2", 500, "high"),  # minimal -> high
    ("synthetic/hf:moonshotai/Kimi-K3", 2048, "low"),  # medium -> low: a tie goes down, a budget is a cap
    ("synthetic/hf:moonshotai/Kimi-K3", 31999, "high"),  # accepted as is
]


def _claude_code(model: str, mode: str, emulator: Emulator, **params: Any) -> dict[str, Any]:
    """One /v1/messages call as Claude Code makes it through the proxy; the body the provider got."""
    kwargs: dict[str, Any] = {"model": model, "messages": HELLO, "max_tokens": 64, **params}
    kwargs["api_base"] = emulator.base_url(model.split("/", 1)[0])
    if mode == "sync":
        litellm.anthropic.messages.create(**kwargs)
    else:
        asyncio.run(litellm.anthropic.messages.acreate(**kwargs))
    return _sent(emulator)


@pytest.mark.parametrize(("model", "budget", "effort"), BUDGETS)
@pytest.mark.parametrize("mode", ["sync", "async", "stream"])
def test_a_thinking_budget_goes_as_the_nearest_effort_the_model_accepts(
    emulator: Emulator, model: str, budget: int, effort: str, mode: str
) -> None:
    kwargs: dict[str, Any] = {"model": model, "messages": HELLO, "api_base": emulator.base_url("synthetic")}
    kwargs["thinking"] = {"type": "enabled", "budget_tokens": budget}
    if mode == "sync":
        litellm.completion(**kwargs)
    elif mode == "async":
        asyncio.run(litellm.acompletion(**kwargs))
    else:
        list(litellm.completion(stream=True, **kwargs))
    assert _sent(emulator)["reasoning_effort"] == effort
    assert "thinking" not in _sent(emulator)


@pytest.mark.parametrize(("model", "budget", "effort"), BUDGETS)
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_claude_codes_thinking_budget_through_messages_reaches_an_effort_the_model_accepts(
    emulator: Emulator, model: str, budget: int, effort: str, mode: str
) -> None:
    sent = _claude_code(model, mode, emulator, thinking={"type": "enabled", "budget_tokens": budget})
    assert sent["reasoning_effort"] == effort
    assert "thinking" not in sent


@pytest.mark.parametrize(
    ("model", "asked", "effort"),
    [
        ("synthetic/hf:moonshotai/Kimi-K3", "medium", "low"),
        ("synthetic/hf:moonshotai/Kimi-K3", "max", "max"),
        ("synthetic/hf:MiniMaxAI/MiniMax-M3", "max", "medium"),
        ("synthetic/hf:zai-org/GLM-5.2", "low", "high"),
    ],
)
@pytest.mark.parametrize("mode", ["completion", "sync", "async"])
def test_adaptive_thinking_sends_the_nearest_effort_to_output_config_effort(
    emulator: Emulator, model: str, asked: str, effort: str, mode: str
) -> None:
    params: dict[str, Any] = {"thinking": {"type": "adaptive"}, "output_config": {"effort": asked}}
    if mode == "completion":
        _call(emulator, model, **params)
        sent = _sent(emulator)
    else:
        sent = _claude_code(model, mode, emulator, **params)
    assert sent["reasoning_effort"] == effort
    assert "thinking" not in sent and "output_config" not in sent


def test_adaptive_thinking_without_an_effort_leaves_the_models_default(emulator: Emulator) -> None:
    _call(emulator, "synthetic/hf:moonshotai/Kimi-K3", thinking={"type": "adaptive"})
    assert "reasoning_effort" not in _sent(emulator)


@pytest.mark.parametrize(
    ("model", "effort"),
    [("synthetic/hf:zai-org/GLM-5.2", "none"), ("synthetic/hf:moonshotai/Kimi-K3", "low")],
)
def test_disabled_thinking_turns_reasoning_off_or_as_low_as_the_model_goes(
    emulator: Emulator, model: str, effort: str
) -> None:
    _call(emulator, model, thinking={"type": "disabled"})
    assert _sent(emulator)["reasoning_effort"] == effort


def test_an_explicit_effort_the_model_lacks_is_still_refused_and_so_is_thinking_without_control(
    emulator: Emulator,
) -> None:
    before = len(emulator.requests)
    for params in ({}, {"thinking": {"type": "enabled", "budget_tokens": 2048}}):
        with pytest.raises(litellm.UnsupportedParamsError, match="low, high, max"):
            _call(emulator, "synthetic/hf:moonshotai/Kimi-K3", reasoning_effort="medium", **params)
    assert len(emulator.requests) == before
    # A model without reasoning control refuses thinking as it refuses reasoning_effort.
    thinking = {"type": "enabled", "budget_tokens": 2048}
    with pytest.raises(litellm.UnsupportedParamsError, match="thinking"):
        _call(emulator, "synthetic/hf:moonshotai/Kimi-K2-Instruct-0905", thinking=thinking)
    _call(emulator, "synthetic/hf:moonshotai/Kimi-K2-Instruct-0905", thinking=thinking, drop_params=True)
    assert "reasoning_effort" not in _sent(emulator) and "thinking" not in _sent(emulator)


# -- 2. always-reasoning models: the effort is accepted and not sent -------------------------------


@pytest.mark.parametrize(
    "model", ["synternet/syntoshi-apex-thinking", "synthetic/hf:deepseek-ai/DeepSeek-R1"]
)
def test_an_always_reasoning_model_accepts_an_effort_and_thinks_anyway(
    emulator: Emulator, model: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="litellm_providers"):
        response = _call(emulator, model, reasoning_effort="high")
    assert "reasoning_effort" not in _sent(emulator)
    assert response.choices[0].message.reasoning_content
    assert any("always reasons" in record.getMessage() for record in caplog.records)


# -- 3. the developer role --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    ["synthetic/hf:zai-org/GLM-4.7", "synternet/syntoshi-apex-thinking", "syncropic/claude-haiku-4-5"],
)
def test_a_developer_message_goes_as_system_with_its_text(emulator: Emulator, model: str) -> None:
    messages = [{"role": "developer", "content": "Answer in French."}, *HELLO]
    _call(emulator, model, messages=messages)
    assert _sent(emulator)["messages"][0] == {"role": "system", "content": "Answer in French."}


def test_a_provider_that_takes_the_developer_role_keeps_it() -> None:
    takes_it = PROVIDERS["synthetic"].__class__(
        **{**PROVIDERS["synthetic"].__dict__, "accepts_developer_role": True}
    )
    messages = [{"role": "developer", "content": "x"}]
    assert wire_messages(takes_it, None, messages) == messages


# -- 4. reasoning tokens in usage -------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        "synthetic/hf:deepseek-ai/DeepSeek-R1-0528",
        "synthetic/hf:zai-org/GLM-4.7",
        "synternet/syntoshi-apex-thinking",
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_usage_counts_the_reasoning_the_package_separated(
    emulator: Emulator, model: str, stream: bool
) -> None:
    if stream:
        chunks = list(_call(emulator, model, stream=True, stream_options={"include_usage": True}))
        usage = next(c.usage for c in reversed(chunks) if getattr(c, "usage", None) is not None)
    else:
        usage = _call(emulator, model).usage
    reasoning_tokens = usage.completion_tokens_details.reasoning_tokens
    assert 0 < reasoning_tokens <= usage.completion_tokens


def test_a_plain_answer_counts_no_reasoning_tokens(emulator: Emulator) -> None:
    usage = _call(emulator, "synthetic/hf:moonshotai/Kimi-K2-Instruct-0905").usage
    details = usage.completion_tokens_details
    assert details is None or not details.reasoning_tokens


# -- 5. reasoning in history -------------------------------------------------------------------------


def test_a_two_turn_tool_loop_sends_the_reasoning_back_where_the_model_reads_it(emulator: Emulator) -> None:
    model = "synthetic/hf:openai/gpt-oss-120b"
    question = {"role": "user", "content": "Weather in Paris?"}
    first = _call(emulator, model, messages=[question], tools=[WEATHER]).choices[0].message
    assert first.tool_calls and first.reasoning_content
    call = first.tool_calls[0]
    result = {"role": "tool", "tool_call_id": call.id, "content": "18°C and sunny"}
    final = _call(emulator, model, messages=[question, first.model_dump(), result], tools=[WEATHER])
    assert final.choices[0].message.content == "The tool says: 18°C and sunny"
    replayed = _sent(emulator)["messages"][1]
    assert replayed["role"] == "assistant"
    assert replayed["reasoning_content"] == first.reasoning_content
    assert replayed["tool_calls"][0]["id"] == call.id
    assert "thinking_blocks" not in replayed and "reasoning" not in replayed


def test_a_model_without_a_replay_knob_gets_no_earlier_reasoning(emulator: Emulator) -> None:
    earlier = {"role": "assistant", "content": "Paris.", "reasoning_content": "They asked about France."}
    _call(emulator, "synternet/syntoshi-apex-thinking", messages=[*HELLO, earlier, *HELLO])
    assert _sent(emulator)["messages"][1] == {"role": "assistant", "content": "Paris."}


def test_the_replay_field_is_the_one_the_catalog_names() -> None:
    entry = ModelEntry(reasoning=True, reasoning_replay="reasoning")
    thinking_blocks = [{"type": "thinking", "thinking": "Step one. ", "signature": "s"}]
    earlier = {"role": "assistant", "content": "ok", "thinking_blocks": thinking_blocks}
    (sent,) = wire_messages(PROVIDERS["synthetic"], entry, [earlier])
    assert sent == {"role": "assistant", "content": "ok", "reasoning": "Step one. "}


# -- 6. one created per stream -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    ["synthetic/hf:deepseek-ai/DeepSeek-R1-0528", "synternet/syntoshi-apex-thinking", "syncropic/gpt-4o"],
)
def test_every_chunk_of_a_stream_carries_the_same_created(emulator: Emulator, model: str) -> None:
    chunks = list(_call(emulator, model, stream=True))
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert {c.created for c in chunks} == {1_700_000_000}

    async def collect() -> set[int]:
        route = model.split("/", 1)[0]
        stream = await litellm.acompletion(
            model=model, messages=HELLO, api_base=emulator.base_url(route), stream=True
        )
        return {chunk.created async for chunk in stream}

    assert asyncio.run(collect()) == {1_700_000_000}


def test_provider_chunks_with_drifting_created_become_one_value() -> None:
    from litellm_providers.streaming import StreamTranslator

    translator = StreamTranslator(PROVIDERS["synthetic"], "m", "none", False)
    out = []
    for second, text in enumerate(["a", "b", "c"]):
        chunk = {"id": "x", "created": 1_700_000_000 + second, "choices": [{"delta": {"content": text}}]}
        out += translator.translate(json.loads(json.dumps(chunk)))
    assert {c.created for c in out} == {1_700_000_000}
