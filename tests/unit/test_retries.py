"""Which provider failures LiteLLM's Router retries: quota and auth never, rate limits and 5xx yes."""

from __future__ import annotations

import litellm
import pytest

from litellm_providers.emulator import Emulator


@pytest.fixture
def router(emulator: Emulator) -> litellm.Router:
    deployment = {
        "model_name": "haiku",
        "litellm_params": {"model": "syncropic/claude-haiku-4-5", "api_base": emulator.base_url("syncropic")},
    }
    return litellm.Router(model_list=[deployment], num_retries=2, retry_after=0)


@pytest.mark.parametrize(
    ("fault", "error_class"),
    [("402", litellm.exceptions.PaymentRequiredError), ("401", litellm.AuthenticationError)],
)
def test_quota_and_auth_errors_are_not_retried(
    router: litellm.Router, emulator: Emulator, fault: str, error_class: type[Exception]
) -> None:
    before = len(emulator.requests)
    with pytest.raises(error_class):
        router.completion(model="haiku", messages=[{"role": "user", "content": f"emulate:fault={fault}"}])
    assert len(emulator.requests) - before == 1


def test_rate_limits_are_retried(router: litellm.Router, emulator: Emulator) -> None:
    before = len(emulator.requests)
    with pytest.raises(litellm.RateLimitError):
        router.completion(
            model="haiku", messages=[{"role": "user", "content": "emulate:fault=429-no-retry-after"}]
        )
    assert len(emulator.requests) - before == 3
