"""synternet/ on recorded HTTP: bracket reasoning becomes reasoning_content, content keeps the answer."""

from __future__ import annotations

import asyncio
from typing import Any

import litellm
import pytest

MODEL = "synternet/syntoshi-apex-thinking"
DOCUMENTED = [{"role": "user", "content": "Explain how blockchain consensus works emulate:script=documented"}]
QUESTION = [{"role": "user", "content": "What is the capital of France?"}]
DOCUMENTED_REASONING = "Let me break down blockchain consensus...\nByzantine Fault Tolerance is key..."
DOCUMENTED_ANSWER = "Blockchain consensus is a mechanism..."


def _call(recorded_base: Any, messages: list[dict[str, str]], **kwargs: Any) -> Any:
    return litellm.completion(model=MODEL, messages=messages, api_base=recorded_base("synternet"), **kwargs)


def _channels(chunks: list[Any]) -> tuple[str, str]:
    reasoning = "".join(
        getattr(c.choices[0].delta, "reasoning_content", None) or "" for c in chunks if c.choices
    )
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return reasoning, content


@pytest.mark.vcr
def test_documented_example_stream(recorded_base: Any) -> None:
    chunks = list(_call(recorded_base, DOCUMENTED, stream=True))
    assert _channels(chunks) == (DOCUMENTED_REASONING, DOCUMENTED_ANSWER)
    # Reasoning arrives as it streams, before the answer, not all at the end.
    first_reasoning = next(
        i for i, c in enumerate(chunks) if getattr(c.choices[0].delta, "reasoning_content", None)
    )
    first_answer = next(i for i, c in enumerate(chunks) if c.choices[0].delta.content)
    assert first_reasoning < first_answer
    built = litellm.stream_chunk_builder(chunks)
    assert built.choices[0].message.content == DOCUMENTED_ANSWER
    assert built.choices[0].message.reasoning_content == DOCUMENTED_REASONING
    assert built.choices[0].finish_reason == "stop"


@pytest.mark.vcr
def test_the_wire_model_id_is_the_whole_documented_string(recorded_base: Any) -> None:
    # The cassette matches on body, so this replays only if the body names the model as documented.
    response = _call(recorded_base, QUESTION, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in response if c.choices)


@pytest.mark.vcr
def test_markers_cut_across_chunks(recorded_base: Any) -> None:
    # emulate:chunk=3 makes the provider cut "[Thinking:" and "[Reasoning:" into 3-character pieces.
    messages = [{"role": "user", "content": "What is the capital of France? emulate:chunk=3"}]
    reasoning, content = _channels(list(_call(recorded_base, messages, stream=True)))
    assert content == "You asked: What is the capital of France?"
    assert reasoning == "The user asked: 'What is the capital of France?'.\nLet me answer briefly."
    assert "[" not in content and "Thinking" not in reasoning


@pytest.mark.vcr
def test_non_stream_call_is_served_by_streaming_upstream(recorded_base: Any) -> None:
    response = _call(recorded_base, DOCUMENTED)
    message = response.choices[0].message
    assert (message.reasoning_content, message.content) == (DOCUMENTED_REASONING, DOCUMENTED_ANSWER)
    # Synternet sends no usage: it is estimated, and says so.
    assert response.usage.prompt_tokens > 0 and response.usage.completion_tokens > 0
    assert response._hidden_params["usage_is_estimate"] is True


@pytest.mark.vcr
def test_merge_reasoning_content_in_choices(recorded_base: Any) -> None:
    merged = f"<think>{DOCUMENTED_REASONING}</think>{DOCUMENTED_ANSWER}"
    response = _call(recorded_base, DOCUMENTED, merge_reasoning_content_in_choices=True)
    assert response.choices[0].message.content == merged
    chunks = list(_call(recorded_base, DOCUMENTED, stream=True, merge_reasoning_content_in_choices=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == merged


@pytest.mark.vcr
def test_async_and_async_stream(recorded_base: Any) -> None:
    async def run() -> tuple[Any, list[Any]]:
        kwargs: dict[str, Any] = {
            "model": MODEL,
            "messages": DOCUMENTED,
            "api_base": recorded_base("synternet"),
        }
        response = await litellm.acompletion(**kwargs)
        stream = await litellm.acompletion(stream=True, **kwargs)
        return response, [chunk async for chunk in stream]

    response, chunks = asyncio.run(run())
    assert response.choices[0].message.content == DOCUMENTED_ANSWER
    assert _channels(chunks) == (DOCUMENTED_REASONING, DOCUMENTED_ANSWER)
