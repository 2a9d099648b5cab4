"""synternet/ on recorded HTTP: bracket reasoning becomes reasoning_content, content keeps the answer."""

from __future__ import annotations

import asyncio
import datetime
import time
from typing import Any

import litellm
import pytest
from litellm.integrations.custom_logger import CustomLogger

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


@pytest.mark.vcr
def test_an_unbalanced_bracket_in_the_reasoning_keeps_the_answer(recorded_base: Any) -> None:
    """Each reasoning step is one whole event (seed 001), so "[0, 1)" inside one does not swallow the rest."""
    messages = [{"role": "user", "content": "Is 0.5 in [0, 1)?"}]
    expected = (
        "The user asked: 'Is 0.5 in [0, 1)?'.\nLet me answer briefly.",
        "You asked: Is 0.5 in [0, 1)?",
    )
    message = _call(recorded_base, messages).choices[0].message
    assert (message.reasoning_content, message.content) == expected
    assert _channels(list(_call(recorded_base, messages, stream=True))) == expected


class _LoggedTokens(CustomLogger):
    """What LiteLLM's logging (callbacks, proxy spend) records for each call."""

    def __init__(self) -> None:
        super().__init__()
        self.since = datetime.datetime.now()  # LiteLLM's start_time: naive, local
        self.tokens: list[tuple[int, int]] = []

    def log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
        if start_time < self.since:
            return  # an earlier test's call, logged late from LiteLLM's worker thread
        logged = kwargs["standard_logging_object"]
        self.tokens.append((logged["prompt_tokens"], logged["completion_tokens"]))


@pytest.mark.vcr
def test_a_stream_counts_the_tokens_a_call_does(recorded_base: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Synternet sends no usage; a stream is estimated like a call, not logged as 0 tokens."""
    logged = _LoggedTokens()
    monkeypatch.setattr(litellm, "callbacks", [logged])
    response = _call(recorded_base, DOCUMENTED)
    chunks = list(_call(recorded_base, DOCUMENTED, stream=True))
    deadline = time.monotonic() + 10  # LiteLLM logs a sync call from a worker thread
    while len(logged.tokens) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    call_usage = (response.usage.prompt_tokens, response.usage.completion_tokens)
    assert call_usage[0] > 0 and call_usage[1] > 0
    assert logged.tokens == [call_usage, call_usage]
    built = litellm.stream_chunk_builder(chunks, messages=DOCUMENTED)
    assert (built.usage.prompt_tokens, built.usage.completion_tokens) == call_usage
    assert built.usage.completion_tokens_details.reasoning_tokens > 0
