"""The three coding agents of tests/integration/test_coding_agents.py, as data: how each is installed,
configured in a scratch home, started non-interactively against a proxy, and read back.

Each agent runs from the project-local install `.ci/run` makes (`.ci/agents/node_modules`, versions in
`.ci/agents/package.json`), in a home of its own, with updates, telemetry and every other call home
turned off, so the only server it talks to is the proxy on loopback. docs/frameworks.md shows the same
variables and files, one section per agent.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import ROOT

AGENTS_DIR = ROOT / ".ci" / "agents"
BIN = AGENTS_DIR / "node_modules" / ".bin"
INSTALL = "bash .ci/run (or just the agents: npm install --prefix .ci/agents --no-package-lock)"
# Generous: two cores are shared, and an agent that retries sleeps between tries.
RUN_SECONDS = 240


@dataclass
class AgentRun:
    """What one non-interactive run printed: its exit status, its stdout (JSON lines) and stderr."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    @property
    def events(self) -> list[dict[str, Any]]:
        parsed = []
        for line in self.stdout.splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a client's plain log line among its events
            if isinstance(event, dict):
                parsed.append(event)
        return parsed


@dataclass(frozen=True)
class Setup:
    """An agent's start: its command line, its environment and the files it reads, in a scratch home."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path


@dataclass(frozen=True)
class Agent:
    """One coding agent: its binary, how it is set up against a proxy, and where its output says what."""

    name: str
    binary: str
    shell_tool: str  # the name of its tool that runs a shell command
    setup: Callable[[Path, str, str, str, str], Setup]  # (home, proxy url, key, model, prompt)
    answers: Callable[[list[dict[str, Any]]], list[str]]  # the texts the model's answer arrived in
    reasoning: Callable[[list[dict[str, Any]]], list[str]]  # the reasoning it showed

    @property
    def path(self) -> Path:
        return BIN / self.binary

    def run(self, home: Path, proxy_url: str, key: str, model: str, prompt: str) -> AgentRun:
        """One non-interactive turn; a hang fails at RUN_SECONDS (subprocess.TimeoutExpired)."""
        home.mkdir(parents=True, exist_ok=True)
        started = self.setup(home, proxy_url, key, model, prompt)
        finished = subprocess.run(
            started.argv,
            env=started.env,
            cwd=started.cwd,
            stdin=subprocess.DEVNULL,  # nothing to read: Codex and opencode would wait for stdin
            capture_output=True,
            text=True,
            timeout=RUN_SECONDS,
        )
        return AgentRun(finished.returncode, finished.stdout, finished.stderr)


def _base_env(home: Path) -> dict[str, str]:
    """A clean environment: the PATH (for node and the shell tools), a scratch HOME and XDG dirs."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "LANG": "C.UTF-8",
        "NO_COLOR": "1",
    }
    workdir = home / "work"
    workdir.mkdir(exist_ok=True)
    return env


# -- Claude Code ------------------------------------------------------------------------------------

CLAUDE_ENV = {
    # No update checks, error reports, telemetry or other calls to Anthropic: the proxy is all it sees.
    "DISABLE_AUTOUPDATER": "1",
    "DISABLE_TELEMETRY": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
}
# What a provider's error costs: one retry, not ten (a 429 or a 5xx; its default is 10, with backoff),
# and no resends of a 400 with fewer anthropic-beta flags (twice by default, and again with its deferred
# tools inline): it sends no experimental beta in the first place.
CLAUDE_ERROR_ENV = {
    "CLAUDE_CODE_MAX_RETRIES": "1",
    "CLAUDE_CODE_DISABLE_EXPERIMENTAL_BETAS": "1",
}


def _claude_setup(home: Path, proxy_url: str, key: str, model: str, prompt: str) -> Setup:
    env = {
        **_base_env(home),
        **CLAUDE_ENV,
        **CLAUDE_ERROR_ENV,
        "ANTHROPIC_BASE_URL": proxy_url.removesuffix("/v1"),  # Claude Code appends /v1/messages
        "ANTHROPIC_AUTH_TOKEN": key,  # sent as Authorization: Bearer, what the proxy checks
        # Background calls (titles, summaries) go to the "small fast" model: the same deployment.
        "ANTHROPIC_SMALL_FAST_MODEL": model,
        "ANTHROPIC_DEFAULT_HAIKU_MODEL": model,
    }
    argv = [str(BIN / "claude"), "-p", prompt, "--model", model]
    argv += ["--output-format", "stream-json", "--verbose"]
    # A Bash call runs without a prompt to approve it (--dangerously-skip-permissions refuses root).
    argv += ["--allowedTools", "Bash"]
    return Setup(argv, env, home / "work")


def _claude_blocks(events: list[dict[str, Any]], kind: str, field: str) -> list[str]:
    texts = []
    for event in events:
        if event.get("type") != "assistant":
            continue
        for block in event.get("message", {}).get("content") or []:
            if isinstance(block, dict) and block.get("type") == kind:
                texts.append(str(block.get(field, "")))
    return texts


def _claude_answers(events: list[dict[str, Any]]) -> list[str]:
    results = [str(e.get("result", "")) for e in events if e.get("type") == "result"]
    return _claude_blocks(events, "text", "text") + results


CLAUDE_CODE = Agent(
    name="claude-code",
    binary="claude",
    shell_tool="Bash",
    setup=_claude_setup,
    answers=_claude_answers,
    reasoning=lambda events: _claude_blocks(events, "thinking", "thinking"),
)


# -- Codex CLI ---------------------------------------------------------------------------------------

CODEX_CONFIG = """\
model = "{model}"
model_provider = "litellm"
check_for_update_on_startup = false

[model_providers.litellm]
name = "LiteLLM proxy"
base_url = "{base_url}"
env_key = "LITELLM_API_KEY"
wire_api = "responses"
request_max_retries = 1
stream_max_retries = 1

[analytics]
enabled = false

[feedback]
enabled = false
"""


def _codex_setup(home: Path, proxy_url: str, key: str, model: str, prompt: str) -> Setup:
    codex_home = home / ".codex"
    codex_home.mkdir(exist_ok=True)
    (codex_home / "config.toml").write_text(CODEX_CONFIG.format(model=model, base_url=proxy_url), "utf-8")
    env = {**_base_env(home), "CODEX_HOME": str(codex_home), "LITELLM_API_KEY": key}
    argv = [str(BIN / "codex"), "exec", "--json", "--skip-git-repo-check"]
    # The shell tool runs without approval; the scratch home is the sandbox.
    argv += ["--dangerously-bypass-approvals-and-sandbox", prompt]
    return Setup(argv, env, home / "work")


def _codex_items(events: list[dict[str, Any]], kind: str) -> list[str]:
    items = [e.get("item", {}) for e in events if e.get("type") == "item.completed"]
    return [str(item.get("text", "")) for item in items if item.get("type") == kind]


CODEX = Agent(
    name="codex",
    binary="codex",
    shell_tool="exec_command",
    setup=_codex_setup,
    answers=lambda events: _codex_items(events, "agent_message"),
    reasoning=lambda events: _codex_items(events, "reasoning"),
)


# -- opencode ----------------------------------------------------------------------------------------

OPENCODE_ENV = {
    # The proxy is the only provider: no models.dev catalog download, no updates, no sharing, no
    # language-server downloads.
    "OPENCODE_DISABLE_MODELS_FETCH": "1",
    "OPENCODE_DISABLE_AUTOUPDATE": "1",
    "OPENCODE_DISABLE_SHARE": "1",
    "OPENCODE_DISABLE_LSP_DOWNLOAD": "1",
    "OPENCODE_DISABLE_DEFAULT_PLUGINS": "1",
}


def opencode_config(proxy_url: str, models: list[str]) -> dict[str, Any]:
    """opencode.json: the proxy as an OpenAI-compatible provider (``@ai-sdk/openai-compatible``, bundled
    in opencode's binary: nothing is downloaded) offering ``models``; the shell tool allowed."""
    return {
        "$schema": "https://opencode.ai/config.json",
        "autoupdate": False,
        "share": "disabled",
        "permission": {"bash": "allow", "edit": "allow"},
        "provider": {
            "litellm": {
                "npm": "@ai-sdk/openai-compatible",
                "name": "LiteLLM proxy",
                "options": {"baseURL": proxy_url, "apiKey": "{env:LITELLM_API_KEY}"},
                "models": {model: {"name": model} for model in models},
            }
        },
    }


def _opencode_setup(home: Path, proxy_url: str, key: str, model: str, prompt: str) -> Setup:
    env = {**_base_env(home), **OPENCODE_ENV, "LITELLM_API_KEY": key}
    config = opencode_config(proxy_url, [model])
    (home / "work" / "opencode.json").write_text(json.dumps(config, indent=2), "utf-8")
    # --pure: no plugins (opencode would npm-install its plugin package into the config dir);
    # --thinking: reasoning parts in the JSON events.
    argv = [str(BIN / "opencode"), "run", "--pure", "--thinking", "--format", "json"]
    argv += ["-m", f"litellm/{model}", prompt]
    return Setup(argv, env, home / "work")


def _opencode_parts(events: list[dict[str, Any]], kind: str) -> list[str]:
    parts = [e.get("part", {}) for e in events if e.get("type") == kind]
    return [str(part.get("text", "")) for part in parts]


OPENCODE = Agent(
    name="opencode",
    binary="opencode",
    shell_tool="bash",
    setup=_opencode_setup,
    answers=lambda events: _opencode_parts(events, "text"),
    reasoning=lambda events: _opencode_parts(events, "reasoning"),
)

AGENTS = [CLAUDE_CODE, CODEX, OPENCODE]
