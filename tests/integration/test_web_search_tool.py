"""``litellm_providers.tools.web_search`` in the tool-calling loop docs/frameworks.md shows: the model
(the emulator) asks for a search, the executor runs it against the emulator's ``/v2/search``, and the
model answers from the result; and the executor's answers to bad arguments and failed searches."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import litellm
import pytest

from litellm_providers.emulator import Emulator
from litellm_providers.tools import web_search
from tests.conftest import SENTINEL_KEYS

pytestmark = pytest.mark.integration

MODEL = "synthetic/hf:zai-org/GLM-4.7"


def _tool(emulator: Emulator, **settings: Any) -> Any:
    return web_search.configured(api_base=emulator.base_url("synthetic"), **settings)


def test_the_schema_is_an_openai_function_tool() -> None:
    schema = web_search.schema
    assert schema["type"] == "function" and schema["function"]["name"] == "web_search"
    parameters = schema["function"]["parameters"]
    assert parameters["required"] == ["query"] and parameters["properties"]["query"]["type"] == "string"
    json.dumps(schema)  # plain JSON, as tools=[...] sends it


def test_a_completion_tool_loop_searches_and_answers_from_the_results(emulator: Emulator) -> None:
    # The loop of docs/frameworks.md, verbatim in shape.
    tool = _tool(emulator)
    messages: list[Any] = [{"role": "user", "content": "latest litellm release"}]
    base = emulator.base_url("synthetic")
    searches_before = sum(1 for seen in emulator.requests if seen["endpoint"] == "/v2/search")
    for _ in range(4):
        response = litellm.completion(model=MODEL, messages=messages, tools=[tool.schema], api_base=base)
        message = response.choices[0].message
        if not message.tool_calls:
            break
        messages.append(message.model_dump())
        for call in message.tool_calls:
            assert call.function.name == tool.name
            messages.append(
                {"role": "tool", "tool_call_id": call.id, "content": tool(call.function.arguments)}
            )
    answer = message.content
    assert answer.startswith("The tool says: 1. Result 1 for latest litellm release")
    assert "https://example.org/latest-litellm-release/1 (published 2025-01-15T08:00:00.000Z)" in answer
    searches = [seen for seen in emulator.requests if seen["endpoint"] == "/v2/search"]
    assert len(searches) == searches_before + 1
    assert searches[-1]["body"]["query"] == "latest litellm release"


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        ("{not json", "web_search failed: the arguments are not JSON"),
        ('["query"]', "web_search failed: the arguments must be a JSON object"),
        ('{"max_results": 3}', "web_search failed: 'query' must be a non-empty string"),
        (
            '{"query": "x", "max_results": 500}',
            "web_search failed: 'max_results' must be an integer from 1 to 20",
        ),
        ("[" * 100_000, "web_search failed: the arguments are not JSON"),
    ],
)
def test_bad_arguments_come_back_as_text_the_model_can_read(
    emulator: Emulator, arguments: str, said: str
) -> None:
    before = len(emulator.requests)
    assert _tool(emulator)(arguments).startswith(said)
    assert len(emulator.requests) == before  # nothing was sent


def test_a_used_up_search_window_comes_back_as_text_saying_when_it_renews(emulator: Emulator) -> None:
    result = _tool(emulator)('{"query": "again emulate:fault=quota"}')
    assert result.startswith("web_search failed: litellm.RateLimitError: Synthetic returned HTTP 429")
    assert "search.hourly quota used up" in result and re.search(r"renews at \S+:00Z \(in [^)]+\)", result)
    assert "\n" not in result and SENTINEL_KEYS["synthetic"] not in result


def test_a_malformed_answer_and_a_refused_key_come_back_as_text(emulator: Emulator) -> None:
    assert "ServiceUnavailableError" in _tool(emulator)('{"query": "x emulate:fault=malformed"}')
    refused = _tool(emulator, api_key="invalid-key-0123456789")('{"query": "x"}')
    assert refused.startswith("web_search failed: litellm.AuthenticationError: Synthetic returned HTTP 401")
    assert "invalid-key-0123456789" not in refused


def test_json_output_cuts_each_text_and_says_when_there_is_nothing(emulator: Emulator) -> None:
    tool = _tool(emulator, output="json", max_text_chars=10)
    found = json.loads(tool({"query": "short", "max_results": 2}))
    assert found["query"] == "short" and len(found["results"]) == 2
    assert found["results"][0] == {
        "title": "Result 1 for short",
        "url": "https://example.org/short/1",
        "published": "2025-01-15T08:00:00.000Z",
        "text": "Page 1 abo…",
    }
    assert json.loads(tool('{"query": "none emulate:results=0"}'))["results"] == []
    assert (
        _tool(emulator)('{"query": "none emulate:results=0"}') == "No results for 'none emulate:results=0'."
    )


def test_the_async_executor_answers_the_same(emulator: Emulator) -> None:
    tool = _tool(emulator)
    arguments = '{"query": "same either way", "max_results": 1}'
    assert asyncio.run(tool.acall(arguments)) == tool(arguments)
