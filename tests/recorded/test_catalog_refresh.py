"""Live model discovery on recorded HTTP: the lists are read, validated, merged and registered."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import litellm
import pytest

from litellm_providers import catalog
from litellm_providers.emulator import NEW_LIVE_MODEL
from litellm_providers.refresh import refresh_catalog
from litellm_providers.registration import register

HELLO = [{"role": "user", "content": "hi"}]


@pytest.fixture(autouse=True)
def restore_catalog() -> Iterator[None]:
    saved = dict(catalog._active)
    yield
    catalog._active.clear()
    catalog._active.update(saved)
    register()


@pytest.mark.vcr
def test_synthetic_refresh_adds_new_models_prices_and_vision(
    recorded_base: Any, caplog: pytest.LogCaptureFixture
) -> None:
    result = refresh_catalog("synthetic", api_base=recorded_base("synthetic"))
    assert result.error is None
    assert result.added == [NEW_LIVE_MODEL]
    assert result.skipped == ["hf:broken/Entry"]
    assert any("hf:broken/Entry" in r.getMessage() for r in caplog.records)  # a warning names it
    info = litellm.get_model_info(f"synthetic/{NEW_LIVE_MODEL}")
    assert info["max_input_tokens"] == 262_144 and info["max_output_tokens"] == 65_536
    assert litellm.supports_vision(f"synthetic/{NEW_LIVE_MODEL}")
    assert litellm.supports_function_calling(f"synthetic/{NEW_LIVE_MODEL}")
    # Bundled facts stay; live prices arrive: cost is no longer zero for synthetic calls.
    glm = litellm.get_model_info("synthetic/hf:zai-org/GLM-4.6")
    assert glm["max_input_tokens"] == 200_000
    assert glm["input_cost_per_token"] == pytest.approx(6e-7)
    assert glm["output_cost_per_token"] == pytest.approx(2.4e-6)
    assert glm["cache_read_input_token_cost"] == pytest.approx(3e-7)
    assert litellm.supports_vision("synthetic/hf:meta-llama/Llama-4-Scout-17B-16E-Instruct")
    assert "refresh" not in result.summary() and "1 new" in result.summary()


@pytest.mark.vcr
def test_synthetic_cost_after_refresh(recorded_base: Any) -> None:
    refresh_catalog("synthetic", api_base=recorded_base("synthetic"))
    response = litellm.completion(
        model="synthetic/hf:zai-org/GLM-4.6", messages=HELLO, api_base=recorded_base("synthetic")
    )
    usage = response.usage
    expected = usage.prompt_tokens * 6e-7 + usage.completion_tokens * 2.4e-6
    assert response._hidden_params["response_cost"] == pytest.approx(expected)
    assert litellm.completion_cost(response) == pytest.approx(expected)


@pytest.mark.vcr
def test_syncropic_refresh_reads_the_capabilities_endpoint(recorded_base: Any) -> None:
    result = refresh_catalog("syncropic", api_base=recorded_base("syncropic"))
    assert result.error is None and NEW_LIVE_MODEL in result.added
    haiku = litellm.get_model_info("syncropic/claude-haiku-4-5")
    assert haiku["input_cost_per_token"] == pytest.approx(1.30e-6)  # the gateway's price stands
    assert litellm.model_cost["syncropic/claude-haiku-4-5"]["tier"] == "paid"


@pytest.mark.vcr
def test_a_refused_key_keeps_the_bundled_catalog_and_says_why(recorded_base: Any) -> None:
    before = dict(catalog.active_models("synthetic"))
    result = refresh_catalog("synthetic", api_key="invalid-key", api_base=recorded_base("synthetic"))
    assert result.error is not None and "HTTP 401" in result.error
    assert dict(catalog.active_models("synthetic")) == before
