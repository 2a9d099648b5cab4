"""Calls with no key: the Syncropel gateway's anonymous tier is sent, the other providers refuse locally.

The gateway documents an anonymous bearer type ("Anonymous (no Syncropel account)", one included
model, gemini-flash-1.5, "Anonymous + Paid"); Synthetic and Synternet document none, so a call to
them without a key is refused before any request, with the environment variable to set.
(The recorded tests in tests/recorded/test_syncropic.py cover what the gateway answers.)
"""

from __future__ import annotations

from typing import Any

import litellm
import pytest

from litellm_providers.catalog import bundled_catalog
from litellm_providers.emulator import Emulator
from litellm_providers.providers import PROVIDERS

HELLO = [{"role": "user", "content": "Hello"}]


@pytest.mark.parametrize(
    ("route", "model"),
    [("synthetic", "hf:zai-org/GLM-4.7"), ("synternet", "syntoshi-apex-thinking")],
)
@pytest.mark.parametrize("stream", [False, True])
def test_providers_without_an_anonymous_tier_refuse_a_keyless_call_locally(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, route: str, model: str, stream: bool
) -> None:
    spec = PROVIDERS[route]
    assert not spec.anonymous_access
    monkeypatch.delenv(spec.api_key_env)
    before = len(emulator.requests)
    with pytest.raises(litellm.AuthenticationError, match=spec.api_key_env) as caught:
        litellm.completion(
            model=f"{route}/{model}", messages=HELLO, api_base=emulator.base_url(route), stream=stream
        )
    assert "no API key" in str(caught.value)
    assert len(emulator.requests) == before


def test_only_the_gateway_serves_keyless_calls() -> None:
    assert {route for route, spec in PROVIDERS.items() if spec.anonymous_access} == {"syncropic"}


def test_catalog_tiers_follow_the_gateways_model_table() -> None:
    models = bundled_catalog("syncropic").models
    # "gemini-flash-1.5 | Anonymous + Paid"; every other model "Paid".
    assert models["gemini-flash-1.5"].admits("anonymous")
    assert models["gemini-flash-1.5"].admits("paid")
    for name, entry in models.items():
        if name != "gemini-flash-1.5":
            assert entry.admits("paid") and not entry.admits("anonymous"), name
    assert litellm.model_cost["syncropic/gemini-flash-1.5"]["tier"] == "anonymous+paid"


def _keyless(emulator: Emulator, model: str, **kwargs: Any) -> Any:
    return litellm.completion(
        model=f"syncropic/{model}", messages=HELLO, api_base=emulator.base_url("syncropic"), **kwargs
    )


def test_keyless_gateway_call_sends_no_credentials_of_any_kind(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The openai SDK reads OPENAI_API_KEY / OPENAI_ADMIN_KEY when given no key: none of it may reach
    # another provider, and no empty "Bearer " either.
    monkeypatch.delenv("SYNCROPEL_API_KEY")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-key-for-another-provider")
    monkeypatch.setenv("OPENAI_ADMIN_KEY", "sk-admin-key-for-another-provider")
    response = _keyless(emulator, "gemini-flash-1.5")
    sent = set(emulator.requests[-1]["headers"])
    assert "authorization" not in sent
    assert response._hidden_params["additional_headers"]["llm_provider-x-syncropic-tier"] == "anonymous"


def test_emulator_tier_is_the_callers_not_the_models(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    keyed = _keyless(emulator, "gemini-flash-1.5")  # the conftest's key is in SYNCROPEL_API_KEY
    assert keyed._hidden_params["additional_headers"]["llm_provider-x-syncropic-tier"] == "paid"
    monkeypatch.delenv("SYNCROPEL_API_KEY")
    # A model the catalog does not know is sent keyless (the gateway decides), and the emulator, like the
    # gateway, does not serve it to the anonymous tier. (Catalogued paid models are refused before
    # sending: tests/faults/test_hostile_cost_and_embeddings.py.)
    with pytest.raises(litellm.exceptions.PaymentRequiredError) as caught:
        _keyless(emulator, "some-future-model")
    assert caught.value.provider_error_code == "subscription_required"  # type: ignore[attr-defined]
