"""``register()``: the one place that wires this package into LiteLLM.

What LiteLLM offers no public hook for is done from here (the takeover and the handlers in this module,
the wraps of LiteLLM functions in ``param_wraps.py`` and ``answer_wraps.py``), each touch listed in
``compat.py`` and guarded by a test (``tests/unit/test_litellm_seams.py``) that fails loudly when a
LiteLLM upgrade moves it:

* LiteLLM ships a JSON-configured ``synthetic`` provider, and ``litellm.completion`` dispatches JSON,
  OpenAI-compatible and (for ``text_completion``) OpenAI-text-compatible providers *before* custom
  ones. The route is taken over by removing it from those three tables, so ``synthetic/...`` reaches
  this package's handler.
* ``litellm.completion_cost(response)`` prices a response from the catalog even when the provider
  stated the cost (the Syncropel gateway's ``X-Syncropic-Cost-Cents``). LiteLLM's own logging already
  prefers a stated cost (``llm_provider-x-litellm-response-cost``); the public function is wrapped to
  prefer it the same way for this package's responses. It, and ``litellm.response_cost_calculator``
  that LiteLLM's logging prices every call with, also warn where the figure is no cost: a stated cost
  that was refused, or a catalogued model with no price, which LiteLLM would report as free (``cost.py``).
* ``litellm.get_supported_openai_params`` answers a custom provider with a generic OpenAI list. It is
  wrapped so the answer for these routes comes from the catalog; LiteLLM's own parameter check
  (``UnsupportedParamsError``, ``drop_params``, ``allowed_openai_params``) then enforces it, exactly
  as for a built-in provider. LiteLLM's generic mapping that follows the check would drop
  ``reasoning_effort`` and ``thinking``; ``add_provider_specific_params_to_optional_params``, which
  every ``get_optional_params`` call goes through after it, is wrapped to keep what the check allowed.
* LiteLLM's ``/v1/messages`` adapter turns Anthropic ``thinking`` into a bare ``reasoning_effort``,
  which a model lacking that effort must refuse. Its ``_translate_thinking_to_openai`` is wrapped so
  that for these routes ``thinking`` reaches the handler, which maps it to an effort the model takes.
* LiteLLM's stream wrapper builds some chunks itself (the one carrying ``finish_reason``, the usage
  chunk of ``stream_options.include_usage``), stamped with the local time, while the handler's chunks
  carry the provider's ``created``. ``CustomStreamWrapper.model_response_creator`` is wrapped so they
  carry the stream's own ``created``: one value per stream, as OpenAI streams have.
* ``litellm.embedding`` refuses every OpenAI embedding parameter (``dimensions``, ``encoding_format``)
  for a provider outside its OpenAI-compatible list, which these routes had to leave (see the first
  point). ``litellm.main.get_optional_params_embeddings`` is wrapped so these routes pass them as OpenAI
  defines them.
* Taking over ``synthetic`` also takes LiteLLM's provider config for it away, and LiteLLM code that
  asks ``ProviderConfigManager.get_provider_chat_config`` for one (parameter mapping, helpers such as
  ``get_optional_params``) would get None. That method is wrapped to answer a taken-over route with
  ``CatalogChatConfig``: OpenAI-compatible, with the catalog's parameter list.
* ``litellm.acompletion(..., num_retries=N)`` repeats a failed call through
  ``litellm.acompletion_with_retries``, sleeping 1 s, 2 s, ... first for a ``RateLimitError``, past the
  call's timeout. The handler has already retried within the timeout, so that function is wrapped to
  raise a call's settled failure at once instead of repeating it.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import litellm
import litellm.cost_calculator
import litellm.main
import litellm.utils
from litellm.constants import openai_compatible_providers, openai_text_completion_compatible_providers
from litellm.llms.openai_like.json_loader import JSONProviderRegistry

from litellm_providers.answer_wraps import (
    install_async_retry_wait,
    install_completion_cost,
    install_one_created_per_stream,
    install_text_chunks_carry_text,
)
from litellm_providers.catalog import active_models, litellm_model_cost, set_active_models
from litellm_providers.catalog_cache import read_fresh_cache
from litellm_providers.core import ProviderHandler
from litellm_providers.cost import provider_stated_cost as provider_stated_cost  # the CLI's import
from litellm_providers.cost_map import write_catalog_entries
from litellm_providers.param_wraps import (
    install_anthropic_thinking_kept,
    install_embedding_params,
    install_provider_config,
    install_reasoning_params_kept,
    install_supported_params,
)
from litellm_providers.provider import ProviderSpec
from litellm_providers.providers import PROVIDERS
from litellm_providers.wraps import _wrapped_originals as _wrapped_originals  # the seam tests read it
from litellm_providers.wraps import supported_params as supported_params
from litellm_providers.wraps import taken_over

logger = logging.getLogger("litellm_providers")

HANDLERS: dict[str, ProviderHandler] = {route: ProviderHandler(spec) for route, spec in PROVIDERS.items()}

_lock = threading.Lock()


def register() -> None:
    """Make LiteLLM serve ``synthetic/``, ``synternet/`` and ``syncropic/`` through this package.

    Idempotent and cheap to call again; touches no network.
    """
    with _lock:
        for route, handler in HANDLERS.items():
            _take_over_builtin_route(route)
            _install_handler(route, handler)
            cached = read_fresh_cache(route)  # a refreshed catalog from disk; never the network
            if cached is not None:
                set_active_models(route, cached)
            register_catalog(handler.provider)
        _custom_llm_setup()
        install_supported_params()
        install_reasoning_params_kept()
        install_anthropic_thinking_kept()
        install_provider_config()
        install_completion_cost()
        install_embedding_params()
        install_async_retry_wait()
        install_one_created_per_stream()
        install_text_chunks_carry_text()


class _TakenOverRouteNotice(logging.Filter):
    """Drops LiteLLM's warning (1.110 on) that a built-in provider of the same name shadows a custom
    handler: for the routes ``register()`` took over, the custom handler is the one that answers."""

    def filter(self, record: logging.LogRecord) -> bool:
        # The whole message: LiteLLM's own filter on the logger may already have merged the args in.
        message = record.getMessage()
        return not any(message.startswith(f"custom_provider_map provider '{route}'") for route in taken_over)


def _custom_llm_setup() -> None:
    notice, litellm_logger = _TakenOverRouteNotice(), logging.getLogger("LiteLLM")
    litellm_logger.addFilter(notice)
    try:
        litellm.utils.custom_llm_setup()  # type: ignore[no-untyped-call]
    finally:
        litellm_logger.removeFilter(notice)


def register_catalog(provider: ProviderSpec) -> None:
    """Tell LiteLLM about a route's models: windows, limits, prices and capabilities.

    Written into LiteLLM's cost map in one step (``cost_map.py``), not model by model through
    ``litellm.register_model``, whose cost per model grows with the size of the map."""
    write_catalog_entries(provider.route, litellm_model_cost(provider, active_models(provider.route)))


def _take_over_builtin_route(route: str) -> None:
    if JSONProviderRegistry.exists(route):
        JSONProviderRegistry._providers.pop(route, None)
        taken_over.add(route)
    # The built-in route also sends text_completion() to LiteLLM's own /completions client.
    for table in (openai_compatible_providers, openai_text_completion_compatible_providers):
        if route in table:
            table.remove(route)
            taken_over.add(route)


def _install_handler(route: str, handler: ProviderHandler) -> None:
    # Replace, never duplicate: a proxy config may already have listed the same handler.
    others = [item for item in litellm.custom_provider_map if item["provider"] != route]
    litellm.custom_provider_map = [*others, {"provider": route, "custom_handler": handler}]


def registered_handler(route: str) -> Any:
    """The handler LiteLLM will call for a route right now (None if it is not registered)."""
    for item in litellm.custom_provider_map:
        if item["provider"] == route:
            return item["custom_handler"]
    return None
