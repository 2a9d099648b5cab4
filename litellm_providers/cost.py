"""What a call through these routes cost, as LiteLLM reports it, and a warning where that figure is no cost.

A provider may state the cost of a call (the Syncropel gateway's ``X-Syncropic-Cost-Cents``); LiteLLM
otherwise prices it from the catalog. Two figures are not to be believed and are said to be so, naming the
model, on the ``litellm_providers`` logger:

* a stated cost that is no cost (negative, not a number, infinite, absurdly large): the translator never
  states it (``response_headers.response_cost_from_headers``), the catalog price stands, and the first time
  LiteLLM prices that answer a warning names the header and what is wrong with it, never its value;
* a catalogued model with no price (Synternet's, Synthetic's retired models): LiteLLM prices it at 0.0,
  which is not free but unknown; a warning says so, once per model per process.

``answer_wraps.install_completion_cost`` calls these from ``litellm.completion_cost`` and from the
``litellm.response_cost_calculator`` that LiteLLM's logging (callbacks, proxy spend, ``response_cost``)
prices every call with. The figures themselves are LiteLLM's: the proxy and the loggers keep the float
they expect.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import litellm

from litellm_providers.provider import ProviderSpec
from litellm_providers.providers import PROVIDERS
from litellm_providers.response_headers import (
    MAX_STATED_COST_USD,
    STATED_COST_KEY,
    cost_header_problem,
    cost_header_value,
)

logger = logging.getLogger("litellm_providers")

_lock = threading.Lock()
# Models already warned about as having no price: once per model per process is enough to be heard.
_unpriced_warned: set[str] = set()
# Answers already warned about for a bad cost header: LiteLLM may price one answer several times.
_bad_header_warned: OrderedDict[tuple[str, str], None] = OrderedDict()
_BAD_HEADER_WARNED_KEPT = 256


def route_of(response: object) -> str | None:
    """The route of one of this package's responses (None for any other)."""
    hidden = getattr(response, "_hidden_params", None)
    if not isinstance(hidden, dict):
        return None
    # A cache hit has lost custom_llm_provider, but LiteLLM names the model it was asked for.
    route = hidden.get("custom_llm_provider") or str(hidden.get("litellm_model_name") or "").split("/")[0]
    return route if route in PROVIDERS else None


def provider_stated_cost(response: object) -> float | None:
    """The cost, in USD, a provider stated for one of this package's responses, if it stated a believable
    one: finite, non-negative and below ``MAX_STATED_COST_USD``."""
    if route_of(response) is None:
        return None
    hidden: dict[str, Any] = getattr(response, "_hidden_params", {})
    headers = hidden.get("additional_headers")
    stated = headers.get(STATED_COST_KEY) if isinstance(headers, Mapping) else None
    if stated is None:
        # A response rebuilt from a stream, or replayed from LiteLLM's cache, carries it on its usage.
        stated = getattr(getattr(response, "usage", None), "cost", None)
    return _believable_usd(stated)


def carry_provider_headers(built: object, chunks: object) -> None:
    """Give a response LiteLLM built from one of this package's streams the provider's headers the stream's
    chunks carry (LiteLLM 1.106 builds it with none): its cost, tier and request id, and a cost header the
    translator refused, which ``warn_where_the_cost_is_no_cost`` then names."""
    first = next(iter(chunks), None) if isinstance(chunks, list) else None
    if route_of(first) is None:
        return
    carried = getattr(first, "_hidden_params", {}).get("additional_headers")
    hidden = getattr(built, "_hidden_params", None)
    if not isinstance(carried, Mapping) or not isinstance(hidden, dict):
        return
    headers = hidden.get("additional_headers")
    hidden["additional_headers"] = {**carried, **(headers if isinstance(headers, Mapping) else {})}


def _believable_usd(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        usd = float(value)
    except ValueError:
        return None
    return usd + 0.0 if math.isfinite(usd) and 0 <= usd < MAX_STATED_COST_USD else None


# What a LiteLLM cost call may carry that prices the call some other way than the model's catalog entry.
_OTHER_PRICING = ("custom_pricing", "custom_cost_per_token", "custom_cost_per_second", "base_model")


def warn_where_the_cost_is_no_cost(response: object, call: Mapping[str, Any]) -> None:
    """Warn (see the module docstring) when LiteLLM is about to price ``response`` from the catalog because
    its stated cost was refused, or from a catalog entry with no price. ``call``: the keyword arguments of
    LiteLLM's cost function. Never raises: it runs inside LiteLLM's cost calculation, which must keep
    working whatever it is handed."""
    try:
        found = _route_and_model(response, call.get("model"), call.get("custom_llm_provider"))
        if found is None:
            return
        provider, name = found
        _warn_about_a_refused_cost_header(provider, name, response)
        if not any(call.get(key) for key in _OTHER_PRICING) and not _priced_deployment(call):
            _warn_about_no_price(provider, name)
    except Exception as error:  # a response of a shape LiteLLM accepts and this does not expect
        logger.debug("no cost check for this response: %s", type(error).__name__)


def _priced_deployment(call: Mapping[str, Any]) -> bool:
    # A proxy or Router deployment's own model_info prices are kept under its id.
    info = litellm.model_cost.get(str(call.get("router_model_id")))
    return isinstance(info, Mapping) and _priced(info)


def _route_and_model(
    response: object, model: object, custom_llm_provider: object
) -> tuple[ProviderSpec, str] | None:
    hidden = getattr(response, "_hidden_params", None)
    hidden = hidden if isinstance(hidden, dict) else {}
    route = custom_llm_provider or hidden.get("custom_llm_provider")
    name = model or getattr(response, "model", None) or hidden.get("litellm_model_name")
    if not isinstance(name, str):
        return None
    if route is None and "/" in name:
        route = name.split("/", 1)[0]
    if not isinstance(route, str) or route not in PROVIDERS:
        return None
    provider = PROVIDERS[route]
    name = name.removeprefix(f"{route}/")
    return provider, provider.catalog_model(name)


def _warn_about_a_refused_cost_header(provider: ProviderSpec, name: str, response: object) -> None:
    hidden = getattr(response, "_hidden_params", None)
    headers = hidden.get("additional_headers") if isinstance(hidden, dict) else None
    if provider.cost_header is None or not isinstance(headers, Mapping):
        return
    raw = cost_header_value(provider, {k.removeprefix("llm_provider-"): v for k, v in headers.items()})
    problem = cost_header_problem(provider, raw) if raw is not None else None
    if problem is None:
        return
    answer = (f"{provider.route}/{name}", str(getattr(response, "id", None) or id(response)))
    with _lock:
        if answer in _bad_header_warned:
            return
        _bad_header_warned[answer] = None
        while len(_bad_header_warned) > _BAD_HEADER_WARNED_KEPT:
            _bad_header_warned.popitem(last=False)
    logger.warning(
        "%s: the %s header of this answer %s, so it is not the call's cost; the call is priced from the "
        "catalog instead.",
        answer[0],
        provider.cost_header,
        problem,
    )


def _warn_about_no_price(provider: ProviderSpec, name: str) -> None:
    key = f"{provider.route}/{name}"
    info = litellm.model_cost.get(key)
    if not isinstance(info, Mapping) or _priced(info):
        return  # a model LiteLLM does not know it refuses to price itself; a priced one is priced
    with _lock:
        if key in _unpriced_warned:
            return
        _unpriced_warned.add(key)
    logger.warning(
        "%s: the cost of calls to this model is unknown, not zero: the catalog has no price for it, and "
        "LiteLLM reports its cost as 0.0. Set the price you pay with litellm.register_model() "
        "(docs/catalog.md, 'No published price'). Said once per model.",
        key,
    )


def _priced(info: Mapping[str, Any]) -> bool:
    inputs = info.get("input_cost_per_token") is not None
    if info.get("mode") == "embedding":
        return inputs
    return inputs and info.get("output_cost_per_token") is not None
