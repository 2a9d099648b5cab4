"""Parameter translation and checking, observed on the wire the emulator receives."""

from __future__ import annotations

import logging
from typing import Any

import litellm
import pytest

from litellm_providers.emulator import Emulator

TOOLS = [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}]
HELLO = [{"role": "user", "content": "hi"}]


def _sent(emulator: Emulator, route: str, model: str, **kwargs: Any) -> dict[str, Any]:
    litellm.completion(model=f"{route}/{model}", messages=HELLO, api_base=emulator.base_url(route), **kwargs)
    body: dict[str, Any] = emulator.requests[-1]["body"]
    return body


def test_documented_params_pass_and_max_completion_tokens_becomes_max_tokens(emulator: Emulator) -> None:
    body = _sent(
        emulator,
        "synthetic",
        "hf:zai-org/GLM-4.7",
        temperature=0.3,
        top_p=0.9,
        max_completion_tokens=77,
        frequency_penalty=0.1,
        presence_penalty=0.2,
        stop=["END"],
    )
    assert body["model"] == "hf:zai-org/GLM-4.7"
    assert body["max_tokens"] == 77
    assert "max_completion_tokens" not in body
    assert (body["temperature"], body["top_p"], body["stop"]) == (0.3, 0.9, ["END"])
    assert (body["frequency_penalty"], body["presence_penalty"]) == (0.1, 0.2)


def test_unsupported_param_raises_unless_drop_params(emulator: Emulator) -> None:
    with pytest.raises(litellm.UnsupportedParamsError, match="tools"):
        _sent(emulator, "synthetic", "hf:deepseek-ai/DeepSeek-R1-0528", tools=TOOLS)
    body = _sent(emulator, "synthetic", "hf:deepseek-ai/DeepSeek-R1-0528", tools=TOOLS, drop_params=True)
    assert "tools" not in body


def test_logit_bias_is_not_a_documented_synthetic_param(emulator: Emulator) -> None:
    with pytest.raises(litellm.UnsupportedParamsError, match="logit_bias"):
        _sent(emulator, "synthetic", "hf:zai-org/GLM-4.7", logit_bias={"42": 1})


def test_synternet_refuses_several_choices_it_would_merge_into_one(emulator: Emulator) -> None:
    """Each Synternet call is one upstream stream, which LiteLLM keeps as one choice."""
    with pytest.raises(litellm.UnsupportedParamsError, match="n"):
        _sent(emulator, "synternet", "syntoshi-apex-thinking", n=2)
    body = _sent(emulator, "synternet", "syntoshi-apex-thinking", n=2, drop_params=True)
    assert "n" not in body
    assert _sent(emulator, "synthetic", "hf:zai-org/GLM-4.7", n=2)["n"] == 2


def test_get_supported_openai_params_answers_for_the_route() -> None:
    kimi = litellm.get_supported_openai_params(
        model="hf:moonshotai/Kimi-K2-Instruct-0905", custom_llm_provider="synthetic"
    )
    assert kimi is not None and {"tools", "tool_choice", "max_tokens", "temperature"} <= set(kimi)
    r1 = litellm.get_supported_openai_params(model="synthetic/hf:deepseek-ai/DeepSeek-R1-0528")
    assert r1 is not None and "tools" not in r1 and "temperature" in r1


def test_unknown_model_passes_through_with_a_debug_log(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="litellm_providers"):
        body = _sent(emulator, "synthetic", "hf:new-lab/Brand-New-Model", tools=TOOLS, logit_bias={"1": 2})
    assert body["model"] == "hf:new-lab/Brand-New-Model"
    assert body["tools"] == TOOLS and body["logit_bias"] == {"1": 2}
    assert any("hf:new-lab/Brand-New-Model is not in the catalog" in r.getMessage() for r in caplog.records)


def test_api_key_and_base_come_from_kwargs_then_environment(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SYNTHETIC_API_BASE", emulator.base_url("synthetic"))
    monkeypatch.setenv("SYNTHETIC_API_KEY", "env-key-for-test")
    litellm.completion(model="synthetic/hf:zai-org/GLM-4.7", messages=HELLO)
    assert emulator.requests[-1]["headers"]["authorization"] == "Bearer env-key-for-test"
    litellm.completion(model="synthetic/hf:zai-org/GLM-4.7", messages=HELLO, api_key="kwarg-key")
    assert emulator.requests[-1]["headers"]["authorization"] == "Bearer kwarg-key"


def test_missing_key_is_a_clear_error_before_any_request(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SYNTHETIC_API_KEY")
    before = len(emulator.requests)
    with pytest.raises(litellm.AuthenticationError, match="SYNTHETIC_API_KEY"):
        litellm.completion(
            model="synthetic/hf:zai-org/GLM-4.7", messages=HELLO, api_base=emulator.base_url("synthetic")
        )
    assert len(emulator.requests) == before


def test_extra_headers_reach_the_wire(emulator: Emulator) -> None:
    _sent(emulator, "synternet", "syntoshi-apex-thinking", extra_headers={"X-Trace-Id": "trace-42"})
    assert emulator.requests[-1]["headers"]["x-trace-id"] == "trace-42"


@pytest.mark.parametrize(
    ("route", "model"),
    [("synthetic", "hf:zai-org/GLM-4.7"), ("synternet", "syntoshi-apex-thinking"), ("syncropic", "gpt-4o")],
)
def test_the_users_openai_organization_and_project_stay_home(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, route: str, model: str
) -> None:
    """The openai SDK would send OPENAI_ORG_ID / OPENAI_PROJECT_ID to whatever base URL it is given."""
    monkeypatch.setenv("OPENAI_ORG_ID", "org-of-the-users-openai-account")
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj-of-the-users-openai-account")
    # A key of its own, so the call builds a client now, with these variables set.
    _sent(emulator, route, model, api_key=f"key-for-the-org-test-{route}")
    sent = set(emulator.requests[-1]["headers"])
    assert not sent & {"openai-organization", "openai-project"}
