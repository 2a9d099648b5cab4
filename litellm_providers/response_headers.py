"""What a provider's response headers tell LiteLLM: forwarded headers, and the cost the provider states
(bounded: a figure no single request reaches is not taken)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from litellm.litellm_core_utils.core_helpers import process_response_headers

from litellm_providers.provider import ProviderSpec

logger = logging.getLogger("litellm_providers")


# LiteLLM's slot for a cost the provider stated: its logging, spend tracking and the proxy's
# x-litellm-response-cost take this figure instead of pricing the call from the catalog.
STATED_COST_KEY = "llm_provider-x-litellm-response-cost"
# The most one request can be said to cost, in USD; a stated cost at or above it is a broken header, not a
# bill. No single request comes near: the gateway's dearest model (claude-sonnet-4-6, $19.50 per 1M output
# tokens) would have to write some 50M tokens, 250 times its whole 200k-token window, to cost $1,000.
MAX_STATED_COST_USD = 1000.0
_HTTP_SPACE = " \t"  # the whitespace HTTP allows around a header's value
# What a cost header may hold: a plain non-negative decimal (no sign, no nan or inf, no Python-only forms
# such as "1_000", and ASCII digits only: float() also reads other scripts' digits).
_PLAIN_DECIMAL = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def hidden_params_from_headers(provider: ProviderSpec, headers: Mapping[str, str]) -> dict[str, Any]:
    """What the response headers tell LiteLLM: forwarded headers, and the provider's own cost.

    The cost is the provider's only when its cost header states a plausible one
    (``response_cost_from_headers``); otherwise nothing is stated and LiteLLM prices the call from the
    catalog. An upstream header that would land in LiteLLM's own slot for a stated cost is dropped: only
    the figure read here may stand there.
    """
    hidden: dict[str, Any] = {"custom_llm_provider": provider.route}
    forwarded = {name: headers[name] for name in provider.forwarded_headers if name in headers}
    additional = {
        name: value
        for name, value in process_response_headers(dict(headers.items())).items()
        if name.lower() != STATED_COST_KEY
    }
    # LiteLLM's convention: provider headers travel as "llm_provider-<name>", which the proxy returns.
    additional.update({f"llm_provider-{name.lower()}": value for name, value in forwarded.items()})
    hidden["additional_headers"] = additional
    cost = response_cost_from_headers(provider, headers)
    if cost is not None:
        hidden["response_cost"] = cost
        additional[STATED_COST_KEY] = cost
    return hidden


def response_cost_from_headers(provider: ProviderSpec, headers: Mapping[str, str]) -> float | None:
    """The call's cost in USD as the provider's cost header states it: a finite, non-negative figure below
    ``MAX_STATED_COST_USD``. None when there is no such header or it states no plausible cost
    (``cost_header_problem`` says why), so that the catalog price stands; never raises."""
    raw = cost_header_value(provider, headers)
    if raw is None or cost_header_problem(provider, raw) is not None:
        return None
    return float(raw.strip(_HTTP_SPACE)) * provider.cost_header_usd_per_unit + 0.0


def cost_header_value(provider: ProviderSpec, headers: Mapping[str, Any]) -> Any:
    """The provider's cost header as it arrived (any case of its name), or None when it did not."""
    if provider.cost_header is None:
        return None
    wanted = provider.cost_header.lower()
    for name, value in headers.items():
        if isinstance(name, str) and name.lower() == wanted:
            return value
    return None


def cost_header_problem(provider: ProviderSpec, raw: Any) -> str | None:
    """Why a cost header's value is not a cost to believe (without quoting it), or None if it is one."""
    text = raw.strip(_HTTP_SPACE) if isinstance(raw, str) else ""
    if not text:
        return "is empty"
    if not _PLAIN_DECIMAL.fullmatch(text):
        return "is not a non-negative decimal number"
    usd = float(text) * provider.cost_header_usd_per_unit
    if not usd < MAX_STATED_COST_USD:  # also catches a figure that overflows to inf
        return f"states ${MAX_STATED_COST_USD:,.0f} or more for one request (the bound)"
    return None
