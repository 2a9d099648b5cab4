"""The OpenAI Agents SDK (its LiteLLM model extension) running a tool-using agent with reasoning
settings on synthetic/ and synternet/, and one with the ready web search tool, against the emulator."""

from __future__ import annotations

import pytest

from litellm_providers.emulator import Emulator

pytestmark = pytest.mark.integration

agents = pytest.importorskip(
    "agents",
    reason="openai-agents is not installed: `pip install -e '.[dev,agents]'` on the newest leg; no release "
    "installs next to the floor leg's openai 2.20 and LiteLLM 1.106 proxy (see pyproject's agents extra)",
)
litellm_model = pytest.importorskip("agents.extensions.models.litellm_model")
from openai.types.shared import Reasoning  # noqa: E402


@agents.function_tool
def get_weather(query: str) -> str:
    """Current weather for a city."""
    return "18°C and sunny"


@pytest.mark.parametrize(
    ("model", "effort"),
    [("synthetic/hf:openai/gpt-oss-120b", "low"), ("synternet/syntoshi-apex-thinking", "high")],
)
def test_an_agent_with_reasoning_settings_calls_a_tool_and_answers(
    emulator: Emulator, model: str, effort: str
) -> None:
    route = model.split("/", 1)[0]
    agent = agents.Agent(
        name="weather",
        instructions="Use the tool to answer.",
        model=litellm_model.LitellmModel(model=model, base_url=emulator.base_url(route), api_key="k"),
        model_settings=agents.ModelSettings(reasoning=Reasoning(effort=effort)),  # type: ignore[arg-type]
        tools=[get_weather],
    )
    before = len(emulator.requests)
    result = agents.Runner.run_sync(agent, "Weather in Paris?")
    assert result.final_output == "The tool says: 18°C and sunny"
    sent = [r["body"] for r in emulator.requests[before:]]
    assert len(sent) == 2  # the tool call, then the answer
    # The SDK's instructions arrive as system (or developer, sent as system); never as developer.
    assert all(m["role"] != "developer" for body in sent for m in body["messages"])
    if route == "synthetic":
        assert all(body["reasoning_effort"] == effort for body in sent)
    else:  # syntoshi always reasons: the effort is accepted and not sent
        assert all("reasoning_effort" not in body for body in sent)


def test_an_agent_searches_the_web_with_the_ready_tool(emulator: Emulator) -> None:
    from litellm_providers.tools import web_search

    searcher = web_search.configured(api_base=emulator.base_url("synthetic")).for_agents_sdk()
    agent = agents.Agent(
        name="researcher",
        instructions="Search the web, then answer.",
        model=litellm_model.LitellmModel(
            model="synthetic/hf:zai-org/GLM-4.7", base_url=emulator.base_url("synthetic"), api_key="k"
        ),
        tools=[searcher],
    )
    before = len(emulator.requests)
    result = agents.Runner.run_sync(agent, "latest litellm release")
    assert result.final_output.startswith("The tool says: 1. Result 1 for latest litellm release")
    searches = [seen for seen in emulator.requests[before:] if seen["endpoint"] == "/v2/search"]
    assert [seen["body"]["query"] for seen in searches] == ["latest litellm release"]
    # The schema the model was given is the tool's own.
    chat = next(
        seen["body"] for seen in emulator.requests[before:] if seen["endpoint"] == "/chat/completions"
    )
    assert chat["tools"][0]["function"]["name"] == "web_search"
    assert chat["tools"][0]["function"]["parameters"]["required"] == ["query"]
