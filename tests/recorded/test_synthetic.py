"""synthetic/ end to end on recorded HTTP: the takeover, non-stream, stream, async, an error."""

from __future__ import annotations

import asyncio
from typing import Any

import litellm
import pytest

from litellm_providers.registration import HANDLERS, registered_handler

MODEL = "synthetic/hf:zai-org/GLM-4.7"
R1 = "synthetic/hf:deepseek-ai/DeepSeek-R1-0528"
QUESTION = [{"role": "user", "content": "What is the capital of France?"}]


def _call(recorded_base: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("model", MODEL)
    kwargs.setdefault("messages", QUESTION)
    return litellm.completion(api_base=recorded_base("synthetic"), **kwargs)


@pytest.mark.vcr
def test_synthetic_call_is_served_by_this_package(
    recorded_base: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # LiteLLM ships its own JSON-configured `synthetic` route and would dispatch to it first; after
    # register() our handler must be the one called. Spy on it rather than trusting a label.
    handler = HANDLERS["synthetic"]
    assert registered_handler("synthetic") is handler
    served: list[str] = []
    original = handler.completion

    def spy(*args: Any, **kwargs: Any) -> Any:
        served.append(kwargs["model"])
        return original(*args, **kwargs)

    monkeypatch.setattr(handler, "completion", spy)
    response = _call(recorded_base)
    assert served == ["hf:zai-org/GLM-4.7"]
    assert response.choices[0].message.content == "You asked: What is the capital of France?"
    assert response._hidden_params["custom_llm_provider"] == "synthetic"


@pytest.mark.vcr
def test_synthetic_non_stream(recorded_base: Any) -> None:
    response = _call(recorded_base, temperature=0.2, max_completion_tokens=64)
    assert response.choices[0].message.content == "You asked: What is the capital of France?"
    assert response.choices[0].finish_reason == "stop"
    assert response.usage.total_tokens == response.usage.prompt_tokens + response.usage.completion_tokens > 0
    assert response.model == "hf:zai-org/GLM-4.7"


@pytest.mark.vcr
def test_synthetic_stream(recorded_base: Any) -> None:
    chunks = list(_call(recorded_base, stream=True, stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "You asked: What is the capital of France?"
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 1  # really streamed
    assert chunks[-1].usage.total_tokens > 0
    built = litellm.stream_chunk_builder(chunks)
    assert built.choices[0].message.content == text
    assert built.choices[0].finish_reason == "stop"


@pytest.mark.vcr
def test_synthetic_r1_reasoning_is_split_from_content(recorded_base: Any) -> None:
    response = _call(recorded_base, model=R1)
    message = response.choices[0].message
    assert message.content == "You asked: What is the capital of France?"
    assert "<think>" not in message.content
    assert message.reasoning_content.startswith("The user asked")


@pytest.mark.vcr
def test_synthetic_async_and_async_stream(recorded_base: Any) -> None:
    async def run() -> tuple[Any, list[Any]]:
        kwargs: dict[str, Any] = {
            "model": MODEL,
            "messages": QUESTION,
            "api_base": recorded_base("synthetic"),
        }
        response = await litellm.acompletion(**kwargs)
        stream = await litellm.acompletion(stream=True, **kwargs)
        return response, [chunk async for chunk in stream]

    response, chunks = asyncio.run(run())
    assert response.choices[0].message.content == "You asked: What is the capital of France?"
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == response.choices[0].message.content


@pytest.mark.vcr
def test_synthetic_rate_limit_is_a_litellm_rate_limit_error(recorded_base: Any) -> None:
    with pytest.raises(litellm.RateLimitError) as caught:
        _call(recorded_base, messages=[{"role": "user", "content": "emulate:fault=429"}])
    error = caught.value
    assert error.status_code == 429
    assert error.llm_provider == "synthetic"
    assert "Synthetic returned HTTP 429 (rate_limited)" in str(error)
    assert error.response.headers["retry-after"] == "30"


@pytest.mark.vcr
def test_synthetic_think_tags_cut_across_chunks_stream(recorded_base: Any) -> None:
    messages = [{"role": "user", "content": "What is the capital of France? emulate:chunk=2"}]
    chunks = list(_call(recorded_base, model=R1, messages=messages, stream=True))
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    reasoning = "".join(
        getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks if c.choices
    )
    assert content == "You asked: What is the capital of France?"
    assert reasoning == "The user asked: 'What is the capital of France?'. Let me answer briefly."
    built = litellm.stream_chunk_builder(chunks)
    assert (built.choices[0].message.content, built.choices[0].message.reasoning_content) == (
        content,
        reasoning,
    )


@pytest.mark.vcr
def test_qwen_thinking_answers_with_only_the_closing_tag(recorded_base: Any) -> None:
    """Qwen3 Thinking-2507's template opens <think> in the prompt: the answer has only </think>."""
    model = "synthetic/hf:Qwen/Qwen3-235B-A22B-Thinking-2507"
    expected = (
        "The user asked: 'What is the capital of France?'. Let me answer briefly.",
        "You asked: What is the capital of France?",
    )
    message = _call(recorded_base, model=model).choices[0].message
    assert (message.reasoning_content.strip(), message.content) == expected
    chunks = list(_call(recorded_base, model=model, stream=True))
    reasoning = "".join(
        getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks if c.choices
    )
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert (reasoning.strip(), content) == expected
