"""The frameworks teams put on top of LiteLLM, against the emulator: LangChain, DSPy, the Router."""

from __future__ import annotations

import socket
from typing import Any

import litellm
import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_litellm import ChatLiteLLM

from litellm_providers.emulator import Emulator

pytestmark = pytest.mark.integration

ANSWER = "You asked: What is the capital of France?"
REASONING = "The user asked: 'What is the capital of France?'.\nLet me answer briefly."


@tool
def get_weather(query: str) -> str:
    """Current weather for a city."""
    return "18°C and sunny"


def _chat(emulator: Emulator, model: str, **kwargs: Any) -> ChatLiteLLM:
    route = model.split("/", 1)[0]
    return ChatLiteLLM(model=model, api_base=emulator.base_url(route), **kwargs)


def test_langchain_streaming_shows_reasoning_apart_from_the_answer(emulator: Emulator) -> None:
    chat = _chat(emulator, "synternet/syntoshi-apex-thinking", streaming=True)
    chunks = list(chat.stream([HumanMessage("What is the capital of France?")]))
    assert "".join(str(c.content) for c in chunks) == ANSWER
    assert "".join(c.additional_kwargs.get("reasoning_content", "") for c in chunks) == REASONING


def test_langchain_invoke_keeps_reasoning(emulator: Emulator) -> None:
    message = _chat(emulator, "synthetic/hf:deepseek-ai/DeepSeek-R1-0528").invoke(
        "What is the capital of France?"
    )
    assert message.content == ANSWER
    assert message.additional_kwargs["reasoning_content"].startswith("The user asked")


@pytest.mark.parametrize(
    "model",
    ["synthetic/hf:moonshotai/Kimi-K2-Instruct-0905", "synternet/syntoshi-apex-thinking", "syncropic/gpt-4o"],
)
def test_langchain_bind_tools_agent_step(emulator: Emulator, model: str) -> None:
    chat = _chat(emulator, model).bind_tools([get_weather])
    question = HumanMessage("Weather in Paris?")
    first = chat.invoke([question])
    assert [(c["name"], c["args"]) for c in first.tool_calls] == [
        ("get_weather", {"query": "Weather in Paris?"})
    ]
    call = first.tool_calls[0]
    result = ToolMessage(get_weather.invoke(call["args"]), tool_call_id=call["id"])
    final = chat.invoke([question, first, result])
    assert final.content == "The tool says: 18°C and sunny"


@pytest.mark.parametrize(
    "model", ["synthetic/hf:moonshotai/Kimi-K2-Instruct-0905", "synternet/syntoshi-apex-thinking"]
)
def test_langchain_bind_tools_streaming(emulator: Emulator, model: str) -> None:
    chat = _chat(emulator, model, streaming=True).bind_tools([get_weather])
    merged: AIMessageChunk | None = None
    for chunk in chat.stream([HumanMessage("Weather in Paris?")]):
        merged = chunk if merged is None else merged + chunk  # type: ignore[assignment]
    assert merged is not None
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [
        ("get_weather", {"query": "Weather in Paris?"})
    ]


def test_dspy_lm_on_the_synternet_route(emulator: Emulator) -> None:
    import dspy

    lm = dspy.LM(
        "synternet/syntoshi-apex-thinking", api_base=emulator.base_url("synternet"), api_key="k", cache=False
    )
    (output,) = lm("What is the capital of France?")
    assert output["text"] == ANSWER
    assert output["reasoning_content"] == REASONING


def test_router_falls_back_from_a_failing_syncropic_deployment_to_synthetic(emulator: Emulator) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    router = litellm.Router(
        model_list=[
            {
                "model_name": "primary",
                "litellm_params": {
                    "model": "syncropic/claude-haiku-4-5",
                    "api_base": f"http://127.0.0.1:{dead_port}/v1",
                },
            },
            {
                "model_name": "backup",
                "litellm_params": {
                    "model": "synthetic/hf:zai-org/GLM-4.7",
                    "api_base": emulator.base_url("synthetic"),
                },
            },
        ],
        fallbacks=[{"primary": ["backup"]}],
        num_retries=0,
    )
    before = len(emulator.requests)
    response = router.completion(
        model="primary", messages=[{"role": "user", "content": "What is the capital of France?"}]
    )
    assert response.choices[0].message.content == ANSWER
    assert response._hidden_params["custom_llm_provider"] == "synthetic"
    assert [r["provider"] for r in emulator.requests[before:]] == ["synthetic"]
