"""Tools and structured output on every route: what agent frameworks send on nearly every call."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import litellm
import pytest

ROUTES = [
    ("synthetic", "hf:moonshotai/Kimi-K2-Instruct-0905"),
    ("synternet", "syntoshi-apex-thinking"),
    ("syncropic", "gpt-4o"),
]
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
    },
}
CLOCK = {
    "type": "function",
    "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}},
}
ASK = [{"role": "user", "content": "Weather in Paris?"}]


def _call(recorded_base: Any, route: str, model: str, **kwargs: Any) -> Any:
    return litellm.completion(model=f"{route}/{model}", api_base=recorded_base(route), **kwargs)


def _sent_body(vcr: Any) -> dict[str, Any]:
    # Cassettes match on body, so the recorded request is byte for byte what was sent on replay.
    body: dict[str, Any] = json.loads(vcr.requests[-1].body)
    return body


@pytest.mark.vcr
@pytest.mark.parametrize(("route", "model"), ROUTES)
def test_tool_call_comes_back_intact(recorded_base: Any, vcr: Any, route: str, model: str) -> None:
    response = _call(recorded_base, route, model, messages=ASK, tools=[WEATHER], tool_choice="auto", seed=7)
    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.message.tool_calls
    assert call.id == "call_0_get_weather" and call.type == "function"
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"query": "Weather in Paris?"}
    body = _sent_body(vcr)
    assert body["tools"] == [WEATHER] and body["tool_choice"] == "auto" and body["seed"] == 7


@pytest.mark.vcr
@pytest.mark.parametrize(("route", "model"), ROUTES)
def test_streamed_tool_calls_rebuild_and_reasoning_stays_reasoning(
    recorded_base: Any, route: str, model: str
) -> None:
    chunks = list(_call(recorded_base, route, model, messages=ASK, tools=[WEATHER, CLOCK], stream=True))
    deltas = [tc for c in chunks if c.choices for tc in (c.choices[0].delta.tool_calls or [])]
    assert {tc.index for tc in deltas} == {0}  # one call per turn: the first tool offered
    assert sum(1 for tc in deltas if tc.function and tc.function.arguments) >= 2  # arguments arrive in pieces
    built = litellm.stream_chunk_builder(chunks)
    (call,) = built.choices[0].message.tool_calls
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"query": "Weather in Paris?"}
    assert built.choices[0].finish_reason == "tool_calls"
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert "[Thinking" not in content and "<think>" not in content
    if route == "synternet":
        # The bracketed thinking before the tool call lands in reasoning_content.
        assert built.choices[0].message.reasoning_content.startswith("The user asked")


@pytest.mark.vcr
@pytest.mark.parametrize(("route", "model"), ROUTES)
def test_parallel_tool_calls_false_reaches_the_wire(
    recorded_base: Any, vcr: Any, route: str, model: str
) -> None:
    response = _call(
        recorded_base, route, model, messages=ASK, tools=[WEATHER, CLOCK], parallel_tool_calls=False
    )
    assert [c.function.name for c in response.choices[0].message.tool_calls] == ["get_weather"]
    assert _sent_body(vcr)["parallel_tool_calls"] is False


@pytest.mark.vcr
@pytest.mark.parametrize(("route", "model"), ROUTES)
def test_tool_choice_naming_a_function_reaches_the_wire(
    recorded_base: Any, vcr: Any, route: str, model: str
) -> None:
    # The emulator calls the tool tool_choice names, so the call proves the choice arrived as sent.
    choice = {"type": "function", "function": {"name": "get_time"}}
    response = _call(recorded_base, route, model, messages=ASK, tools=[WEATHER, CLOCK], tool_choice=choice)
    (call,) = response.choices[0].message.tool_calls
    assert call.function.name == "get_time" and json.loads(call.function.arguments) == {}
    assert _sent_body(vcr)["tool_choice"] == choice


@pytest.mark.vcr
@pytest.mark.parametrize(("route", "model"), ROUTES)
def test_tool_round_trip(recorded_base: Any, vcr: Any, route: str, model: str) -> None:
    first = _call(recorded_base, route, model, messages=ASK, tools=[WEATHER])
    assistant = first.choices[0].message.model_dump(exclude_none=True)
    call = first.choices[0].message.tool_calls[0]
    history = [
        *ASK,
        assistant,
        {"role": "tool", "tool_call_id": call.id, "content": "18°C and sunny"},
    ]
    final = _call(recorded_base, route, model, messages=history, tools=[WEATHER])
    assert final.choices[0].message.content == "The tool says: 18°C and sunny"
    assert final.choices[0].finish_reason == "stop"
    sent = _sent_body(vcr)["messages"]
    assert sent[1]["tool_calls"][0]["id"] == call.id
    assert sent[1]["tool_calls"][0]["function"]["name"] == "get_weather"
    assert sent[2] == {"role": "tool", "tool_call_id": call.id, "content": "18°C and sunny"}


@pytest.mark.vcr
@pytest.mark.parametrize(("route", "model"), ROUTES)
def test_structured_output(recorded_base: Any, vcr: Any, route: str, model: str) -> None:
    schema = {
        "type": "json_schema",
        "json_schema": {
            "name": "answer",
            "schema": {
                "type": "object",
                "properties": {"answer": {"type": "string"}},
                "required": ["answer"],
            },
        },
    }
    response = _call(recorded_base, route, model, messages=ASK, response_format=schema)
    assert json.loads(response.choices[0].message.content) == {"answer": "Weather in Paris?"}
    assert _sent_body(vcr)["response_format"] == schema


@pytest.mark.vcr
def test_async_tool_call(recorded_base: Any) -> None:
    async def run() -> Any:
        return await litellm.acompletion(
            model="syncropic/gpt-4o", messages=ASK, tools=[WEATHER], api_base=recorded_base("syncropic")
        )

    call = asyncio.run(run()).choices[0].message.tool_calls[0]
    assert call.function.name == "get_weather"
    assert json.loads(call.function.arguments) == {"query": "Weather in Paris?"}
