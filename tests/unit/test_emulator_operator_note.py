"""The emulator reads the user's turn past the operator note LiteLLM appends after it: Claude Code
2.1.3xx sends its environment as a system message after the prompt (for a model name it does not know),
and LiteLLM's /v1/messages turns that into a trailing user message starting "Operator note ..."."""

from __future__ import annotations

from typing import Any

from litellm_providers.emulator.replies import compose_reply, directives_of

# What LiteLLM (1.106 and 1.110, mid_conversation_system.py) writes at the head of the message.
NOTE = (
    "Operator note (not from the user): the following was originally a mid-conversation system-role reminder."
)

BASH = {
    "type": "function",
    "function": {
        "name": "Bash",
        "parameters": {
            "type": "object",
            "properties": {"command": {"type": "string"}},
            "required": ["command"],
        },
    },
}
AGENT = {
    "type": "function",
    "function": {
        "name": "Agent",
        "parameters": {
            "type": "object",
            "properties": {"prompt": {"type": "string"}},
            "required": ["prompt"],
        },
    },
}


def _as_the_proxy_sends_it(prompt: str) -> dict[str, Any]:
    """Claude Code's first request on glm-5.2, as the emulator receives it through LiteLLM's proxy."""
    environment = "# Environment\n - Shell: bash\n - Primary working directory: `/work`"
    return {
        "model": "hf:zai-org/GLM-5.2",
        "tools": [AGENT, BASH],
        "messages": [
            {"role": "system", "content": "You are a coding agent."},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "<system-reminder>...</system-reminder>"},
                    {"type": "text", "text": prompt},
                ],
            },
            {
                "role": "user",
                "content": [{"type": "text", "text": NOTE}, {"type": "text", "text": environment}],
            },
        ],
    }


def test_directives_are_read_from_the_prompt_not_the_note() -> None:
    body = _as_the_proxy_sends_it("Say hello. emulate:fault=400 emulate:tool=none")
    assert directives_of(body) == {"fault": "400", "tool": "none"}
    reply = compose_reply(body)
    assert reply.tool_calls == []
    assert reply.answer == "You asked: <system-reminder>...</system-reminder> Say hello."


def test_the_tool_the_prompt_names_is_called_with_its_backticked_command() -> None:
    reply = compose_reply(_as_the_proxy_sends_it("Run `echo hi` with the Bash tool."))
    [call] = reply.tool_calls
    assert call["function"]["name"] == "Bash"
    assert call["function"]["arguments"] == '{"command": "echo hi"}'
