"""The emulator's directives follow the last user message, not the last message: Codex resends a turn
whose stream broke with the assistant item it had received appended, and a provider in trouble fails
that resend as it failed the first try (before, the fault vanished and the emulated model answered)."""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from litellm_providers.emulator import Emulator
from litellm_providers.emulator.replies import compose_reply, directives_of

PROMPT = "Say hello. emulate:fault=400 emulate:tool=none"


def _resent(prompt: str) -> list[dict[str, Any]]:
    """Codex's resend as the emulator receives it through LiteLLM's /v1/responses: its environment and
    the prompt as user messages, then the assistant item it had before the stream broke."""
    return [
        {"role": "system", "content": "You are Codex."},
        {
            "role": "user",
            "content": [{"type": "text", "text": "<environment_context>...</environment_context>"}],
        },
        {"role": "user", "content": [{"type": "text", "text": prompt}]},
        {"role": "assistant", "content": None, "reasoning_content": "The user asked: 'Say hello.'."},
    ]


def test_a_resent_turn_keeps_the_prompts_directives() -> None:
    assert directives_of({"messages": _resent(PROMPT)}) == {"fault": "400", "tool": "none"}


def test_a_resent_turn_keeps_the_tool_directive_and_answers_the_user() -> None:
    bash = {"type": "function", "function": {"name": "Bash", "parameters": {"type": "object"}}}
    reply = compose_reply({"messages": _resent("Say hello. emulate:tool=none"), "tools": [bash]})
    assert reply.tool_calls == []
    assert reply.answer == "You asked: Say hello."


def test_the_resend_faults_again_at_the_emulator(emulator: Emulator) -> None:
    url = emulator.base_url("synthetic") + "/chat/completions"
    headers = {"Authorization": "Bearer emulator-key"}
    statuses = []
    for messages in ([_resent(PROMPT)[2]], _resent(PROMPT)):
        body = {"model": "hf:zai-org/GLM-5.2", "messages": messages}
        statuses.append(httpx.post(url, json=body, headers=headers, timeout=30).status_code)
    assert statuses == [400, 400]


def test_a_tool_result_turn_still_reports_the_result() -> None:
    messages = [
        {"role": "user", "content": "Run `echo hi` with Bash. emulate:tool=Bash"},
        {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function"}]},
        {"role": "tool", "tool_call_id": "c1", "content": "hi"},
    ]
    assert compose_reply({"messages": messages}).answer == "The tool says: hi"


_CONTENT = (
    st.none() | st.text(max_size=30) | st.lists(st.dictionaries(st.text(max_size=5), st.text(max_size=30)))
)
_MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "tool", "system", 3]), "content": _CONTENT}
)


@settings(max_examples=200, deadline=None)
@given(messages=st.lists(_MESSAGE | st.text(max_size=5) | st.none(), max_size=5) | st.text(max_size=5))
def test_any_messages_give_directives_of_strings(messages: Any) -> None:
    directives = directives_of({"messages": messages})
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in directives.items())
    json.dumps(directives)
