"""Claude Code, Codex CLI and opencode, run for real, non-interactively, against a real
`litellm --config docs/proxy/config.yaml` proxy in front of the emulator, each in a scratch home, with
nothing beyond loopback to talk to (tests/integration/coding_agents.py says how each is set up; the
same set-up is in docs/frameworks.md).

Each agent: a plain turn on every chat model the shipped config deploys (with the agent's default tool
set offered, so a model that refuses tools would fail here); a turn in which its shell tool really runs
and the output reaches the answer; reasoning shown on the reasoning models; a provider 400, 429 and an
error mid-stream, each ending the run with the provider's message, the upstream requests counted at the
emulator so a retry storm shows. The agents are installed by `.ci/run` (`.ci/agents/package.json` pins
them); without node or the installed agents these tests skip locally and fail in CI (``CI=true``).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from litellm_providers.emulator import Emulator
from tests.conftest import ROOT
from tests.integration.coding_agents import (
    AGENTS,
    CLAUDE_ENV,
    CLAUDE_ERROR_ENV,
    CODEX_CONFIG,
    INSTALL,
    OPENCODE_ENV,
    Agent,
    AgentRun,
    opencode_config,
)
from tests.integration.doc_blocks import blocks
from tests.integration.test_proxy import SHIPPED_CHAT_MODELS, Proxy, config_for, running_proxy

pytestmark = pytest.mark.integration

# The reasoning models of the shipped config, one per provider that deploys one (Syncropel's two
# deployments, claude-haiku-4-5 and gpt-4o, do not reason).
REASONING_MODELS = ["glm-5.2", "syntoshi-apex-thinking"]
# The error runs on one model: how a provider's refusal keeps its status through the proxy, route by
# route and endpoint by endpoint, is tests/integration/test_status_through_the_proxy.py; here it is what
# each client does with it. (Each error run takes up to a minute of a client's own retries.)
ERROR_MODELS = ["glm-5.2"]
# The emulator's faults (litellm_providers/emulator/faults.py), what each says, and the directives
# that ask for it. The 429's Retry-After is 1 s so an agent that honours it and retries shows its
# count in seconds, not minutes.
FAULTS = {
    "400": ("emulate:fault=400", "Invalid parameter: messages"),
    "429": ("emulate:fault=429 emulate:retry_after=1", "60 requests per minute on paid tier"),
    "mid-stream": ("emulate:fault=sse-error", "upstream model crashed"),
}
# The first try and at most one retry: more than that is a retry storm against a provider in trouble.
MOST_UPSTREAM_REQUESTS = 2
NO_TOOL = "emulate:tool=none"  # the emulated model answers without calling any of the offered tools


@pytest.fixture(scope="module")
def installed() -> None:
    missing = [str(agent.path) for agent in AGENTS if not agent.path.exists()]
    if shutil.which("node") is None or missing:
        reason = f"node is not on PATH or the agents are not installed ({', '.join(missing)}); run: {INSTALL}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the coding agents must run in CI: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def agents_emulator() -> Iterator[Emulator]:
    # Its own emulator: the upstream requests of one run are counted there.
    with Emulator() as running:
        yield running


@pytest.fixture(scope="module")
def proxy(
    installed: None, agents_emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Proxy]:
    directory = tmp_path_factory.mktemp("agents-proxy")
    config = config_for(agents_emulator, directory, {})
    with running_proxy(config, agents_emulator, directory / "proxy.log", workers=1) as running:
        yield running


def _run(agent: Agent, proxy: Proxy, home: Path, model: str, prompt: str) -> AgentRun:
    return agent.run(home, proxy.url, proxy.master_key, model, prompt)


def _upstream_requests(emulator: Emulator, marker: str) -> int:
    """How many requests of one run reached the provider: those whose messages carry its marker."""
    return sum(1 for seen in emulator.requests if marker in json.dumps(seen["body"].get("messages")))


def _marker() -> str:
    return f"run-{uuid.uuid4().hex[:12]}"


def _why(run: AgentRun) -> str:
    return f"exit {run.returncode}\n--- stdout\n{run.stdout[-4000:]}\n--- stderr\n{run.stderr[-3000:]}"


@pytest.mark.parametrize("model", SHIPPED_CHAT_MODELS)
@pytest.mark.parametrize("agent", AGENTS, ids=lambda agent: agent.name)
def test_a_plain_turn_answers(agent: Agent, model: str, proxy: Proxy, tmp_path: Path) -> None:
    run = _run(agent, proxy, tmp_path, model, f"What is the capital of France? {NO_TOOL}")
    answers = agent.answers(run.events)
    assert run.returncode == 0, _why(run)
    assert any("You asked:" in text and "What is the capital of France?" in text for text in answers), _why(
        run
    )


@pytest.mark.parametrize("model", SHIPPED_CHAT_MODELS)
@pytest.mark.parametrize("agent", AGENTS, ids=lambda agent: agent.name)
def test_the_shell_tool_runs_and_its_output_reaches_the_answer(
    agent: Agent, model: str, proxy: Proxy, tmp_path: Path
) -> None:
    # The shell computes 42: the text "tool-ran-42" is nowhere in the prompt, only in the tool's output.
    # The directive names the tool: Claude Code's own reminders in the same message name other tools
    # (its Agent tool, offered first, for a claude-* model name), and the emulator would call the first.
    tool = agent.shell_tool
    prompt = f"Run `echo tool-ran-$((6*7))` with the {tool} tool. emulate:tool={tool}"
    run = _run(agent, proxy, tmp_path, model, prompt)
    answers = agent.answers(run.events)
    assert run.returncode == 0, _why(run)
    assert any("The tool says:" in text and "tool-ran-42" in text for text in answers), _why(run)


@pytest.mark.parametrize("model", REASONING_MODELS)
@pytest.mark.parametrize("agent", AGENTS, ids=lambda agent: agent.name)
def test_reasoning_shows(agent: Agent, model: str, proxy: Proxy, tmp_path: Path) -> None:
    run = _run(agent, proxy, tmp_path, model, f"Think first: what is 6 times 7? {NO_TOOL}")
    assert run.returncode == 0, _why(run)
    # The emulated model's reasoning for this question, as the agent shows it.
    assert any("Let me answer briefly" in text for text in agent.reasoning(run.events)), _why(run)
    assert any("what is 6 times 7?" in text for text in agent.answers(run.events)), _why(run)


class RetryStorm(AssertionError):
    """More upstream requests for one run than MOST_UPSTREAM_REQUESTS."""


# What the runs found (Claude Code 2.1.332, Codex 0.171.0, opencode 1.18.33), set up as docs/frameworks.md
# says (each agent's own retries lowered to one: CLAUDE_ERROR_ENV, Codex's request_max_retries and
# stream_max_retries), with the shipped proxy config, which gives a provider's 429 straight back (one
# upstream request per try), and async streams that open before acompletion() returns. Each is expected to
# fail, strictly, in the way named, so a fix in the agent, the proxy or the package turns it into a pass to
# keep. What is left is each agent's own doing: the proxy hands each the provider's message.
KNOWN: dict[tuple[str, str], tuple[type[AssertionError], str]] = {
    ("claude-code", "mid-stream"): (
        AssertionError,
        "the proxy's /v1/messages stream ends with an Anthropic `error` event (api_error) carrying the "
        "provider's message; Claude Code takes it for a server error after the blocks it has shown, asks "
        "the model to resume (3 more requests), and ends (exit 1) with its own 'API Error: Server error "
        "mid-response. The response above may be incomplete.', never printing the event's message",
    ),
    ("codex", "429"): (
        AssertionError,
        "Codex gives up on a 429 after one request (whatever request_max_retries says) and prints only its "
        "own 'exceeded retry limit, last status: 429 Too Many Requests', not the proxy's error body, "
        "which carries the provider's message",
    ),
    ("opencode", "429"): (
        RetryStorm,
        "opencode retries any error the AI SDK marks retryable (a 429, any 5xx) up to RETRY_MAX_RETRIES=5 "
        "times, a constant in its session retry policy that neither opencode.json nor the provider's "
        "options change (the AI SDK's own maxRetries it already sets to 0); with its title request's own "
        "3 tries, 9 upstream requests",
    ),
    ("opencode", "mid-stream"): (
        RetryStorm,
        "LiteLLM's proxy ends the chat stream with an error chunk (type internal_server_error, code 500, "
        "the provider's message); opencode shows the message but its session retry policy retries any "
        "error whose text matches /500/ or /server_error/, up to RETRY_MAX_RETRIES=5 times (a constant): "
        "7 upstream requests",
    ),
}


def _error_runs() -> list[object]:
    runs = []
    for agent in AGENTS:
        for model in ERROR_MODELS:
            for fault in FAULTS:
                found = KNOWN.get((agent.name, fault))
                marks = [pytest.mark.xfail(raises=found[0], reason=found[1], strict=True)] if found else []
                runs.append(
                    pytest.param(agent, model, fault, marks=marks, id=f"{agent.name}-{model}-{fault}")
                )
    return runs


@pytest.mark.parametrize(("agent", "model", "fault"), _error_runs())
def test_a_provider_error_ends_the_run_with_its_message(
    agent: Agent, model: str, fault: str, proxy: Proxy, agents_emulator: Emulator, tmp_path: Path
) -> None:
    directives, message = FAULTS[fault]
    marker = _marker()
    run = _run(agent, proxy, tmp_path, model, f"Say hello ({marker}). {directives} {NO_TOOL}")
    assert run.returncode != 0, _why(run)
    assert message in run.output, _why(run)
    upstream = _upstream_requests(agents_emulator, marker)
    if upstream > MOST_UPSTREAM_REQUESTS:
        raise RetryStorm(f"{upstream} upstream requests\n{_why(run)}")


DOCS_PROXY = "http://127.0.0.1:4000/v1"  # the README's proxy, as docs/frameworks.md names it


def test_the_docs_set_up_each_agent_as_these_tests_do() -> None:
    page = ROOT / "docs" / "frameworks.md"
    examples = blocks("docs/frameworks.md", page.read_text("utf-8"))
    by_language: dict[str, list[str]] = {}
    for block in examples:
        by_language.setdefault(block.language, []).append(block.code)
    assert CODEX_CONFIG.format(model="glm-5.2", base_url=DOCS_PROXY) in by_language["toml"]
    assert opencode_config(DOCS_PROXY, SHIPPED_CHAT_MODELS) in [
        json.loads(code) for code in by_language["json"]
    ]
    shell = "\n".join(by_language["bash"])
    assert [
        name for name in [*CLAUDE_ENV, *CLAUDE_ERROR_ENV, *OPENCODE_ENV] if f"{name}=1" not in shell
    ] == []
