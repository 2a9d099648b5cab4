"""Synthetic, Synternet and the Syncropel gateway as first-class LiteLLM providers.

import litellm, litellm_providers
litellm_providers.register()
litellm.completion(model="synthetic/hf:zai-org/GLM-4.7", messages=[...])
litellm_providers.quotas("synthetic")  # what is left of the subscription
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "quotas", "refresh_catalog", "register"]

if TYPE_CHECKING:
    from litellm_providers.quota import QuotaSnapshot
    from litellm_providers.refresh import refresh_catalog
    from litellm_providers.registration import register


def quotas(
    provider: str = "synthetic",
    api_key: str | None = None,
    api_base: str | None = None,
    *,
    timeout: float | None = 30.0,
) -> QuotaSnapshot:
    """What is left of the subscription: every window the provider reports (``QuotaSnapshot``).

    ``api_key`` and ``api_base`` default as for a call (``SYNTHETIC_API_KEY``, ``SYNTHETIC_API_BASE``);
    the quotas endpoint sits at the origin of the API base. ``timeout`` means what a call's does: the
    seconds the whole read may take, answer included (an ``httpx.Timeout`` sets its parts). Failures
    raise LiteLLM's exceptions, as a call's do; a provider that publishes no quotas raises
    ``ValueError``.
    """
    from litellm_providers.registration import HANDLERS

    if provider not in HANDLERS:
        raise ValueError(f"unknown provider {provider!r}; one of {', '.join(sorted(HANDLERS))}")
    return HANDLERS[provider].quotas(api_key=api_key, api_base=api_base, timeout=timeout)


def __getattr__(name: str) -> Any:
    # Importing the package stays cheap (no LiteLLM import) until the caller asks for the wiring.
    if name == "register":
        from litellm_providers.registration import register

        return register
    if name == "refresh_catalog":
        from litellm_providers.refresh import refresh_catalog

        return refresh_catalog
    raise AttributeError(f"module 'litellm_providers' has no attribute {name!r}")
