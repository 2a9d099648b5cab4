"""Synthetic, Synternet and the Syncropel gateway as first-class LiteLLM providers.

import litellm, litellm_providers
litellm_providers.register()
litellm.completion(model="synthetic/hf:zai-org/GLM-4.7", messages=[...])
litellm_providers.quotas("synthetic")  # what is left of the subscription
litellm_providers.search("litellm custom providers")  # Synthetic's web search, as litellm.search answers
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "asearch", "quotas", "refresh_catalog", "register", "search"]

if TYPE_CHECKING:
    from litellm.llms.base_llm.search.transformation import SearchResponse

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


def _searcher() -> Any:
    from litellm_providers.registration import HANDLERS

    return HANDLERS["synthetic"]


def search(
    query: str,
    *,
    max_results: int | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    timeout: float | None = None,
) -> SearchResponse:
    """Synthetic's web search, as LiteLLM's own ``SearchResponse`` (what ``litellm.search`` returns).

    ``POST /v2/search`` at the origin of the API base; ``api_key`` and ``api_base`` default as for a
    call (``SYNTHETIC_API_KEY``, ``SYNTHETIC_API_BASE``). Each result has ``title``, ``url``,
    ``snippet`` (Synthetic's ``text``) and ``date`` (its ``published``, or None). ``max_results``
    keeps the first ones (Synthetic takes only the query). ``timeout`` is the seconds the whole search
    may take (None: 60). Failures raise LiteLLM's exceptions, as a call's do: a used-up
    ``search.hourly`` window is a ``RateLimitError`` that says when it renews, an answer that is not
    search results a ``ServiceUnavailableError`` (502), an empty query a ``BadRequestError``.
    """
    response: SearchResponse = _searcher().search(
        query, max_results=max_results, api_key=api_key, api_base=api_base, timeout=timeout
    )
    return response


async def asearch(
    query: str,
    *,
    max_results: int | None = None,
    api_key: str | None = None,
    api_base: str | None = None,
    timeout: float | None = None,
) -> SearchResponse:
    """``search``, awaited."""
    response: SearchResponse = await _searcher().asearch(
        query, max_results=max_results, api_key=api_key, api_base=api_base, timeout=timeout
    )
    return response


def __getattr__(name: str) -> Any:
    # Importing the package stays cheap (no LiteLLM import) until the caller asks for the wiring.
    if name == "register":
        from litellm_providers.registration import register

        return register
    if name == "refresh_catalog":
        from litellm_providers.refresh import refresh_catalog

        return refresh_catalog
    raise AttributeError(f"module 'litellm_providers' has no attribute {name!r}")
